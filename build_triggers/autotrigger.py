"""``autotrigger_on_scheduled_publications``: after a scheduled publication or
unpublishing ran (schedules.signals.schedule_ran, sent once per run after its commit), the
enabled triggers that have it ask for a build.

Only runs in the primary environment count: the site is built from it, so a sandbox's
schedule changes nothing a build reads. A refused run changed nothing either. Many runs in
one pass ask for one build request per trigger (a request queued and not yet sent covers
the next: build_triggers.services.request_builds).
"""

from django.db import transaction

from build_triggers import services
from build_triggers.models import BuildTrigger
from environments.models import Environment


def after_schedule(sender, outcome, **kwargs) -> None:
    if not outcome.succeeded:
        return
    ids = list(
        BuildTrigger.objects.filter(
            enabled=True, autotrigger_on_scheduled_publications=True
        ).values_list("pk", flat=True)
    )
    if not ids or not Environment.objects.filter(name=outcome.environment, primary=True).exists():
        return
    with transaction.atomic():
        services.request_builds(ids)
