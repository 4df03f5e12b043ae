"""Menus over HTTP: bodies as the official client sends them, and the menu as a list of
(label, parent label, position) to compare whole trees in one assertion."""

import pytest

from jobs import runner
from jobs.models import Job
from menus.models import MenuItem, SchemaMenuItem
from tests.environments.conftest import (  # noqa: F401 (fixtures, for test_environments.py)
    admin_token,
    environments,
    main_api,
    migrated_sqlite_file,
    sandbox,
    sandbox_api,
)

PATHS = {"menu_item": "/menu-items", "schema_menu_item": "/schema-menu-items"}


def link(type_: str, id_: str | None) -> dict:
    return {"data": {"type": type_, "id": id_} if id_ else None}


def item_body(type_="menu_item", id_=None, parent=None, item_type=None, **attributes) -> dict:
    """A create or update body; ``parent``/``item_type`` ``...`` (Ellipsis) leaves it out."""
    data = {"type": type_, "attributes": attributes, "relationships": {}}
    if id_:
        data["id"] = id_
    if parent is not ...:
        data["relationships"]["parent"] = link(type_, parent)
    if item_type is not ...:
        data["relationships"]["item_type"] = link("item_type", item_type)
    return {"data": data}


def create(api, label, parent=None, type_="menu_item", **attributes) -> dict:
    if type_ == "schema_menu_item":
        attributes.setdefault("kind", "item_type")
    response = api.post(PATHS[type_], item_body(type_, parent=parent, label=label, **attributes))
    assert response.status_code == 201, response.body
    return response.body["data"]


def menu(api, type_="menu_item") -> list[tuple]:
    """The menu as the API lists it: (label, parent's label, position), in menu order."""
    response = api.get(PATHS[type_])
    assert response.status_code == 200, response.body
    labels = {r["id"]: r["attributes"]["label"] for r in response.body["data"]}
    return [
        (
            r["attributes"]["label"],
            labels.get((r["relationships"]["parent"]["data"] or {}).get("id")),
            r["attributes"]["position"],
        )
        for r in response.body["data"]
    ]


def rows(type_="menu_item") -> list[tuple]:
    """Every stored row, to show that a refusal wrote nothing."""
    model = MenuItem if type_ == "menu_item" else SchemaMenuItem
    return sorted(model.objects.values_list("id", "label", "parent_id", "position", "item_type"))


def run_jobs() -> list[Job]:
    """Run the queued jobs here, as a worker would (on a transactional database)."""
    queued = list(Job.objects.filter(state=Job.State.QUEUED).order_by("created_at"))
    for job in queued:
        runner.run(job.id)
    return [Job.objects.get(pk=job.pk) for job in queued]


@pytest.fixture
def queue(settings, tmp_path):
    """A queue of this test's own (a SQLite file): jobs sent to it are run by run_jobs."""
    settings.CMS_QUEUE_URL = f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    settings.CMS_QUEUE_NAME = "menus_tests"
