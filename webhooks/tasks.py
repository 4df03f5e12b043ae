"""The workers' side of webhooks (webhooks/delivery.py)."""

from django.conf import settings

import jobs
from webhooks import delivery


@jobs.periodic("webhooks.deliver", interval=lambda: settings.CMS_WEBHOOK_POLL_SECONDS)
def deliver():
    delivery.deliver_pending()


@jobs.handler("webhooks.resend", rerunnable=True)
def resend(job):
    delivery.resend(job.arguments["call"])
    return 204, None


@jobs.periodic("webhooks.retry_due", interval=lambda: settings.CMS_WEBHOOK_RETRY_POLL_SECONDS)
def retry_due():
    delivery.retry_due()


@jobs.periodic("webhooks.prune", interval=lambda: 3600.0)
def prune():
    delivery.prune()
