"""The compat tests' fixtures from elsewhere: a database where environments can be made."""

from tests.environments.conftest import (  # noqa: F401 (fixtures)
    environments,
    migrated_sqlite_file,
    sandbox,
)
