"""Settings that would make the recovery pass take back jobs whose worker is alive."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def heartbeat_settings(app_configs=None, **kwargs):
    heartbeat, stale = settings.CMS_JOB_HEARTBEAT_SECONDS, settings.CMS_JOB_STALE_SECONDS
    problems = []
    if not 0 < heartbeat * 2 <= stale:
        problems.append(
            Error(
                f"CMS_JOB_STALE_SECONDS ({stale}) must be at least twice "
                f"CMS_JOB_HEARTBEAT_SECONDS ({heartbeat}, above 0): a live worker marks its "
                "jobs alive only every heartbeat, and a job not marked alive for the stale "
                "time is taken from its worker.",
                id="jobs.E001",
            )
        )
    if settings.CMS_JOB_MAX_ATTEMPTS < 1:
        problems.append(Error("CMS_JOB_MAX_ATTEMPTS must be at least 1.", id="jobs.E002"))
    return problems
