"""Counting PostgreSQL round trips: what the driver sends, read from libpq's trace.

A round trip is a turn of the conversation: the client sends one or more messages, then
waits for the server's answer. In libpq's trace every line says who spoke (``F``: the
client, ``B``: the server), so the round trips are the turns from ``F`` to ``B``. That
counts what no Django hook sees: ``BEGIN`` and ``COMMIT`` (psycopg sends them itself),
the SETs of :mod:`cms.db`, a ``COPY``'s two turns, and every connection a request takes
from the pool.

    with RoundTrips() as trips:
        api.post("/items", ...)
    trips.count, trips.statements

Only meaningful on a connection that is not inside a test's transaction
(``transactional_db``): there, ``BEGIN``/``COMMIT`` would be savepoints.
"""

import re
import tempfile

from django.db.backends.signals import connection_created
from psycopg import pq

# A trace line: direction, length, message type, then the message's fields.
_LINE = re.compile(r"^(?P<who>[FB])\t\d+\t(?P<kind>\w+)(?:\t (?P<rest>.*))?$")


class RoundTrips:
    """Traces every connection Django opens (or takes from the pool) meanwhile, and the
    one already open; ``count`` and ``statements`` are read after the block."""

    def __init__(self, connection=None):
        from django.db import connection as default

        self.connection = connection or default
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 (closed at the block's end)
        self.traced = []
        self.count = 0
        self.statements: list[str] = []

    def _trace(self, pgconn) -> None:
        if pgconn in self.traced:
            return
        pgconn.trace(self.file.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        self.traced.append(pgconn)

    def _on_connection(self, sender, connection, **kwargs):
        if connection.vendor == "postgresql":
            self._trace(connection.connection.pgconn)

    def __enter__(self) -> "RoundTrips":
        connection_created.connect(self._on_connection)
        if self.connection.vendor == "postgresql" and self.connection.connection is not None:
            self._trace(self.connection.connection.pgconn)
        return self

    def __exit__(self, *exc) -> None:
        connection_created.disconnect(self._on_connection)
        for pgconn in self.traced:
            pgconn.untrace()
        self.file.seek(0)
        self._read(self.file.read().decode(errors="replace"))
        self.file.close()

    def _read(self, text: str) -> None:
        speaker = None
        for line in text.splitlines():
            match = _LINE.match(line)
            if match is None:
                continue
            who, kind, rest = match["who"], match["kind"], match["rest"] or ""
            if who == "F" and kind in ("Query", "Parse"):
                self.statements.append(_sql_of(kind, rest))
            if who == "B" and speaker == "F":
                self.count += 1
            speaker = who

    def __str__(self) -> str:
        lines = [f"{self.count} round trips:"]
        lines += [f"  {sql[:160]}" for sql in self.statements]
        return "\n".join(lines)


def _sql_of(kind: str, rest: str) -> str:
    """The SQL of a Query line (``"..."``) or a Parse line (``"name" "..." n ...``); the
    trace doesn't escape the quotes inside, so the SQL runs to the last one."""
    if kind == "Parse":
        rest = re.sub(r'^"[^"]*" ', "", rest)
        rest = re.sub(r"( \d+)+$", "", rest)
    return rest.strip()[1:-1]
