"""Menus are per environment: a sandbox has its own, and a reorder's job runs in the
environment it was asked in."""

import pytest

from environments import selection
from menus.models import MenuItem
from tests.menus.conftest import create, menu, run_jobs

pytestmark = pytest.mark.usefixtures("queue")


def test_each_environment_has_its_menus_and_reorders_there(main_api, sandbox_api, sandbox):
    create(main_api, "Main A")
    create(main_api, "Main B")
    a, b = create(sandbox_api, "Sandbox A"), create(sandbox_api, "Sandbox B")
    sandbox_api.post(
        "/schema-menu-items",
        {"data": {"type": "schema_menu_item", "attributes": {"label": "G", "kind": "item_type"}}},
    )

    response = sandbox_api.post(
        "/menu-items/reorder",
        {
            "data": [
                {"type": "menu_item", "id": b["id"], "attributes": {"position": 1}},
                {"type": "menu_item", "id": a["id"], "attributes": {"position": 2}},
            ]
        },
    )
    assert response.status_code == 202, response.body
    (job,) = run_jobs()

    assert (job.status, job.environment) == (200, sandbox.name)
    assert menu(sandbox_api) == [("Sandbox B", None, 1), ("Sandbox A", None, 2)]
    assert menu(main_api) == [("Main A", None, 1), ("Main B", None, 2)]
    assert main_api.get("/schema-menu-items").body["data"] == []
    with selection.using(sandbox):
        assert MenuItem.objects.count() == 2
