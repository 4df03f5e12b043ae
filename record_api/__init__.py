"""The DreamFactory-style record API under ``/rest/``: its views, the ``filter`` and
``order`` parameters (parsed, bounded, compiled to ``Q`` objects), its read query and its
batch create.

Not a Django app (it has no models): a layer over ``items``, which it reads and writes
through ``items``' services, selectors and resources; nothing else imports it.
"""
