"""Which apps' tables a storage holds: every app in the project storage, only the
per-environment apps (environments.storages) in an environment's own."""

from environments import selection
from environments.storages import PROJECT_STORAGE, is_per_environment


class EnvironmentRouter:
    def allow_migrate(self, db, app_label, **hints):
        storage = selection.wanted()
        if storage in (PROJECT_STORAGE, selection.ANY):
            return None  # Django's default: yes
        return is_per_environment(app_label)
