"""Scheduled publication and unpublishing of records (SPEC-2 §5), per environment."""
