"""The fuzzer's valid bodies, one per kind of write, made from the seeded world's ids;
the strategies then mutate them."""

from typing import TYPE_CHECKING

from tests.fuzz.world_access import access_payloads
from tests.fuzz.world_build_triggers import build_trigger_payloads
from tests.fuzz.world_library import library_payloads
from tests.fuzz.world_menus import menu_payloads
from tests.fuzz.world_webhooks import webhook_payloads

if TYPE_CHECKING:
    from tests.fuzz.world import World


VIDEO = {
    "provider": "youtube",
    "provider_uid": "dQw4w9WgXcQ",
    "url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "width": 480,
    "height": 360,
    "thumbnail_url": "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg",
    "title": "A video",
}


def _record_body(model_id: str, attributes: dict) -> dict:
    return {
        "data": {
            "type": "item",
            "attributes": attributes,
            "relationships": {"item_type": {"data": {"type": "item_type", "id": model_id}}},
        }
    }


def valid_attributes(world: "World", title: str) -> dict:
    """A create's attributes using every field, each with a valid value."""
    block = {
        "type": "item",
        "attributes": {"text": "a block"},
        "relationships": {"item_type": {"data": {"type": "item_type", "id": world.block_model_id}}},
    }
    return {
        "title": title,
        "subtitle": "A subtitle",
        "kind": "draft",
        "email": "a@example.com",
        "body": {"en": "<p>Hello</p>", "it": "<p>Ciao</p>"},
        "slug": title.lower().replace(" ", "-"),
        "flag": True,
        "count": 3,
        "ratio": 0.5,
        "day": "2024-06-01",
        "at": "2024-06-01T10:00:00Z",
        "tint": {"red": 1, "green": 2, "blue": 3, "alpha": 255},
        "meta_json": '{"a": [1, 2]}',
        "place": {"latitude": 45.46, "longitude": 9.19},
        "seo": {"title": "T", "description": "D", "twitter_card": "summary"},
        "clip": VIDEO,
        "cover": {"upload_id": world.upload_id, "alt": "alt", "title": "title"},
        "pictures": [{"upload_id": world.upload_id}],
        "mother": world.record_ids[0] if world.record_ids else None,
        "related": world.record_ids[:2],
        "blocks": [block],
        "hero": block,
        "story": {
            "schema": "dast",
            "document": {
                "type": "root",
                "children": [{"type": "paragraph", "children": [{"type": "span", "value": "Hi"}]}],
            },
        },
    }


def payloads(world: "World") -> dict[str, object]:
    """A valid body for each kind of write, which the strategies then mutate."""
    field_attributes = {
        "label": "Extra",
        "api_key": "extra",
        "field_type": "string",
        "localized": False,
        "validators": {"length": {"max": 10}},
        "default_value": None,
    }
    return {
        "site": {"data": {"type": "site", "attributes": {"locales": ["en", "it"], "name": "S"}}},
        "item_type": {
            "data": {
                "type": "item_type",
                "attributes": {"name": "Other", "api_key": "other", "sortable": True},
            }
        },
        "field": {"data": {"type": "field", "attributes": field_attributes}},
        "item": _record_body(
            world.model_id,
            {**valid_attributes(world, "New one"), "parent_id": world.record_ids[0], "position": 1},
        ),
        "field_update": {
            "data": {
                "type": "field",
                "attributes": {"label": "Changed", "localized": False},
                "relationships": {
                    "fieldset": {"data": {"type": "fieldset", "id": world.fieldset_id}}
                },
            }
        },
        "fieldset": {
            "data": {"type": "fieldset", "attributes": {"title": "Group", "collapsible": True}}
        },
        "fieldset_update": {
            "data": {"type": "fieldset", "attributes": {"title": "Renamed", "position": 1}}
        },
        "reorder": {
            "data": [
                {"type": "fieldset", "id": world.fieldset_id, "attributes": {"position": 2}},
                {
                    "type": "field",
                    "id": world.field_ids["title"],
                    "attributes": {"position": 1},
                    "relationships": {"fieldset": {"data": None}},
                },
                {
                    "type": "field",
                    "id": world.field_ids["subtitle"],
                    "attributes": {"position": 1},
                    "relationships": {
                        "fieldset": {"data": {"type": "fieldset", "id": world.fieldset_id}}
                    },
                },
            ]
        },
        "item_update": {
            "data": {
                "type": "item",
                "attributes": {
                    "title": "Changed",
                    "count": 7,
                    "subtitle": "s",
                    "at": None,
                    "position": 2,
                    "parent_id": None,
                },
            }
        },
        "publish": {
            "data": {
                "type": "selective_publish_operation",
                "attributes": {"content_in_locales": ["en"], "non_localized_content": True},
            }
        },
        "scheduled_publication": {
            "data": {
                "type": "scheduled_publication",
                "attributes": {
                    "publication_scheduled_at": "2099-01-01T09:00:00Z",
                    "selective_publication": {
                        "content_in_locales": ["en"],
                        "non_localized_content": True,
                    },
                },
            }
        },
        "scheduled_unpublishing": {
            "data": {
                "type": "scheduled_unpublishing",
                "attributes": {
                    "unpublishing_scheduled_at": "2099-01-01T09:00:00+02:00",
                    "content_in_locales": None,
                },
            }
        },
        "upload_request": {"data": {"type": "upload_request", "attributes": {"filename": "a.png"}}},
        "upload": {
            "data": {
                "type": "upload",
                "attributes": {"path": world.ready_path, "author": "me", "tags": ["a"]},
            }
        },
        "upload_bulk_destroy": {
            "data": {
                "type": "upload_bulk_destroy_operation",
                "relationships": {"uploads": {"data": [{"type": "upload", "id": world.upload_id}]}},
            }
        },
        "rest_one": {
            "title": "Rest one",
            "subtitle": "s",
            "count": 1,
            "at": "2024-06-01T10:00:00Z",
            "body": {"en": "x", "it": "y"},
            "blocks": [],
        },
        "rest_batch": {
            "record": [
                {"title": "Rest a", "position": 1},
                {"title": "Rest b", "flag": False, "parent_id": world.record_ids[1]},
            ]
        },
        # DreamFactory's _schema writes (record_api.schema_writes).
        "df_tables": {
            "resource": [
                {
                    "name": "df_new",
                    "label": "New",
                    "field": [
                        {"name": "title", "type": "string", "required": True, "max_length": 9},
                        {"name": "when", "type": "datetime", "default": None},
                        {"name": "up", "type": "reference", "ref_table": "fuzz_all"},  # REST_TABLE
                    ],
                }
            ]
        },
        "df_table": {
            "label": "Changed",
            "field": [{"name": "extra_df", "type": "integer", "is_unique": True}],
        },
        "df_fields": {"resource": [{"name": "extra_df", "type": "text", "picklist": None}]},
        "df_field": {"label": "Changed", "type": "string", "length": 20},
        **menu_payloads(world),
        **library_payloads(world),
        **webhook_payloads(world),
        **build_trigger_payloads(world),
        **access_payloads(world),
        **bulk_payloads(world),
        "audit_log_query": {
            "data": {
                "type": "audit_log_query",
                "attributes": {
                    "since": "2020-01-01T00:00:00Z",
                    "filter": "begins_with(action_name, 'items') AND NOT response.status >= 400"
                    " OR request.payload.data.relationships.item_type.data.id = 'x'",
                    "detailed_log": True,
                },
            }
        },
    }


def bulk_payloads(world: "World") -> dict[str, object]:
    """POST /items/bulk/...: the records, a block (a failure inside the job) and a stage."""
    named = {"data": [{"type": "item", "id": i} for i in world.record_ids + world.block_ids[:1]]}
    return {
        f"bulk_{action}": {
            "data": {
                "type": f"item_bulk_{action}_operation",
                **({"attributes": {"stage": "review"}} if action == "move_to_stage" else {}),
                "relationships": {"items": named},
            }
        }
        for action in ("publish", "unpublish", "destroy", "move_to_stage")
    }
