"""The rows a write builds (items/services/rows.py), and the instances made from them."""

from django.utils.timezone import now

from cms.ids import new_id
from items.models import Item, ItemVersion
from items.services import rows


def test_rows_make_the_same_instances_as_keyword_arguments():
    """The answer's instances are built from positional arguments when a row holds every
    column in the table's order (rows.instance), by keyword otherwise: the same values."""
    moment = now()
    record = rows.item_row(
        id=new_id(), item_type_id="m", data={"title": "A"}, status="draft", updated_at=moment
    )
    version = rows.version_row(
        version_id=new_id(),
        item_id=record["id"],
        item_type_id="m",
        data=record["data"],
        block_rows=[record],
        editor_id="e",
        moment=moment,
    )
    for model_class, row in ((Item, record), (ItemVersion, version)):
        names = [f.attname for f in model_class._meta.concrete_fields]
        expected = {name: getattr(model_class(**row), name) for name in names}
        assert expected == {name: row[name] for name in names}
        for made in (
            rows.instance(model_class, row),
            rows.instance(model_class, dict(reversed(row.items()))),
        ):
            assert {name: getattr(made, name) for name in names} == expected
            assert made._state.adding  # unsaved, as the keyword form makes it
