"""Links as DreamFactory relations, and ``related=`` expanding them on reads.

Naming follows DreamFactory's (``RelationSchema::buildName``): ``<ref_table>_by_<field>``.

- ``belongs_to``: a ``link`` field of the table read, one relation per model the field may
  link to: ``person.best_pet`` → ``pet_by_best_pet`` (the record, or null);
- ``many_many``: a ``links`` field, likewise: ``post.tags`` → ``tag_by_tags`` (a list, in
  the field's order);
- ``has_many``: the other way round, on the linked model: ``pet`` gets ``person_by_best_pet``
  (the person records whose ``best_pet`` is this pet, oldest first). When that name is
  already a relation of the table (a model linking to itself), it ends in ``_reverse``.

A localized link field's relation is answered per locale, as the field is; its
``has_many`` lists the records linking in any locale. Expanding costs one query for every
``belongs_to``/``many_many`` relation asked for together, and one per ``has_many``,
whatever the number of records read.

The token's role filters what is brought in, in those same queries: a related record the
role may not read is left out (null for a ``belongs_to``, absent from a list), as if it
did not exist; ``related=*`` leaves out the relations to models the role can't read at
all, and naming one is refused (403).
"""

from dataclasses import dataclass

from django.db.models import Q

from access.permissions import refused
from item_types.field_types import FIELD_TYPES
from items.models import Item
from items.placement import is_placed, wire_attributes
from record_api import filter_query
from record_api.errors import RecordApiError
from record_api.resources import record_values

#: Records one has_many relation may bring in one read: past it the read is refused,
#: rather than answered partly (narrow it with a filter, ids or a smaller limit).
MAX_RELATED_RECORDS = 10_000


@dataclass(frozen=True)
class Relation:
    name: str
    type: str  # belongs_to | many_many | has_many
    field: object  # the link field (the table's own, or for has_many the other model's)
    table: object  # the model read
    ref_table: object  # the model related

    def describe(self) -> dict:
        """As ``_schema/<table>`` lists it (DreamFactory's relation fields)."""
        reverse = self.type == "has_many"
        return {
            "name": self.name,
            "alias": None,
            "label": self.ref_table.name,
            "description": None,
            "native": [],
            "type": self.type,
            "field": "id" if reverse else self.field.api_key,
            "is_virtual": True,
            "ref_service_id": None,
            "ref_table": self.ref_table.api_key,
            "ref_field": self.field.api_key if reverse else "id",
            "ref_on_update": None,
            "ref_on_delete": None,
            "junction_service_id": None,
            "junction_table": None,
            "junction_field": None,
            "junction_ref_field": None,
            "always_fetch": False,
            "flatten": False,
            "flatten_drop_prefix": False,
        }


def _targets(field, model) -> list:
    validator = getattr(FIELD_TYPES[field.field_type], "link_validator", None)
    if validator is None:
        return []
    ids = (field.validators or {}).get(validator, {}).get("item_types", [])
    found = (model.item_types.get(id_) for id_ in ids)
    return [it for it in found if it is not None and not it.modular_block]


def relations(item_type, model) -> dict[str, Relation]:
    """The table's relations by name: its own link fields', then the links to it."""
    found = {}
    for field in model.fields[item_type.id]:
        kind = "many_many" if field.field_type == "links" else "belongs_to"
        for target in _targets(field, model):
            name = f"{target.api_key}_by_{field.api_key}"
            found[name] = Relation(name, kind, field, item_type, target)
    for source in sorted(model.item_types.values(), key=lambda it: it.api_key):
        if source.modular_block:
            continue
        for field in model.fields[source.id]:
            if item_type in _targets(field, model):
                name = f"{source.api_key}_by_{field.api_key}"
                if name in found:
                    name += "_reverse"
                found[name] = Relation(name, "has_many", field, item_type, source)
    return found


def wanted(raw, item_type, model, readable=None) -> list[Relation]:
    """``related``: ``*`` (every relation the role may read) or a comma list of names;
    unknown ones refused, and (403) one to a model the role can't read at all."""
    names = [n.strip() for n in str(raw or "").split(",") if n.strip()]
    if not names:
        return []
    available = relations(item_type, model)

    def readable_(relation) -> bool:
        return readable is None or readable.allows_some("read", relation.ref_table.id)

    if names == ["*"]:
        return [relation for relation in available.values() if readable_(relation)]
    unknown = sorted(set(names) - set(available))
    if unknown:
        raise RecordApiError(
            400,
            f"Unknown relations: {', '.join(unknown)}.",
            {"related": unknown, "allowed": sorted(available)},
        )
    chosen = [available[name] for name in dict.fromkeys(names)]
    for relation in chosen:
        if not readable_(relation):
            raise refused(action="read", item_type=relation.ref_table.id, related=relation.name)
    return chosen


def _readable(records, readable):
    """``records`` narrowed to what the role may read (the same query, one more condition)."""
    condition = None if readable is None else readable.filter("read")
    return records if condition is None else records.filter(condition)


def _render(item, model) -> dict:
    item_type = model.item_types[item.item_type_id]
    placement = wire_attributes(item, item_type) if is_placed(item_type) else None
    return record_values(item.id, item.data, item.item_type_id, model, None, placement)


def _ids_in(value) -> list[str]:
    """The record ids a link value holds (one, a list, or per locale)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [id_ for id_ in value if isinstance(id_, str)]
    if isinstance(value, dict):
        return [id_ for v in value.values() for id_ in _ids_in(v)]
    return []


def _shaped(value, relation: Relation, rendered: dict):
    """The link value with each id replaced by its record (of the relation's model)."""

    def one(id_):
        record = rendered.get(id_)
        return record if record is not None and record[1] == relation.ref_table.id else None

    if relation.field.localized and isinstance(value, dict):
        return {locale: _shaped_plain(v, one) for locale, v in value.items()}
    return _shaped_plain(value, one)


def _shaped_plain(value, one):
    if isinstance(value, list):
        return [found[0] for found in map(one, value) if found is not None]
    found = one(value) if isinstance(value, str) else None
    return found[0] if found else None


def expand(
    page: list, answers: list[dict], relations_: list[Relation], model, locale, readable=None
) -> None:
    """Add each relation asked for to each answered record (``answers[i]`` is ``page[i]``'s);
    ``readable``: the role's read permission (access.permissions.records), None for all."""
    forward = [r for r in relations_ if r.type != "has_many"]
    if forward and page:
        ids = {id_ for item in page for r in forward for id_ in _ids_in(item.data.get(r.field.id))}
        targets = {r.ref_table.id for r in forward}
        records = Item.objects.filter(pk__in=ids, item_type_id__in=targets)
        found = _readable(records, readable).only(
            "id", "item_type_id", "data", "position", "tree_parent_id"
        )
        rendered = {item.id: (_render(item, model), item.item_type_id) for item in found}
        for item, answer in zip(page, answers, strict=True):
            for relation in forward:
                value = item.data.get(relation.field.id)
                answer[relation.name] = _shaped(value, relation, rendered)
    for relation in relations_:
        if relation.type == "has_many":
            _expand_has_many(page, answers, relation, model, locale, readable)


def linking(relation: Relation, ids: list, model, locale=None):
    """A ``has_many``'s records (of ``relation.ref_table``) whose link field names one of
    ``ids``: one query, the filter's own condition on the field."""
    source = relation.ref_table
    _, columns, _ = filter_query.record_columns(model.fields[source.id], locale)
    column = columns[relation.field.api_key]
    condition = column.build("in", ids) if column.build else Q(pk__in=[])
    return Item.objects.filter(item_type_id=source.id).filter(condition)


def _expand_has_many(page, answers, relation: Relation, model, locale, readable) -> None:
    """The ``relation.ref_table`` records whose link field names each record read."""
    by_id = {item.id: [] for item in page}
    if by_id:
        found = list(
            _readable(linking(relation, list(by_id), model, locale), readable)
            .order_by("created_at", "id")
            .only("id", "item_type_id", "data", "position", "tree_parent_id")[
                : MAX_RELATED_RECORDS + 1
            ]
        )
        if len(found) > MAX_RELATED_RECORDS:
            raise RecordApiError(
                400,
                f"{relation.name} holds more than {MAX_RELATED_RECORDS} records for the "
                "records read: read fewer records at once.",
                {"related": relation.name, "limit": MAX_RELATED_RECORDS},
            )
        for item in found:
            value = item.data.get(relation.field.id)
            rendered = None
            for id_ in dict.fromkeys(_ids_in(value)):
                if id_ in by_id:
                    rendered = rendered or _render(item, model)
                    by_id[id_].append(rendered)
    for item, answer in zip(page, answers, strict=True):
        answer[relation.name] = by_id[item.id]
