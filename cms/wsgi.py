"""WSGI entry point of the production server (see README "Production")."""

import os

from cms.startup import BufferedBodyMiddleware, freeze_loaded_objects, require_secret_key

require_secret_key()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")

from django.conf import settings  # noqa: E402  (after the check: settings would make a key)
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = BufferedBodyMiddleware(
    get_wsgi_application(),
    limit=max(settings.CMS_MAX_BATCH_BYTES, settings.CMS_MAX_UPLOAD_BYTES),
    memory_limit=settings.FILE_UPLOAD_MAX_MEMORY_SIZE,
)
freeze_loaded_objects()
