"""Bad input to the menus: each refusal is a 422 api_error naming what it refuses, and
nothing is written. Each case is one line: (what it shows, body change, expected
(code, details.field, details.code))."""

import pytest

from tests.conftest import error_codes
from tests.menus.conftest import PATHS, create, item_body, rows

UNKNOWN = "AAAAAAAAAAAAAAAAAAAAAA"


@pytest.fixture
def world(api):
    """A model and a block, a menu (A, A > A1, B) and a schema sidebar (models: M, M > M1;
    blocks: K)."""
    found = {
        "model": api.create_item_type("post", name="Post")["id"],
        "block": api.create_item_type("quote", name="Quote", modular_block=True)["id"],
    }
    found["A"] = create(api, "A")["id"]
    found["A1"] = create(api, "A1", parent=found["A"])["id"]
    found["B"] = create(api, "B")["id"]
    found["M"] = create(api, "M", type_="schema_menu_item")["id"]
    found["M1"] = create(api, "M1", parent=found["M"], type_="schema_menu_item")["id"]
    found["K"] = create(api, "K", type_="schema_menu_item", kind="modular_block")["id"]
    return found


def _rel(type_, id_):
    return {"data": {"type": type_, "id": id_} if id_ else None}


# (case, attributes, relationships (by name: (type, id key or literal)), expected)
MENU_ITEM_CREATES = [
    ("no label", {}, {}, ("INVALID_FIELD", "label", "VALIDATION_REQUIRED")),
    ("blank label", {"label": "  "}, {}, ("INVALID_FIELD", "label", "VALIDATION_REQUIRED")),
    ("null label", {"label": None}, {}, ("INVALID_FIELD", "label", "VALIDATION_REQUIRED")),
    ("long label", {"label": "x" * 201}, {}, ("INVALID_FIELD", "label", "VALIDATION_LENGTH")),
    ("numeric label", {"label": 7}, {}, ("INVALID_FIELD", "label", "VALIDATION_FORMAT")),
    (
        "unknown attribute",
        {"label": "x", "colour": "red"},
        {},
        ("INVALID_ATTRIBUTES", "colour", "VALIDATION_UNKNOWN_ATTRIBUTE"),
    ),
    (
        "position 0",
        {"label": "x", "position": 0},
        {},
        ("INVALID_FIELD", "position", "VALIDATION_NUMBER_RANGE"),
    ),
    (
        "negative position",
        {"label": "x", "position": -3},
        {},
        ("INVALID_FIELD", "position", "VALIDATION_NUMBER_RANGE"),
    ),
    (
        "position as text",
        {"label": "x", "position": "2"},
        {},
        ("INVALID_FIELD", "position", "VALIDATION_FORMAT"),
    ),
    (
        "fractional position",
        {"label": "x", "position": 1.5},
        {},
        ("INVALID_FIELD", "position", "VALIDATION_FORMAT"),
    ),
    (
        "boolean position",
        {"label": "x", "position": True},
        {},
        ("INVALID_FIELD", "position", "VALIDATION_FORMAT"),
    ),
    (
        "new tab as text",
        {"label": "x", "open_in_new_tab": "yes"},
        {},
        ("INVALID_FIELD", "open_in_new_tab", "VALIDATION_FORMAT"),
    ),
    (
        "script URL",
        {"label": "x", "external_url": "javascript:alert(1)"},
        {},
        ("INVALID_FIELD", "external_url", "VALIDATION_FORMAT"),
    ),
    (
        "relative URL",
        {"label": "x", "external_url": "/posts"},
        {},
        ("INVALID_FIELD", "external_url", "VALIDATION_FORMAT"),
    ),
    (
        "a URL and a model",
        {"label": "x", "external_url": "https://example.com"},
        {"item_type": ("item_type", "model")},
        ("INVALID_FIELD", "external_url", "VALIDATION_CONFLICT"),
    ),
    (
        "unknown model",
        {"label": "x"},
        {"item_type": ("item_type", UNKNOWN)},
        ("INVALID_RELATIONSHIP", "item_type", "VALIDATION_NOT_FOUND"),
    ),
    (
        "a block",
        {"label": "x"},
        {"item_type": ("item_type", "block")},
        ("INVALID_RELATIONSHIP", "item_type", "VALIDATION_NOT_ALLOWED_FOR_BLOCKS"),
    ),
    (
        "model of the wrong type",
        {"label": "x"},
        {"item_type": ("field", "model")},
        ("INVALID_RELATIONSHIP", "item_type", "INVALID_TYPE"),
    ),
    (
        "a filter (none exist)",
        {"label": "x"},
        {"item_type": ("item_type", "model"), "item_type_filter": ("item_type_filter", UNKNOWN)},
        ("INVALID_RELATIONSHIP", "item_type_filter", "VALIDATION_NOT_FOUND"),
    ),
    (
        "unknown parent",
        {"label": "x"},
        {"parent": ("menu_item", UNKNOWN)},
        ("INVALID_RELATIONSHIP", "parent", "VALIDATION_NOT_FOUND"),
    ),
    (
        "a parent of the other kind",
        {"label": "x"},
        {"parent": ("schema_menu_item", "M")},
        ("INVALID_RELATIONSHIP", "parent", "INVALID_TYPE"),
    ),
    (
        "a schema menu item's id as parent",
        {"label": "x"},
        {"parent": ("menu_item", "M")},
        ("INVALID_RELATIONSHIP", "parent", "VALIDATION_NOT_FOUND"),
    ),
]

SCHEMA_MENU_ITEM_CREATES = [
    ("no kind", {"label": "x"}, {}, ("INVALID_FIELD", "kind", "VALIDATION_REQUIRED")),
    (
        "unknown kind",
        {"label": "x", "kind": "folder"},
        {},
        ("INVALID_FIELD", "kind", "VALIDATION_INCLUSION"),
    ),
    ("no label", {"kind": "item_type"}, {}, ("INVALID_FIELD", "label", "VALIDATION_REQUIRED")),
    (
        "a group without a label",
        {"label": None, "kind": "item_type"},
        {},
        ("INVALID_FIELD", "label", "VALIDATION_REQUIRED"),
    ),
    (
        "a block as a model",
        {"label": None, "kind": "item_type"},
        {"item_type": ("item_type", "block")},
        ("INVALID_FIELD", "kind", "VALIDATION_CONFLICT"),
    ),
    (
        "a model as a block",
        {"label": None, "kind": "modular_block"},
        {"item_type": ("item_type", "model")},
        ("INVALID_FIELD", "kind", "VALIDATION_CONFLICT"),
    ),
    (
        "a block under a models' group",
        {"label": "x", "kind": "modular_block"},
        {"parent": ("schema_menu_item", "M")},
        ("INVALID_RELATIONSHIP", "parent", "VALIDATION_CONFLICT"),
    ),
    (
        "a parent of the other kind",
        {"label": "x", "kind": "item_type"},
        {"parent": ("menu_item", "A")},
        ("INVALID_RELATIONSHIP", "parent", "INVALID_TYPE"),
    ),
    (
        "position 0",
        {"label": "x", "kind": "item_type", "position": 0},
        {},
        ("INVALID_FIELD", "position", "VALIDATION_NUMBER_RANGE"),
    ),
]


def _body(world, type_, attributes, relationships, id_=None):
    data = {"type": type_, "attributes": attributes}
    if id_:
        data["id"] = id_
    data["relationships"] = {
        name: _rel(rel_type, world.get(key, key)) for name, (rel_type, key) in relationships.items()
    }
    return {"data": data}


def _refused(api, method, path, body, type_, expected):
    before = rows(type_)
    response = api.request(method, path, body)
    assert response.status_code == 422, response.body
    assert expected in error_codes(response), error_codes(response)
    assert rows(type_) == before


@pytest.mark.parametrize(
    "case, attributes, relationships, expected",
    MENU_ITEM_CREATES,
    ids=[c[0] for c in MENU_ITEM_CREATES],
)
def test_menu_item_create_refusals(api, world, case, attributes, relationships, expected):
    body = _body(world, "menu_item", attributes, relationships)
    _refused(api, "POST", "/menu-items", body, "menu_item", expected)


@pytest.mark.parametrize(
    "case, attributes, relationships, expected",
    SCHEMA_MENU_ITEM_CREATES,
    ids=[c[0] for c in SCHEMA_MENU_ITEM_CREATES],
)
def test_schema_menu_item_create_refusals(api, world, case, attributes, relationships, expected):
    body = _body(world, "schema_menu_item", attributes, relationships)
    _refused(api, "POST", "/schema-menu-items", body, "schema_menu_item", expected)


# (case, item, attributes, relationships, expected), on updates.
UPDATES = [
    (
        "itself as parent",
        "A",
        {},
        {"parent": ("menu_item", "A")},
        ("INVALID_RELATIONSHIP", "parent", "VALIDATION_CYCLE"),
    ),
    (
        "its child as parent",
        "A",
        {},
        {"parent": ("menu_item", "A1")},
        ("INVALID_RELATIONSHIP", "parent", "VALIDATION_CYCLE"),
    ),
    (
        "position 0",
        "A1",
        {"position": 0},
        {},
        ("INVALID_FIELD", "position", "VALIDATION_NUMBER_RANGE"),
    ),
    ("null label", "B", {"label": None}, {}, ("INVALID_FIELD", "label", "VALIDATION_REQUIRED")),
    (
        "a group's kind under its children",
        "M",
        {"kind": "modular_block"},
        {},
        ("INVALID_FIELD", "kind", "VALIDATION_CONFLICT"),
    ),
    (
        "a models' group under a blocks' one",
        "M",
        {},
        {"parent": ("schema_menu_item", "K")},
        ("INVALID_RELATIONSHIP", "parent", "VALIDATION_CONFLICT"),
    ),
    (
        "a group under its child",
        "M",
        {},
        {"parent": ("schema_menu_item", "M1")},
        ("INVALID_RELATIONSHIP", "parent", "VALIDATION_CYCLE"),
    ),
    (
        "a group losing its label",
        "M",
        {"label": None},
        {},
        ("INVALID_FIELD", "label", "VALIDATION_REQUIRED"),
    ),
]


@pytest.mark.parametrize(
    "case, item, attributes, relationships, expected", UPDATES, ids=[c[0] for c in UPDATES]
)
def test_update_refusals(api, world, case, item, attributes, relationships, expected):
    type_ = "menu_item" if item in ("A", "A1", "B") else "schema_menu_item"
    body = _body(world, type_, attributes, relationships)
    _refused(api, "PUT", f"{PATHS[type_]}/{world[item]}", body, type_, expected)


# A schema menu item's children (update only): (case, children, expected).
CHILDREN = [
    ("unknown child", [UNKNOWN], ("INVALID_RELATIONSHIP", "children", "VALIDATION_NOT_FOUND")),
    ("itself", ["M"], ("INVALID_RELATIONSHIP", "children", "VALIDATION_CYCLE")),
    ("a block", ["K"], ("INVALID_RELATIONSHIP", "children", "VALIDATION_CONFLICT")),
    ("twice", ["M1", "M1"], ("INVALID_RELATIONSHIP", "children", "VALIDATION_UNIQUENESS")),
    ("not a list", None, ("INVALID_RELATIONSHIP", "children", "VALIDATION_FORMAT")),
]


@pytest.mark.parametrize("case, children, expected", CHILDREN, ids=[c[0] for c in CHILDREN])
def test_children_refusals(api, world, case, children, expected):
    target = "M1" if case == "itself" else "M"
    if case == "itself":  # M1 taking its parent M as a child
        children = ["M"]
    data = (
        {"type": "schema_menu_item", "id": world[target]}
        if children is None
        else [{"type": "schema_menu_item", "id": world.get(c, c)} for c in children]
    )
    body = {"data": {"type": "schema_menu_item", "relationships": {"children": {"data": data}}}}
    _refused(api, "PUT", f"/schema-menu-items/{world[target]}", body, "schema_menu_item", expected)


def test_a_taken_or_malformed_id_is_refused(api, world):
    taken = item_body(id_=world["A"], label="x")
    expected = ("INVALID_ENTITY_ID", "id", "VALIDATION_UNIQUENESS")
    _refused(api, "POST", "/menu-items", taken, "menu_item", expected)
    # A schema menu item's id is free among menu items: the menus are apart.
    response = api.post("/menu-items", item_body(id_=world["M"], label="x"))
    assert response.status_code == 201, response.body
    bad = item_body(id_="not-an-id", label="x")
    _refused(api, "POST", "/menu-items", bad, "menu_item", ("INVALID_ENTITY_ID", "id", None))


def test_every_problem_is_reported_at_once(api, world):
    body = _body(
        world,
        "menu_item",
        {"position": 0, "open_in_new_tab": 1},
        {"item_type": ("item_type", UNKNOWN)},
    )
    before = rows()
    response = api.post("/menu-items", body)
    assert sorted(error_codes(response)) == [
        ("INVALID_FIELD", "label", "VALIDATION_REQUIRED"),
        ("INVALID_FIELD", "open_in_new_tab", "VALIDATION_FORMAT"),
        ("INVALID_FIELD", "position", "VALIDATION_NUMBER_RANGE"),
        ("INVALID_RELATIONSHIP", "item_type", "VALIDATION_NOT_FOUND"),
    ]
    assert rows() == before


@pytest.mark.parametrize(
    "query",
    ["filter[type]=x", "page[limit]=2", "filter=x", "filter[ids][a]=b", "order_by=label"],
)
def test_unknown_list_parameters_are_refused(api, query):
    response = api.get(f"/menu-items?{query}")
    assert response.status_code == 422
    assert response.body["data"][0]["attributes"]["code"] in (
        "INVALID_QUERY_PARAMETERS",
        "INVALID_FILTER_FIELDS_PARAM",
    )


def test_schema_menu_items_are_schema(editor_api, world):
    before = rows("schema_menu_item")
    body = item_body("schema_menu_item", label="x", kind="item_type")
    assert editor_api.post("/schema-menu-items", body).status_code == 403
    assert editor_api.delete(f"/schema-menu-items/{world['M']}").status_code == 403
    assert rows("schema_menu_item") == before
    assert editor_api.get("/schema-menu-items").status_code == 200
