"""The production server's command line, in a module that needs no Django setup, so that
``manage.py serve`` and the benchmarks (``bench/harness.py``) start the very same server."""

import os
import sys

#: How the server's processes allocate memory (README "A big batch's memory is given back").
#: Python's own allocator (pymalloc) keeps each 1 MiB arena a few surviving objects of a big
#: batch sit in, so a worker grew by some 3 MB per 10,000-record batch, batch after batch;
#: glibc's malloc gives the freed pages back (record_api/memory.py trims after big batches).
#: Two glibc arenas, not one per server thread, and big blocks always mapped on their own
#: (glibc otherwise raises that threshold to the largest block freed, a batch's body, and
#: later big blocks land among small ones) keep what stays lower still. The operator's
#: own values win.
ALLOCATOR_ENV = {
    "PYTHONMALLOC": "malloc",
    "MALLOC_ARENA_MAX": "2",
    "MALLOC_MMAP_THRESHOLD_": "131072",
}


def server_environ(environ: dict | None = None) -> dict:
    """``environ`` (this process's by default) with ALLOCATOR_ENV's defaults."""
    return {**ALLOCATOR_ENV, **(os.environ if environ is None else environ)}


def granian_command(host: str, port: int, workers: int = 1) -> list[str]:
    """The production server's command line (README "Production" shows the same)."""
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "cms.wsgi:application",
    ]
