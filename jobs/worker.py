"""A worker process: Huey's consumer running jobs on threads, a heartbeat beside it, and
a thread per periodic task (``jobs.periodic``: scheduled publications).

The heartbeat thread, every ``CMS_JOB_HEARTBEAT_SECONDS``, marks this process's running
jobs alive and runs the recovery pass (jobs/recovery.py), which also runs once before the
first job. Signals: SIGTERM stops taking jobs and waits up to ``CMS_WORKER_SHUTDOWN_SECONDS``
for the running ones (what service managers send); SIGINT (Ctrl-C) stops at once; either
way an unfinished job is taken back by a recovery pass.
"""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

from jobs import queue, recovery, registry, runner

logger = logging.getLogger("cms.jobs")


class Heartbeat(threading.Thread):
    def __init__(self, interval: float):
        super().__init__(name="jobs-heartbeat", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.wait(self.interval):
            self.beat()

    def beat(self):
        close_old_connections()
        try:
            recovery.heartbeat(runner.running_now(), runner.identity())
            recovery.recover()
        except Exception:  # the database may be away for a moment: try again next time
            logger.exception("Heartbeat or recovery pass failed")
        finally:
            close_old_connections()

    def stop(self):
        self.stopping.set()


class PeriodicThread(Heartbeat):
    """A registered periodic task (``jobs.periodic``) on a thread of its own, so a slow
    run never delays the heartbeat; a failure is logged and the next run tries again."""

    def __init__(self, task: registry.Periodic):
        super().__init__(task.interval())
        self.name = f"jobs-{task.name}"
        self.task = task

    def beat(self):
        close_old_connections()
        try:
            self.task.run()
        except Exception:
            logger.exception("Periodic task %s failed", self.task.name)
        finally:
            close_old_connections()


def run(threads: int | None = None) -> None:
    """Run jobs until a signal stops the process."""
    threads = threads or settings.CMS_WORKER_THREADS
    poll = settings.CMS_WORKER_POLL_SECONDS
    consumer = queue.huey().create_consumer(
        workers=threads,
        worker_type="thread",
        initial_delay=min(0.1, poll),
        max_delay=poll,
        periodic=False,
        shutdown_timeout=settings.CMS_WORKER_SHUTDOWN_SECONDS,
        graceful_signal="TERM",
    )
    logger.info(
        "Worker %s: %s thread(s) on the queue %s (%s)",
        runner.identity(),
        threads,
        queue.queue_name(),
        _safe_url(settings.CMS_QUEUE_URL),
    )
    recovery.recover()
    close_old_connections()
    heartbeat = Heartbeat(settings.CMS_JOB_HEARTBEAT_SECONDS)
    companions = [heartbeat, *(PeriodicThread(task) for task in registry.periodic_tasks())]
    for thread in companions:
        thread.start()
    try:
        consumer.run()
    finally:
        for thread in companions:
            thread.stop()


def _safe_url(url: str) -> str:
    """The queue's URL without its password, for the log."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    return f"{scheme}{sep}{'***' + at if at else ''}{host}"
