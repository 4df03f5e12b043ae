"""Events are kept ``CMS_AUDIT_LOG_RETENTION_DAYS`` (DatoCMS: two months), then deleted by
the workers' periodic pass (audit_log/tasks.py): a range delete on the primary key, in
chunks so that a first run over a large backlog never holds one long transaction."""

from datetime import timedelta

from django.conf import settings
from django.utils.timezone import now

from audit_log.models import AuditLogEvent
from audit_log.ulid import min_ulid

CHUNK = 5000


def prune() -> int:
    cutoff = now() - timedelta(days=settings.CMS_AUDIT_LOG_RETENTION_DAYS)
    boundary = min_ulid(cutoff.timestamp())
    deleted = 0
    while True:
        ids = list(
            AuditLogEvent.objects.filter(id__lt=boundary).values_list("id", flat=True)[:CHUNK]
        )
        if not ids:
            return deleted
        deleted += AuditLogEvent.objects.filter(id__in=ids).delete()[0]
