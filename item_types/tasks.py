"""The schema's jobs (SPEC-2 §2.2, §2.3): reordering a model's fields and fieldsets, and
duplicating a field. Each runs in the environment its request worked in, checked before
it was queued and again, under the schema lock, when it runs."""

import jobs
from cms.api.errors import found
from environments.scoped_jobs import running_here
from item_types import services
from item_types.models import Field, ItemType
from item_types.resources import field_resource, fieldset_resource, render_item_type


def _item_type(item_type_id: str) -> ItemType:
    return found(ItemType.objects.filter(pk=item_type_id).first(), item_type=item_type_id)


@jobs.handler("item_types.reorder_fields_and_fieldsets", rerunnable=True)
def reorder_fields_and_fieldsets(job):
    """Rerunnable: the same placements give the same order."""
    with running_here(job):
        entries = services.reorder_fields_and_fieldsets(
            item_type=_item_type(job.arguments["item_type"]), body=job.arguments["placements"]
        )
        render = {Field: field_resource}
        return 200, {"data": [render.get(type(e), fieldset_resource)(e) for e in entries]}


@jobs.handler("item_types.duplicate_field", rerunnable=True)
def duplicate_field(job):
    """Rerunnable: the copy's id is chosen when the job is queued, and a run that finds it
    made answers it."""
    with running_here(job):
        field_id = job.arguments["field"]
        field = found(Field.objects.filter(pk=field_id).first(), field=field_id)
        copy = services.field_duplicate(field=field, copy_id=job.arguments["copy"])
        item_type = ItemType.objects.get(pk=copy.item_type_id)
        return 201, {"data": field_resource(copy), "included": [render_item_type(item_type)]}
