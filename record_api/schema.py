"""``_schema``: our models described as DreamFactory describes tables (df-core's
``TableSchema``, ``ColumnSchema`` and ``RelationSchema``), derived from the content model.

Each field maps to DreamFactory's abstract ``type`` and a ``db_type`` (how the value is held:
our values live in one JSON document per record, so ``db_type`` names the JSON shape);
``required``/``allow_null`` from the ``required`` validator, ``is_unique`` from ``unique``,
``length`` from ``length``'s max, ``picklist`` from ``enum``, ``ref_table`` for links. The
record's own columns come first: ``id`` (the primary key, a string), then ``position`` and
``parent_id`` for sortable and tree models.
"""

from item_types.field_types import FIELD_TYPES
from record_api import related

#: field_type -> (DreamFactory type, db_type)
TYPES = {
    "string": ("string", "varchar"),
    "text": ("text", "text"),
    "slug": ("string", "varchar"),
    "color": ("string", "json"),
    "integer": ("integer", "bigint"),
    "float": ("double", "double"),
    "boolean": ("boolean", "boolean"),
    "date": ("date", "date"),
    "date_time": ("datetime", "datetime"),
    "json": ("text", "json"),
    "link": ("reference", "varchar"),
    "links": ("reference", "json"),
    "file": ("reference", "json"),
    "gallery": ("reference", "json"),
    "lat_lon": ("string", "json"),
    "seo": ("string", "json"),
    "video": ("string", "json"),
    "rich_text": ("string", "json"),
    "single_block": ("string", "json"),
    "structured_text": ("string", "json"),
}


def _column(name: str, label: str, type_: str, db_type: str, **changes) -> dict:
    """ColumnSchema::toArray's keys, with DreamFactory's defaults."""
    column = {
        "alias": None,
        "name": name,
        "label": label,
        "description": None,
        "native": [],
        "type": type_,
        "db_type": db_type,
        "length": None,
        "precision": None,
        "scale": None,
        "default": None,
        "required": False,
        "allow_null": True,
        "fixed_length": False,
        "supports_multibyte": type_ in ("string", "text"),
        "auto_increment": False,
        "is_primary_key": False,
        "is_unique": False,
        "is_index": False,
        "is_foreign_key": False,
        "ref_table": None,
        "ref_field": None,
        "ref_on_update": None,
        "ref_on_delete": None,
        "picklist": None,
        "validation": None,
        "db_function": None,
        "is_virtual": False,
        "is_aggregate": False,
    }
    column.update(changes)
    return column


def _field(field, model) -> dict:
    type_, db_type = TYPES.get(field.field_type, ("string", "json"))
    validators = field.validators or {}
    required = "required" in validators
    targets = related._targets(field, model)
    maximum = (validators.get("length") or {}).get("max")
    return _column(
        field.api_key,
        field.label,
        type_,
        "json" if field.localized else db_type,
        length=maximum if type_ in ("string", "text") else None,
        default=field.default_value,
        required=required,
        allow_null=not required,
        is_unique="unique" in validators,
        is_index="unique" in validators or bool(targets),
        is_foreign_key=field.field_type == "link" and bool(targets),
        ref_table=targets[0].api_key if len(targets) == 1 else None,
        ref_field="id" if targets else None,
        picklist=(validators.get("enum") or {}).get("values"),
        validation=validators or None,
        description=field.hint,
        native={"field_type": field.field_type, "localized": field.localized},
    )


def _placement(item_type) -> list[dict]:
    columns = []
    if item_type.sortable or item_type.tree:
        columns.append(_column("position", "Position", "integer", "integer", allow_null=False))
    if item_type.tree:
        columns.append(
            _column(
                "parent_id",
                "Parent",
                "reference",
                "varchar",
                is_foreign_key=True,
                ref_table=item_type.api_key,
                ref_field="id",
            )
        )
    return columns


def fields(item_type, model) -> list[dict]:
    """The table's columns: ``id``, its fields, then placement."""
    key = _column(
        "id",
        "Id",
        "id",
        "varchar",
        length=22,
        required=False,  # given or made on create
        allow_null=False,
        is_primary_key=True,
        is_unique=True,
        is_index=True,
    )
    own = [_field(field, model) for field in model.fields[item_type.id]]
    return [key, *own, *_placement(item_type)]


def table(item_type, model) -> dict:
    """``GET _schema/<table>``: TableSchema::toArray."""
    return {
        "alias": None,
        "name": item_type.api_key,
        "label": item_type.name,
        "description": None,
        "native": [],
        "plural": item_type.api_key,
        "is_view": False,
        "primary_key": ["id"],
        "name_field": _name_field(item_type, model),
        "field": fields(item_type, model),
        "related": [r.describe() for r in related.relations(item_type, model).values()],
        "constraints": [],
        "access": None,
    }


def _name_field(item_type, model) -> str | None:
    """The model's title field, else its first text field."""
    own = model.fields[item_type.id]
    title = getattr(item_type, "title_field_id", None)
    for field in own:
        if field.id == title:
            return field.api_key
    texts = [f for f in own if FIELD_TYPES[f.field_type].code in ("string", "text")]
    return texts[0].api_key if texts else None
