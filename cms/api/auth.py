"""Bearer-token authentication for every API endpoint; the record API also takes
DreamFactory's credentials (its API key and session token, in headers or the query)."""

from datetime import timedelta

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled

from access import sessions
from cms import throttle
from cms.models import ApiToken
from environments import access

# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>``; the record API also takes ``X-DreamFactory-Api-Key``."""

    def authenticate(self, request):
        # The environment the request works in comes with its token, in the same query;
        # project-wide views (environments, maintenance mode...) need none.
        view = request.parser_context.get("view")
        scoped = not getattr(view, "project_wide", False)
        try:
            secret = self._secret_from(request, view)
            if secret is None:
                return None
            name = access.wanted_name(request) if scoped else None
            token = access.find_token(secret, name)
            if token is None:
                raise AuthenticationFailed("The API token is not valid.")
            if sessions.is_session(token):
                self._check_session(token, view)
            if not token.can_access_cma:
                # Both APIs here manage content: a token without CMA access gets neither.
                raise AuthenticationFailed("This API token may not use the management API.")
        except AuthenticationFailed:
            # Only failures are counted and refused: a good token is never slowed.
            wait = throttle.bad_token(request)
            if wait is not None:
                raise Throttled(
                    wait, "Too many failed authentications from this address."
                ) from None
            raise
        if scoped:
            access.enter(request._request, name, token)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'

    @staticmethod
    def _check_session(token, view) -> None:
        """A DreamFactory session works on the record API only, until it ends."""
        if not getattr(view, "dreamfactory_credentials", False):
            raise AuthenticationFailed("A session token works on the record API only.")
        if sessions.current(token) is None:
            raise AuthenticationFailed("The session has expired or was ended: log in again.")

    @staticmethod
    def _secret_from(request, view) -> str | None:
        dreamfactory = getattr(view, "dreamfactory_credentials", False)
        if dreamfactory:
            # A session names the user, and wins over an API key sent with it (DreamFactory
            # clients send both: the key names their app). In the query: discouraged (URLs
            # end up in logs and histories; ours redact both: observability/logs.py).
            session = request.headers.get("X-DreamFactory-Session-Token") or (
                request.query_params.get("session_token")
            )
            if session and session.strip():
                return session.strip()
        header = request.headers.get("Authorization")
        if header:
            scheme, _, secret = header.strip().partition(" ")
            # "Bearer x" is the documented form; older clients send "Api-Key x".
            if scheme.lower() not in {"bearer", "api-key"} or not secret.strip():
                raise AuthenticationFailed('Expected "Authorization: Bearer <token>".')
            return secret.strip()
        api_key = request.headers.get("X-DreamFactory-Api-Key")
        if api_key:
            return api_key.strip()
        api_key = request.query_params.get("api_key") if dreamfactory else None
        if api_key and api_key.strip():
            return api_key.strip()
        return None
