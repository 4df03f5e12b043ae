"""DreamFactory's user sessions (``/api/v2/user/session``): a Django user logs in with
their email and password and gets a ``session_token``, which the record API takes as
``X-DreamFactory-Session-Token`` (or ``session_token=``) with the user's role.

A session is a hidden API token (``hardcoded_type`` :data:`SESSION_TYPE`) with the user's
bound role (a superuser without one: the built-in Admin role), so everything that knows
tokens (permissions, rate limits, the audit log, creators) knows sessions too. Its secret
is the session token, checked by its hash and never kept readable; it works until
``CMS_SESSION_LIFETIME`` seconds after the login, or until the logout deletes it.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.timezone import now

from access.models import Role, StaffRole, UserSession
from cms.models import ApiToken

SESSION_TYPE = "dreamfactory_session"


class LoginRefused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def is_session(token) -> bool:
    return getattr(token, "hardcoded_type", None) == SESSION_TYPE


def _user(email: str, password: str) -> User:
    """The active user with this email and password (emails aren't unique in Django's
    users: any of them whose password matches)."""
    users = list(User.objects.filter(email__iexact=email, is_active=True))
    for user in users:
        if user.check_password(password):
            return user
    if not users:
        User().set_password(password)  # as long as a wrong password: no telling who exists
    raise LoginRefused(401, "Invalid credentials supplied.")


def role_of(user: User) -> Role:
    binding = StaffRole.objects.filter(user=user).select_related("role").first()
    if binding is not None:
        return binding.role
    if user.is_superuser:
        return Role.named("admin")
    raise LoginRefused(403, "This user has no role: bind one in the admin (or bind_role).")


def login(email: str, password: str) -> tuple[UserSession, str]:
    """A new session and its token; LoginRefused (nothing written) otherwise."""
    user = _user(email, password)
    role = role_of(user)
    with transaction.atomic():
        token = ApiToken(
            name=f"DreamFactory session of {user.get_username()}"[:200],
            role=role,
            hardcoded_type=SESSION_TYPE,
        )
        secret = token.set_new_secret()
        token.secret_encrypted = None  # a session token is never shown again
        token.save()
        moment = now()
        session = UserSession.objects.create(
            token=token,
            user=user,
            created_at=moment,
            expires_at=moment + timedelta(seconds=settings.CMS_SESSION_LIFETIME),
        )
        User.objects.filter(pk=user.pk).update(last_login=moment)
        # Sessions that ended without a logout go when their user logs in again.
        ApiToken.objects.filter(session__user=user, session__expires_at__lte=moment).delete()
    return session, secret


def current(token: ApiToken) -> UserSession | None:
    """The live session behind a session token (None: expired, and then deleted)."""
    session = UserSession.objects.filter(token_id=token.pk).select_related("user").first()
    if session is None:
        return None
    if session.expires_at <= now() or not session.user.is_active:
        ApiToken.objects.filter(pk=token.pk).delete()
        return None
    return session


def logout(token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, hardcoded_type=SESSION_TYPE).delete()


def _date(moment) -> str | None:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else None


def session_resource(session: UserSession, role: Role | None, secret: str | None, host) -> dict:
    """DreamFactory's session object (``session_token`` only when it is known: at login,
    or sent with the request)."""
    user = session.user
    name = f"{user.first_name} {user.last_name}".strip() or user.get_username()
    return {
        "session_token": secret,
        "session_id": secret,
        "id": user.pk,
        "name": name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_sys_admin": user.is_superuser,
        "last_login_date": _date(session.created_at),
        "host": host,
        "role": role.name if role else None,
        "role_id": role.pk if role else None,
        "token_expiry_date": _date(session.expires_at),
    }
