"""Roles: admin (schema and content), editor (content), readonly (reads).

A view says which part of the API it is with ``scope = "schema"`` or ``"content"``.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from cms.models import ApiToken

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
            return True
        return token.role in WRITERS[getattr(view, "scope", "schema")]
