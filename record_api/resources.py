"""How a record looks in the record API's answers."""

from items.content_model import ContentModel
from items.resources import attributes_of


def record_values(
    record_id: str,
    data: dict,
    item_type_id: str,
    model: ContentModel,
    wanted: list[str] | None,
    placement: dict | None = None,
) -> dict:
    """A record as the record API answers it: ``{"id", <api_key>: value...}``, only the
    ``wanted`` fields (None: all); ``placement``: its ``position`` (and ``parent_id``), for
    a record of a sortable or tree model (``items.placement.wire_attributes``)."""
    if wanted == ["id"]:  # the default: no values to render
        return {"id": record_id}
    values = {"id": record_id, **attributes_of(data, item_type_id, model), **(placement or {})}
    return values if wanted is None else {name: values[name] for name in wanted}
