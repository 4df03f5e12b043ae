"""Roles: admin (schema and content), editor (content), readonly (reads).

A view says which part of the API it is with ``scope = "schema"`` or ``"content"``. A
write is also refused while its environment takes none (maintenance mode, read-only mode:
environments.access), unless the view says ``writes_nothing = True`` (validation only).
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from cms.models import ApiToken
from environments import access

WRITERS = {
    "schema": {ApiToken.Role.ADMIN},
    "content": {ApiToken.Role.ADMIN, ApiToken.Role.EDITOR},
}


class RolePermission(BasePermission):
    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        if request.method in SAFE_METHODS:
            # A view whose answers hold secrets (webhooks' passwords and headers) names who
            # may read it; others are readable by every role.
            return token.role in getattr(view, "readers", (token.role,))
        if token.role not in WRITERS[getattr(view, "scope", "schema")]:
            return False
        if not getattr(view, "writes_nothing", False):
            # Maintenance mode, or an environment in read-only mode: a 423 naming why.
            access.refuse_locked_writes(getattr(request._request, "cms_environment", None))
        return True
