"""Who made a request, as an event records it, and who may read the log. The only place
that knows what a token's role is: when roles become records, these change, nothing else."""

from cms.models import ApiToken

_UNREAD = object()


def actor_of(token: ApiToken) -> dict:
    return {"type": "access_token", "id": token.pk, "name": token.name}


def role_of(token: ApiToken) -> dict | None:
    """The token's role as the event shows it: ``{id, name}``."""
    role_id = getattr(token, "role_id", None)
    if role_id is None:
        return None
    # Read with the token (environments.access.find_token): no query of its own.
    name = getattr(token, "cms_role_name", _UNREAD)
    if name is _UNREAD:  # a token read some other way
        from access.models import Role

        name = Role.objects.filter(pk=role_id).values_list("name", flat=True).first()
    return {"id": str(role_id), "name": name}


def may_read_audit_log(token: object) -> bool:
    """Admin tokens today; a role's ``can_access_audit_log`` once roles are records."""
    if not isinstance(token, ApiToken):
        return False
    from access.permissions import Grants

    return Grants(token).flag("can_access_audit_log")


def user_actor(user) -> dict:
    """A staff user working in the admin."""
    return {"type": "user", "id": str(user.pk), "name": user.get_username()}


def user_role(user) -> dict | None:
    """The staff user's bound role (access.models.StaffRole); None for an unbound one."""
    from access.models import StaffRole

    found = StaffRole.objects.filter(user_id=user.pk).values_list("role_id", "role__name").first()
    return None if found is None else {"id": str(found[0]), "name": found[1]}
