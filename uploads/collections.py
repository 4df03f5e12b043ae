"""Upload collections (SPEC-2 §7.3): the media library's folders.

A collection tree is ordered as the menus are (dense positions from 1 among siblings, a
parent never under its own child), so the menus' tree code serves it: ``UPLOAD_COLLECTIONS``
describes it to ``menus.services`` (create, update with ``children``, destroy with the
sub-collections), ``menus.reordering`` (the reorder job) and ``menus.views``. What is
collections' own: their attributes, and an upload's ``upload_collection`` relationship.
Deleting a collection deletes its sub-collections; their uploads stay, in no collection
(``Upload.upload_collection`` is ``SET_NULL``).
"""

from cms.api.attributes import Attribute, clean_attributes
from cms.api.errors import ApiError
from cms.api.parsing import ResourceDocument
from menus.cleaning import KEEP, POSITION, Checked, check_position, not_found, to_many, to_one
from menus.kinds import Menu
from uploads.models import UploadCollection

TYPE = "upload_collection"
ATTRIBUTES: dict[str, Attribute] = {
    "label": Attribute(required=True, max_length=255),
    "position": POSITION,
}


def clean_upload_collection(document: ResourceDocument, collection) -> Checked:
    """A collection's label and position, its ``parent``, and on update its ``children``
    (exactly those, in that order; the ones left out move up to its parent)."""
    cleaned, errors = clean_attributes(document.attributes, ATTRIBUTES, creating=collection is None)
    checked = Checked(errors=errors)
    checked.position = check_position(cleaned.pop("position", None), errors)
    checked.values = cleaned
    checked.parent = to_one(document, "parent", TYPE, errors)
    if collection is not None and "children" in document.relationships:
        checked.children = to_many(document, "children", TYPE, errors)
    return checked


def upload_collection_resource(collection: UploadCollection, children: list[str]) -> dict:
    return {
        "type": TYPE,
        "id": collection.id,
        "attributes": {"label": collection.label, "position": collection.position},
        "relationships": {
            "parent": {
                "data": {"type": TYPE, "id": collection.parent_id} if collection.parent_id else None
            },
            "children": {"data": [{"type": TYPE, "id": child} for child in children]},
        },
    }


UPLOAD_COLLECTIONS = Menu(
    TYPE,
    UploadCollection,
    clean_upload_collection,
    upload_collection_resource,
    has_kinds=False,
    lock_models=(UploadCollection,),
    related=(),
)


# --- An upload's collection ---------------------------------------------------------------


def clean_upload_collection_of(document: ResourceDocument, errors: list[ApiError]) -> dict:
    """``{"upload_collection_id": ...}`` when the upload's ``upload_collection`` is sent
    (null: none), else ``{}``; an unknown or malformed one is collected in ``errors``."""
    found: list[ApiError] = []
    collection_id = to_one(document, "upload_collection", TYPE, found)
    errors += found
    if collection_id is KEEP:
        return {}
    if collection_id is not None and not UploadCollection.objects.filter(pk=collection_id).exists():
        errors.append(not_found("upload_collection", collection_id))
        return {}
    return {"upload_collection_id": collection_id}


def hold(collection_id: str | None) -> None:
    """Inside the transaction that puts uploads into ``collection_id``: lock its row, so
    it can't be deleted before the commit (else the foreign key fails then); 422 naming it
    if it is gone already. Taken before any upload row, as a collection's delete does."""
    if collection_id is None:
        return
    held = UploadCollection.objects.select_for_update().filter(pk=collection_id)
    if not held.values_list("pk", flat=True):
        raise not_found("upload_collection", collection_id)
