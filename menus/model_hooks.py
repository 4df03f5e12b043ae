"""A model's items in the menus (SPEC-2 §3): created with the model, removed with it.

``POST /item-types``: a model gets a menu item (blocks have no records to browse) and a
schema menu item of kind ``item_type`` or ``modular_block``, both last at the top level,
unless ``skip_menu_item_creation=true``; ``menu_item_id`` and ``schema_menu_item_id``
choose their ids. ``DELETE /item-types/:id`` removes the items linked to the model (the
items under them take their place) unless ``skip_menu_items_deletion=true``: they then stay,
linked to nothing (an unlabelled schema menu item takes the model's name as label).

Connected to item_types' signals, sent inside the model's own transaction: a refusal here
rolls the model back too.
"""

from django.dispatch import receiver

from cms.api.errors import ApiError
from cms.api.parsing import ResourceDocument
from cms.api.query import flag
from cms.ids import is_valid_id
from item_types.models import ItemType
from item_types.signals import item_type_created, item_type_destroying
from menus.kinds import MENU_ITEMS, SCHEMA_MENU_ITEMS
from menus.models import MenuItem, SchemaMenuItem
from menus.services import lock_menus, menu_create, remove_keeping_children


def _chosen_id(options: dict, name: str, model, allowed: bool) -> str | None:
    """The id ``name`` chooses for a new item of ``model``, if any: well formed and free."""
    chosen = options.get(name)
    if chosen is None:
        return None
    if not allowed:
        raise ApiError(
            "INVALID_QUERY_PARAMETERS",
            422,
            parameter=name,
            message=f"No {name.removesuffix('_id').replace('_', ' ')} is created here "
            "(skip_menu_item_creation, or a block: blocks have no menu item).",
        )
    if not is_valid_id(chosen):
        raise ApiError("INVALID_QUERY_PARAMETERS", 422, parameter=name, message="Not an id.")
    if model.objects.filter(pk=chosen).exists():
        raise ApiError(
            "INVALID_QUERY_PARAMETERS",
            422,
            parameter=name,
            code="VALIDATION_UNIQUENESS",
            message="The id is taken.",
        )
    return chosen


@receiver(item_type_created, dispatch_uid="menus.model_created")
def model_created(sender, item_type: ItemType, options: dict, **kwargs):
    skip = flag(options, "skip_menu_item_creation")
    has_menu_item = not skip and not item_type.modular_block
    menu_item_id = _chosen_id(options, "menu_item_id", MenuItem, has_menu_item)
    schema_item_id = _chosen_id(options, "schema_menu_item_id", SchemaMenuItem, not skip)
    if skip:
        return
    if not item_type.modular_block:
        menu_create(
            MENU_ITEMS,
            document=_document("menu_item", menu_item_id, {"label": item_type.name}, item_type.id),
        )
    kind = "modular_block" if item_type.modular_block else "item_type"
    menu_create(
        SCHEMA_MENU_ITEMS,
        document=_document(
            "schema_menu_item",
            schema_item_id,
            {"label": None, "kind": kind},
            item_type.id,
        ),
    )


def _document(type_: str, chosen_id, attributes: dict, item_type_id: str):
    return ResourceDocument(
        type=type_,
        id=chosen_id,
        attributes=attributes,
        relationships={"item_type": {"data": {"type": "item_type", "id": item_type_id}}},
    )


@receiver(item_type_destroying, dispatch_uid="menus.model_destroying")
def model_destroying(sender, item_type: ItemType, options: dict, **kwargs):
    lock_menus()
    if flag(options, "skip_menu_items_deletion"):
        # The model's delete sets item_type to null; a group needs a name.
        unlabelled = SchemaMenuItem.objects.filter(item_type=item_type, label__isnull=True)
        unlabelled.update(label=item_type.name[:200])
        return
    for menu in (MENU_ITEMS, SCHEMA_MENU_ITEMS):
        linked = menu.model.objects.filter(item_type=item_type).values_list("id", flat=True)
        remove_keeping_children(menu, list(linked))
