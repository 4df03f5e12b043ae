"""How the admin edits each validator's parameters: validator name -> its inputs
(item_types.admin.inputs), one per parameter the validator takes.

One line per validator, beside the registry of validators (``VALIDATORS``); the tests check
that both name the same validators and the same parameters.
"""

from item_types.admin.inputs import (
    Choice,
    Date,
    DateTime,
    Lines,
    Models,
    Number,
    ParamInput,
    Text,
    TitleField,
    TriState,
    WholeNumber,
)
from item_types.schema import ITEM_TYPE_FIELD_RELATIONSHIPS
from item_types.validators.files import EXTENSION_LISTS, FILE_SIZE_UNITS
from item_types.validators.references import REFERENCE_STRATEGIES
from item_types.validators.values import FormatValidator, SlugFormatValidator

_COUNT = (
    WholeNumber("min", "At least"),
    WholeNumber("eq", "Exactly", "Leave min and max empty with it."),
    WholeNumber("max", "At most"),
)
_BOUNDS = (WholeNumber("min", "At least"), WholeNumber("max", "At most"))
_LINK_STRATEGIES = tuple(
    Choice(name, name.replace("_", " ").capitalize(), "Empty: the default", choices=choices)
    for name, choices in REFERENCE_STRATEGIES.items()
)
_LINKS = (Models("item_types"), *_LINK_STRATEGIES)
_BLOCKS = (Models("item_types", blocks=True),)
_UNITS = tuple(FILE_SIZE_UNITS)

VALIDATOR_INPUTS: dict[str, tuple[ParamInput, ...]] = {
    "required": (),
    "unique": (),
    "length": _COUNT,
    "size": (*_COUNT, WholeNumber("multiple_of", "A multiple of")),
    "number_range": (Number("min", "At least"), Number("max", "At most")),
    "date_range": (Date("min", "From"), Date("max", "To")),
    "date_time_range": (DateTime("min", "From"), DateTime("max", "To")),
    "format": (
        Choice("predefined_pattern", "Predefined pattern", choices=FormatValidator.predefined),
        Text("custom_pattern", "Custom pattern", "RE2 syntax; leave empty with a predefined one"),
        Text("description", "Description of the pattern"),
    ),
    "slug_format": (
        Choice("predefined_pattern", "Predefined pattern", choices=SlugFormatValidator.predefined),
        Text("custom_pattern", "Custom pattern", "RE2 syntax; leave empty with a predefined one"),
    ),
    "enum": (Lines("values", "Allowed values", "One a line"),),
    "sanitized_html": (TriState("sanitize_before_validation", "Sanitize before validation"),),
    "extension": (
        Lines("extensions", "Extensions", "One a line (jpg, pdf...); or a predefined list"),
        Choice("predefined_list", "Predefined list", choices=EXTENSION_LISTS),
    ),
    "file_size": (
        Number("min_value", "At least"),
        Choice("min_unit", "Unit", choices=_UNITS),
        Number("max_value", "At most"),
        Choice("max_unit", "Unit", choices=_UNITS),
    ),
    "image_dimensions": tuple(
        WholeNumber(f"{side}_{bound}_value", f"{side.capitalize()} {bound} (px)")
        for side in ("width", "height")
        for bound in ("min", "max")
    ),
    "image_aspect_ratio": tuple(
        Number(f"{bound}_ar_{part}", f"{label} ratio {part}")
        for bound, label in (("min", "Minimum"), ("eq", "Exact"), ("max", "Maximum"))
        for part in ("numerator", "denominator")
    ),
    "required_alt_title": (TriState("alt", "Alt required"), TriState("title", "Title required")),
    "required_seo_fields": tuple(
        TriState(key, f"{key.replace('_', ' ').capitalize()} required")
        for key in ("title", "description", "image", "twitter_card")
    ),
    "title_length": _BOUNDS,
    "description_length": _BOUNDS,
    "slug_title_field": (
        TitleField(
            "title_field_id",
            "Made from",
            field_types=tuple(ITEM_TYPE_FIELD_RELATIONSHIPS["title_field"]),
        ),
    ),
    "item_item_type": _LINKS,
    "items_item_type": _LINKS,
    "structured_text_links": _LINKS,
    "rich_text_blocks": _BLOCKS,
    "single_block_blocks": _BLOCKS,
    "structured_text_blocks": _BLOCKS,
    "structured_text_inline_blocks": _BLOCKS,
}

#: What the admin calls a validator whose name alone says little to an editor.
VALIDATOR_TITLES = {
    "size": "Number of items",
    "number_range": "Range",
    "date_time_range": "Date and time range",
    "enum": "Allowed values",
    "extension": "File extensions",
    "slug_title_field": "Made from a field",
    "item_item_type": "Allowed models",
    "items_item_type": "Allowed models",
    "structured_text_links": "Models links may point at",
    "rich_text_blocks": "Allowed blocks",
    "single_block_blocks": "Allowed blocks",
    "structured_text_blocks": "Allowed blocks",
    "structured_text_inline_blocks": "Allowed inline blocks",
}
