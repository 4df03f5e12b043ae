"""DreamFactory's user session (access/sessions.py): ``POST /api/v2/user/session`` logs in
with an email and password, ``GET`` answers the current session, ``DELETE`` logs out (the
token stops working at once). Also under ``/rest/user/session`` (DSP 1.x's path).
Refusals in DreamFactory's error shape, as everywhere in the record API."""

from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from access import sessions
from access.models import Role
from cms import throttle
from record_api.errors import RecordApiError
from record_api.views import RecordApiView


class SessionPermission(BasePermission):
    """Logging in needs no credentials; the session's own calls need a live session."""

    def has_permission(self, request, view):
        if request.method == "POST":
            return True
        if not sessions.is_session(request.auth):
            raise RecordApiError(401, "There is no valid session for the current request.")
        return True


class UserSessionView(RecordApiView):
    project_wide = True  # no environment: a session is the project's
    permission_classes = [SessionPermission]

    def post(self, request):
        body = request.data if isinstance(request.data, dict) else {}
        email, password = body.get("email"), body.get("password")
        if not isinstance(email, str) or not email.strip():
            raise RecordApiError(400, "Login request is missing required email.")
        if not isinstance(password, str) or not password:
            raise RecordApiError(400, "Login request is missing required password.")
        wait = throttle.login_locked(request, email)
        if wait is not None:
            raise RecordApiError(429, f"Too many failed logins: try again in {wait} seconds.")
        try:
            session, secret = sessions.login(email.strip(), password)
        except sessions.LoginRefused as refused:
            if refused.status == 401:
                throttle.login_failed(request, email)
            raise RecordApiError(refused.status, refused.message) from None
        throttle.login_succeeded(email)
        request.auth = session.token  # the audit log names the session's token
        return Response(self._answer(request, session, secret))

    def get(self, request):
        session = sessions.current(request.auth)
        return Response(self._answer(request, session, self._sent_token(request)))

    def delete(self, request):
        sessions.logout(request.auth)
        return Response({"success": True})

    @staticmethod
    def _answer(request, session, secret) -> dict:
        role = Role.objects.filter(pk=session.token.role_id).first()
        return sessions.session_resource(session, role, secret, request.get_host())

    @staticmethod
    def _sent_token(request) -> str | None:
        return request.headers.get("X-DreamFactory-Session-Token") or request.query_params.get(
            "session_token"
        )
