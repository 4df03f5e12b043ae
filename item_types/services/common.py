"""What the site, item type and field services share (uploads' too): raising collected
problems, reading attributes, values keyed by locale, api_key checks, and saves that turn
a lost uniqueness race into a 422."""

from collections.abc import Callable

from django.db import IntegrityError, transaction

from cms.api.attributes import clean_attributes
from cms.api.errors import ApiError, ApiErrors, invalid_field
from cms.api.parsing import ResourceDocument
from item_types.field_types import FieldValueError
from item_types.schema import is_api_key


def raise_if(errors: list[ApiError]) -> None:
    if errors:
        raise ApiErrors(errors)


def clean_schema_attributes(
    document: ResourceDocument, declared: dict, *, creating: bool, old_spelling: tuple[str, str]
):
    """:func:`clean_attributes`, taking one attribute also under DatoCMS's old spelling."""
    cleaned, errors = clean_attributes(document.attributes, declared, creating=creating)
    old, new = old_spelling
    if old in cleaned:
        cleaned.setdefault(new, cleaned.pop(old))
    return cleaned, errors


def parse_per_locale(
    attribute: str, value: dict, locales: list[str], parse: Callable
) -> tuple[dict | None, list[ApiError]]:
    """A value keyed by locale (a field's default value, an upload's default metadata):
    no locale but the site's, and ``parse(raw)`` for each of them (raises
    :class:`FieldValueError`). Answers the parsed values and an error for each problem."""
    unknown = sorted(set(value) - set(locales))
    if unknown:
        return None, [
            invalid_field(
                attribute, "INVALID_LOCALES", unknown_locales=unknown, required_locales=locales
            )
        ]
    parsed, errors = {}, []
    for locale in locales:
        try:
            parsed[locale] = parse(value.get(locale))
        except FieldValueError as error:
            errors.append(invalid_field(attribute, error.code, locale=locale, **error.details))
    return parsed, errors


def check_api_key(cleaned: dict, *, reserved: frozenset[str], others, record_type: str):
    """The api_key being written, if any: its shape, reserved names, and uniqueness among
    ``others`` (a queryset, read only when there is an api_key)."""
    if "api_key" not in cleaned:
        return []
    api_key = cleaned["api_key"]
    if not is_api_key(api_key):
        message = "Use lowercase snake_case: letters, digits, single underscores."
        return [invalid_field("api_key", "VALIDATION_FORMAT", message=message)]
    if api_key in reserved:
        return [invalid_field("api_key", "VALIDATION_RESERVED", reserved=api_key)]
    if others.filter(api_key=api_key).exists():
        return [invalid_field("api_key", "VALIDATION_UNIQUENESS", record_type=record_type)]
    return []


def save_unique(instance, field: str, record_type: str) -> None:
    """Save; a unique api_key lost to a concurrent request is a 422, not a 500."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise invalid_field(field, "VALIDATION_UNIQUENESS", record_type=record_type) from error


def taken_id(model, chosen_id: str | None) -> list[ApiError]:
    """A client-chosen id must be free."""
    if chosen_id and model.objects.filter(pk=chosen_id).exists():
        return [
            ApiError(
                "INVALID_ENTITY_ID",
                422,
                field="id",
                code="VALIDATION_UNIQUENESS",
                message="The id is taken.",
            )
        ]
    return []
