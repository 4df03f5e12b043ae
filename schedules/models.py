"""A record's scheduled publication or unpublishing: at most one of each kind per record.

The row is the truth; the record's ``publication_scheduled_at`` /
``unpublishing_scheduled_at`` columns copy its time (written in the same transaction) so
that lists filter and order by them as by any other meta column. A row is deleted once its
publication ran; one that failed stays, with ``failed_at`` and ``failure`` (why), and is
not tried again until a new schedule replaces it or it is cancelled (schedules/execution.py).
"""

from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from items.models import Item


class Schedule(models.Model):
    class Kind(models.TextChoices):
        PUBLICATION = "publication"
        UNPUBLISHING = "unpublishing"

    # Deleted with its record (the record's delete removes its schedules in one statement).
    # Found through the unique constraint's index, which starts with it.
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="schedules", db_index=False
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    scheduled_at = models.DateTimeField()
    #: Publication: {"content_in_locales": [...], "non_localized_content": bool} or null
    #: (the whole record). Unpublishing: null (the whole record; partial is refused).
    selection = models.JSONField(null=True, blank=True)
    creator_type = models.CharField(max_length=32, default="access_token")
    creator_id = models.CharField(max_length=22, null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    #: Set when the publication was tried and refused (the record became invalid...):
    #: ``failure`` holds the api_error documents' errors saying why.
    failed_at = models.DateTimeField(null=True, blank=True)
    failure = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "kind"], name="one_schedule_per_kind"),
        ]
        indexes = [
            # The workers' scan: the due schedules not yet failed, oldest first.
            models.Index(
                fields=["scheduled_at"],
                condition=Q(failed_at__isnull=True),
                name="schedules_pending_by_time",
            ),
        ]

    def __str__(self):
        return f"{self.kind} of {self.item_id} at {self.scheduled_at:%Y-%m-%d %H:%M:%S}"
