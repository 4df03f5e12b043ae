"""The shape of a block in a value: what rich text, single block and structured text
fields hold."""

from item_types.field_types.base import expect


def check_block_shape(value, key: str = "") -> None:
    """A block is an existing block's id, or a block resource to create or update one:
    ``{type: "item", id?, attributes?, relationships?: {item_type: {data: {type:
    "item_type", id}}}, meta?}``. Each member is checked here, so that what reads a block
    next can trust its shape; ``key`` says where the block sits in the value."""
    if isinstance(value, str):
        return
    expect(
        isinstance(value, dict) and value.get("type") == "item",
        'A block is a block id or an object with type "item".',
        **({"key": key} if key else {}),
    )
    expect(
        value.get("id") is None or isinstance(value["id"], str),
        "A block's id is a string.",
        key=_below(key, "id"),
    )
    for member in ("attributes", "relationships", "meta"):
        expect(
            value.get(member) is None or isinstance(value[member], dict),
            f"A block's {member} is an object.",
            key=_below(key, member),
        )
    item_type = (value.get("relationships") or {}).get("item_type")
    if item_type is not None:
        data = item_type.get("data") if isinstance(item_type, dict) else None
        expect(
            isinstance(data, dict)
            and data.get("type") in (None, "item_type")
            and isinstance(data.get("id"), str),
            'relationships.item_type is {data: {type: "item_type", id}}.',
            key=_below(key, "relationships.item_type"),
        )


def _below(key: str, member: str) -> str:
    return f"{key}.{member}" if key else member
