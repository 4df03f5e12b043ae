"""The locales a record has, read from its localized values (the localization rules)."""

from cms.api.errors import ApiError
from item_types.field_types import FIELD_TYPES
from item_types.models import ItemType
from items.validation.locations import Location, error_at


def record_locales(
    site_locales: list[str], item_type: ItemType, attributes: dict, fields
) -> tuple[list[str], list[ApiError]]:
    """The locales the record has (those its localized values name, all the same), and
    an error for each top-level value that breaks the localization rules."""
    site_set = set(site_locales)
    errors: list[ApiError] = []

    def refuse(api_key: str, **details) -> None:
        errors.append(error_at(Location(api_key), "INVALID_LOCALES", **details))

    named: dict[str, set] = {}
    for field_ in fields:
        if field_.api_key not in attributes:
            continue
        value = attributes[field_.api_key]
        if not field_.localized:
            if (
                isinstance(value, dict)
                and value
                and not FIELD_TYPES[field_.field_type].free_form_object
                and value.keys() <= site_set
            ):
                refuse(
                    field_.api_key,
                    required_locales=None,
                    message="This field is not localized: send the value itself.",
                )
            continue
        if not isinstance(value, dict):
            refuse(
                field_.api_key,
                required_locales=site_locales,
                message="A localized field takes an object keyed by locale.",
            )
            continue
        unknown = sorted(value.keys() - site_set)
        if unknown:
            refuse(field_.api_key, unknown_locales=unknown, required_locales=site_locales)
            continue
        if item_type.all_locales_required and value.keys() != site_set:
            refuse(
                field_.api_key,
                required_locales=site_locales,
                missing_locales=[loc for loc in site_locales if loc not in value],
            )
            continue
        if value:  # {} names no locale: the record's locales come from elsewhere
            named[field_.api_key] = set(value)
    if not named:
        default = list(site_locales) if item_type.all_locales_required else [site_locales[0]]
        return default, errors
    reference_key, reference = next(iter(named.items()))
    for api_key, locales in named.items():
        if locales != reference:
            refuse(
                api_key,
                required_locales=[loc for loc in site_locales if loc in reference],
                given_locales=[loc for loc in site_locales if loc in locales],
                message=f"Every localized field must name the same locales as {reference_key}.",
            )
    return [loc for loc in site_locales if loc in reference], errors
