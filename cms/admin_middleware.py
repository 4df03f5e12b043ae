"""Django's session, CSRF, user and message middleware, run only where they are used.

The admin (``/admin/``) needs all four. The APIs authenticate with a token and never touch
a session, a CSRF token, ``request.user`` or messages; on their paths each of these hands
the request straight on (one prefix test instead of building a lazy session, user and
message store per request, and parsing cookies), which answers exactly as before: the API
never read the session (so no ``Vary: Cookie``, no cookie), and its views are all
CSRF-exempt. ``/media/`` keeps the whole stack too: its file view is not CSRF-exempt, and
an unsafe method there is refused by the CSRF check today.

Everything else in ``MIDDLEWARE`` (CORS, security headers, ``X-Frame-Options``, the host
check and ``Content-Length`` of ``CommonMiddleware``, ours) still runs on every path.
"""

from django.contrib.auth.middleware import AuthenticationMiddleware as _Authentication
from django.contrib.messages.middleware import MessageMiddleware as _Messages
from django.contrib.sessions.middleware import SessionMiddleware as _Sessions
from django.middleware.csrf import CsrfViewMiddleware as _Csrf

FULL_STACK_PREFIXES = ("/admin/", "/media/")


def needs_full_stack(request) -> bool:
    return request.path_info.startswith(FULL_STACK_PREFIXES)


class _FullStackPathsOnly:
    """Runs the middleware it is mixed into on the full stack's paths only."""

    def __call__(self, request):
        if needs_full_stack(request):
            return super().__call__(request)
        return self.get_response(request)


class SessionMiddleware(_FullStackPathsOnly, _Sessions):
    pass


class CsrfViewMiddleware(_FullStackPathsOnly, _Csrf):
    def process_view(self, request, callback, callback_args, callback_kwargs):
        # (Django calls it apart from __call__.) Elsewhere every view is CSRF-exempt, so
        # the check would pass them anyway.
        if needs_full_stack(request):
            return super().process_view(request, callback, callback_args, callback_kwargs)
        return None


class AuthenticationMiddleware(_FullStackPathsOnly, _Authentication):
    pass


class MessageMiddleware(_FullStackPathsOnly, _Messages):
    pass
