"""An event written by the write itself: for a write whose answer is known before it runs
(a record's create on PostgreSQL's hot path, items/services/create_statement.py), the
event's row goes into the write's own statement, so it costs no round trip and commits
with the write, all or nothing.

The view makes a :class:`EventInWrite` with the status it will answer and how it renders
its answer; the write asks it for its rows (:meth:`EventInWrite.rows`) with what it is
about to write, and says when they were written (:meth:`EventInWrite.written`). The
middleware (audit_log/recording.py) then records nothing more, unless the request ended
with another status (an error after the write: that answer is recorded as well). A write
that didn't run that way (the general path, a lost race, a refusal) is recorded by the
middleware once answered, as any other.
"""

from collections.abc import Callable

import orjson

from audit_log import recording
from audit_log.models import AuditLogEvent
from cms.api.rendering import JSONRenderer
from cms.models import ApiToken

_COLUMNS = tuple(recording.COLUMNS)
_PAYLOADS = tuple(recording.JSON_COLUMNS)


class EventInWrite:
    def __init__(self, request, status: int, answer_of: Callable[[object], dict]):
        self.request = request  # DRF's
        self.status = status
        self.answer_of = answer_of
        self._answer: dict | None = None
        self._written = False

    def rows(self, written) -> list[tuple]:
        """``[(model, columns, JSON array of rows)]`` for the write to insert with what it
        writes (``written``, which the answer renders); none when the request records
        no event."""
        self._answer = answer = self.answer_of(written)
        token = getattr(self.request, "auth", None)
        if not isinstance(token, ApiToken):
            return []
        body = JSONRenderer().render(answer)
        django_request = self.request._request
        event = recording.api_event(
            django_request,
            token,
            self.request,
            self.status,
            recording.answered_json(body, answer),
        )
        if event is None:
            return []
        for column in _PAYLOADS:  # JSON text, as it goes in: a value of the row's JSON
            if event[column] is not None:
                event[column] = orjson.Fragment(event[column])
        return [(AuditLogEvent, _COLUMNS, orjson.dumps([event]).decode())]

    def written(self) -> None:
        """The rows went in with the write, which committed (or will, with its caller's
        transaction)."""
        self._written = True
        setattr(self.request._request, recording.WRITTEN_WITH_THE_WRITE, self.status)

    def answer(self, written) -> dict:
        """The view's answer: the one the event holds when it was written with the write."""
        if self._written and self._answer is not None:
            return self._answer
        return self.answer_of(written)
