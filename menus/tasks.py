"""The menus' job: a reorder (menus/reordering.py), run in the environment it was asked in.
Rerunnable: applying the same reorder twice leaves the menu as once."""

import jobs
from cms.api.errors import ApiError
from environments import access, selection
from environments.models import Environment, MaintenanceMode
from menus.kinds import MENUS
from menus.reordering import reorder as apply_reorder
from menus.selectors import menu_resources


@jobs.handler("menus.reorder", rerunnable=True)
def reorder(job):
    menu = MENUS[job.arguments["menu"]]
    environment = Environment.objects.filter(
        pk=job.arguments["environment"], status=Environment.Status.READY
    ).first()
    if environment is None:
        raise ApiError(
            "ENVIRONMENT_NOT_FOUND",
            404,
            environment=job.environment,
            message="The environment of this reorder was destroyed.",
        )
    # Maintenance mode may have been turned on since the request.
    access.refuse_locked_writes(access.Selected.of(environment, MaintenanceMode.load().active))
    with selection.using(environment.storage):
        ids = apply_reorder(menu, data=job.arguments["data"])
        resources = {resource["id"]: resource for resource in menu_resources(menu, ids)}
    return 200, {"data": [resources[id_] for id_ in ids]}
