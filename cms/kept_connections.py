"""Connections kept open between outbound requests (cms/outbound.py's ``keep_alive``):
per thread, one per destination, bounded in number and idle time."""

import select
import threading
import time
from collections.abc import Callable


class Idle:
    """One thread's kept connections, one per destination (scheme, host, port), at most
    ``MAX_IDLE``, each for ``IDLE_SECONDS`` at most. Taking one checks again that the
    address it is connected to is allowed (the setting may have changed) and that the
    receiver hasn't closed it or sent anything unasked."""

    MAX_IDLE = 8
    IDLE_SECONDS = 30.0

    def __init__(self):
        self.kept: dict[tuple, tuple] = {}  # destination -> (connection, since)

    def take(self, destination: tuple, allowed: Callable[[str], bool]):
        self.close_expired()
        connection, _ = self.kept.pop(destination, (None, None))
        if connection is None:
            return None
        try:
            sock = connection.sock
            usable = allowed(sock.getpeername()[0])
            usable = usable and not select.select([sock], [], [], 0)[0]
        except (OSError, ValueError, AttributeError):
            usable = False
        if not usable:
            connection.close()
            return None
        return connection

    def give(self, destination: tuple, connection) -> None:
        if len(self.kept) >= self.MAX_IDLE:
            oldest = min(self.kept, key=lambda key: self.kept[key][1])
            self.kept.pop(oldest)[0].close()
        self.kept[destination] = (connection, time.monotonic())

    def close_expired(self) -> None:
        limit = time.monotonic() - self.IDLE_SECONDS
        for destination, (connection, since) in list(self.kept.items()):
            if since < limit:
                del self.kept[destination]
                connection.close()

    def close(self) -> None:
        for connection, _ in self.kept.values():
            connection.close()
        self.kept.clear()


_local = threading.local()


def of_this_thread() -> Idle:
    found = getattr(_local, "idle", None)
    if found is None:
        found = _local.idle = Idle()
    return found


def close_all() -> None:
    """Close this thread's kept connections."""
    found = getattr(_local, "idle", None)
    if found is not None:
        found.close()
