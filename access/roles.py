"""Writing roles (SPEC-2 §10.1–10.4). Every problem of a body is reported at once, each a
422 naming its attribute (entries: the array and index), before anything is written; each
write recomputes every role's final permissions in its transaction (access/final.py)."""

import re

from django.db import IntegrityError, transaction

from access import entries as entry_rules
from access.final import inherits_from_itself, recompute_all
from access.models import FLAGS, EnvironmentsAccess, Role
from cms.api.errors import ApiError, ApiErrors, found, invalid_field
from cms.api.parsing import ResourceDocument
from environments.models import Environment

ATTRIBUTES = {"name", "environments_access", *FLAGS} | {
    name for family in entry_rules.FAMILIES.values() for name in family.arrays()
}


def find_role(role_id: str) -> Role:
    return found(Role.objects.filter(pk=role_id).first(), role=role_id)


def parents_of(roles: list[Role]) -> dict[str, list[str]]:
    """Each role's inherits_permissions_from ids, in one query."""
    through = Role.inherits_permissions_from.through
    parents = {role.pk: [] for role in roles}
    rows = through.objects.filter(from_role_id__in=list(parents)).order_by("id")
    for from_id, to_id in rows.values_list("from_role_id", "to_role_id"):
        parents[from_id].append(to_id)
    return parents


def clean(document: ResourceDocument, *, creating: bool) -> tuple[dict, list[str] | None]:
    """The attributes to write, and the parents (None: unchanged)."""
    attributes, errors, cleaned = document.attributes, [], {}
    for name in sorted(set(attributes) - ATTRIBUTES):
        errors.append(invalid_field(name, "VALIDATION_UNKNOWN_ATTRIBUTE"))
    if creating and "name" not in attributes:
        errors.append(invalid_field("name", "VALIDATION_REQUIRED"))
    if "name" in attributes:
        name = attributes["name"]
        if not isinstance(name, str) or not name.strip():
            errors.append(invalid_field("name", "VALIDATION_REQUIRED"))
        elif len(name) > 255:
            errors.append(invalid_field("name", "VALIDATION_LENGTH", max=255))
        else:
            cleaned["name"] = name
    if "environments_access" in attributes:
        value = attributes["environments_access"]
        if not isinstance(value, str) or value not in EnvironmentsAccess.values:
            allowed = list(EnvironmentsAccess.values)
            errors.append(invalid_field("environments_access", "VALIDATION_ENUM", allowed=allowed))
        else:
            cleaned["environments_access"] = value
    for flag in FLAGS:
        if flag in attributes:
            if not isinstance(attributes[flag], bool):
                errors.append(invalid_field(flag, "VALIDATION_FORMAT", message="A boolean."))
            else:
                cleaned[flag] = attributes[flag]
    for family in entry_rules.FAMILIES.values():
        errors.extend(_clean_family(family, attributes, cleaned))
    parents = None
    try:
        parents = _parents(document)
    except ApiError as error:
        errors.append(error)
    if not errors:
        errors.extend(_unknown_targets(cleaned))
    if errors:
        raise ApiErrors(errors)
    return cleaned, parents


def _clean_family(family, attributes: dict, cleaned: dict) -> list[ApiError]:
    sent = [name for name in family.arrays() if name in attributes]
    if len(sent) == 1:  # SPEC-2 §10.3: the pair is sent both or neither
        missing = (set(family.arrays()) - set(sent)).pop()
        return [
            invalid_field(
                missing,
                "VALIDATION_REQUIRED",
                message=f"{sent[0]} and {missing} are sent together (both or neither).",
            )
        ]
    errors = []
    for name in sent:
        try:
            cleaned[name] = entry_rules.clean_array(family, name, attributes[name])
        except entry_rules.EntryErrors as problems:
            errors.extend(problems.errors)
    return errors


def _parents(document: ResourceDocument) -> list[str] | None:
    if "inherits_permissions_from" not in document.relationships:
        return None
    relationship = document.relationships["inherits_permissions_from"]
    data = relationship.get("data") if isinstance(relationship, dict) else None
    field = "inherits_permissions_from"
    if not isinstance(data, list) or any(
        not isinstance(d, dict) or d.get("type") != "role" or not isinstance(d.get("id"), str)
        for d in data
    ):
        raise ApiError("INVALID_RELATIONSHIP", 422, field=field, code="VALIDATION_FORMAT")
    ids = list(dict.fromkeys(d["id"] for d in data))
    known = set(Role.objects.filter(pk__in=ids).values_list("pk", flat=True))
    for index, role_id in enumerate(ids):
        if role_id not in known:
            raise ApiError(
                "INVALID_RELATIONSHIP",
                422,
                field=f"{field}[{index}]",
                code="VALIDATION_NOT_FOUND",
                role=role_id,
            )
    return ids


def _unknown_targets(cleaned: dict) -> list[ApiError]:
    """Entries naming an environment, a model or an upload collection that doesn't exist."""
    from item_types.models import ItemType
    from uploads.models import UploadCollection

    environments = {e.name: e for e in Environment.objects.all()}
    wanted: dict[tuple[str, str], list[tuple[str, str]]] = {}  # (env, kind) -> [(where, id)]
    errors = []
    for family in ("item_type", "upload"):
        target = entry_rules.FAMILIES[family].target
        for name in entry_rules.FAMILIES[family].arrays():
            for index, entry in enumerate(cleaned.get(name, [])):
                where = f"{name}[{index}]"
                environment = entry.get("environment")
                if environment not in environments:
                    errors.append(
                        invalid_field(
                            f"{where}.environment", "VALIDATION_NOT_FOUND", environment=environment
                        )
                    )
                    continue
                for key in (target, "move_to_upload_collection"):
                    if entry.get(key) is not None:
                        kind = family if key == target else "upload"
                        wanted.setdefault((environment, kind), []).append(
                            (f"{where}.{key}", entry[key])
                        )
    from environments import selection

    for (environment, kind), asked in wanted.items():
        model = ItemType if kind == "item_type" else UploadCollection
        with selection.using(environments[environment]):
            known = set(
                model.objects.filter(pk__in={i for _, i in asked}).values_list("pk", flat=True)
            )
        for where, target_id in asked:
            if target_id not in known:
                errors.append(invalid_field(where, "VALIDATION_NOT_FOUND", id=target_id))
    return errors


def save(role: Role, cleaned: dict, parents: list[str] | None, *, create: bool) -> Role:
    for name, value in cleaned.items():
        setattr(role, name, value)
    try:
        with transaction.atomic():
            if Role.objects.filter(name=role.name).exclude(pk=role.pk).exists():
                raise invalid_field("name", "VALIDATION_UNIQUENESS")
            role.save(force_insert=create)
            if parents is not None:
                _set_parents(role, parents)
            recompute_all()
    except IntegrityError:  # a concurrent write took the name
        raise invalid_field("name", "VALIDATION_UNIQUENESS") from None
    role.refresh_from_db()
    return role


def _set_parents(role: Role, parents: list[str]) -> None:
    graph = parents_of(list(Role.objects.all()))
    graph[role.pk] = parents
    if inherits_from_itself(graph, role.pk):
        raise ApiError(
            "INVALID_RELATIONSHIP",
            422,
            field="inherits_permissions_from",
            code="VALIDATION_CYCLE",
            message="A role can't inherit from itself, directly or through another role.",
        )
    role.inherits_permissions_from.set(parents)


def duplicate(role: Role) -> Role:
    """A copy named "<name> (duplicate #N)", N the first free number."""
    base = re.sub(r" \(duplicate #\d+\)$", "", role.name)
    taken = set(Role.objects.filter(name__startswith=base).values_list("name", flat=True))
    number = 1
    while f"{base} (duplicate #{number})" in taken:
        number += 1
    parents = parents_of([role])[role.pk]
    copy = Role.objects.get(pk=role.pk)
    copy.pk, copy.builtin, copy.name = None, None, f"{base} (duplicate #{number})"
    copy.id = Role._meta.get_field("id").default()
    return save(copy, {}, parents, create=True)


def destroy(role: Role) -> None:
    with transaction.atomic():
        in_use = role.tokens.exists() or role.staff_users.exists() or role.inherited_by.exists()
        if role.builtin is not None or in_use:
            raise ApiError(
                "ROLE_IN_USE",
                422,
                role=role.pk,
                tokens=role.tokens.count(),
                users=role.staff_users.count(),
                inherited_by=list(role.inherited_by.values_list("pk", flat=True)),
                builtin=role.builtin is not None,
                message="A built-in role, or a role a token or a user has or a role inherits "
                "from, can't be deleted.",
            )
        role.delete()
        recompute_all()
