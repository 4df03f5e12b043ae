"""Publishing and unpublishing many records in one call (``items.services.bulk``): each
record by the single call's rules (``items.services.publishing``), read and written for
all the records at once.

Publish: the record's current values must pass its model's rules; records it links to
that were never published follow the link field's strategy (``fail``: UNPUBLISHED_LINK,
``publish_references``: published with it, if they pass the rules); in a tree its parent
must be published (UNPUBLISHED_PARENT): the bulk call has no ``recursive``, but a parent
or a linked record published by the same call counts as published.

Unpublish: published records below it in a tree refuse it (PUBLISHED_CHILDREN), and the
published records linking to it follow their link field's strategy (``fail``:
UNPUBLISHED_PARENT, as the single call, ``unpublish``: unpublished with it,
``delete_references``: the link is taken out of them); records unpublished by the same
call neither refuse it nor lose their links.
"""

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils.timezone import now

from cms.api.errors import ApiError
from items.content_model import ContentModel
from items.models import Item, Reference
from items.placement import published_below
from items.services.bulk import BulkOutcome, lock_records, settle
from items.services.links import link_params, linkers_by_strategy, remove_links
from items.validity import errors_of
from webhooks import records as webhook_records


def bulk_publish(ids: list[str]) -> BulkOutcome:
    outcome = BulkOutcome(ids)
    model = ContentModel.load()
    with transaction.atomic():
        records = lock_records(outcome, model)
        for record_id, errors in _invalid(list(records.values()), model).items():
            outcome.fail(record_id, *errors)
        links = _links(records, model)
        carried = _carried(records, links, model)
        parents = _parents_published(records, model)

        def check(item: Item, going: set) -> ApiError | None:
            if item.id in parents and not (parents[item.id] or item.tree_parent_id in going):
                return ApiError(
                    "UNPUBLISHED_PARENT",
                    422,
                    parent_id=item.tree_parent_id,
                    message="Its parent is not published, nor published by this call.",
                )
            refused = sorted(
                target
                for strategy, target in links.get(item.id, ())
                if target not in going
                and (strategy == "fail" or target in records or target in carried["invalid"])
            )
            if refused:
                return ApiError(
                    "UNPUBLISHED_LINK",
                    422,
                    unpublished=refused,
                    message="It links to records that are not published, nor published "
                    "by this call (or can't be: they don't pass their model's rules).",
                )
            return None

        settle(outcome, records, check)
        publishing = set(outcome.succeeded)
        along = {
            target
            for record_id in publishing
            for strategy, target in links.get(record_id, ())
            if strategy == "publish_references" and target not in records
        }
        moment = now()
        Item.objects.filter(pk__in=publishing | along).update(
            status=Item.Status.PUBLISHED,
            published_at=moment,
            first_published_at=Coalesce(F("first_published_at"), Value(moment)),
            published_version_id=F("current_version"),
            # They passed the rules just now, as a whole.
            is_current_version_valid=True,
            is_published_version_valid=True,
        )
        webhook_records.announce_ids("publish", publishing | along, model)
    return outcome


def _invalid(items: list[Item], model: ContentModel) -> dict[str, list[ApiError]]:
    """The problems of each record's current values that has any (one walk each, then
    one query for all their blocks and one bulk pass)."""
    if not items:
        return {}
    blocks: dict[str, dict] = {item.id: {} for item in items}
    for block in Item.objects.filter(root_id__in=list(blocks)):
        blocks[block.root_id][block.id] = block
    errors = errors_of([(item, item.data, blocks[item.id]) for item in items], model)
    return {item.id: found for item, found in zip(items, errors, strict=True) if found}


def _links(records: dict[str, Item], model: ContentModel) -> dict[str, list[tuple]]:
    """For each record: (strategy, target) of its links to records never published
    (``on_publish_with_unpublished_references_strategy``, ``fail`` when unset)."""
    rows = Reference.objects.filter(
        record_id__in=list(records),
        target_item__isnull=False,
        target_item__published_version__isnull=True,
    ).values_list("record_id", "field_id", "target_item_id")
    links: dict[str, list[tuple]] = {}
    for record_id, field_id, target_id in rows:
        if target_id == record_id:
            continue
        strategy = link_params(model.fields_by_id[field_id]).get(
            "on_publish_with_unpublished_references_strategy", "fail"
        )
        links.setdefault(record_id, []).append((strategy, target_id))
    return links


def _carried(records: dict[str, Item], links: dict, model: ContentModel) -> dict[str, set]:
    """Records outside the call that publishing one of the records would publish along
    (``publish_references``), checked whole as the single call checks them: the invalid
    ones refuse the records linking to them."""
    outside = {
        target
        for found in links.values()
        for strategy, target in found
        if strategy == "publish_references" and target not in records
    }
    items = list(Item.objects.filter(pk__in=outside)) if outside else []
    return {"invalid": set(_invalid(items, model))}


def _parents_published(records: dict[str, Item], model: ContentModel) -> dict[str, bool]:
    """For each record of a tree model under a parent: whether that parent is published."""
    children = {
        record_id: item.tree_parent_id
        for record_id, item in records.items()
        if item.tree_parent_id is not None and model.item_types[item.item_type_id].tree
    }
    if not children:
        return {}
    published = set(
        Item.objects.filter(
            pk__in=set(children.values()), published_version__isnull=False
        ).values_list("id", flat=True)
    )
    return {record_id: parent in published for record_id, parent in children.items()}


def bulk_unpublish(ids: list[str]) -> BulkOutcome:
    outcome = BulkOutcome(ids)
    model = ContentModel.load()
    with transaction.atomic():
        records = lock_records(outcome, model)
        trees = [r for r, item in records.items() if model.item_types[item.item_type_id].tree]
        below = published_below(trees)
        linkers = linkers_by_strategy(
            records, model, "on_reference_unpublish_strategy", published=True
        )

        def check(item: Item, going: set) -> ApiError | None:
            children = sorted(set(below.get(item.id, ())) - going)
            if children:
                return ApiError(
                    "PUBLISHED_CHILDREN",
                    422,
                    published_children=children,
                    message="Published records sit below it, and this call doesn't unpublish them.",
                )
            refusing = sorted(set(linkers.get(item.id, {}).get("fail", ())) - going)
            if refusing:
                return ApiError(
                    "UNPUBLISHED_PARENT",
                    422,
                    linked_from=refusing,
                    message="Published records link to it.",
                )
            return None

        settle(outcome, records, check)
        going = set(outcome.succeeded)
        along, unlinked = set(), set()
        for record_id in going:
            strategies = linkers.get(record_id, {})
            along |= set(strategies.get("unpublish", ())) - going
            unlinked |= {
                (record_id, linker)
                for linker in strategies.get("delete_references", ())
                if linker not in going
            }
        remove_links(unlinked, model)
        Item.objects.filter(pk__in=going | along).update(
            status=Item.Status.DRAFT, published_at=None, published_version_id=None
        )
        webhook_records.announce_ids("unpublish", going | along, model)
    return outcome
