"""Publishing, unpublishing and deleting records. A record's links to others decide what
may happen: each link field's validator sets a strategy for records it links to (or from)
that are not published or go away."""

from copy import copy
from dataclasses import dataclass

from django.db import transaction
from django.utils.timezone import now

from cms.api.errors import ApiError
from items.content_model import ContentModel
from items.models import Item, ItemVersion, Reference
from items.placement import ancestors, descendants
from items.services import placement as placing
from items.services.links import link_params, linkers_by_strategy, remove_links
from items.services.records import find_record
from items.validity import raise_if_unpublishable
from webhooks import records as webhook_records

# What publishing and unpublishing change (never the values; publishing checks them).
PUBLICATION_STATE = [
    "status",
    "published_at",
    "first_published_at",
    "published_version",
    "is_current_version_valid",
    "is_published_version_valid",
]


def mark_published(item: Item, moment) -> None:
    item.status = Item.Status.PUBLISHED
    item.published_at = moment
    item.first_published_at = item.first_published_at or moment
    item.published_version_id = item.current_version
    item.is_published_version_valid = item.is_current_version_valid


def _unpublished_links(item: Item, model: ContentModel) -> dict[str, list]:
    """Records this one links to that have never been published, by the strategy their
    link field's validator sets for that case."""
    references = Reference.objects.filter(record=item, target_item__isnull=False).values_list(
        "field_id", "target_item_id", "target_item__published_version_id"
    )
    by_strategy: dict[str, list] = {}
    for field_id, target_id, published_version in references:
        if published_version is not None or target_id == item.id:
            continue
        field_ = model.fields_by_id[field_id]
        strategy = link_params(field_).get(
            "on_publish_with_unpublished_references_strategy", "fail"
        )
        by_strategy.setdefault(strategy, []).append(target_id)
    return by_strategy


@dataclass(frozen=True)
class Selection:
    """A selective publish: the localized content of some locales, and/or the rest."""

    locales: frozenset
    non_localized: bool

    @classmethod
    def parse(cls, attributes: dict, *, within: str | None = None) -> "Selection":
        """From ``{content_in_locales, non_localized_content}`` (a publish body's, or a
        schedule's ``selective_publication``: ``within`` then names that attribute as
        ``details.field``, and the part as ``details.key``)."""
        locales = attributes.get("content_in_locales", [])
        non_localized = attributes.get("non_localized_content", False)
        if not isinstance(locales, list) or not all(isinstance(loc, str) for loc in locales):
            raise _selection_error(within, "content_in_locales", "A list of locales.")
        if not isinstance(non_localized, bool):
            raise _selection_error(within, "non_localized_content", "true or false.")
        return cls(frozenset(locales), non_localized)

    def as_wire(self) -> dict:
        return {
            "content_in_locales": sorted(self.locales),
            "non_localized_content": self.non_localized,
        }


def _selection_error(within: str | None, name: str, message: str) -> ApiError:
    where = {"field": within, "key": name} if within else {"field": name}
    return ApiError("INVALID_FIELD", 422, **where, code="VALIDATION_FORMAT", message=message)


def item_publish(
    *,
    item_id: str,
    editor_id: str | None,
    selection: Selection | None = None,
    recursive: bool = False,
) -> Item:
    """Publish the current version (or, with ``selection``, part of it), if it passes
    the rules (else 422 with every problem, as a write of those values); linked records
    never published follow the link field's strategy: ``fail`` (422 UNPUBLISHED_LINK) or
    ``publish_references``. In a tree, a record sits published only under published
    records: with ``recursive`` its unpublished ancestors are published too (whole),
    otherwise an unpublished parent refuses it (422 UNPUBLISHED_PARENT)."""
    model = ContentModel.load()
    with transaction.atomic():
        placing.lock_for_record(item_id, model)  # no move while the ancestors are read
        item = find_record(item_id, lock=True)
        wholly_valid = raise_if_unpublishable(item, model, selection)
        moment = now()
        for ancestor in _unpublished_ancestors(item, model, recursive):
            raise_if_unpublishable(ancestor, model, None)  # whole, as it publishes
            _publish_whole(ancestor, model, moment)
            ancestor.save(update_fields=PUBLICATION_STATE)
        _publish_links(item, model, moment)
        if selection is None:
            mark_published(item, moment)
        else:
            _publish_part(item, model, selection, editor_id, moment, wholly_valid)
        item.save(update_fields=PUBLICATION_STATE)
        webhook_records.announce("publish", [item], model)
    return item


def _unpublished_ancestors(item: Item, model: ContentModel, recursive: bool) -> list[Item]:
    """The ancestors publishing ``item`` publishes, root first (none unless recursive:
    then an unpublished parent refuses the publish)."""
    if item.tree_parent_id is None or not model.item_types[item.item_type_id].tree:
        return []
    if not recursive:
        parent_published = (
            Item.objects.filter(pk=item.tree_parent_id)
            .values_list("published_version_id", flat=True)
            .first()
        )
        if parent_published is None:
            raise ApiError(
                "UNPUBLISHED_PARENT",
                422,
                parent_id=item.tree_parent_id,
                message="Its parent is not published: publish it first, or send "
                "recursive=true to publish the unpublished records above it too.",
            )
        return []
    unpublished = [row[0] for row in ancestors(item.id) if row[2] is None]
    found = Item.objects.select_for_update(no_key=True).in_bulk(unpublished)
    return [found[ancestor_id] for ancestor_id in reversed(unpublished)]


def _publish_whole(item: Item, model: ContentModel, moment) -> None:
    _publish_links(item, model, moment)
    mark_published(item, moment)


def _publish_links(item: Item, model: ContentModel, moment) -> None:
    """Linked records never published, by their link field's strategy: refused, or
    published with it."""
    links = _unpublished_links(item, model)
    if links.get("fail"):
        raise ApiError(
            "UNPUBLISHED_LINK",
            422,
            unpublished=sorted(set(links["fail"])),
            message="It links to records that are not published.",
        )
    targets = list(Item.objects.filter(pk__in=links.get("publish_references", [])))
    for target in targets:
        raise_if_unpublishable(target, model, None)  # whole, as it publishes
        mark_published(target, moment)
    Item.objects.bulk_update(targets, PUBLICATION_STATE)


def _publish_part(
    item: Item, model: ContentModel, selection: Selection, editor_id, moment, wholly_valid: bool
) -> None:
    """The published snapshot becomes the current values where selected, the previously
    published ones elsewhere; it is a version of its own."""
    unknown = sorted(selection.locales - set(model.locales))
    if unknown:
        raise ApiError(
            "INVALID_FIELD",
            422,
            field="content_in_locales",
            code="INVALID_LOCALES",
            unknown_locales=unknown,
        )
    current = ItemVersion.objects.get(pk=item.current_version)
    previous = item.published_version
    old = previous.data if previous else {}
    data = {}
    for field_ in model.fields[item.item_type_id]:
        now_value, old_value = item.data.get(field_.id), old.get(field_.id)
        if field_.localized:
            now_value, old_value = now_value or {}, old_value or {}
            value = {}
            for loc in dict.fromkeys([*now_value, *old_value]):
                if loc in selection.locales:
                    if loc in now_value:  # a locale the record no longer has goes
                        value[loc] = now_value[loc]
                elif loc in old_value:
                    value[loc] = old_value[loc]
            data[field_.id] = value
        else:
            data[field_.id] = now_value if selection.non_localized else old_value
    blocks = {**(previous.blocks if previous else {}), **current.blocks}
    if data == item.data:
        mark_published(item, moment)
        return
    snapshot = ItemVersion.objects.create(
        item=item,
        item_type_id=item.item_type_id,
        data=data,
        blocks=blocks,
        editor_id=editor_id,
        created_at=moment,
    )
    item.published_version = snapshot
    # The selected part passed; the rest is what was published before.
    item.is_published_version_valid = wholly_valid or (
        previous is None or item.is_published_version_valid
    )
    item.status = Item.Status.UPDATED
    item.published_at = moment
    item.first_published_at = item.first_published_at or moment


def item_unpublish(*, item_id: str, editor_id: str | None, recursive: bool = False) -> Item:
    """Unpublish; published records linking here follow their link field's strategy:
    ``fail`` (422 UNPUBLISHED_PARENT), ``unpublish`` them too, or ``delete_references``.
    In a tree, published records below it are unpublished too with ``recursive``, and
    otherwise refuse it (422 PUBLISHED_CHILDREN)."""
    model = ContentModel.load()
    with transaction.atomic():
        placing.lock_for_record(item_id, model)  # no move while the descendants are read
        item = find_record(item_id, lock=True)
        below = _published_descendants(item, model, recursive)
        changed = []
        for record in [*below, item]:
            changed += _unpublish_one(record, model)
        Item.objects.bulk_update(changed, PUBLICATION_STATE)
        webhook_records.announce("unpublish", [item], model)
    return item


def _published_descendants(item: Item, model: ContentModel, recursive: bool) -> list[Item]:
    """The published records below ``item``, deepest first (none unless recursive: then
    a published one refuses the unpublish)."""
    if not model.item_types[item.item_type_id].tree:
        return []
    published = [row[0] for row in descendants(item.id) if row[2] is not None]
    if published and not recursive:
        raise ApiError(
            "PUBLISHED_CHILDREN",
            422,
            published_children=sorted(published),
            message="Published records sit below it: unpublish them first, or send "
            "recursive=true to unpublish them too.",
        )
    found = Item.objects.select_for_update(no_key=True).in_bulk(published)
    return [found[record_id] for record_id in reversed(published)]


def _unpublish_one(item: Item, model: ContentModel) -> list[Item]:
    """Unpublish ``item`` in memory; answer it with the linking records that follow it."""
    linkers = _linking_records(
        item,
        model,
        "on_reference_unpublish_strategy",
        error_code="UNPUBLISHED_PARENT",
        message="Published records link to it.",
        published=True,
    )
    linkers_to_unpublish = list(Item.objects.filter(pk__in=linkers.get("unpublish", [])))
    _remove_links(item, linkers.get("delete_references", []), model)
    for record in [*linkers_to_unpublish, item]:
        _mark_unpublished(record)
    return [*linkers_to_unpublish, item]


def _mark_unpublished(item: Item) -> None:
    item.status = Item.Status.DRAFT
    item.published_at = None
    item.published_version_id = None


def _linking_records(
    item: Item,
    model: ContentModel,
    strategy_name: str,
    *,
    error_code: str,
    message: str,
    published: bool = False,
) -> dict[str, list]:
    """Other records linking here, grouped by their link field's ``strategy_name``; if
    any has the strategy ``fail``, the change is refused with a 422 of ``error_code`` and
    ``message``."""
    by_strategy = linkers_by_strategy([item.id], model, strategy_name, published=published).get(
        item.id, {}
    )
    if by_strategy.get("fail"):
        raise ApiError(error_code, 422, linked_from=sorted(by_strategy["fail"]), message=message)
    return by_strategy


def _remove_links(item: Item, record_ids: list[str], model: ContentModel) -> None:
    """Take the links to ``item`` out of these records (and their blocks), in place."""
    remove_links({(item.id, record_id) for record_id in record_ids}, model)


# --- Delete ------------------------------------------------------------------------------


def item_destroy(*, item_id: str) -> Item:
    """Delete a record and its blocks. Records linking here follow their link field's
    ``on_reference_delete_strategy``: ``fail`` (422 DELETE_RESTRICTION) or
    ``delete_references`` (the links are taken out of them). In a tree, its children
    (with what is below them) move up into its place (``placement.take_out``)."""
    model = ContentModel.load()
    with transaction.atomic():
        placing.lock_for_record(item_id, model)
        item = find_record(item_id, lock=True, deleting=True)
        linkers = _linking_records(
            item,
            model,
            "on_reference_delete_strategy",
            error_code="DELETE_RESTRICTION",
            message="Other records link to it.",
        )
        _remove_links(item, linkers.get("delete_references", []), model)
        placing.take_out(item, model.item_types[item.item_type_id])
        answer = copy(item)  # the record as it was when deleted (delete() clears the pk)
        # Before the delete: events still to build from the record are built now.
        webhook_records.announce("delete", [answer], model)
        item.delete()
    return answer
