"""The workers' side of the audit log: pruning events past their retention."""

from django.conf import settings

import jobs
from audit_log import retention


@jobs.periodic("audit_log.prune", interval=lambda: settings.CMS_AUDIT_LOG_PRUNE_SECONDS)
def prune():
    retention.prune()
