"""``manage.py serve``: migrate, make sure a token exists, then run the development server."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from cms.models import ApiToken


class Command(BaseCommand):
    help = "Apply migrations, create a first admin token if none exists, and serve the API."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if not ApiToken.objects.exists():
            token, secret = ApiToken.create(name="First admin token", role=ApiToken.Role.ADMIN)
            self.stdout.write(
                "No API token existed, so an admin token was created (shown only now):\n"
                f"\n    {secret}\n\n"
                "Use it as: Authorization: Bearer <token>\n"
            )
        # insecure_serving: the development server also serves the admin's static files.
        call_command("runserver", addrport, use_reloader=False, insecure_serving=True)
