"""``POST /items/:id/duplicate``: a new record with the same values, its blocks copied
with new ids. It is created as any record is (items/services/create.py), so it passes
the same checks: a unique field's value can't be copied (422 ``VALIDATION_UNIQUENESS``),
nor a singleton's record.

The request checks the copy at once (a refusal is a 422 and queues nothing); the job
(items/tasks.py) writes it, checked again (another write may have taken a unique value
meanwhile: the job then fails with that same error). The new record's id is chosen in the
request, so a job run again after its worker died answers the record a first run wrote.
"""

from cms.api.errors import ApiError
from cms.api.parsing import ResourceDocument
from cms.ids import new_id
from item_types.resources import item_type_resource
from items import services
from items.content_model import ContentModel
from items.models import Item
from items.resources import attributes_of, item_resource


def copy_document(item: Item, model: ContentModel, copy_id: str) -> ResourceDocument:
    """A create payload of ``item``'s current values, as ``copy_id``: each block a new
    block (no id: a fresh one) holding copies of its own blocks."""
    blocks = {block.id: block for block in Item.objects.filter(root=item)}

    def new_block(block_id):
        block = blocks.get(block_id)
        if block is None:
            return block_id
        return {
            "type": "item",
            "attributes": attributes_of(block.data, block.item_type_id, model, new_block),
            "relationships": {
                "item_type": {"data": {"type": "item_type", "id": block.item_type_id}}
            },
        }

    return ResourceDocument(
        type="item",
        id=copy_id,
        attributes=attributes_of(item.data, item.item_type_id, model, new_block),
        relationships={"item_type": {"data": {"type": "item_type", "id": item.item_type_id}}},
    )


def start(item_id: str, creator_id: str | None) -> dict:
    """Check that the record can be copied (raises the create's 422 otherwise); the job's
    arguments."""
    item = services.find_record(item_id)
    copy_id = new_id()
    services.build_record(
        document=copy_document(item, ContentModel.load(), copy_id), creator_id=creator_id
    )
    return {"item": item.id, "copy": copy_id, "creator": creator_id}


def run(arguments: dict) -> dict:
    """Write the copy; the answer ``{data: Item, included: [ItemType]}``."""
    copy = Item.objects.filter(pk=arguments["copy"]).first()
    if copy is None:
        source = Item.objects.filter(pk=arguments["item"], root__isnull=True).first()
        if source is None:
            raise ApiError(
                "NOT_FOUND", 404, item=arguments["item"], message="The record was deleted."
            )
        document = copy_document(source, ContentModel.load(), arguments["copy"])
        copy = services.item_create(document=document, creator_id=arguments["creator"]).item
    model = ContentModel.load()
    item_type = model.item_types[copy.item_type_id]
    return {
        "data": item_resource(copy, model),
        "included": [
            item_type_resource(
                item_type, model.field_ids(item_type.id), copy.singleton_of and copy.id
            )
        ],
    }
