"""The environments' jobs: a fork's copy and a destroy's drop (environments/forking.py).
Both are rerunnable: a copy is all-or-nothing and a drop finds what a dead run left."""

import jobs
from environments import forking
from environments.resources import environment_resource


def _fork_failed(job) -> None:
    forking.abandon_fork(job.arguments["environment"], fast=job.arguments["fast"])


@jobs.handler("environments.fork", rerunnable=True, on_failure=_fork_failed)
def fork(job):
    arguments = job.arguments
    environment = forking.complete_fork(arguments["environment"], fast=arguments["fast"])
    return 200, {"data": environment_resource(environment)}


@jobs.handler("environments.destroy", rerunnable=True)
def destroy(job):
    environment = forking.complete_destroy(job.arguments["environment"])
    payload = environment_resource(environment) if environment else job.arguments["resource"]
    return 200, {"data": payload}
