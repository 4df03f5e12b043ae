"""How the site, item types, fields and fieldsets look on the wire (JSON:API resource objects)."""

from django.apps import apps
from django.db.models import Prefetch

from cms.api.wire import timestamp
from item_types.models import Field, Fieldset, ItemType, Site
from item_types.selectors import in_form_order


def _to_one(type_: str, pk: str | None) -> dict:
    return {"data": {"type": type_, "id": pk} if pk else None}


def _to_many(type_: str, pks) -> dict:
    return {"data": [{"type": type_, "id": pk} for pk in pks]}


DEFAULT_THEME = {
    "type": "monochromatic",
    "hue": 190,
    "logo": None,
}
DEFAULT_ASSETS_CDN_SETTINGS = {
    "image": {"q": 75, "auto": ["format"], "cs": None},
    "video": {"disable_serving_raw_videos": False},
}


def site_resource(site: Site, item_type_ids: list[str]) -> dict:
    return {
        "type": "site",
        "id": site.id,
        "attributes": {
            "name": site.name,
            "locales": list(site.locales),
            "timezone": site.timezone,
            "no_index": site.no_index,
            "domain": site.domain,
            "internal_domain": site.internal_domain,
            "favicon": site.favicon,
            "global_seo": site.global_seo,
            "theme": site.theme or DEFAULT_THEME,
            "require_2fa": site.require_2fa,
            "ip_tracking_enabled": site.ip_tracking_enabled,
            "force_use_of_sandbox_environments": site.force_use_of_sandbox_environments,
            "google_maps_api_token": None,
            "imgix_host": None,
            "assets_cdn_default_settings": DEFAULT_ASSETS_CDN_SETTINGS,
            "last_data_change_at": timestamp(site.updated_at),
        },
        "relationships": {
            "item_types": _to_many("item_type", item_type_ids),
            "account": _to_one("account", None),
        },
        "meta": {
            "created_at": timestamp(site.created_at),
            "draft_mode_default": False,
        },
    }


def item_type_resource(
    item_type: ItemType,
    field_ids: list[str],
    singleton_item_id: str | None = None,
    fieldset_ids: list[str] = (),
) -> dict:
    """``field_ids`` in form order, ``fieldset_ids`` by position, and the record of a
    singleton model: the caller fetches them (one query each for a whole list)."""
    return {
        "type": "item_type",
        "id": item_type.id,
        "attributes": {
            "name": item_type.name,
            "api_key": item_type.api_key,
            "singleton": item_type.singleton,
            "all_locales_required": item_type.all_locales_required,
            "sortable": item_type.sortable,
            "modular_block": item_type.modular_block,
            "tree": item_type.tree,
            "draft_mode_active": item_type.draft_mode_active,
            "draft_saving_active": item_type.draft_saving_active,
            "ordering_direction": item_type.ordering_direction,
            "ordering_meta": item_type.ordering_meta,
            "collection_appearance": item_type.collection_appearance,
            # DatoCMS still echoes its old misspelling; older clients read it.
            "collection_appeareance": item_type.collection_appearance,
            "hint": item_type.hint,
            "inverse_relationships_enabled": item_type.inverse_relationships_enabled,
            "has_singleton_item": singleton_item_id is not None,
        },
        "relationships": {
            "fields": _to_many("field", field_ids),
            "fieldsets": _to_many("fieldset", fieldset_ids),
            "singleton_item": _to_one("item", singleton_item_id),
            "title_field": _to_one("field", item_type.title_field_id),
            "image_preview_field": _to_one("field", item_type.image_preview_field_id),
            "excerpt_field": _to_one("field", item_type.excerpt_field_id),
            "ordering_field": _to_one("field", item_type.ordering_field_id),
            "presentation_title_field": _to_one("field", item_type.presentation_title_field_id),
            "presentation_image_field": _to_one("field", item_type.presentation_image_field_id),
            "workflow": _to_one("workflow", None),
        },
        "meta": {"has_singleton_item": singleton_item_id is not None},
    }


def field_resource(field: Field) -> dict:
    return {
        "type": "field",
        "id": field.id,
        "attributes": {
            "label": field.label,
            "api_key": field.api_key,
            "field_type": field.field_type,
            "localized": field.localized,
            "validators": field.validators,
            "appearance": field.appearance,
            # Echoed under DatoCMS's old misspelling as well, as DatoCMS does.
            "appeareance": field.appearance,
            "position": field.position,
            "hint": field.hint,
            "default_value": field.default_value,
            "deep_filtering_enabled": field.deep_filtering_enabled,
            "content_link_enabled": field.content_link_enabled,
        },
        "relationships": {
            "item_type": _to_one("item_type", field.item_type_id),
            "fieldset": _to_one("fieldset", field.fieldset_id),
        },
        "meta": {},
    }


def fieldset_resource(fieldset: Fieldset) -> dict:
    return {
        "type": "fieldset",
        "id": fieldset.id,
        "attributes": {
            "title": fieldset.title,
            "hint": fieldset.hint,
            "collapsible": fieldset.collapsible,
            "start_collapsed": fieldset.start_collapsed,
            "position": fieldset.position,
        },
        "relationships": {"item_type": _to_one("item_type", fieldset.item_type_id)},
    }


# --- Models read with what their resource names (a few queries for any number) --------


def _singleton_items(item_types) -> dict[str, str]:
    """item type id -> its record, for singleton models (one query for any number)."""
    ids = [it.id for it in item_types if it.singleton]
    if not ids:
        return {}
    records = apps.get_model("items", "Item").objects  # items depends on us, not we on it
    return dict(records.filter(singleton_of__in=ids).values_list("singleton_of", "id"))


def render_item_type(item_type: ItemType) -> dict:
    """One model as a resource: its field ids in form order, its fieldsets, its singleton
    record."""
    field_ids = list(in_form_order(item_type.fields.all()).values_list("id", flat=True))
    fieldset_ids = list(item_type.fieldsets.order_by("position").values_list("id", flat=True))
    singleton = _singleton_items([item_type]).get(item_type.id)
    return item_type_resource(item_type, field_ids, singleton, fieldset_ids)


def render_item_types(item_types=None) -> list[dict]:
    """Models (all of them, or the queryset ``item_types``) as resources, in the same few
    queries however many there are."""
    item_types = list(
        (ItemType.objects.all() if item_types is None else item_types).prefetch_related(
            Prefetch("fields", queryset=in_form_order(Field.objects.only("id", "item_type"))),
            Prefetch(
                "fieldsets", queryset=Fieldset.objects.order_by("position").only("id", "item_type")
            ),
        )
    )
    singletons = _singleton_items(item_types)
    return [
        item_type_resource(
            it,
            [f.id for f in it.fields.all()],
            singletons.get(it.id),
            [f.id for f in it.fieldsets.all()],
        )
        for it in item_types
    ]
