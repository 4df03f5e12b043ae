"""The workers' side of build triggers (build_triggers/sending.py)."""

import jobs
from build_triggers import sending


def _gave_up(job):
    sending.gave_up(job.arguments["trigger"])


# Rerunnable: a worker lost mid-request sends it again. A build asked twice rebuilds the
# same content; a build lost would leave the trigger pending for ever.
@jobs.handler("build_triggers.request", rerunnable=True, on_failure=_gave_up)
def request(job):
    sending.send(job.arguments["trigger"])
    return 204, None
