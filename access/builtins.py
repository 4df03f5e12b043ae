"""The built-in roles: Admin and Editor (DatoCMS's), and Read-only (this CMS's third role
from before roles were data). The tokens of before keep exactly what they could do:

- admin: every flag, every action on every model and upload, in every environment;
- editor: every action on records and uploads, upload collections and the content menu,
  firing build triggers; no schema, environments, webhooks, tokens or roles;
- readonly: ``read`` on records and uploads, nothing else.

Entries name an environment: each built-in role gets its entries for the first environment
(here, and when an emptied project gets its first environment back); a fork copies every
role's entries to the new environment (access/environments.py).
"""

from access.models import FLAGS

NAMES = {"admin": "Admin", "editor": "Editor", "readonly": "Read-only"}


def flags(key: str) -> dict:
    if key == "admin":
        return dict.fromkeys(FLAGS, True)
    if key == "editor":
        return {"can_manage_upload_collections": True, "can_manage_menu": True}
    return {}


def entries(key: str, environment: str) -> dict:
    if key == "readonly":
        item = {"action": "read", "on_creator": "anyone"}
        upload = {"action": "read", "on_creator": "anyone"}
    else:
        item = {"action": "all", "on_creator": "anyone", "localization_scope": "all"}
        upload = {"action": "all", "on_creator": "anyone", "localization_scope": "all"}
    arrays = {
        "positive_item_type_permissions": [{**item, "environment": environment, "item_type": None}],
        "positive_upload_permissions": [
            {**upload, "environment": environment, "upload_collection": None}
        ],
    }
    if key in ("admin", "editor"):  # editors fired builds before roles were data
        arrays["positive_build_trigger_permissions"] = [{"build_trigger": None}]
    if key == "admin":
        arrays["positive_search_index_permissions"] = [{"search_index": None}]
    return arrays


def ensure(Role=None, Environment=None) -> None:
    """Make the built-in roles that are missing, with entries for every environment
    (the migration passes its historical models)."""
    if Role is None:
        from access.models import Role
    if Environment is None:
        from environments.models import Environment

        Environment.primary_one()  # an emptied project gets its first environment back
    missing = set(NAMES) - set(
        Role.objects.filter(builtin__isnull=False).values_list("builtin", flat=True)
    )
    if not missing:
        return
    from access.final import recompute_all

    environments = list(Environment.objects.values_list("name", flat=True))
    for key in sorted(missing):
        name = NAMES[key]
        while Role.objects.filter(name=name).exists():  # a user's role took the name
            name += " (built-in)"
        role = Role(name=name, builtin=key, **flags(key))
        for environment in environments:
            for array, listed in entries(key, environment).items():
                current = getattr(role, array)
                setattr(role, array, current + [e for e in listed if e not in current])
        role.save()
    recompute_all(Role)


def add_environment(environment: str) -> None:
    """The built-in roles get their entries for a new environment (access/environments.py)."""
    from access.final import recompute_all
    from access.models import Role

    for role in Role.objects.filter(builtin__isnull=False):
        for array, listed in entries(role.builtin, environment).items():
            current = getattr(role, array)
            setattr(role, array, current + [e for e in listed if e not in current])
        role.save()
    recompute_all()
