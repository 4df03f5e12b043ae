"""The workers' periodic pass over due schedules (schedules/execution.py)."""

from django.conf import settings

import jobs
from schedules import execution


@jobs.periodic("schedules.run_due", interval=lambda: settings.CMS_SCHEDULE_POLL_SECONDS)
def run_due():
    execution.run_due()
