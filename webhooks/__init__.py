"""Webhooks (SPEC-2 §8): project-wide resources, events emitted by the write services,
delivered by the workers (webhooks/delivery.py) through cms/outbound.py."""
