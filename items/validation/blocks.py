"""Blocks in a payload: the block model a block is of, checked against the field that
holds it, and the block to write once its values are valid."""

from dataclasses import dataclass

from item_types.field_types import FieldValueError
from item_types.models import Field, ItemType
from item_types.validators import VALIDATORS
from items.content_model import ContentModel

#: How deep blocks may nest inside blocks.
MAX_BLOCK_DEPTH = 16


@dataclass
class NewBlock:
    """A block to write: new, or an existing one kept or updated (``existing``)."""

    id: str
    item_type: ItemType
    data: dict
    parent_id: str
    parent_field: Field
    depth: int
    existing: bool = False


def new_block_model(model: ContentModel, field: Field, raw: dict, validator_name: str):
    """The block model a new block names in ``relationships.item_type``, if ``field``
    allows it; raises :class:`FieldValueError` with the validator's code otherwise."""
    relationship = (raw.get("relationships") or {}).get("item_type")
    data = relationship.get("data") if isinstance(relationship, dict) else None
    item_type_id = data.get("id") if isinstance(data, dict) else None
    validator = VALIDATORS[validator_name]
    params = validator.params_of(field)
    block_type = model.item_types.get(item_type_id) if item_type_id else None
    if (
        block_type is None
        or not block_type.modular_block
        or not validator.allows(item_type_id, params)
    ):
        raise FieldValueError(
            validator.code,
            item_type=item_type_id,
            allowed=params["item_types"],
            message="This block model is not allowed here.",
        )
    return block_type


def kept_block_model(model: ContentModel, field: Field, existing, raw, validator_name: str):
    """A kept or updated block stays of its model, which ``field`` must still allow;
    raises :class:`FieldValueError` otherwise."""
    if not isinstance(raw, str) and "relationships" in raw:
        named = new_block_model(model, field, raw, validator_name)
        if named.id != existing.item_type_id:
            raise FieldValueError(
                "VALIDATION_BLOCK_TYPE_CHANGED",
                block=existing.id,
                message="A block keeps its model; create a new block instead.",
            )
    validator = VALIDATORS[validator_name]
    params = validator.params_of(field)
    if not validator.allows(existing.item_type_id, params):
        raise FieldValueError(
            validator.code, item_type=existing.item_type_id, allowed=params["item_types"]
        )
    return model.item_types[existing.item_type_id]
