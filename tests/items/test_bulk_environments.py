"""Bulk record calls are per environment: the job runs in the environment it was asked
in, and a record of another environment is no record there."""

import pytest

from tests.environments.conftest import (
    admin_token,
    environments,
    main_api,
    migrated_sqlite_file,
    sandbox,
    sandbox_api,
)
from tests.items.conftest import make
from tests.menus.conftest import queue, run_jobs

__all__ = [  # fixtures
    "admin_token",
    "environments",
    "main_api",
    "migrated_sqlite_file",
    "queue",
    "sandbox",
    "sandbox_api",
]

pytestmark = pytest.mark.usefixtures("queue")


def _model(api) -> str:
    model = api.create_item_type("page", draft_mode_active=True)
    api.create_field(model["id"], "title", "string")
    return model["id"]


def test_a_bulk_publish_runs_in_the_environment_it_was_asked_in(main_api, sandbox_api, sandbox):
    main_record = make(main_api, _model(main_api), {"title": "main"})["id"]
    sandbox_record = make(sandbox_api, _model(sandbox_api), {"title": "sandbox"})["id"]
    body = {
        "data": {
            "type": "item_bulk_publish_operation",
            "relationships": {
                "items": {
                    "data": [
                        {"type": "item", "id": sandbox_record},
                        {"type": "item", "id": main_record},
                    ]
                }
            },
        }
    }
    response = sandbox_api.post("/items/bulk/publish", body)
    assert response.status_code == 202, response.body
    jobs = run_jobs()
    job = next(j for j in jobs if j.id == response.body["data"]["id"])
    assert (job.status, job.environment) == (200, sandbox.name)
    assert job.payload["meta"]["successful"] == 1
    assert [(f["item"], f["code"]) for f in job.payload["meta"]["failures"]] == [
        (main_record, "NOT_FOUND")
    ]
    status = lambda api, id_: api.get(f"/items/{id_}").body["data"]["meta"]["status"]  # noqa: E731
    assert status(sandbox_api, sandbox_record) == "published"
    assert status(main_api, main_record) == "draft"
