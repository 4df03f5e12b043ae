"""Changes to environments that copy nothing (promote, rename) and to maintenance mode.

Environment rows are few: each change locks them all, so that two promotes (or a promote
and a rename) run one after the other, and exactly one environment is primary after each.
"""

from django.db import IntegrityError, transaction
from django.utils.timezone import now

from access import environments as access_environments
from cms.api.errors import ApiError, invalid_field
from environments.models import Environment, MaintenanceMode, is_environment_name
from webhooks import announce as webhook_events


def find(name: str) -> Environment:
    environment = Environment.objects.select_related("forked_from").filter(name=name).first()
    if environment is None:
        raise ApiError("NOT_FOUND", 404, environment=name)
    return environment


def listed() -> list[Environment]:
    if not Environment.objects.exists():
        Environment.primary_one()  # a project whose table was emptied gets main back
    return list(Environment.objects.select_related("forked_from"))


def locked(name: str) -> Environment:
    rows = {e.name: e for e in Environment.objects.select_for_update().order_by("pk")}
    environment = rows.get(name)
    if environment is None:
        raise ApiError("NOT_FOUND", 404, environment=name)
    if not environment.is_ready:
        raise ApiError(
            "ENVIRONMENT_NOT_READY",
            409,
            environment=name,
            status=environment.status,
            message=f"The environment {name!r} is {environment.status}.",
        )
    return environment


def promote(name: str) -> Environment:
    """``name`` becomes the primary environment; the old primary becomes a sandbox.
    Header-less requests work in it from the next one on."""
    with transaction.atomic():
        environment = locked(name)
        if not environment.primary:
            # Two statements: the unique index on the primary flag sees one row at a time.
            Environment.objects.filter(primary=True).update(primary=False)
            Environment.objects.filter(pk=environment.pk).update(primary=True)
            webhook_events.environment_promoted(find(name))
    return find(name)


def rename(name: str, new_name) -> Environment:
    """The environment's id becomes ``new_name``; its data stays where it is."""
    check_new_name(new_name)
    try:
        with transaction.atomic():
            environment = locked(name)
            if new_name != name:
                if Environment.objects.filter(name=new_name).exists():
                    raise name_taken(new_name)
                Environment.objects.filter(pk=environment.pk).update(name=new_name)
                access_environments.renamed(name, new_name)
    except IntegrityError as error:  # taken by a concurrent rename or fork
        raise name_taken(new_name) from error
    return find(new_name)


def check_new_name(new_name) -> None:
    """A new environment id (a rename's, a fork's) is given and well formed."""
    if new_name is None:
        raise invalid_field("name", "VALIDATION_REQUIRED", message="Give the new id in data.id.")
    if not is_environment_name(new_name):
        raise invalid_field(
            "name",
            "VALIDATION_FORMAT",
            message="An environment id is lowercase letters, digits and dashes.",
            value=new_name if isinstance(new_name, str) else None,
        )


def name_taken(new_name: str) -> ApiError:
    return invalid_field(
        "name",
        "VALIDATION_UNIQUENESS",
        message=f"An environment is already called {new_name!r}.",
        value=new_name,
    )


def set_maintenance_mode(active: bool) -> MaintenanceMode:
    """Turn maintenance mode on or off. There are no editing sessions to wait for (no
    editor works here through sessions), so activating never needs ``force``."""
    with transaction.atomic():
        MaintenanceMode.load()
        mode = MaintenanceMode.objects.select_for_update().get(pk=MaintenanceMode.SINGLETON_ID)
        if mode.active != active:
            mode.active = active
            mode.changed_at = now()
            mode.save(update_fields=["active", "changed_at"])
            webhook_events.maintenance_mode_changed(mode)
    return mode
