"""The registry of field types: ``field_type`` string -> the type that owns its rules.

Adding a field type means one class in one of these modules and one line here.
"""

from item_types.field_types import assets, blocks, links, scalar
from item_types.field_types.base import FieldType, FieldValueError

FIELD_TYPES: dict[str, FieldType] = {
    field_type.code: field_type()
    for field_type in (
        scalar.StringType,
        scalar.TextType,
        scalar.SlugType,
        scalar.BooleanType,
        scalar.IntegerType,
        scalar.FloatType,
        scalar.DateType,
        scalar.DateTimeType,
        scalar.ColorType,
        scalar.JsonType,
        scalar.LatLonType,
        assets.SeoType,
        assets.VideoType,
        assets.FileType,
        assets.GalleryType,
        links.LinkType,
        links.LinksType,
        blocks.RichTextType,
        blocks.SingleBlockType,
        blocks.StructuredTextType,
    )
}

__all__ = ["FIELD_TYPES", "FieldType", "FieldValueError"]
