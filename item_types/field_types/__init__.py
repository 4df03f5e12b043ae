"""The registry of field types: ``field_type`` string -> the type that owns its rules.

Adding a field type means one class in one of these modules and one line here.
"""

from item_types.field_types.assets import FileType, GalleryType, SeoType, VideoType
from item_types.field_types.base import FieldType, FieldValueError
from item_types.field_types.blocks import RichTextType, SingleBlockType, StructuredTextType
from item_types.field_types.links import LinksType, LinkType
from item_types.field_types.scalar import (
    BooleanType,
    ColorType,
    DateTimeType,
    DateType,
    FloatType,
    IntegerType,
    JsonType,
    LatLonType,
    SlugType,
    StringType,
    TextType,
)

FIELD_TYPES: dict[str, FieldType] = {
    field_type.code: field_type()
    for field_type in (
        StringType,
        TextType,
        SlugType,
        BooleanType,
        IntegerType,
        FloatType,
        DateType,
        DateTimeType,
        ColorType,
        JsonType,
        LatLonType,
        SeoType,
        VideoType,
        FileType,
        GalleryType,
        LinkType,
        LinksType,
        RichTextType,
        SingleBlockType,
        StructuredTextType,
    )
}

__all__ = ["FIELD_TYPES", "FieldType", "FieldValueError"]
