"""``manage.py migrate``: an installation from before environments upgrades into ``main``
with nothing lost, and every environment's storage is migrated after the project's."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from environments import selection
from environments.migrating import migrate_storage
from environments.models import Environment, MaintenanceMode
from environments.storages import per_environment_tables
from item_types.models import ItemType
from tests.environments.conftest import EnvironmentApi
from tests.items.conftest import make

ENVIRONMENT_TABLES = {"environments_environment", "environments_maintenancemode"}


def _tables() -> set[str]:
    return set(connection.introspection.table_names())


def _applied(app: str) -> set[str]:
    return {
        name for (label, name) in MigrationRecorder(connection).applied_migrations() if label == app
    }


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, "items_item"))


def test_an_installation_from_before_environments_upgrades_into_main(main_api):
    model = main_api.create_item_type("post")
    main_api.create_field(model["id"], "title", "string")
    record = make(main_api, model["id"], {"title": "kept"})
    call_command("migrate", "environments", "zero", verbosity=0)
    try:
        assert not ENVIRONMENT_TABLES & _tables()  # as before environments
        ItemType.objects.create(name="Page", api_key="page")  # written by the old version
    finally:
        call_command("migrate", verbosity=0)

    main = Environment.objects.get()
    assert (main.name, main.storage, main.primary, main.status) == ("main", "", True, "ready")
    assert MaintenanceMode.objects.get().active is False
    for api in (main_api, EnvironmentApi(main_api.token, "main")):
        models = sorted(m["attributes"]["api_key"] for m in api.get("/item-types").body["data"])
        assert models == ["page", "post"]
        found = api.get(f"/items/{record['id']}")
        assert found.status_code == 200
        assert found.body["data"]["attributes"]["title"] == "kept"


def test_migrate_brings_every_environment_up_to_date(environments, sandbox):
    Environment.objects.create(name="copying", storage="env_beingmade")
    # The sandbox falls behind (as after an upgrade of the code): three migrations undone.
    migrate_storage(sandbox.storage, app_label="items", migration_name="0004_lean_writes")
    with selection.using(sandbox, migrating=True):
        assert "0005_block_indexes_leave_records_out" not in _applied("items")
        assert "items_block_root" not in _indexes()
    assert "0007_text_indexes_by_prefix" in _applied("items")  # the project's: untouched

    out = StringIO()
    call_command("migrate", stdout=out)
    report = out.getvalue()
    assert "Environment sandbox" in report
    assert "Applying items.0005_block_indexes_leave_records_out... OK" in report
    assert "Environment copying is creating: not migrated." in report
    with selection.using(sandbox, migrating=True):
        assert "0007_text_indexes_by_prefix" in _applied("items")
        assert "items_block_root" in _indexes()


def test_an_environment_s_storage_holds_only_per_environment_tables(environments, sandbox):
    with selection.using(sandbox, migrating=True):
        assert _tables() == set(per_environment_tables())
        assert _applied("cms")  # recorded as done (nothing to do there), like Django's own
    assert {"cms_apitoken", *ENVIRONMENT_TABLES, *per_environment_tables()} <= _tables()


@pytest.mark.django_db
def test_migrations_match_the_models():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
