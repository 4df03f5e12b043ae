"""``manage.py create_token NAME --role admin|editor|readonly|<a role's name>``: the token
is the last line."""

from django.core.management.base import BaseCommand, CommandError

from access.models import Role
from cms.models import ApiToken


class Command(BaseCommand):
    help = "Create an API token and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--role",
            default="admin",
            help="admin, editor or readonly (the built-in roles), or any role's name",
        )

    def handle(self, *args, name, role, **options):
        try:
            found = Role.named(role)
        except Role.DoesNotExist as error:
            raise CommandError(str(error)) from None
        token, secret = ApiToken.create(name=name, role=found)
        self.stdout.write(f"Created {found.name} token {name!r} (id {token.id}). Keep it secret:")
        self.stdout.write(secret)
