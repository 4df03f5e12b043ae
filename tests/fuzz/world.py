"""The fixed content the fuzzer aims at, seeded over HTTP once per test: a site with two
locales, a model with one field of each field type (with their usual validators), a block
model, records (one published, one with blocks and links), an upload and an unused
signed upload URL. Its ids are what the strategies draw "valid" ids from, so that
requests get past the lookups and reach deep code.
The valid bodies made from it: world_payloads.py."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from cms.models import ApiToken
from jobs.models import Job
from tests.conftest import Api, create_upload, png_bytes, put_bytes, request_upload
from tests.fuzz.world_access import seed_access
from tests.fuzz.world_build_triggers import seed_build_triggers
from tests.fuzz.world_library import seed_library
from tests.fuzz.world_menus import seed_menus
from tests.fuzz.world_payloads import _record_body, payloads, valid_attributes
from tests.fuzz.world_webhooks import seed_webhooks

REST_TABLE = "fuzz_all"
BLOCK_MODEL = "fuzz_block"


@dataclass
class World:
    tokens: dict[str, str]  # role -> secret
    model_id: str
    block_model_id: str
    field_ids: dict[str, str]  # api_key -> id (the model's and the block model's)
    field_types: dict[str, str]  # api_key -> field type
    record_ids: list[str]
    block_ids: list[str]
    version_ids: list[str]
    upload_id: str
    upload_path: str
    upload_content_token: str  # the signed PUT's path segment (and query), not yet used
    signed_path: str  # where that PUT stores its bytes
    ready_path: str  # an upload request whose bytes are in, for POST /uploads
    payloads: dict[str, dict] = field(default_factory=dict)  # valid bodies, by endpoint
    job_id: str = ""  # a finished job, for GET /job-results/:id
    menu_item_ids: list[str] = field(default_factory=list)  # world_menus.seed_menus
    schema_menu_item_ids: list[str] = field(default_factory=list)
    upload_collection_ids: list[str] = field(default_factory=list)  # world_library
    webhook_ids: list[str] = field(default_factory=list)  # world_webhooks
    webhook_call_ids: list[str] = field(default_factory=list)
    build_trigger_ids: list[str] = field(default_factory=list)  # world_build_triggers
    build_trigger_tokens: list[str] = field(default_factory=list)
    role_ids: list[str] = field(default_factory=list)  # world_access
    access_token_ids: list[str] = field(default_factory=list)  # never the fuzz's own
    fieldset_id: str = ""  # the model's fieldset, holding subtitle

    @property
    def item_type_ids(self) -> list[str]:
        return [self.model_id, self.block_model_id]


def _field(api: Api, model_id: str, api_key: str, field_type: str, **attributes) -> str:
    return api.create_field(model_id, api_key, field_type, **attributes)["id"]


def seed() -> World:
    """Build the world over HTTP (inside the test's transaction)."""
    tokens = {}
    for role in ("admin", "editor", "readonly"):
        _, tokens[role] = ApiToken.create(name=f"fuzz {role}", role=role)
    api = Api(tokens["admin"])
    site = api.put("/site", {"data": {"type": "site", "attributes": {"locales": ["en", "it"]}}})
    assert site.status_code == 200, site.body

    block_model = api.create_item_type(BLOCK_MODEL, modular_block=True)["id"]
    model = api.create_item_type(REST_TABLE, tree=True)["id"]  # positions and parents too
    ids = {"text": _field(api, block_model, "text", "string", validators={"required": {}})}
    title = _field(
        api,
        model,
        "title",
        "string",
        validators={"required": {}, "unique": {}, "length": {"min": 1, "max": 200}},
    )
    ids["title"] = title
    ids["subtitle"] = _field(api, model, "subtitle", "string")  # no validators at all
    ids["kind"] = _field(
        api, model, "kind", "string", validators={"enum": {"values": ["draft", "live"]}}
    )
    ids["email"] = _field(
        api, model, "email", "string", validators={"format": {"predefined_pattern": "email"}}
    )
    ids["body"] = _field(
        api, model, "body", "text", localized=True, validators={"length": {"max": 5000}}
    )
    ids["slug"] = _field(
        api,
        model,
        "slug",
        "slug",
        validators={
            "unique": {},
            "slug_format": {"predefined_pattern": "webpage_slug"},
            "slug_title_field": {"title_field_id": title},
        },
    )
    ids["flag"] = _field(api, model, "flag", "boolean")
    ids["count"] = _field(
        api, model, "count", "integer", validators={"number_range": {"min": -1000, "max": 1000}}
    )
    ids["ratio"] = _field(api, model, "ratio", "float", validators={"number_range": {"max": 1.5}})
    ids["day"] = _field(api, model, "day", "date", validators={"date_range": {"min": "2000-01-01"}})
    ids["at"] = _field(
        api,
        model,
        "at",
        "date_time",
        validators={"date_time_range": {"max": "2100-01-01T00:00:00Z"}},
    )
    ids["tint"] = _field(api, model, "tint", "color")
    ids["meta_json"] = _field(api, model, "meta_json", "json")
    ids["place"] = _field(api, model, "place", "lat_lon")
    ids["seo"] = _field(api, model, "seo", "seo", validators={"title_length": {"max": 60}})
    ids["clip"] = _field(api, model, "clip", "video")
    ids["cover"] = _field(
        api,
        model,
        "cover",
        "file",
        validators={
            "extension": {"predefined_list": "image"},
            "file_size": {"max_value": 5, "max_unit": "MB"},
        },
    )
    ids["pictures"] = _field(api, model, "pictures", "gallery", validators={"size": {"max": 5}})
    ids["mother"] = _field(
        api, model, "mother", "link", validators={"item_item_type": {"item_types": [model]}}
    )
    ids["related"] = _field(
        api,
        model,
        "related",
        "links",
        validators={"items_item_type": {"item_types": [model]}, "size": {"max": 5}},
    )
    ids["blocks"] = _field(
        api,
        model,
        "blocks",
        "rich_text",
        validators={"rich_text_blocks": {"item_types": [block_model]}},
    )
    ids["hero"] = _field(
        api,
        model,
        "hero",
        "single_block",
        validators={"single_block_blocks": {"item_types": [block_model]}},
    )
    ids["story"] = _field(
        api,
        model,
        "story",
        "structured_text",
        validators={
            "structured_text_blocks": {"item_types": [block_model]},
            "structured_text_links": {"item_types": [model]},
        },
    )

    types = {
        api_key: api.get(f"/fields/{field_id}").body["data"]["attributes"]["field_type"]
        for api_key, field_id in ids.items()
    }
    upload = create_upload(api, png_bytes())
    ready = request_upload(api, "ready.png")
    assert put_bytes(api, ready["attributes"]["url"], png_bytes()).status_code == 200
    unused = request_upload(api, "fuzz.png")
    signed = urlsplit(unused["attributes"]["url"])
    world = World(
        tokens=tokens,
        model_id=model,
        block_model_id=block_model,
        field_ids=ids,
        field_types=types,
        record_ids=[],
        block_ids=[],
        version_ids=[],
        upload_id=upload["id"],
        upload_path=upload["attributes"]["path"],
        upload_content_token=signed.path.rsplit("/", 1)[-1]
        + f"?{signed.query}" * bool(signed.query),
        signed_path=unused["id"],
        ready_path=ready["id"],
    )

    plain = api.post("/items", _record_body(model, {"title": "Plain one"}))
    assert plain.status_code == 201, plain.body
    world.record_ids.append(plain.body["data"]["id"])
    under_plain = {**valid_attributes(world, "Full one"), "parent_id": world.record_ids[0]}
    full = api.post("/items", _record_body(model, under_plain))
    assert full.status_code == 201, full.body
    world.record_ids.append(full.body["data"]["id"])
    world.block_ids = [
        resource["id"] for resource in full.body["included"] if resource["type"] == "item"
    ]
    published = api.put(f"/items/{world.record_ids[0]}/publish")
    assert published.status_code == 200, published.body
    for kind, at in (("publication", "publication_"), ("unpublishing", "unpublishing_")):
        attributes = {f"{at}scheduled_at": "2099-01-01T00:00:00Z"}
        scheduled = api.post(
            f"/items/{world.record_ids[0]}/scheduled-{kind}",
            {"data": {"type": f"scheduled_{kind}", "attributes": attributes}},
        )
        assert scheduled.status_code == 201, scheduled.body
    for record_id in world.record_ids:
        versions = api.get(f"/items/{record_id}/versions")
        world.version_ids += [version["id"] for version in versions.body["data"]]

    world.menu_item_ids, world.schema_menu_item_ids = seed_menus(api)
    world.upload_collection_ids = seed_library(api, world.upload_id)
    world.webhook_ids, world.webhook_call_ids = seed_webhooks(api, world.record_ids[0])
    world.build_trigger_ids, world.build_trigger_tokens = seed_build_triggers(api)
    world.role_ids, world.access_token_ids = seed_access(api, world.model_id)
    fieldset = api.post(
        f"/item-types/{model}/fieldsets",
        {"data": {"type": "fieldset", "attributes": {"title": "Extras"}}},
    )
    assert fieldset.status_code == 201, fieldset.body
    world.fieldset_id = fieldset.body["data"]["id"]
    into = {"fieldset": {"data": {"type": "fieldset", "id": world.fieldset_id}}}
    moved = api.put(
        f"/fields/{ids['subtitle']}", {"data": {"type": "field", "relationships": into}}
    )
    assert moved.status_code == 200, moved.body

    world.job_id = Job.objects.create(
        kind="fuzz", state=Job.State.SUCCEEDED, status=200, payload={"data": None}
    ).id
    world.payloads = payloads(world)
    return world
