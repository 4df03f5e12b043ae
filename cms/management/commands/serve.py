"""``manage.py serve``: migrate, make sure a token exists, then run the production server
(granian, as in the README's "Production") and a job worker (``manage.py run_worker``) on
this machine's embedded defaults.

Both run as children of this process, which stays to look after them: a signal it gets
(Ctrl-C, SIGTERM) goes on to both, and when either ends the other is stopped too, so
nothing is left running. On Linux each child also gets SIGTERM if this process dies
without a chance to pass anything on (SIGKILL).
"""

import contextlib
import ctypes
import ctypes.util
import functools
import os
import shutil
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from cms.models import ApiToken
from cms.production_server import granian_command, server_environ


def worker_command() -> list[str]:
    """The job worker, as production runs it (README "Background jobs")."""
    return [sys.executable, str(settings.BASE_DIR / "manage.py"), "run_worker"]


def split_address(addrport: str) -> tuple[str, int]:
    """``127.0.0.1:8000``, ``[::1]:8000`` or ``8000`` into a host and a port."""
    host, _, port = addrport.rpartition(":")
    if not port.isdigit():
        raise CommandError(f"{addrport!r} is not an address like 127.0.0.1:8000")
    return (host.strip("[]") or "127.0.0.1"), int(port)


class Command(BaseCommand):
    help = (
        "Apply migrations, create a first admin token if none exists, and serve the API "
        "with a job worker beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        host, port = split_address(addrport)
        call_command("migrate", interactive=False, verbosity=0)
        if not ApiToken.objects.exists():
            token, secret = ApiToken.create(name="First admin token", role=ApiToken.Role.ADMIN)
            self.stdout.write(
                "No API token existed, so an admin token was created (shown only now):\n"
                f"\n    {secret}\n\n"
                "Use it as: Authorization: Bearer <token>\n"
            )
        self.stdout.write(f"Serving on http://{addrport} (Ctrl-C stops)\n")
        self.stdout.flush()
        connections.close_all()
        # The production server refuses to start without SECRET_KEY; on this one machine
        # the key kept in CMS_DATA_DIR (settings) is the right one, so it is handed over.
        os.environ["SECRET_KEY"] = settings.SECRET_KEY
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(fresh_metrics_dir()))
        os.environ.update(server_environ())  # the allocator both children run with
        sys.exit(supervise([granian_command(host, port), worker_command()]))


def fresh_metrics_dir():
    """An empty directory where the server's workers keep their metrics (observability/
    metrics.py), so a scrape answered by one worker counts them all; emptied at each start,
    as prometheus_client asks."""
    directory = settings.DATA_DIR / "metrics"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return directory


# How long stopped children may take before they are killed: the worker waits up to
# CMS_WORKER_SHUTDOWN_SECONDS for its running jobs.
STOP_GRACE_SECONDS = 5


def supervise(commands: list[list[str]]) -> int:
    """Run ``commands`` until one ends or a signal comes; stop them all; the exit code."""
    die_with_me = functools.partial(_die_with_parent, os.getpid())
    children = [subprocess.Popen(command, preexec_fn=die_with_me) for command in commands]
    received = []

    def on_signal(signum, frame):
        received.append(signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    while not received and all(child.poll() is None for child in children):
        time.sleep(0.2)
    ended = next((child for child in children if child.returncode is not None), None)
    for child in children:
        if child.poll() is None:
            # SIGINT (Ctrl-C) stops at once, anything else is passed on as SIGTERM: the
            # worker then finishes its running jobs first.
            interrupt = received and received[0] == signal.SIGINT
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signal.SIGINT if interrupt else signal.SIGTERM)
    deadline = time.monotonic() + settings.CMS_WORKER_SHUTDOWN_SECONDS + STOP_GRACE_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    if ended is not None:
        name = "server" if ended is children[0] else "job worker"
        sys.stderr.write(f"The {name} stopped (exit code {ended.returncode}); stopping.\n")
        return ended.returncode or 1
    return 0


PR_SET_PDEATHSIG = 1  # Linux's prctl(2): a signal for this process when its parent dies


def _die_with_parent(parent: int) -> None:
    """In the child, before it starts: SIGTERM when serve ends (Linux; elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # serve died before the line above: too late to be told
        os._exit(1)
