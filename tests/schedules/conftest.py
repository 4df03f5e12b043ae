from tests.environments.conftest import (  # noqa: F401  (fixtures)
    admin_token,
    environments,
    main_api,
    migrated_sqlite_file,
    sandbox,
    sandbox_api,
)
