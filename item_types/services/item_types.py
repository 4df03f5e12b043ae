"""Item types (models and block models): their attributes, the rules between them, and
the fields they point at (title_field, ordering_field...)."""

from collections.abc import Mapping

from cms.api.errors import ApiError, invalid_field
from cms.api.parsing import ResourceDocument
from item_types.locking import schema_write
from item_types.models import ItemType
from item_types.schema import (
    ITEM_TYPE_ATTRIBUTES,
    ITEM_TYPE_FIELD_RELATIONSHIPS,
    RESERVED_ITEM_TYPE_API_KEYS,
)
from item_types.selectors import fields_naming
from item_types.services.common import (
    check_api_key,
    clean_schema_attributes,
    raise_if,
    save_unique,
    taken_id,
)
from item_types.signals import item_type_created, item_type_destroying, record_rules_changed
from webhooks import announce as webhook_events


def _item_type_rules(values: dict) -> list[ApiError]:
    """Rules between attributes, checked on the model as it will be saved."""
    errors = []
    if values["modular_block"]:
        for flag in ("singleton", "sortable", "tree", "draft_mode_active"):
            if values[flag]:
                errors.append(
                    invalid_field(
                        flag,
                        "VALIDATION_NOT_ALLOWED_FOR_BLOCKS",
                        message="A block model can't have this.",
                    )
                )
    if values["singleton"] and (values["sortable"] or values["tree"]):
        errors.append(
            invalid_field(
                "singleton",
                "VALIDATION_CONFLICT",
                message="A singleton can't be sortable or a tree.",
            )
        )
    if values["sortable"] and values["tree"]:
        errors.append(
            invalid_field(
                "tree", "VALIDATION_CONFLICT", message="Choose sortable or tree, not both."
            )
        )
    ordered_by = values["ordering_meta"] or values["ordering_field_id"]
    if values["ordering_meta"] and values["ordering_field_id"]:
        errors.append(
            invalid_field(
                "ordering_meta",
                "VALIDATION_CONFLICT",
                message="Order by a meta column or by a field, not both.",
            )
        )
    if ordered_by and not values["ordering_direction"]:
        errors.append(
            invalid_field(
                "ordering_direction",
                "VALIDATION_REQUIRED",
                message="Needed with ordering_meta or ordering_field.",
            )
        )
    return errors


def _clean_item_type(document: ResourceDocument, item_type: ItemType | None):
    creating = item_type is None
    cleaned, errors = clean_schema_attributes(
        document,
        ITEM_TYPE_ATTRIBUTES,
        creating=creating,
        old_spelling=("collection_appeareance", "collection_appearance"),
    )
    errors += check_api_key(
        cleaned,
        reserved=RESERVED_ITEM_TYPE_API_KEYS,
        others=ItemType.objects.exclude(pk=None if creating else item_type.pk),
        record_type="ItemType",
    )
    if (
        not creating
        and "modular_block" in cleaned
        and (cleaned["modular_block"] != item_type.modular_block)
    ):
        errors.append(
            invalid_field(
                "modular_block",
                "VALIDATION_IMMUTABLE",
                message="A model can't become a block model or back.",
            )
        )
    relations, relation_errors = _clean_field_relationships(document, item_type)
    errors += relation_errors
    return cleaned, relations, errors


def _clean_field_relationships(document: ResourceDocument, item_type: ItemType | None):
    """title_field, ordering_field...: each must be a suitable field of this very model."""
    relations: dict[str, str | None] = {}
    errors: list[ApiError] = []
    names = [name for name in ITEM_TYPE_FIELD_RELATIONSHIPS if name in document.relationships]
    if not names:
        return relations, errors
    fields = {f.id: f for f in item_type.fields.all()} if item_type else {}
    for name in names:
        try:
            field_id = document.relationship_id(name, "field")
        except ApiError as error:
            errors.append(error)
            continue
        if field_id is None:
            relations[f"{name}_id"] = None
            continue
        field = fields.get(field_id)
        allowed = ITEM_TYPE_FIELD_RELATIONSHIPS[name]
        if field is None:
            errors.append(
                ApiError(
                    "INVALID_RELATIONSHIP",
                    422,
                    field=name,
                    code="VALIDATION_NOT_A_FIELD_OF_THIS_MODEL",
                    id=field_id,
                )
            )
        elif allowed is not None and field.field_type not in allowed:
            errors.append(
                ApiError(
                    "INVALID_RELATIONSHIP",
                    422,
                    field=name,
                    code="VALIDATION_FIELD_TYPE",
                    allowed=sorted(allowed),
                )
            )
        else:
            relations[f"{name}_id"] = field_id
    return relations, errors


def _item_type_values(item_type: ItemType, cleaned: dict, relations: dict) -> dict:
    values = {
        name: getattr(item_type, name)
        for name in (
            "modular_block",
            "singleton",
            "sortable",
            "tree",
            "draft_mode_active",
            "ordering_meta",
            "ordering_direction",
            "ordering_field_id",
        )
    }
    values.update({k: v for k, v in {**cleaned, **relations}.items() if k in values})
    return values


@schema_write
def item_type_create(
    *, document: ResourceDocument, options: Mapping[str, str] | None = None
) -> ItemType:
    cleaned, relations, errors = _clean_item_type(document, None)
    errors += taken_id(ItemType, document.id)
    item_type = ItemType(**cleaned, **relations)
    if document.id:
        item_type.id = document.id
    errors += _item_type_rules(_item_type_values(item_type, cleaned, relations))
    raise_if(errors)
    save_unique(item_type, "api_key", "ItemType")
    item_type_created.send(ItemType, item_type=item_type, options=options or {})
    webhook_events.item_type("create", item_type)
    return item_type


@schema_write
def item_type_update(*, item_type: ItemType, document: ResourceDocument) -> ItemType:
    item_type = ItemType.objects.select_for_update().get(pk=item_type.pk)
    cleaned, relations, errors = _clean_item_type(document, item_type)
    errors += _item_type_rules(_item_type_values(item_type, cleaned, relations))
    raise_if(errors)
    locales_rule = item_type.all_locales_required
    for name, value in {**cleaned, **relations}.items():
        setattr(item_type, name, value)
    save_unique(item_type, "api_key", "ItemType")
    if item_type.all_locales_required != locales_rule:
        record_rules_changed.send(sender=ItemType, item_type_id=item_type.id)
    webhook_events.item_type("update", item_type)
    return item_type


@schema_write
def item_type_destroy(*, item_type: ItemType, options: Mapping[str, str] | None = None) -> None:
    """Delete a model and its fields; refused while other models' fields point at it.
    ``options``: the request's query parameters, for what goes with the model (menus)."""
    referencing = fields_naming(item_type.pk, outside=item_type)
    if referencing:
        raise ApiError(
            "DELETE_RESTRICTION",
            422,
            message="Other models' fields link to this model or use it as a block.",
            referenced_by=[
                {"field": f.id, "api_key": f.api_key, "item_type": f.item_type.api_key}
                for f in referencing
            ],
        )
    item_type_destroying.send(ItemType, item_type=item_type, options=options or {})
    webhook_events.item_type("delete", item_type)
    item_type.delete()
