"""Build triggers (SPEC-2 §9): project-wide, like DatoCMS's. ``trigger`` queues a build
request that a worker POSTs to the CI (build_triggers/sending.py, through cms/outbound.py);
the CI reports back on the trigger's ``webhook_url`` (build_triggers/results.py)."""
