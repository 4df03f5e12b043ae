"""An event written by the write itself. For a write whose answer is known before it
commits, the event goes in with the write and costs no round trip of its own: one more
row of the write's one statement (a record's create on PostgreSQL's hot path,
items/services/create_statement.py), or one more statement of the write's transaction
(the record API's batch create). It commits with the write, or rolls back with it.

The view makes an :class:`EventInWrite` with the function that answers from what was
written (a DRF ``Response``); the write asks for the event's rows (:meth:`EventInWrite.rows`)
or has it inserted (:meth:`EventInWrite.insert`) with what it is about to commit, says
when that committed (:meth:`EventInWrite.written`), and the view answers with
:meth:`EventInWrite.response`. The middleware (audit_log/recording.py) then records
nothing more, unless the request ended with another status (an error after the write:
that answer is recorded too). A write that didn't commit that way (the general path, a
lost race, a refusal) is recorded by the middleware once answered, as any other.
"""

from collections.abc import Callable

import orjson
from rest_framework.response import Response

from audit_log import recording
from audit_log.models import AuditLogEvent
from cms.api.rendering import render_ahead
from cms.models import ApiToken

_COLUMNS = tuple(recording.COLUMNS)
_PAYLOADS = tuple(recording.JSON_COLUMNS)


class EventInWrite:
    def __init__(self, request, answer_of: Callable[[object], Response]):
        self.request = request  # DRF's
        self.answer_of = answer_of
        self._answer: Response | None = None
        self._written = False

    def _event(self, written) -> dict | None:
        """The event of the answer to ``written`` (kept for :meth:`response`); None when
        the request records none."""
        self._answer = answer = self.answer_of(written)
        token = getattr(self.request, "auth", None)
        if not isinstance(token, ApiToken):
            return None
        body = render_ahead(answer)
        return recording.api_event(
            self.request._request,
            token,
            self.request,
            answer.status_code,
            recording.answered_json(body, answer.data),
        )

    def rows(self, written) -> list[tuple]:
        """``[(model, columns, JSON array of rows)]`` for the write's statement to insert
        with what it writes (``written``, which the answer renders)."""
        event = self._event(written)
        if event is None:
            return []
        for column in _PAYLOADS:  # JSON text, as it goes in: a value of the row's JSON
            if event[column] is not None:
                event[column] = orjson.Fragment(event[column])
        return [(AuditLogEvent, _COLUMNS, orjson.dumps([event]).decode())]

    def insert(self, written) -> None:
        """Inside the write's transaction, before it commits."""
        event = self._event(written)
        if event is not None:
            recording.insert_in_transaction(event)

    def written(self) -> None:
        """The event went in with the write, which committed (or will, with its caller's
        transaction)."""
        self._written = True
        status = self._answer.status_code
        setattr(self.request._request, recording.WRITTEN_WITH_THE_WRITE, status)

    def response(self, written) -> Response:
        """The view's answer: the one the event holds when it was written with the write."""
        if self._written and self._answer is not None:
            return self._answer
        return self.answer_of(written)
