"""The registry of field validators: name -> the validator that owns its parameters and
checks values against them.

Adding a validator means one class in one of these modules and one line here:
``base`` (what every validator shares), ``values`` (a record's own values), ``files``
(a file field's upload), ``references`` (the models blocks and links may be of).
"""

from item_types.validators import files, references, values
from item_types.validators.base import SchemaContext, Validator
from item_types.validators.references import REFERENCE_STRATEGIES, LinksValidator

VALIDATORS: dict[str, Validator] = {
    validator.name: validator()
    for validator in (
        values.RequiredValidator,
        values.UniqueValidator,
        values.LengthValidator,
        values.SizeValidator,
        values.NumberRangeValidator,
        values.DateRangeValidator,
        values.DateTimeRangeValidator,
        values.FormatValidator,
        values.EnumValidator,
        values.SanitizedHtmlValidator,
        files.ExtensionValidator,
        files.FileSizeValidator,
        files.ImageDimensionsValidator,
        files.ImageAspectRatioValidator,
        files.RequiredAltTitleValidator,
        values.RequiredSeoFieldsValidator,
        values.TitleLengthValidator,
        values.DescriptionLengthValidator,
        values.SlugFormatValidator,
        values.SlugTitleFieldValidator,
        references.ItemItemTypeValidator,
        references.ItemsItemTypeValidator,
        references.StructuredTextLinksValidator,
        references.RichTextBlocksValidator,
        references.SingleBlockBlocksValidator,
        references.StructuredTextBlocksValidator,
        references.StructuredTextInlineBlocksValidator,
    )
}

# The link validators: their parameters also hold the reference strategies publishing
# follows (``items.services.publishing`` reads them from the validator a field's type
# names as its ``link_validator``; the tests check that both lists agree).
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
    "LINK_VALIDATORS",
    "REFERENCE_STRATEGIES",
    "VALIDATORS",
    "SchemaContext",
    "Validator",
    "fields_named",
]
