"""The task queue (Huey): the embedded SQLite file, or Redis in production.

It carries one kind of message, "run job <id>" (the Huey task ``jobs.run``); everything
else about a job is its database row. A message may be lost (a worker killed just after
taking it, Redis restarted, a send that failed) or arrive twice (the recovery pass sends
again): the row's state decides what runs, never the message.

``settings.CMS_QUEUE_URL``: ``redis://…`` (``rediss://``, ``unix://``) or
``sqlite:///<path>``. The Huey instance is built when first used, from the settings then.
"""

import hashlib
import logging
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from huey import Huey, RedisHuey, SqliteHuey

logger = logging.getLogger("cms.jobs")

REDIS_SCHEMES = {"redis", "rediss", "unix"}
TASK_NAME = "jobs.run"  # in every message: never rename it while messages may be queued

_lock = threading.Lock()
_huey: Huey | None = None
_run_task = None


def queue_name() -> str:
    """``CMS_QUEUE_NAME``, or one made from the database's address."""
    return settings.CMS_QUEUE_NAME or database_queue_name(settings.DATABASES["default"])


def database_queue_name(database: dict) -> str:
    """A queue name of the database's own (as Huey's Django integration makes one), so
    installations sharing a Redis keep their messages apart: readable, and unique."""
    where = f"{database.get('HOST') or ''}:{database.get('PORT') or ''}/{database['NAME']}"
    readable = re.sub(r"[^A-Za-z0-9_]", "", Path(str(database["NAME"])).name)
    return f"cms_{readable}_{hashlib.sha256(where.encode()).hexdigest()[:10]}"


def build(url: str, name: str) -> Huey:
    """A Huey instance on the storage ``url`` names (results are kept in the job rows)."""
    scheme = urlsplit(url).scheme
    if scheme in REDIS_SCHEMES:
        return RedisHuey(name, url=url, results=False)
    if scheme == "sqlite":
        path = Path(urlsplit(url).path[1:])  # sqlite:////abs/file, as DATABASE_URL writes it
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), results=False)
    raise ImproperlyConfigured(
        f"CMS_QUEUE_URL must start with redis://, rediss://, unix:// or sqlite:///, not {url!r}"
    )


def huey() -> Huey:
    """This process's Huey instance, with the one task registered."""
    global _huey, _run_task
    with _lock:
        if _huey is None:
            from jobs.runner import run  # (runner -> recovery -> queue)

            instance = build(settings.CMS_QUEUE_URL, queue_name())
            _run_task = instance.task(name=TASK_NAME)(run)
            _huey = instance
        return _huey


def send(job_id: str) -> bool:
    """Put "run job ``job_id``" on the queue; False (logged) if the queue can't be reached:
    the job stays queued and the recovery pass sends it again later."""
    huey()
    try:
        _run_task(job_id)
    except Exception:
        logger.exception(
            "Could not send job %s to the queue; it is sent again after "
            "CMS_JOB_REQUEUE_SECONDS (%s s)",
            job_id,
            settings.CMS_JOB_REQUEUE_SECONDS,
        )
        return False
    return True


def _forget(setting, **kwargs):
    global _huey, _run_task
    if setting in ("CMS_QUEUE_URL", "CMS_QUEUE_NAME", "DATABASES"):
        with _lock:
            _huey = _run_task = None


setting_changed.connect(_forget, dispatch_uid="jobs.queue.forget")
