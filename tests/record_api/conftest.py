"""The record API tests' shared fixtures: ``people`` (tests/record_api/people.py) and
``library`` (tests/record_api/library.py)."""

from tests.record_api.library import library  # noqa: F401
from tests.record_api.people import people  # noqa: F401
