"""What a valid schema looks like: attribute specs, api_key rules, locale codes.

Kept apart from the services that write, so the admin's forms and the API check the same
rules.
"""

import re
import zoneinfo
from functools import cache

from cms.api.attributes import BOOLEAN, Attribute, choice, is_object
from item_types.field_types import FIELD_TYPES
from item_types.models import ItemType

# DatoCMS's api_key rule: lowercase snake_case, no double or trailing underscores,
# no underscore before a digit.
API_KEY_PATTERN = re.compile(r"^[a-z](?:[a-z0-9]|_(?![_0-9]))*[a-z0-9]$")
LOCALE_PATTERN = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")

RESERVED_ITEM_TYPE_API_KEYS = frozenset(
    {
        "id",
        "find",
        "site",
        "environment",
        "available_locales",
        "item_types",
        "single_instance_item_types",
        "collection_item_types",
        "items_of_type",
        "model",
    }
)
# Names a record already uses on the wire (JSON:API members, relationships, meta).
RESERVED_FIELD_API_KEYS = frozenset(
    {
        "id",
        "type",
        "meta",
        "attributes",
        "relationships",
        "links",
        "item_type",
        "creator",
        "item",
        "items",
        "record",
        "records",
        "fields",
        "created_at",
        "updated_at",
        "position",
        "parent",
        "parent_id",
        "is_valid",
        "status",
    }
)


@cache
def timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_api_key(value) -> bool:
    return isinstance(value, str) and bool(API_KEY_PATTERN.match(value))


SITE_ATTRIBUTES: dict[str, Attribute] = {
    "name": Attribute(max_length=200),
    "locales": Attribute(check=lambda v: isinstance(v, list), expected="a list of locale codes"),
    "timezone": Attribute(
        check=lambda v: isinstance(v, str) and v in timezones(),
        expected="an IANA time zone such as Europe/Rome",
    ),
    "no_index": BOOLEAN,
    "favicon": Attribute(nullable=True, max_length=22),
    "global_seo": Attribute(check=is_object, expected="an object", nullable=True),
    "theme": Attribute(check=is_object, expected="an object", nullable=True),
    "require_2fa": BOOLEAN,
    "ip_tracking_enabled": BOOLEAN,
    "force_use_of_sandbox_environments": BOOLEAN,
    "domain": Attribute(nullable=True, max_length=255),
    "internal_domain": Attribute(nullable=True, max_length=255),
    # Answered, never written by clients.
    **{
        name: Attribute(read_only=True)
        for name in (
            "google_maps_api_token",
            "imgix_host",
            "assets_cdn_default_settings",
            "last_data_change_at",
        )
    },
}

ITEM_TYPE_ATTRIBUTES: dict[str, Attribute] = {
    "name": Attribute(required=True, max_length=200),
    "api_key": Attribute(required=True, max_length=64),
    "singleton": BOOLEAN,
    "all_locales_required": BOOLEAN,
    "sortable": BOOLEAN,
    "modular_block": BOOLEAN,
    "tree": BOOLEAN,
    "draft_mode_active": BOOLEAN,
    "draft_saving_active": BOOLEAN,
    "ordering_direction": choice(*ItemType.OrderingDirection.values, nullable=True),
    "ordering_meta": choice(*ItemType.OrderingMeta.values, nullable=True),
    "collection_appearance": choice(*ItemType.CollectionAppearance.values),
    "collection_appeareance": choice(*ItemType.CollectionAppearance.values),
    "hint": Attribute(nullable=True),
    "inverse_relationships_enabled": BOOLEAN,
    "has_singleton_item": Attribute(read_only=True),
}


def _types_filling(relationship: str) -> frozenset[str]:
    return frozenset(
        code for code, type_ in FIELD_TYPES.items() if relationship in type_.model_roles
    )


# Relationship -> field types it may point at (their ``model_roles``; None: any field).
ITEM_TYPE_FIELD_RELATIONSHIPS: dict[str, frozenset[str] | None] = {
    "title_field": _types_filling("title_field"),
    "presentation_title_field": _types_filling("presentation_title_field"),
    "image_preview_field": _types_filling("image_preview_field"),
    "presentation_image_field": _types_filling("presentation_image_field"),
    "excerpt_field": _types_filling("excerpt_field"),
    "ordering_field": None,
}

FIELD_ATTRIBUTES: dict[str, Attribute] = {
    "label": Attribute(required=True, max_length=200),
    "api_key": Attribute(required=True, max_length=64),
    "field_type": Attribute(required=True, choices=tuple(FIELD_TYPES)),
    "localized": BOOLEAN,
    "validators": Attribute(check=is_object, expected="an object of validators"),
    "appearance": Attribute(check=is_object, expected="{editor, parameters, addons}"),
    "appeareance": Attribute(check=is_object, expected="{editor, parameters, addons}"),
    "position": Attribute(
        check=lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1,
        expected="a whole number >= 1",
    ),
    "hint": Attribute(nullable=True),
    "default_value": Attribute(check=lambda v: True, nullable=True),
    "deep_filtering_enabled": BOOLEAN,
    "content_link_enabled": BOOLEAN,
}

FIELDSET_ATTRIBUTES: dict[str, Attribute] = {
    "title": Attribute(required=True, max_length=200),
    "hint": Attribute(nullable=True),
    "collapsible": BOOLEAN,
    "start_collapsed": BOOLEAN,
    "position": FIELD_ATTRIBUTES["position"],
}
