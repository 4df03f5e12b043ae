"""The content model, read once per request: site locales, item types and their fields.

Each worker keeps the last model it read per environment (keyed by storage: a fork keeps
every id and the schema version, so nothing else tells two environments apart) and rereads
it only when the site's ``schema_version`` differs, so a request costs one small query
instead of three.
"""

import json
import threading
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.db import connection

from cms.api.errors import ApiError
from environments import selection
from item_types.models import Field, ItemType, Site

_cache_lock = threading.Lock()
_cached: "dict[str, ContentModel]" = {}  # storage -> its model


# Every request reads the site's schema version, and building its query with the ORM cost
# more CPU than running it: it is compiled once per database vendor and run as SQL.
_site_statements: dict[str, tuple[str, tuple]] = {}


def _site() -> tuple[str, list] | None:
    """The site's schema version and locales (None before the site row exists)."""
    statement = _site_statements.get(connection.vendor)
    if statement is None:
        query = Site.objects.filter(singleton_key=1).values_list("schema_version", "locales")
        statement = query.order_by("pk")[:1].query.sql_with_params()
        _site_statements[connection.vendor] = statement
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        row = cursor.fetchone()
    if row is None:
        return None
    version, locales = row
    # JSON reaches Django's connections as text (its JSONField parses it).
    return version, json.loads(locales) if isinstance(locales, str) else locales


@dataclass(frozen=True)
class ContentModel:
    version: str
    locales: list[str]
    item_types: dict[str, ItemType]
    fields: dict[str, list[Field]]  # item type id -> its fields in position order
    fields_by_id: dict[str, Field]
    #: item type id -> what validating its values needs of each field, worked out on first
    #: use (items.validation.plans): the model is one schema version's, never changed.
    validation_plans: dict = dataclass_field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls) -> "ContentModel":
        """The current model: one query when unchanged, four when it changed."""
        storage = selection.current()
        site = _site()
        if site is None:
            Site.load()
            return cls.load()
        version, locales = site
        cached = _cached.get(storage)
        if cached is not None and cached.version == version:
            return cached
        model = cls._read(version, list(locales))
        with _cache_lock:
            _cached[storage] = model
        return model

    @classmethod
    def _read(cls, version: str, locales: list[str]) -> "ContentModel":
        item_types = {it.id: it for it in ItemType.objects.all()}
        fields: dict[str, list[Field]] = {item_type_id: [] for item_type_id in item_types}
        for field in Field.objects.order_by("item_type_id", "position"):
            fields[field.item_type_id].append(field)
        by_id = {field.id: field for model_fields in fields.values() for field in model_fields}
        return cls(
            version=version,
            locales=locales,
            item_types=item_types,
            fields=fields,
            fields_by_id=by_id,
        )

    @classmethod
    def cached(cls) -> "ContentModel | None":
        """The model this worker last read for the selected environment, unchecked: for a
        write whose statement checks the version itself (items/services/create.py)."""
        return _cached.get(selection.current())

    def ensure_current(self) -> None:
        """Refuse a write checked against this model if the model has changed since: a
        schema change (a field's new type, say) committed while the write waited for its
        locks, and the values it checked would no longer fit. Called inside the write's
        transaction, after its rows are written."""
        current = (
            Site.objects.filter(singleton_key=1).values_list("schema_version", flat=True).first()
        )
        if current != self.version:
            raise ApiError(
                "SCHEMA_CHANGED",
                409,
                transient=True,  # the official client sends it again by itself
                message="The content model changed while the record was written: send it again.",
            )

    def find(self, id_or_api_key: str) -> ItemType | None:
        found = self.item_types.get(id_or_api_key)
        if found is None:
            found = next(
                (it for it in self.item_types.values() if it.api_key == id_or_api_key), None
            )
        return found

    def field_ids(self, item_type_id: str) -> list[str]:
        return [field.id for field in self.fields[item_type_id]]
