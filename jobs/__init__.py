"""Background jobs on a task queue, and DatoCMS's async job protocol (SPEC-2 §6).

What the rest of the code uses::

    import jobs

    @jobs.handler("environments.fork", rerunnable=True)     # in an app's tasks.py
    def fork(job): ...                                       # -> (status, payload)

    @jobs.periodic("schedules.run_due", interval=lambda: 2)  # every worker, every 2 s
    def run_due(): ...

    job = jobs.submit("environments.fork", {"source": "main"}, environment="main")
    return jobs.accepted(job)                                # the 202 answer

Modules: ``registry`` (handlers), ``models`` (the Job row), ``services`` (submit),
``queue`` (Huey), ``runner`` (claim, run, record), ``recovery`` (lost jobs and messages),
``worker`` (the process), ``resources`` and ``views`` (the wire documents).
"""

from jobs.registry import handler, periodic

__all__ = ["accepted", "handler", "periodic", "run", "submit"]


def __getattr__(name):
    # These need the models, which can't be imported while Django loads this package.
    if name == "submit":
        from jobs.services import submit

        return submit
    if name == "accepted":
        from jobs.resources import accepted

        return accepted
    if name == "run":
        from jobs.runner import run

        return run
    raise AttributeError(f"module 'jobs' has no attribute {name!r}")
