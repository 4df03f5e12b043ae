"""``manage.py serve``: migrate, make sure a token exists, then run the production server
(granian, as in the README's "Production") on this machine's embedded defaults."""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from cms.models import ApiToken


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


def split_address(addrport: str) -> tuple[str, int]:
    """``127.0.0.1:8000``, ``[::1]:8000`` or ``8000`` into a host and a port."""
    host, _, port = addrport.rpartition(":")
    if not port.isdigit():
        raise CommandError(f"{addrport!r} is not an address like 127.0.0.1:8000")
    return (host.strip("[]") or "127.0.0.1"), int(port)


class Command(BaseCommand):
    help = "Apply migrations, create a first admin token if none exists, and serve the API."

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
        os.execv(sys.executable, granian_command(host, port))
