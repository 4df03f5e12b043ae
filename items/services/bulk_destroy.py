"""Deleting many records in one call (``items.services.bulk``), each by the single
delete's rules (``items.services.publishing.item_destroy``), read and written for all
the records at once.

Records linking to one follow their link field's ``on_reference_delete_strategy``:
``fail`` refuses it (DELETE_RESTRICTION) unless the linking record goes in the same
call, ``delete_references`` takes the link out of them. Its blocks go with it. In a
sortable or tree model its children (with what is below them) move up into its place,
as the single delete moves them, worked out in memory for all the records deleted and
written in one statement.
"""

from django.db import connection, transaction
from django.db.models import SET_NULL, Q

from cms.api.errors import ApiError
from items.content_model import ContentModel
from items.models import Item
from items.placement import is_placed
from items.services.bulk import BulkOutcome, lock_records, settle
from items.services.links import linkers_by_strategy, remove_links
from webhooks import records as webhook_records


def bulk_destroy(ids: list[str], locked: dict[str, Item] | None = None) -> BulkOutcome:
    """``locked``: the records ``ids`` names, already read and locked (FOR UPDATE, their
    models' placement locks first) by the caller, which has failed the others: they
    aren't read again. They need ``id``, ``item_type_id``, ``position`` and
    ``tree_parent_id``, and every column when a webhook listens."""
    outcome = BulkOutcome(ids)
    model = ContentModel.load()
    with transaction.atomic():
        if locked is None:
            records = lock_records(outcome, model, deleting=True)
        else:
            records = {record_id: locked[record_id] for record_id in ids}
        linkers = linkers_by_strategy(records, model, "on_reference_delete_strategy")

        def check(item: Item, going: set) -> ApiError | None:
            refusing = sorted(set(linkers.get(item.id, {}).get("fail", ())) - going)
            if refusing:
                return ApiError(
                    "DELETE_RESTRICTION",
                    422,
                    linked_from=refusing,
                    message="Other records link to it.",
                )
            return None

        settle(outcome, records, check)
        going = set(outcome.succeeded)
        remove_links(
            {
                (record_id, linker)
                for record_id in going
                for linker in linkers.get(record_id, {}).get("delete_references", ())
                if linker not in going
            },
            model,
        )
        _take_out([records[record_id] for record_id in outcome.succeeded], model)
        if going:
            webhook_records.announce("delete", [records[i] for i in outcome.succeeded], model)
            _delete(going)
    return outcome


def _pointing() -> dict[type, list]:
    """The models with a foreign key to records, and those keys (not blocks' and
    children's: they go with the records' rows)."""
    pointing: dict[type, list] = {}
    for rel in Item._meta.related_objects:
        if rel.related_model is not Item:
            pointing.setdefault(rel.related_model, []).append(rel)
    return pointing


def _delete(record_ids: set[str]) -> None:
    if connection.vendor == "postgresql":
        _delete_in_one_statement(list(record_ids))
    else:
        _delete_per_table(record_ids)


def _delete_in_one_statement(ids: list[str]) -> None:
    """PostgreSQL: what ``_delete_per_table`` deletes, in one statement: the ids sent once
    (one array), the records with their blocks found once (a materialized CTE), and a
    data-modifying CTE per table pointing at them. Per table, as many statements each
    naming 10,000 ids cost more than the rows they deleted (the same subquery planned and
    run again, the array sent again)."""
    quote = connection.ops.quote_name
    items = quote(Item._meta.db_table)
    steps = []
    for related_model, rels in _pointing().items():
        table = quote(related_model._meta.db_table)
        doomed = [f"{quote(rel.field.column)} IN (SELECT id FROM doomed)" for rel in rels]
        deleted = " OR ".join(
            test for test, rel in zip(doomed, rels, strict=True) if rel.on_delete is not SET_NULL
        )
        for test, rel in zip(doomed, rels, strict=True):
            if rel.on_delete is SET_NULL:  # not a row deleted below: one change per row
                spared = f" AND NOT ({deleted})" if deleted else ""
                column = quote(rel.field.column)
                steps.append(f"UPDATE {table} SET {column} = NULL WHERE {test}{spared}")
        if deleted:
            steps.append(f"DELETE FROM {table} WHERE {deleted}")
    ctes = "".join(f", step{n} AS ({step})" for n, step in enumerate(steps))
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH named AS (SELECT unnest(%s::text[]) AS id), doomed AS MATERIALIZED ("
            f"SELECT id FROM named UNION SELECT id FROM {items} "
            f"WHERE root_id IN (SELECT id FROM named)){ctes} "
            f"DELETE FROM {items} WHERE id IN (SELECT id FROM doomed)",
            [ids],
        )


def _delete_per_table(record_ids: set[str]) -> None:
    """Delete the records with their blocks and every row pointing at them, one statement
    per table: what the single delete's cascade removes, without Django's collector (which
    reads the rows first and deletes them a hundred a statement). The tables come from
    ``Item._meta.related_objects`` (as ``uploads.destroying`` finds them), so a table added
    later with a foreign key to records (schedules, ...) is covered. Rows pointing at them
    go first, then the records themselves."""
    ids = list(record_ids)
    doomed = Item.objects.filter(Q(pk__any_of=ids) | Q(root_id__any_of=ids)).values("pk")
    for related_model, rels in _pointing().items():
        rows = related_model._base_manager
        nulled = [rel.field.attname for rel in rels if rel.on_delete is SET_NULL]
        for attname in nulled:  # a nullable link is cleared, as the collector would
            rows.filter(**{f"{attname}__in": doomed}).update(**{attname: None})
        scope = Q()
        for rel in rels:
            if rel.on_delete is not SET_NULL:
                scope |= Q(**{f"{rel.field.attname}__in": doomed})
        if scope:
            rows.filter(scope).delete()
    rows = Item.objects.filter(Q(pk__any_of=ids) | Q(root_id__any_of=ids))
    rows._raw_delete(rows.db)  # nothing else points at them (no cascade left, no signal)


def _take_out(items: list[Item], model: ContentModel) -> None:
    """Before ``items`` are deleted (their models' locks held): each one's children move
    up into its place among its siblings, in their order, and the siblings after it make
    room for them or close its gap (``placement.take_out``, for many at once). Reads the
    siblings from the first deleted one on, and the children, in one query; writes those
    that move in one."""
    placed = [
        i for i in items if i.position is not None and is_placed(model.item_types[i.item_type_id])
    ]
    if not placed:
        return
    first: dict[tuple, int] = {}  # (model, parent) -> the lowest position deleted there
    for item in placed:
        key = (item.item_type_id, item.tree_parent_id)
        first[key] = min(first.get(key, item.position), item.position)
    deleted = {item.id for item in placed}
    scope = Q(item_type_id__in={item.item_type_id for item in placed}, tree_parent_id__in=deleted)
    for (item_type_id, parent_id), position in first.items():
        scope |= Q(
            item_type_id=item_type_id,
            tree_parent_id=parent_id,
            position__gte=position,
            root__isnull=True,
        )
    rows = Item.objects.filter(scope, position__isnull=False).values_list(
        "id", "item_type_id", "tree_parent_id", "position"
    )
    # Each group of siblings read: where its first row read sits, and its rows in order.
    groups: dict[tuple, list[str]] = {}
    starts: dict[tuple, int] = {}
    before: dict[str, tuple] = {}
    for record_id, item_type_id, parent_id, position in sorted(rows, key=lambda r: r[3]):
        key = (item_type_id, parent_id)
        groups.setdefault(key, []).append(record_id)
        starts[key] = min(starts.get(key, position), position)
        before[record_id] = (parent_id, position)
    parent_of = {record_id: parent for record_id, (parent, _) in before.items()}
    for item in placed:
        key = (item.item_type_id, parent_of[item.id])
        siblings = groups[key]
        index = siblings.index(item.id)
        children = groups.pop((item.item_type_id, item.id), [])
        for child in children:
            parent_of[child] = key[1]
        siblings[index : index + 1] = children
    moved = [
        Item(id=record_id, tree_parent_id=key[1], position=starts.get(key, 1) + index)
        for key, siblings in groups.items()
        for index, record_id in enumerate(siblings)
        if before[record_id] != (key[1], starts.get(key, 1) + index)
    ]
    Item.objects.bulk_update(moved, ["tree_parent", "position"])
