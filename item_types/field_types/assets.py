"""Field types that hold uploads (file, gallery, seo) or an external video."""

from cms.ids import is_valid_id
from item_types.field_types.base import (
    FieldType,
    expect,
    expect_object,
    expect_strings_or_null,
    is_number,
    nullable,
)

IMAGE_VALIDATORS = frozenset({"file_size", "image_dimensions", "image_aspect_ratio"})


METADATA_KEYS = ("alt", "title", "custom_data", "focal_point")


def parse_file_metadata(value, *, extra_keys: tuple[str, ...] = ()) -> dict:
    """``{alt?, title?, custom_data?, focal_point?}`` with every key present.

    The same rules hold for a file field's value and an upload's default metadata.
    """
    expect_object(
        value, (*METADATA_KEYS, *extra_keys), "Expected {alt, title, custom_data, focal_point}."
    )
    expect_strings_or_null(value, ("alt", "title"))
    custom_data = value.get("custom_data")
    expect(
        custom_data is None or isinstance(custom_data, dict),
        "custom_data must be an object.",
        key="custom_data",
    )
    expect(
        all(isinstance(v, str) for v in (custom_data or {}).values()),
        "custom_data values must be strings.",
        key="custom_data",
    )
    focal_point = value.get("focal_point")
    if focal_point is not None:
        expect(
            isinstance(focal_point, dict)
            and set(focal_point) == {"x", "y"}
            and all(is_number(focal_point[k]) and 0 <= focal_point[k] <= 1 for k in "xy"),
            "focal_point must be {x, y} with numbers from 0 to 1.",
            key="focal_point",
        )
    return {
        "alt": value.get("alt"),
        "title": value.get("title"),
        "custom_data": custom_data or {},
        "focal_point": focal_point,
    }


def parse_file_value(value) -> dict:
    """``{upload_id, alt?, title?, custom_data?, focal_point?}`` with every key present."""
    metadata = parse_file_metadata(value, extra_keys=("upload_id",))
    upload_id = value.get("upload_id")
    expect(
        isinstance(upload_id, str) and upload_id != "", "upload_id is required.", key="upload_id"
    )
    return {"upload_id": upload_id, **metadata}


#: JSON Schema of a file value (``parse_file_value``).
FILE_SCHEMA = {
    "type": "object",
    "properties": {
        "upload_id": {"type": "string", "minLength": 1},
        "alt": nullable({"type": "string"}),
        "title": nullable({"type": "string"}),
        "custom_data": nullable({"type": "object", "additionalProperties": {"type": "string"}}),
        "focal_point": nullable(
            {
                "type": "object",
                "properties": {
                    axis: {"type": "number", "minimum": 0, "maximum": 1} for axis in "xy"
                },
                "required": ["x", "y"],
                "additionalProperties": False,
            }
        ),
    },
    "required": ["upload_id"],
    "additionalProperties": False,
}


class FileType(FieldType):
    code = "file"
    allowed_validators = frozenset({"required", "extension", "required_alt_title"}) | (
        IMAGE_VALIDATORS
    )
    default_editor = "file"
    filter_kind = "upload"
    model_roles = frozenset({"image_preview_field", "presentation_image_field"})
    automatic_model_role = "image_preview_field"
    accepts_default_value = False

    def parse(self, value):
        return parse_file_value(value)

    def json_schema(self, block):
        return FILE_SCHEMA

    def collect(self, value, visitor):
        visitor.upload(value["upload_id"], value)
        return value


class GalleryType(FieldType):
    code = "gallery"
    allowed_validators = frozenset({"size", "extension", "required_alt_title"}) | IMAGE_VALIDATORS
    default_editor = "gallery"
    filter_kind = "upload"
    filters_as_set = True
    model_roles = frozenset({"image_preview_field", "presentation_image_field"})
    accepts_default_value = False
    empty_value = []

    def parse(self, value):
        expect(isinstance(value, list), "Expected a list of files.")
        return [parse_file_value(item) for item in value]

    def json_schema(self, block):
        return {"type": "array", "items": FILE_SCHEMA}

    def collect(self, value, visitor):
        for index, item in enumerate(value):
            visitor.upload(item["upload_id"], item, index=index)
        return value


class SeoType(FieldType):
    code = "seo"
    allowed_validators = (
        frozenset({"required_seo_fields", "title_length", "description_length"}) | IMAGE_VALIDATORS
    )
    default_editor = "seo"
    default_editor_parameters = {"fields": ["title", "description", "image", "twitter_card"]}
    accepts_default_value = False
    keys = ("title", "description", "image", "twitter_card", "no_index")

    def parse(self, value):
        expect_object(value, self.keys, "Expected {title, description, image, twitter_card}.")
        expect_strings_or_null(value, ("title", "description"))
        image = value.get("image")
        expect(
            image is None or (isinstance(image, str) and image != ""),
            "image must be an upload id.",
            key="image",
        )
        expect(
            value.get("twitter_card") in (None, "summary", "summary_large_image"),
            "twitter_card must be summary, summary_large_image or null.",
            key="twitter_card",
        )
        expect(
            value.get("no_index") is None or isinstance(value["no_index"], bool),
            "no_index must be a boolean.",
            key="no_index",
        )
        return {key: value.get(key) for key in self.keys}

    def json_schema(self, block):
        text = nullable({"type": "string"})
        return {
            "type": "object",
            "properties": {
                "title": text,
                "description": text,
                "image": nullable({"type": "string", "minLength": 1}),
                "twitter_card": {"enum": ["summary", "summary_large_image", None]},
                "no_index": nullable({"type": "boolean"}),
            },
            "additionalProperties": False,
        }

    def collect(self, value, visitor):
        if value["image"]:
            visitor.upload(value["image"], None, key="image")
        return value


class VideoType(FieldType):
    code = "video"
    allowed_validators = frozenset({"required"})
    default_editor = "video"
    accepts_default_value = False
    providers = ("youtube", "vimeo", "facebook")

    def parse(self, value):
        expect(isinstance(value, dict), "Expected a video object.")
        expect(
            value.get("provider") in self.providers,
            "provider must be youtube, vimeo or facebook.",
            key="provider",
        )
        for key in ("provider_uid", "url", "thumbnail_url"):
            expect(
                isinstance(value.get(key), str) and value[key] != "", f"{key} is required.", key=key
            )
        for key in ("width", "height"):
            expect(
                isinstance(value.get(key), int)
                and not isinstance(value[key], bool)
                and value[key] >= 0,
                f"{key} must be a whole number.",
                key=key,
            )
        expect(
            value.get("title") is None or isinstance(value["title"], str),
            "title must be a string.",
            key="title",
        )
        return {
            key: value.get(key)
            for key in (
                "provider",
                "provider_uid",
                "url",
                "width",
                "height",
                "thumbnail_url",
                "title",
            )
        }

    def json_schema(self, block):
        text = {"type": "string", "minLength": 1}
        size = {"type": "integer", "minimum": 0}
        return {
            "type": "object",
            "properties": {
                "provider": {"enum": list(self.providers)},
                "provider_uid": text,
                "url": text,
                "thumbnail_url": text,
                "width": size,
                "height": size,
                "title": nullable({"type": "string"}),
            },
            "required": ["provider", "provider_uid", "url", "thumbnail_url", "width", "height"],
        }


def check_record_id(value, key=None) -> str:
    expect(is_valid_id(value), "Expected a record id.", **({"key": key} if key else {}))
    return value
