"""``schedule_ran``: sent once per scheduled run, done or refused, after its transaction
committed, with ``outcome`` (a :class:`schedules.execution.Outcome`: the environment,
the kind, the record, and the record as left or the errors). The hook for what announces
scheduled runs (webhooks, build triggers with ``autotrigger_on_scheduled_publications``);
the publish and unpublish services' own events cover the change itself."""

from django.dispatch import Signal

schedule_ran = Signal()
