"""Part of the settings (cms/settings.py imports every name here): failed-authentication
throttles, rate limits, and how many proxies' X-Forwarded-For to trust."""

import os

# Failed authentication (cms/throttle.py): bad API tokens and admin logins per client
# address, admin logins per username too; over the limit, 429 until the window ends.
CMS_AUTH_FAILURES_PER_ADDRESS = int(os.environ.get("CMS_AUTH_FAILURES_PER_ADDRESS", 20))
CMS_AUTH_ADDRESS_WINDOW = int(os.environ.get("CMS_AUTH_ADDRESS_WINDOW", 60))
CMS_LOGIN_FAILURES_PER_USER = int(os.environ.get("CMS_LOGIN_FAILURES_PER_USER", 10))
CMS_LOGIN_USER_WINDOW = int(os.environ.get("CMS_LOGIN_USER_WINDOW", 15 * 60))
# Rate limits on the APIs (cms/rate_limits.py), per token (else per client address), in
# fixed windows of CMS_RATE_LIMIT_WINDOW seconds: requests on the Content Management API
# (DatoCMS's 60 per 3 s), records on the record API (a batch of 1,000 counts 1,000; any
# other request 1). 0 turns a limit off. Counted in CACHES: shared by every process with
# REDIS_URL. Benchmarks raise them (bench/harness.py).
CMS_RATE_LIMIT_REQUESTS = int(os.environ.get("CMS_RATE_LIMIT_REQUESTS", 60))
CMS_RATE_LIMIT_RECORDS = int(os.environ.get("CMS_RATE_LIMIT_RECORDS", 10_000))
CMS_RATE_LIMIT_WINDOW = int(os.environ.get("CMS_RATE_LIMIT_WINDOW", 3))
# How many proxies in front of the server append to X-Forwarded-For; 0 trusts none, and the
# client address is REMOTE_ADDR.
CMS_TRUSTED_PROXIES = int(os.environ.get("CMS_TRUSTED_PROXIES", 0))

# DreamFactory sessions (POST /api/v2/user/session, access/sessions.py): a session_token
# works this many seconds after its login (DreamFactory's default: a day), or until logout.
CMS_SESSION_LIFETIME = int(os.environ.get("CMS_SESSION_LIFETIME", 24 * 60 * 60))
