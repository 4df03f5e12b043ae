"""How environments and maintenance mode look on the wire (SPEC-2 §1.2, §1.4)."""

from cms.api.wire import timestamp
from environments.models import Environment, MaintenanceMode

MAINTENANCE_MODE_ID = "maintenance_mode"


def environment_resource(environment: Environment) -> dict:
    """No attributes and no relationships: everything is in ``meta``. ``forked_from``
    names the source by its current id (select_related it for lists)."""
    meta = {
        "status": environment.status,
        "read_only_mode": environment.read_only_mode,
        "created_at": timestamp(environment.created_at),
        "last_data_change_at": timestamp(environment.last_data_change_at),
        "primary": environment.primary,
        "forked_from": environment.forked_from.name if environment.forked_from else None,
    }
    if environment.status == Environment.Status.CREATING:
        meta["fork_completion_percentage"] = environment.fork_completion_percentage or 0
    return {"type": "environment", "id": environment.name, "meta": meta}


def maintenance_mode_resource(mode: MaintenanceMode) -> dict:
    return {
        "type": "maintenance_mode",
        "id": MAINTENANCE_MODE_ID,
        "attributes": {"active": mode.active},
    }
