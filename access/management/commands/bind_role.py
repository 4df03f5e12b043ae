"""``manage.py bind_role USERNAME ROLE`` binds a staff user to a role (admin, editor,
readonly, or any role's name); ``--unbind`` removes the binding. What a bound user may do:
access/admin_permissions.py."""

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from access.models import Role, StaffRole


class Command(BaseCommand):
    help = "Bind a user to a role (what they may do in the admin and the record API)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", nargs="?", help="admin, editor, readonly or a role's name")
        parser.add_argument("--unbind", action="store_true", help="remove the user's role")

    def handle(self, *args, username, role, unbind, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        if unbind:
            binding = StaffRole.objects.filter(user=user).first()
            if binding is not None:
                binding.delete()
            self.stdout.write(f"{username!r} has no role now.")
            return
        if not role:
            raise CommandError("Name the role (or pass --unbind).")
        try:
            found = Role.named(role)
        except Role.DoesNotExist as error:
            raise CommandError(str(error)) from None
        with transaction.atomic():
            binding = StaffRole.objects.filter(user=user).first() or StaffRole(user=user)
            binding.role = found
            binding.save()
        self.stdout.write(f"{username!r} has the role {found.name!r}.")
