"""Writing API tokens (SPEC-2 §10.5). A token's secret is checked against its hash; a copy
encrypted with the project's key is shown back to roles that manage tokens."""

from django.db import transaction

from access.models import Role
from cms.api.errors import ApiError, ApiErrors, found, invalid_field
from cms.api.parsing import ResourceDocument
from cms.models import ApiToken

FLAGS = ("can_access_cda", "can_access_cda_preview", "can_access_cma")
ATTRIBUTES = {"name", *FLAGS}
#: Sent by the client as part of a resource it read; read-only, so ignored when unchanged.
READ_ONLY = {"token", "hardcoded_type", "last_cma_access", "last_cda_access"}


def find_token(token_id: str) -> ApiToken:
    return found(ApiToken.objects.filter(pk=token_id).first(), access_token=token_id)


def clean(document: ResourceDocument, *, creating: bool) -> tuple[dict, Role | None]:
    attributes, errors, cleaned = document.attributes, [], {}
    for name in sorted(set(attributes) - ATTRIBUTES - READ_ONLY):
        errors.append(invalid_field(name, "VALIDATION_UNKNOWN_ATTRIBUTE"))
    for name in ("name", *FLAGS) if creating else ():
        if name not in attributes:
            errors.append(invalid_field(name, "VALIDATION_REQUIRED"))
    if "name" in attributes:
        name = attributes["name"]
        if not isinstance(name, str) or not name.strip():
            errors.append(invalid_field("name", "VALIDATION_REQUIRED"))
        elif len(name) > 200:
            errors.append(invalid_field("name", "VALIDATION_LENGTH", max=200))
        else:
            cleaned["name"] = name
    for flag in FLAGS:
        if flag in attributes:
            if isinstance(attributes[flag], bool):
                cleaned[flag] = attributes[flag]
            else:
                errors.append(invalid_field(flag, "VALIDATION_FORMAT", message="A boolean."))
    role = None
    try:
        role_id = document.relationship_id("role", "role")
        if role_id is None and (creating or "role" in document.relationships):
            raise ApiError("INVALID_RELATIONSHIP", 422, field="role", code="VALIDATION_REQUIRED")
        if role_id is not None:
            role = Role.objects.filter(pk=role_id).first()
            if role is None:
                raise ApiError(
                    "INVALID_RELATIONSHIP",
                    422,
                    field="role",
                    code="VALIDATION_NOT_FOUND",
                    role=role_id,
                )
    except ApiError as error:
        errors.append(error)
    if errors:
        raise ApiErrors(errors)
    return cleaned, role


def create(cleaned: dict, role: Role) -> ApiToken:
    token, _ = ApiToken.create(role=role, **cleaned)
    return token


def update(token: ApiToken, cleaned: dict, role: Role | None) -> ApiToken:
    if token.hardcoded_type is not None:
        raise ApiError("NON_EDITABLE_ACCESS_TOKEN", 422, access_token=token.pk)
    for name, value in cleaned.items():
        setattr(token, name, value)
    if role is not None:
        token.role = role
    token.save(update_fields=[*cleaned, *(["role"] if role else [])])
    return token


def regenerate(token: ApiToken) -> ApiToken:
    """A new secret; the old one stops working at once (each request reads the hash)."""
    with transaction.atomic():
        token.set_new_secret()
        token.save(update_fields=["secret_hash", "secret_encrypted"])
    return token


def destroy(token: ApiToken) -> None:
    token.delete()
