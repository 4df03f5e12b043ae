"""What the site, item type and field services share: raising collected problems,
api_key checks, and saves that turn a lost uniqueness race into a 422."""

from django.db import IntegrityError, transaction

from cms.api.errors import ApiError, ApiErrors, invalid_field
from item_types.schema import is_api_key


def raise_if(errors: list[ApiError]) -> None:
    if errors:
        raise ApiErrors(errors)


def check_api_key(api_key: str, *, reserved: frozenset[str], others, record_type: str):
    """An api_key's shape, reserved names, and uniqueness among ``others`` (a queryset)."""
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
