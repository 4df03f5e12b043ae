"""The job: one piece of background work, its state, and its answer once done.

The database row is the truth about a job; the queue's message only wakes a worker up
(see jobs/runner.py). Times a worker compares (heartbeats, sends) are the database's own
clock, so hosts whose clocks drift apart still agree on which job is stale.
"""

from django.db import models
from django.db.models.functions import Now

from cms.ids import new_id


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    FINISHED = (State.SUCCEEDED, State.FAILED)

    id = models.CharField(primary_key=True, max_length=22, default=new_id, editable=False)
    kind = models.CharField(max_length=100)
    arguments = models.JSONField(default=dict)
    # Which environment the job works on (its handler selects it); None: project-wide.
    environment = models.CharField(max_length=64, null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    # Once finished: the HTTP status and JSON body the synchronous endpoint would have
    # answered (an api_error document when it failed).
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    payload = models.JSONField(null=True, blank=True)
    # How many times a worker claimed it (a rerunnable job is claimed again after its
    # worker died), and the claiming worker ("host:pid") while it runs.
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=255, blank=True, default="")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # When its message was last sent to the queue: a queued job whose message is older
    # than CMS_JOB_REQUEUE_SECONDS is sent again (the message may have been lost).
    enqueued_at = models.DateTimeField(db_default=Now())
    created_at = models.DateTimeField(db_default=Now())
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            # The recovery pass's two scans; partial, so they hold only the jobs not yet
            # finished, however many finished ones pile up.
            models.Index(
                fields=["heartbeat_at"],
                name="jobs_running_by_heartbeat",
                condition=models.Q(state="running"),
            ),
            models.Index(
                fields=["enqueued_at"],
                name="jobs_queued_by_enqueued",
                condition=models.Q(state="queued"),
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.id} ({self.state})"
