"""Schedules are per environment: each lives in its environment's storage, a pass runs
every ready environment's due ones there, and a read-only environment's wait."""

from environments import selection
from environments.models import Environment
from items.models import Item
from schedules import execution
from schedules.models import Schedule
from tests.items.conftest import make
from tests.schedules.test_endpoints import later, publication


def a_record(api) -> dict:
    model = api.create_item_type("note", draft_mode_active=True)
    api.create_field(model["id"], "text", "string")
    return make(api, model["id"], {"text": "hi"})


def make_due(*storages) -> None:
    for storage in storages:
        with selection.using(storage):
            Schedule.objects.update(scheduled_at="2001-01-01T00:00:00Z")


def test_each_environment_runs_its_own_schedules(main_api, sandbox_api, sandbox):
    in_main, in_sandbox = a_record(main_api), a_record(sandbox_api)
    for api, record in ((main_api, in_main), (sandbox_api, in_sandbox)):
        path = f"/items/{record['id']}/scheduled-publication"
        assert api.post(path, publication(later())).status_code == 201
    # Not the other environment's record.
    elsewhere = f"/items/{in_sandbox['id']}/scheduled-publication"
    assert main_api.delete(elsewhere).status_code == 404
    with selection.using(sandbox):
        assert list(Schedule.objects.values_list("item_id", flat=True)) == [in_sandbox["id"]]
    Environment.objects.filter(pk=sandbox.pk).update(read_only_mode=True)
    make_due("", sandbox.storage)
    ran = execution.run_due()
    assert [(o.environment, o.item_id) for o in ran] == [("main", in_main["id"])]
    assert main_api.get(f"/items/{in_main['id']}").body["data"]["meta"]["status"] == "published"
    Environment.objects.filter(pk=sandbox.pk).update(read_only_mode=False)
    ran = execution.run_due()
    assert [(o.environment, o.item_id) for o in ran] == [("sandbox", in_sandbox["id"])]
    meta = sandbox_api.get(f"/items/{in_sandbox['id']}").body["data"]["meta"]
    assert meta["status"] == "published" and meta["publication_scheduled_at"] is None
    with selection.using(sandbox):
        assert not Schedule.objects.exists()
        assert Item.objects.get(pk=in_sandbox["id"]).status == "published"
