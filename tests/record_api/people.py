"""The record API's read tests' tables: five people, two pets, and how to read them."""

from urllib.parse import quote

import pytest

PEOPLE = [
    {
        "name": "Ann",
        "age": 30,
        "score": 1.5,
        "active": True,
        "born": "1990-05-01",
        "seen_at": "2024-01-01T10:00:00Z",
        "motto": {"en": "Carpe diem", "it": "Cogli l'attimo"},
        "extra": '{"a": 1}',
        "best_pet": "rex",
    },
    {
        "name": "bob",
        "age": 25,
        "score": 2.5,
        "active": False,
        "born": "1995-12-31",
        "seen_at": "2024-06-01T12:00:00+02:00",
        "motto": {"en": "Less is more", "it": "Meno è più"},
        "best_pet": "tom",
    },
    {"name": "Carl O'Neil"},
    {
        "name": "Dana_100%",
        "age": 40,
        "score": 4,
        "active": True,
        "born": "2000-02-29",
        "seen_at": "2025-01-01T00:00:00Z",
        "motto": {"en": "Why not?", "it": "Perché no?"},
        "extra": "[1]",
        "best_pet": "rex",
    },
    {
        "name": "Eve",
        "age": 18,
        "score": -0.5,
        "active": False,
        "born": "2006-07-14",
        "seen_at": "2023-12-31T23:59:59Z",
        "motto": {"en": "100%", "it": "100%"},
    },
]
NAMES = [person["name"] for person in PEOPLE]


@pytest.fixture
def people(api, two_locales):
    """person (name, age, score, active, born, seen_at, motto localized, extra json,
    best_pet link) with five records created in order; pet with two; note a block model."""
    pet = api.create_item_type("pet")
    api.create_field(pet["id"], "name", "string")
    api.create_item_type("note", modular_block=True)
    person = api.create_item_type("person")
    for api_key, field_type, extra in [
        ("name", "string", {}),
        ("age", "integer", {}),
        ("score", "float", {}),
        ("active", "boolean", {}),
        ("born", "date", {}),
        ("seen_at", "date_time", {}),
        ("motto", "string", {"localized": True}),
        ("extra", "json", {}),
        ("best_pet", "link", {"validators": {"item_item_type": {"item_types": [pet["id"]]}}}),
    ]:
        api.create_field(person["id"], api_key, field_type, **extra)
    pets = api.post("/rest/db/pet", [{"name": "Rex"}, {"name": "Tom"}]).body["record"]
    ids = {"rex": pets[0]["id"], "tom": pets[1]["id"]}
    for values in PEOPLE:
        values = dict(values)
        if "best_pet" in values:
            values["best_pet"] = ids[values["best_pet"]]
        if "motto" not in values:
            values["motto"] = {"en": None, "it": None}
        response = api.post("/rest/db/person", values)
        assert response.status_code == 200, response.body
        ids[values["name"]] = response.body["id"]
    return ids


def read(api, path: str, **params):
    query = "&".join(f"{key}={quote(str(value))}" for key, value in params.items())
    response = api.get(path + ("?" + query if query else ""))
    return response


def names_of(response) -> list[str]:
    assert response.status_code == 200, response.body
    return [record["name"] for record in response.body["record"]]
