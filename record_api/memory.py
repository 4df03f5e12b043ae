"""Giving back the memory a big batch took, once its answer is sent.

A request's objects sit in reference cycles (DRF's view and request point at each other,
and the request's parsed body hangs off them), so they are freed only when Python's cycle
collector gets to them. It collects the oldest generation rarely, so a worker that took
a 10,000-record batch kept its tens of megabytes, and each later batch added its own
(measured: +38, +58, +75 MB after three). So after a big batch's answer is closed:

1. the answer lets go of the view and the request (it held them only to render);
2. a moment later, once the server has dropped the answer too, one full collection
   frees the request's cycles (and empties Python's free lists, which would keep pools of
   the batch's memory alive);
3. then glibc's ``malloc_trim(0)`` hands the freed pages back to the system (glibc keeps
   them for later allocations otherwise).

Steps 2 and 3 run on a thread of their own, so no request waits for them, and only after
big batches (a full collection takes some milliseconds).
"""

import ctypes
import ctypes.util
import gc
import threading
import time

#: Bodies from this size on are given back after their answer (a 10,000-record batch of
#: six small fields is about 3 MB; one record is at most CMS_MAX_RECORD_BYTES, 2 MiB).
GIVE_BACK_FROM_BYTES = 2 * 1024 * 1024
#: How long after the answer is closed: the server drops it (and the body it read) first.
DELAY_SECONDS = 0.2


def _load_trim():
    """glibc's ``malloc_trim``, or None (another C library, or not Linux)."""
    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


class _GiveBack:
    """A daemon thread per process, woken after each big answer."""

    def __init__(self):
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._trim = _load_trim()
        self.rounds = 0  # how many times it gave back (for tests)

    def soon(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="give-back", daemon=True)
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            time.sleep(DELAY_SECONDS)
            self._wake.clear()  # answers closed meanwhile are covered by this round
            gc.collect()
            if self._trim is not None:
                self._trim(0)
            self.rounds += 1


_give_back = _GiveBack()


def give_back_after(request, response) -> None:
    """Once ``response`` is closed (sent), free what a big ``request`` took."""
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = 0
    if size < GIVE_BACK_FROM_BYTES:
        return

    def let_go():
        response.renderer_context = None  # the view and the request: rendered already
        _give_back.soon()

    # Run by the server's close() of the answer (after it is sent), not before.
    response._resource_closers.append(let_go)
