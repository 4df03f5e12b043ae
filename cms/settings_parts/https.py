"""Part of the settings (cms/settings.py imports every name here): HTTPS."""

import os

from cms.env import env_bool, env_list
from cms.settings_parts.limits import CMS_TRUSTED_PROXIES

# Served over HTTPS (README "HTTPS"): CMS_HTTPS=true redirects plain HTTP
# (but not the probes and metrics a load balancer calls on the inside), marks cookies
# secure and sends HSTS for CMS_HSTS_SECONDS. Behind a TLS-ending proxy (CMS_TRUSTED_PROXIES
# > 0) its X-Forwarded-Proto says whether the client used HTTPS.
CMS_HTTPS = env_bool("CMS_HTTPS", False)
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = CMS_HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = int(os.environ.get("CMS_HSTS_SECONDS", 3600)) if CMS_HTTPS else 0
# About the whole domain, so the operator's to choose (check --deploy names them until set).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CMS_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("CMS_HSTS_PRELOAD", False)
if CMS_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# W003: CSRF is checked by a subclass of Django's middleware (cms/admin_middleware.py),
# on the admin's paths only: the APIs authenticate with bearer tokens, never cookies.
SILENCED_SYSTEM_CHECKS = ["security.W003"]
