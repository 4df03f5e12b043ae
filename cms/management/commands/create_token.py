"""``manage.py create_token NAME --role admin|editor|readonly``: the token is the last line."""

from django.core.management.base import BaseCommand

from cms.models import ApiToken


class Command(BaseCommand):
    help = "Create an API token and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--role", choices=[choice.value for choice in ApiToken.Role], default="admin"
        )

    def handle(self, *args, name, role, **options):
        token, secret = ApiToken.create(name=name, role=role)
        self.stdout.write(f"Created {role} token {name!r} (id {token.id}). Keep it secret:")
        self.stdout.write(secret)
