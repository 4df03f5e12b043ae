"""The record API's write tests' tables: ``contact`` (a model) and ``people`` (three of its
records)."""

import pytest


@pytest.fixture
def contact(api):
    model = api.create_item_type("contact")
    api.create_field(model["id"], "first_name", "string", validators={"required": {}})
    api.create_field(model["id"], "last_name", "string")
    api.create_field(model["id"], "email", "string", validators={"unique": {}})
    api.create_field(model["id"], "age", "integer", default_value=18)
    return model


@pytest.fixture
def people(api, contact):
    """Three records: Ann (30), Bob (40), Cid (50); their ids in that order."""
    rows = [
        {"first_name": name, "last_name": "Lee", "email": f"{name.lower()}@x.org", "age": age}
        for name, age in [("Ann", 30), ("Bob", 40), ("Cid", 50)]
    ]
    response = api.post("/rest/db/contact", {"record": rows})
    assert response.status_code == 200, response.body
    return [record["id"] for record in response.body["record"]]
