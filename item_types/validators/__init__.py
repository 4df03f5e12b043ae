"""The registry of field validators: name -> the validator that owns its parameters and
checks values against them.

Adding a validator means one class in one of these modules and one line here:
``base`` (what every validator shares), ``values`` (a record's own values), ``files``
(a file field's upload), ``references`` (the models blocks and links may be of).
"""

from item_types.validators.base import (
    NoParams,
    SchemaContext,
    Validator,
)
from item_types.validators.files import (
    EXTENSION_LISTS,
    FILE_SIZE_UNITS,
    ExtensionValidator,
    FileSizeValidator,
    ImageAspectRatioValidator,
    ImageDimensionsValidator,
    RequiredAltTitleValidator,
)
from item_types.validators.references import (
    DEFAULT_STRATEGIES,
    REFERENCE_STRATEGIES,
    ItemItemTypeValidator,
    ItemsItemTypeValidator,
    LinksValidator,
    RichTextBlocksValidator,
    SingleBlockBlocksValidator,
    StructuredTextBlocksValidator,
    StructuredTextInlineBlocksValidator,
    StructuredTextLinksValidator,
)
from item_types.validators.values import (
    PREDEFINED_PATTERNS,
    DateRangeValidator,
    DateTimeRangeValidator,
    DescriptionLengthValidator,
    EnumValidator,
    FormatValidator,
    LengthValidator,
    NumberRangeValidator,
    RequiredSeoFieldsValidator,
    RequiredValidator,
    SanitizedHtmlValidator,
    SizeValidator,
    SlugFormatValidator,
    SlugTitleFieldValidator,
    TitleLengthValidator,
    UniqueValidator,
    is_blank,
)

VALIDATORS: dict[str, Validator] = {
    validator.name: validator()
    for validator in (
        RequiredValidator,
        UniqueValidator,
        LengthValidator,
        SizeValidator,
        NumberRangeValidator,
        DateRangeValidator,
        DateTimeRangeValidator,
        FormatValidator,
        EnumValidator,
        SanitizedHtmlValidator,
        ExtensionValidator,
        FileSizeValidator,
        ImageDimensionsValidator,
        ImageAspectRatioValidator,
        RequiredAltTitleValidator,
        RequiredSeoFieldsValidator,
        TitleLengthValidator,
        DescriptionLengthValidator,
        SlugFormatValidator,
        SlugTitleFieldValidator,
        ItemItemTypeValidator,
        ItemsItemTypeValidator,
        StructuredTextLinksValidator,
        RichTextBlocksValidator,
        SingleBlockBlocksValidator,
        StructuredTextBlocksValidator,
        StructuredTextInlineBlocksValidator,
    )
}

# The link validators: their parameters also hold the reference strategies publishing
# follows (``items.services`` reads them from the one a field has).
LINK_VALIDATORS: tuple[str, ...] = tuple(
    name for name, validator in VALIDATORS.items() if isinstance(validator, LinksValidator)
)


def fields_named(field) -> set[str]:
    """The ids of the fields of its model that ``field``'s validators name (a slug's title
    field): those can't be deleted while it does."""
    return {
        (params or {}).get(parameter)
        for name, params in (field.validators or {}).items()
        if name in VALIDATORS
        for parameter in VALIDATORS[name].field_parameters
    }


__all__ = [
    "DEFAULT_STRATEGIES",
    "EXTENSION_LISTS",
    "FILE_SIZE_UNITS",
    "LINK_VALIDATORS",
    "PREDEFINED_PATTERNS",
    "REFERENCE_STRATEGIES",
    "VALIDATORS",
    "DateRangeValidator",
    "DateTimeRangeValidator",
    "DescriptionLengthValidator",
    "EnumValidator",
    "ExtensionValidator",
    "FileSizeValidator",
    "FormatValidator",
    "ImageAspectRatioValidator",
    "ImageDimensionsValidator",
    "ItemItemTypeValidator",
    "ItemsItemTypeValidator",
    "LengthValidator",
    "LinksValidator",
    "NoParams",
    "NumberRangeValidator",
    "RequiredAltTitleValidator",
    "RequiredSeoFieldsValidator",
    "RequiredValidator",
    "RichTextBlocksValidator",
    "SanitizedHtmlValidator",
    "SchemaContext",
    "SingleBlockBlocksValidator",
    "SizeValidator",
    "SlugFormatValidator",
    "SlugTitleFieldValidator",
    "StructuredTextBlocksValidator",
    "StructuredTextInlineBlocksValidator",
    "StructuredTextLinksValidator",
    "TitleLengthValidator",
    "UniqueValidator",
    "Validator",
    "is_blank",
]
