"""The menus' job: a reorder (menus/reordering.py), run in the environment it was asked in.
Rerunnable: applying the same reorder twice leaves the menu as once."""

import jobs
from environments.scoped_jobs import running_here
from menus.kinds import MENUS, Menu
from menus.reordering import reorder as apply_reorder
from menus.selectors import menu_resources


@jobs.handler("menus.reorder", rerunnable=True)
def reorder(job):
    return run_reorder(MENUS[job.arguments["menu"]], job)


def run_reorder(menu: Menu, job):
    """A reorder job of any tree a :class:`Menu` describes (upload collections too)."""
    with running_here(job):
        ids = apply_reorder(menu, data=job.arguments["data"])
        resources = {resource["id"]: resource for resource in menu_resources(menu, ids)}
    return 200, {"data": [resources[id_] for id_ in ids]}
