"""The record API's writes as clients send them: a Python client written the way
DreamFactory's documentation shows its calls (plain ``requests`` against a running
server), the rate limit counted in records, and records moved in a sortable model."""

import pytest
import requests

from cms.models import ApiToken
from items.models import Item, ItemVersion
from tests.cms.test_rate_limits import limits, remaining, token_api  # noqa: F401


class DreamFactoryClient:
    """As DreamFactory's documentation writes its calls: the API key in
    ``X-DreamFactory-Api-Key``, JSON bodies wrapped in ``record``, parameters in the query."""

    def __init__(self, base: str, api_key: str, service: str = "db"):
        self.url = f"{base}/rest/{service}"
        self.session = requests.Session()
        self.session.headers.update(
            {"X-DreamFactory-Api-Key": api_key, "Content-Type": "application/json"}
        )

    def call(self, method: str, path: str, *, params=None, json=None, headers=None):
        response = self.session.request(
            method, f"{self.url}/{path}", params=params, json=json, headers=headers, timeout=30
        )
        return response.status_code, response.json()


def test_a_whole_crud_cycle_with_requests(live_server, api):
    model = api.create_item_type("contact")
    api.create_field(model["id"], "first_name", "string", validators={"required": {}})
    api.create_field(model["id"], "last_name", "string")
    _, key = ApiToken.create(name="df", role="editor")
    df = DreamFactoryClient(live_server.url, key)

    # Create: POST /rest/db/contact {"record": [...]}
    status, body = df.call(
        "POST",
        "contact",
        params={"fields": "*"},
        json={"record": [{"first_name": "Joe", "last_name": "Smith"}, {"first_name": "Ann"}]},
    )
    assert status == 200, body
    joe, ann = (record["id"] for record in body["record"])

    # Read: GET /rest/db/contact?filter=...
    status, body = df.call("GET", "contact", params={"filter": "last_name = 'Smith'"})
    assert status == 200 and [r["id"] for r in body["record"]] == [joe]

    # Update (merge): PATCH /rest/db/contact {"record": [{"id": ..., ...}]}
    status, body = df.call(
        "PATCH",
        "contact",
        params={"fields": "last_name"},
        json={"record": [{"id": ann, "last_name": "Lee"}]},
    )
    assert status == 200 and body == {"record": [{"id": ann, "last_name": "Lee"}]}

    # Update (merge) by id, tunnelled through POST as DreamFactory allows
    status, body = df.call(
        "POST", f"contact/{joe}", json={"last_name": "Smyth"}, headers={"X-HTTP-Method": "MERGE"}
    )
    assert status == 200 and body == {"id": joe}

    # Replace: PUT /rest/db/contact/<id>: the fields not sent are emptied
    status, body = df.call(
        "PUT", f"contact/{ann}", params={"fields": "*"}, json={"first_name": "A"}
    )
    assert status == 200 and body == {"id": ann, "first_name": "A", "last_name": None}

    # A refused update: DreamFactory's error object, nothing written
    status, body = df.call("PATCH", f"contact/{ann}", json={"first_name": None})
    assert status == 422 and body["error"]["status_code"] == 422

    # Delete by ids, then a refused and a forced whole-table delete
    status, body = df.call("DELETE", "contact", params={"ids": joe})
    assert status == 200 and body == {"record": [{"id": joe}]}
    status, body = df.call("DELETE", "contact")
    assert status == 400 and "force" in body["error"]["message"]
    status, body = df.call("DELETE", "contact", params={"force": "true"})
    assert status == 200 and body == {"success": True, "count": 1}
    assert not Item.objects.exists() and not ItemVersion.objects.exists()


def test_writes_are_counted_in_records(db, limits):  # noqa: F811
    api = token_api()
    api.create_item_type("contact")
    made = api.post("/rest/db/contact", {"record": [{}, {}, {}]})
    assert made.status_code == 200 and remaining(made) == 7
    ids = ",".join(record["id"] for record in made.body["record"])
    patched = api.request("PATCH", f"/rest/db/contact?ids={ids}", {"record": [{}]})
    assert patched.status_code == 200 and remaining(patched) == 4
    deleted = api.request("DELETE", f"/rest/db/contact?ids={ids}")
    assert deleted.status_code == 200 and remaining(deleted) == 1
    refused = api.request("DELETE", "/rest/db/contact?force=true")  # nothing left: counts 1
    assert refused.status_code == 200 and remaining(refused) == 0
    limited = api.request("PATCH", f"/rest/db/contact?ids={ids}", {"record": [{}]})
    assert limited.status_code == 429
    assert limited.body["error"]["context"]["error"][0]["error"] == "RATE_LIMIT_EXCEEDED"


@pytest.fixture
def shelf(api):
    model = api.create_item_type("book", sortable=True)
    api.create_field(model["id"], "title", "string")
    sent = api.post("/rest/db/book", {"record": [{"title": t} for t in "abc"]})
    assert sent.status_code == 200, sent.body
    return [record["id"] for record in sent.body["record"]]


def test_records_move_in_a_sortable_model(api, shelf):
    a, b, c = shelf
    moved = api.request("PATCH", f"/rest/db/book/{c}?fields=title,position", {"position": 1})
    assert moved.status_code == 200, moved.body
    assert moved.body == {"id": c, "title": "c", "position": 1}
    listed = api.get("/rest/db/book?fields=title&order=position%20ASC")
    assert [record["title"] for record in listed.body["record"]] == ["c", "a", "b"]
    batch = {"record": [{"id": a, "position": 1, "title": "A"}, {"id": b, "position": 0}]}
    refused = api.request("PATCH", "/rest/db/book?rollback=true", batch)
    assert refused.status_code == 400, refused.body
    assert api.get(f"/items/{a}").body["data"]["attributes"]["title"] == "a"
