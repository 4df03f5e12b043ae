"""Job handlers by kind: what a worker runs for a job, and whether it may run it twice.

Each app declares its handlers in its ``tasks.py`` (imported when Django starts, see
:mod:`jobs.apps`)::

    @jobs.handler("environments.fork", rerunnable=True)
    def fork(job):
        ...
        return 200, {"data": environment_resource(environment)}

A handler gets the :class:`jobs.models.Job` and returns ``(status, payload)``: the HTTP
status and the JSON body the synchronous endpoint would have answered. It may raise
:class:`cms.api.errors.ApiError` instead: the job then fails with that error's status and
document. ``rerunnable`` says whether a job whose worker died mid-run may be run again from
the start (the handler is idempotent, or cleans up what a dead run left); if not, such a
job is reported failed (``JOB_INTERRUPTED``). Every handler must decide, so it is required.
``on_failure(job)``, if given, is called once the job has failed for good (its handler
failed, or the recovery pass gave up on it): to undo what the request started (a fork's
``creating`` environment, say).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Handler:
    kind: str
    run: Callable
    rerunnable: bool
    on_failure: Callable | None = None


_handlers: dict[str, Handler] = {}


def handler(kind: str, *, rerunnable: bool, on_failure: Callable | None = None):
    """Register the decorated function as the handler of jobs of ``kind``."""

    def register(function):
        known = _handlers.get(kind)
        if known is not None and known.run is not function:
            raise ImproperlyConfigured(f"Two handlers for jobs of kind {kind!r}")
        _handlers[kind] = Handler(kind, function, rerunnable, on_failure)
        return function

    return register


def find(kind: str) -> Handler | None:
    return _handlers.get(kind)


@dataclass(frozen=True)
class Periodic:
    name: str
    run: Callable
    interval: Callable[[], float]  # seconds, read when the worker starts (settings)


_periodic: dict[str, Periodic] = {}


def periodic(name: str, *, interval: Callable[[], float]):
    """Register the decorated function to run in every worker process, on a thread of
    its own, every ``interval()`` seconds (it must be safe with many workers at once:
    what it claims, it claims with a conditional statement)."""

    def register(function):
        _periodic[name] = Periodic(name, function, interval)
        return function

    return register


def periodic_tasks() -> list[Periodic]:
    return list(_periodic.values())
