"""ASGI entry point (Django's ASGI handler reads each body whole before the view runs)."""

import os

from cms.startup import require_secret_key

require_secret_key()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
