"""``manage.py migrate``: the project storage (every app), then each ready environment's
storage (the per-environment apps), each with its own record of applied migrations."""

from django.core.management.commands import migrate
from django.db import DEFAULT_DB_ALIAS

from environments import selection
from environments.migrating import create_storage, environments_to_migrate
from environments.storages import PROJECT_STORAGE


class Command(migrate.Command):
    help = "Updates the project's tables, then every environment's, to the latest migrations."

    def handle(self, *args, **options):
        if options["database"] != DEFAULT_DB_ALIAS:
            return super().handle(*args, **options)
        with selection.using(PROJECT_STORAGE, migrating=True):
            super().handle(*args, **options)
        ready, busy = environments_to_migrate()
        for environment in ready:
            if options["verbosity"] >= 1:
                self.stdout.write(
                    self.style.MIGRATE_HEADING(
                        f"Environment {environment.name} (storage {environment.storage}):"
                    )
                )
            create_storage(environment.storage)
            with selection.using(environment.storage, migrating=True):
                super().handle(*args, **options)
        for environment in busy:
            self.stdout.write(
                self.style.WARNING(
                    f"Environment {environment.name} is {environment.status}: not migrated."
                )
            )
