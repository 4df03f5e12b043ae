"""Roles and access tokens on the wire (SPEC-2 §10.1, §10.5)."""

from datetime import timedelta

from django.utils.timezone import localdate

from access.models import ARRAYS, FLAGS, Role
from access.secrets import decrypt


def role_resource(role: Role, parents: list[str]) -> dict:
    attributes = {"name": role.name, "environments_access": role.environments_access}
    attributes.update({flag: getattr(role, flag) for flag in FLAGS})
    attributes.update({name: getattr(role, name) for name in ARRAYS})
    return {
        "type": "role",
        "id": role.id,
        "attributes": attributes,
        "relationships": {
            "inherits_permissions_from": {"data": [{"type": "role", "id": p} for p in parents]}
        },
        "meta": {"final_permissions": role.final_permissions},
    }


def last_access(moment) -> str:
    """DatoCMS's buckets: today, yesterday, this_week, last_week, this_month, last_month,
    never (a calendar week starts on Monday; older than last month reads last_month)."""
    if moment is None:
        return "never"
    day, today = localdate(moment), localdate()
    if day >= today:
        return "today"
    if day == today - timedelta(days=1):
        return "yesterday"
    monday = today - timedelta(days=today.weekday())
    if day >= monday:
        return "this_week"
    if day >= monday - timedelta(days=7):
        return "last_week"
    if (day.year, day.month) == (today.year, today.month):
        return "this_month"
    return "last_month"


def token_resource(token, *, show_secret: bool) -> dict:
    return {
        "type": "access_token",
        "id": token.id,
        "attributes": {
            "name": token.name,
            "token": decrypt(token.secret_encrypted) if show_secret else None,
            "can_access_cda": token.can_access_cda,
            "can_access_cda_preview": token.can_access_cda_preview,
            "can_access_cma": token.can_access_cma,
            "hardcoded_type": token.hardcoded_type,
            "last_cma_access": last_access(token.last_used_at),
            "last_cda_access": "never",  # no Content Delivery API here
        },
        "relationships": {"role": {"data": {"type": "role", "id": token.role_id}}},
    }
