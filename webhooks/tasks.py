"""The workers' side of webhooks (webhooks/delivery.py). The sending threads run at a
lower priority (CMS_WEBHOOK_DELIVERY_NICE): delivery may lag, the API on the same cores
should not slow down."""

import logging
import os
import threading

from django.conf import settings

import jobs
from webhooks import delivery

logger = logging.getLogger("cms.webhooks")
_thread = threading.local()


def lower_priority() -> None:
    """Once per thread: raise this thread's niceness (Linux schedules threads alone; an
    unprivileged process may always raise it). Elsewhere, or refused, nothing changes."""
    if getattr(_thread, "niced", False):
        return
    _thread.niced = True
    wanted = settings.CMS_WEBHOOK_DELIVERY_NICE
    if wanted <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        thread = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, max(current, min(wanted, 19)))
    except OSError as error:
        logger.info("Webhook delivery keeps its priority: %s", error)


@jobs.periodic("webhooks.deliver", interval=lambda: settings.CMS_WEBHOOK_POLL_SECONDS)
def deliver():
    lower_priority()
    delivery.deliver_pending()


@jobs.handler("webhooks.resend", rerunnable=True)
def resend(job):
    delivery.resend(job.arguments["call"])
    return 204, None


@jobs.periodic("webhooks.retry_due", interval=lambda: settings.CMS_WEBHOOK_RETRY_POLL_SECONDS)
def retry_due():
    lower_priority()
    delivery.retry_due()


@jobs.periodic("webhooks.prune", interval=lambda: 3600.0)
def prune():
    delivery.prune()
