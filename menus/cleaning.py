"""Checking what a write to a menu sends, before the menu itself is read: attributes,
relationship shapes, the model a relationship names. What needs the whole menu (parents,
cycles, kinds of neighbours) is checked in menus.services. Every problem is collected.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from cms.api.attributes import BOOLEAN, Attribute, clean_attributes, is_anything
from cms.api.errors import ApiError, invalid_field
from cms.api.parsing import ResourceDocument
from item_types.models import ItemType
from menus.models import SchemaMenuItem


def is_whole_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


POSITION = Attribute(check=is_whole_number, expected="a whole number")
MENU_ITEM_ATTRIBUTES: dict[str, Attribute] = {
    "label": Attribute(required=True, max_length=200),
    "external_url": Attribute(nullable=True, max_length=2000),
    "position": POSITION,
    "open_in_new_tab": BOOLEAN,
}
SCHEMA_MENU_ITEM_ATTRIBUTES: dict[str, Attribute] = {
    "label": Attribute(required=True, nullable=True, max_length=200),
    "kind": Attribute(check=is_anything, choices=tuple(SchemaMenuItem.Kind), required=True),
    "position": POSITION,
}
KEEP = object()  # a relationship not sent: it stays as it is


@dataclass
class Checked:
    """A write's values, checked as far as they can be without the menu."""

    values: dict = field(default_factory=dict)  # model fields (not parent or position)
    parent: object = KEEP  # an id, None (the top level) or KEEP
    position: int | None = None  # None: unchanged (update) or last (create)
    children: list[str] | None = None  # a schema menu item's new children, in order
    item_type: dict | None = None  # the model named, as {"id", "modular_block"}
    errors: list[ApiError] = field(default_factory=list)


def check_position(value, errors: list[ApiError], **where) -> int | None:
    if value is None:
        return None
    if value < 1:
        errors.append(invalid_field("position", "VALIDATION_NUMBER_RANGE", min=1, **where))
        return None
    return value


def to_one(document: ResourceDocument, name: str, type_: str, errors: list[ApiError]):
    """The id a to-one relationship names, None, or KEEP when it is not sent (or is
    malformed: the error is collected)."""
    if name not in document.relationships:
        return KEEP
    try:
        return document.relationship_id(name, type_)
    except ApiError as error:
        errors.append(error)
        return KEEP


def not_found(name: str, id_: str, **where) -> ApiError:
    return ApiError(
        "INVALID_RELATIONSHIP", 422, field=name, code="VALIDATION_NOT_FOUND", id=id_, **where
    )


def _attributes(document: ResourceDocument, spec: dict, creating: bool) -> Checked:
    cleaned, errors = clean_attributes(document.attributes, spec, creating=creating)
    checked = Checked(errors=errors)
    checked.position = check_position(cleaned.pop("position", None), errors)
    checked.values = cleaned
    return checked


def _relationships(document: ResourceDocument, type_: str, checked: Checked) -> None:
    checked.parent = to_one(document, "parent", type_, checked.errors)
    item_type_id = to_one(document, "item_type", "item_type", checked.errors)
    if item_type_id is KEEP:
        return
    checked.values["item_type_id"] = item_type_id
    if item_type_id is None:
        return
    checked.item_type = ItemType.objects.filter(pk=item_type_id).values("id", "modular_block")
    checked.item_type = checked.item_type.first()
    if checked.item_type is None:
        checked.errors.append(not_found("item_type", item_type_id))


def clean_menu_item(document: ResourceDocument, item) -> Checked:
    """A menu item links to a model (not a block), to an external URL, or to nothing (a
    group). ``item_type_filter``: no filters exist here, so only null is taken."""
    checked = _attributes(document, MENU_ITEM_ATTRIBUTES, creating=item is None)
    _relationships(document, "menu_item", checked)
    errors = checked.errors
    filter_id = to_one(document, "item_type_filter", "item_type_filter", errors)
    if filter_id not in (KEEP, None):
        errors.append(not_found("item_type_filter", filter_id))
    url = checked.values.get("external_url")
    if url is not None and not _is_web_address(url):
        message = "An absolute http(s) URL."
        errors.append(invalid_field("external_url", "VALIDATION_FORMAT", message=message))
    if checked.item_type and checked.item_type["modular_block"]:
        errors.append(
            ApiError(
                "INVALID_RELATIONSHIP",
                422,
                field="item_type",
                code="VALIDATION_NOT_ALLOWED_FOR_BLOCKS",
                message="The content menu lists models; blocks have no records of their own.",
            )
        )
    final_url = checked.values.get("external_url", item.external_url if item else None)
    final_model = checked.values.get("item_type_id", item.item_type_id if item else None)
    if final_url is not None and final_model is not None:
        errors.append(
            invalid_field(
                "external_url",
                "VALIDATION_CONFLICT",
                message="A menu item links to a model or to a URL, not both.",
            )
        )
    return checked


def _is_web_address(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def clean_schema_menu_item(document: ResourceDocument, item) -> Checked:
    """A schema menu item links to a model or block of its ``kind``, or is a group, which
    needs a label. ``children`` (update only) are its children, in order."""
    checked = _attributes(document, SCHEMA_MENU_ITEM_ATTRIBUTES, creating=item is None)
    _relationships(document, "schema_menu_item", checked)
    if item is not None and "children" in document.relationships:
        checked.children = to_many(document, "children", "schema_menu_item", checked.errors)
    errors, values = checked.errors, checked.values
    kind = values.get("kind", item.kind if item else None)
    linked = checked.item_type if "item_type_id" in values else _linked(item)
    if (
        kind
        and linked
        and ("kind" in values or "item_type_id" in values)
        and linked["modular_block"] != (kind == SchemaMenuItem.Kind.MODULAR_BLOCK)
    ):
        errors.append(kind_conflict("kind" if "kind" in values else "item_type", kind))
    label = values.get("label", item.label if item else None)
    linked_id = values.get("item_type_id", item.item_type_id if item else None)
    if "label" in values and label is None and linked_id is None:
        message = "A schema menu item not linked to a model needs a label."
        errors.append(invalid_field("label", "VALIDATION_REQUIRED", message=message))
    return checked


def _linked(item) -> dict | None:
    """The model a stored schema menu item links to, as :class:`Checked` holds one."""
    if item is None or item.item_type_id is None:
        return None
    return {"id": item.item_type_id, "modular_block": item.item_type.modular_block}


def kind_conflict(name: str, kind: str, **details) -> ApiError:
    return ApiError(
        "INVALID_FIELD" if name == "kind" else "INVALID_RELATIONSHIP",
        422,
        field=name,
        code="VALIDATION_CONFLICT",
        kind=kind,
        message="Models and blocks have menus of their own: a model in kind item_type, a "
        "block in kind modular_block, and an item under a parent of its kind.",
        **details,
    )


def to_many(document, name: str, type_: str, errors: list[ApiError]) -> list[str] | None:
    rel = document.relationships[name]
    data = rel.get("data") if isinstance(rel, dict) else None
    if not isinstance(data, list) or not all(
        isinstance(e, dict) and isinstance(e.get("id"), str) and e.get("type") == type_
        for e in data
    ):
        message = f'{{"data": [{{"type": "{type_}", "id": ...}}, ...]}}'
        errors.append(
            ApiError(
                "INVALID_RELATIONSHIP", 422, field=name, code="VALIDATION_FORMAT", expected=message
            )
        )
        return None
    ids = [entry["id"] for entry in data]
    if len(set(ids)) != len(ids):
        errors.append(
            ApiError("INVALID_RELATIONSHIP", 422, field=name, code="VALIDATION_UNIQUENESS")
        )
        return None
    return ids
