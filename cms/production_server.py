"""The production server's command line, in a module that needs no Django setup, so that
``manage.py serve`` and the benchmarks (``bench/harness.py``) start the very same server."""

import sys


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
