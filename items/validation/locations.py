"""Where a value sits in a payload, and the error that names that place."""

from typing import NamedTuple

from cms.api.errors import ApiError, invalid_field


class Location(NamedTuple):
    """Where a value sits: the payload's top-level field, its locale, and the path down
    through blocks (indexes and inner field api_keys) when it is inside one. (A named
    tuple: one is made per value, and a big batch has a million values.)"""

    field: str
    locale: str | None = None
    path: tuple = ()

    def below(self, *steps) -> "Location":
        return Location(self.field, self.locale, self.path + tuple(s for s in steps if s != ""))

    def details(self) -> dict:
        details: dict = {"field": self.field}
        if self.locale is not None:
            details["locale"] = self.locale
        if self.path:
            details["path"] = [self.field, *([self.locale] if self.locale else []), *self.path]
        return details


def error_at(location: Location, code: str, **details) -> ApiError:
    """The value at ``location`` breaks the rule ``code`` (``details.code``)."""
    return invalid_field(**{**location.details(), "code": code, **details})
