"""Links between records as writes other than updates see them: the strategy a link
field's validator sets for what happens to the records at either end, and taking links
out of the records holding them. Shared by the single and the bulk publish, unpublish and
delete (``publishing``, ``bulk_publishing``, ``bulk_destroy``)."""

from django.db.models import F

from item_types.field_types import FIELD_TYPES
from items.content_model import ContentModel
from items.models import Item, Reference


def link_params(field_) -> dict:
    """The parameters of the field's link validator (its type names it)."""
    name = FIELD_TYPES[field_.field_type].link_validator
    if name is None:
        return {}
    return (field_.validators or {}).get(name) or {}


def linkers_by_strategy(
    targets, model: ContentModel, strategy_name: str, *, published: bool = False
) -> dict[str, dict[str, list[str]]]:
    """For many records at once (one query): the other records linking to each, grouped
    by their link field's ``strategy_name`` (``fail`` when unset); ``published``: only
    the published ones. ``{target id: {strategy: [record ids]}}``."""
    references = Reference.objects.filter(target_item_id__any_of=list(targets)).exclude(
        record_id=F("target_item_id")
    )
    if published:
        references = references.filter(record__published_version__isnull=False)
    found: dict[str, dict[str, list[str]]] = {}
    rows = references.values_list("target_item_id", "field_id", "record_id").order_by("id")
    for target_id, field_id, record_id in rows:
        strategy = link_params(model.fields_by_id[field_id]).get(strategy_name, "fail")
        records = found.setdefault(target_id, {}).setdefault(strategy, [])
        if record_id not in records:
            records.append(record_id)
    return found


def remove_links(pairs: set[tuple[str, str]], model: ContentModel) -> None:
    """Take the links to each ``(target id, record id)``'s target out of that record (and
    its blocks), in place: a constant number of queries for any number of pairs."""
    if not pairs:
        return
    rows = [
        row
        for row in Reference.objects.filter(
            target_item_id__in={target for target, _ in pairs},
            record_id__in={record for _, record in pairs},
        ).values_list("id", "target_item_id", "record_id", "holder_id", "field_id")
        if (row[1], row[2]) in pairs
    ]
    removals: dict[str, dict[str, set]] = {}  # holder -> field -> targets
    for _, target_id, _, holder_id, field_id in rows:
        removals.setdefault(holder_id, {}).setdefault(field_id, set()).add(target_id)
    holders = list(Item.objects.filter(pk__in=removals))
    for holder in holders:
        for field_id, targets in removals[holder.id].items():
            field_ = model.fields_by_id[field_id]
            field_type = FIELD_TYPES[field_.field_type]
            value = holder.data.get(field_id)
            for target_id in sorted(targets):
                if field_.localized and isinstance(value, dict):
                    value = {
                        locale: None if v is None else field_type.without_link(v, target_id)
                        for locale, v in value.items()
                    }
                elif value is not None:
                    value = field_type.without_link(value, target_id)
            if field_id in holder.data:
                holder.data[field_id] = value
    Item.objects.bulk_update(holders, ["data"])
    Reference.objects.filter(pk__in=[row[0] for row in rows]).delete()
