"""Which records use a record or an upload, in which version: ``GET /items/:id/references``,
``GET /uploads/:id/references`` and "is this upload still in use?" ask here.

The current version's references are rows (``Reference``, written with the record). A
published version is a snapshot (``ItemVersion``): where it is the current version the
rows say it; where the record changed since (``published_version`` is not
``current_version``) the snapshot's JSON is searched for the id (one query, a prefilter),
and the few snapshots that hold it are walked with the field types' own ``collect`` to
confirm it is a reference and not text that happens to hold the id.
"""

from django.db.models import F, Q, TextField
from django.db.models.functions import Cast

from cms.api.errors import ApiError, found
from cms.api.query import flag, refuse_unknown
from item_types.field_types import FIELD_TYPES
from items.content_model import ContentModel
from items.models import Item, Reference
from items.placement import mark_has_children
from items.resources import item_resource
from items.selectors import blocks_for
from uploads.models import Upload

VERSIONS = ("current", "published", "published-or-current")
#: What a reference names: the Reference column for each kind of target.
TARGET_COLUMNS = {"item": "target_item_id", "upload": "target_upload_id"}


def read_options(params: dict) -> tuple[bool, str]:
    """``nested`` and ``version`` of a references request (``published-or-current``, the
    client's documented "both", when absent); 422 naming anything else."""
    refuse_unknown(params, {"nested", "version"})
    version = params.get("version") or "published-or-current"
    if version not in VERSIONS:
        raise ApiError(
            "INVALID_QUERY_PARAMETERS",
            422,
            parameter="version",
            value=version,
            allowed=list(VERSIONS),
        )
    return flag(params, "nested"), version


def records_using(kind: str, target_ids: list[str], version: str) -> dict[str, list[str]]:
    """target id -> the ids of the records (not blocks) whose ``version`` uses it, for any
    number of targets in a constant number of queries. A record linking to itself is not
    listed as its own reference."""
    column = TARGET_COLUMNS[kind]
    using: dict[str, set[str]] = {target: set() for target in target_ids}
    if not target_ids:
        return {}
    rows = Reference.objects.filter(**{f"{column}__in": target_ids})
    if version == "published":
        # The rows are the current version's: the published one too only where they agree.
        rows = rows.filter(record__published_version_id=F("record__current_version"))
    for record_id, target in rows.values_list("record_id", column).distinct():
        if record_id != target:
            using[target].add(record_id)
    if version != "current":
        for record_id, target in _published_snapshot_uses(kind, target_ids):
            if record_id != target:
                using[target].add(record_id)
    return {target: sorted(records) for target, records in using.items()}


def find_target(kind: str, target_id: str):
    """The record (not a block) or the upload; 404 unless it exists."""
    if kind == "item":
        return found(Item.objects.filter(pk=target_id, root__isnull=True).first(), item=target_id)
    return found(Upload.objects.filter(pk=target_id).only("pk").first(), upload=target_id)


def uploads_in_use(upload_ids: list[str]) -> dict[str, list[dict]]:
    """upload id -> the records using it in either version, for uploads that are in use:
    what refuses deleting an upload (registered with uploads in ``ItemsConfig.ready``)."""
    using = records_using("upload", upload_ids, "published-or-current")
    return {
        upload_id: [{"type": "item", "id": record_id} for record_id in records]
        for upload_id, records in using.items()
        if records
    }


def referencing_records(kind: str, target_id: str, version: str) -> list[Item]:
    ids = records_using(kind, [target_id], version)[target_id]
    return list(Item.objects.filter(pk__in=ids).order_by("created_at", "id"))


def _published_snapshot_uses(kind: str, target_ids: list[str]) -> list[tuple[str, str]]:
    """(record id, target id) for the records whose published snapshot, other than their
    current version, uses a target: the JSON searched in one query, then confirmed."""
    text = Q()
    for target in target_ids:
        text |= Q(_data__contains=target) | Q(_blocks__contains=target)
    candidates = list(
        Item.objects.filter(root__isnull=True, published_version__isnull=False)
        .exclude(published_version_id=F("current_version"))
        .annotate(
            _data=Cast("published_version__data", TextField()),
            _blocks=Cast("published_version__blocks", TextField()),
        )
        .filter(text)
        .select_related("published_version")
    )
    if not candidates:
        return []
    model = ContentModel.load()
    wanted = set(target_ids)
    found = []
    for record in candidates:
        for target in snapshot_references(record.published_version, model)[kind] & wanted:
            found.append((record.id, target))
    return found


def snapshot_references(version, model: ContentModel) -> dict[str, set[str]]:
    """{"item": ids, "upload": ids} a stored version (its values and its blocks') uses."""
    collector = _Collector()
    holders = [(version.item_type_id, version.data)]
    holders += [(block["item_type"], block["data"]) for block in version.blocks.values()]
    for item_type_id, data in holders:
        for field_ in model.fields.get(item_type_id, []):
            field_type = FIELD_TYPES[field_.field_type]
            if not field_type.holds_references:
                continue
            value = (data or {}).get(field_.id)
            values = (value or {}).values() if field_.localized else [value]
            collector.field = field_
            for one in values:
                if one is not None:
                    try:
                        field_type.collect(one, collector)
                    except (KeyError, TypeError, AttributeError):
                        continue  # a value stored under an older type: not a reference
    return collector.found


class _Collector:
    """The visitor of ``FieldType.collect`` over stored values: blocks are already ids
    (their own values are walked as holders), nothing is checked, references are kept."""

    def __init__(self):
        self.field = None
        self.found: dict[str, set[str]] = {"item": set(), "upload": set()}

    def fail(self, code, **details):
        pass

    def upload(self, upload_id, file_value, *, index=None, key=None):
        self.found["upload"].add(upload_id)

    def record(self, item_id, validator, *, index=None, key=None):
        self.found["item"].add(item_id)

    def block(self, raw, validator_name, *, index=None, key=None):
        return raw if isinstance(raw, str) else None


def references_document(params: dict, kind: str, target_id: str) -> dict:
    """The answer of ``GET /items/:id/references`` and ``GET /uploads/:id/references``:
    the records using the target in the version asked, their blocks inline if nested."""
    nested, version = read_options(params)
    records = referencing_records(kind, target_id, version)
    model = ContentModel.load()
    mark_has_children(records, model)
    blocks = blocks_for(records, "current") if nested else None
    return {"data": [item_resource(record, model, blocks=blocks) for record in records]}
