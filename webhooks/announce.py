"""Events of models, uploads, environments, maintenance mode and build triggers (SPEC-2
§8.1), as their services emit them inside their transactions (records:
webhooks/records.py). Each builds its entity only when a webhook listens."""

from functools import partial

from environments.models import Environment
from environments.resources import environment_resource, maintenance_mode_resource
from webhooks import events


def item_type(event_type: str, item_type) -> None:
    """A model created, changed (a field of it too) or deleted."""
    events.emit_one(
        "item_type",
        event_type,
        partial(_item_type_body, item_type),
        item_type=item_type.pk,
    )


def _item_type_body(item_type) -> dict:
    from item_types.models import Field
    from item_types.resources import item_type_resource

    fields = Field.objects.filter(item_type_id=item_type.pk).order_by("position")
    return {
        "entity": item_type_resource(item_type, list(fields.values_list("id", flat=True))),
        "related_entities": [],
    }


class _NoRequest:
    """Where a payload's upload URL has no request to make it absolute: it stays as the
    storage gives it (absolute with a CDN or S3, the server's path otherwise)."""

    @staticmethod
    def build_absolute_uri(address: str) -> str:
        return address


def upload(event_type: str, upload) -> None:
    uploads(event_type, [upload])


def uploads(event_type: str, changed: list) -> None:
    """One event per upload, written in one statement (bulk tag, move, destroy)."""
    if not changed or not events.listening("upload"):
        return
    events.emit(
        [
            events.Event("upload", event_type, partial(_upload_body, upload), {"upload": upload.pk})
            for upload in changed
        ]
    )


def _upload_body(upload) -> dict:
    from uploads.resources import upload_resource

    return {"entity": upload_resource(upload, _NoRequest()), "related_entities": []}


def environment_promoted(environment) -> None:
    events.emit_one(
        "environment",
        "promote",
        lambda: {"entity": environment_resource(environment), "related_entities": []},
        environment=environment.name,
    )


def maintenance_mode_changed(mode) -> None:
    events.emit_one(
        "maintenance_mode",
        "change",
        lambda: {"entity": maintenance_mode_resource(mode), "related_entities": []},
    )


def build_trigger(event_type: str, trigger) -> None:
    """A build's progress: ``deploy_started`` (the CI took the request),
    ``deploy_succeeded``, ``deploy_failed``. It names the primary environment, which the
    site is built from, wherever the build was asked for."""
    if not events.listening("build_trigger"):
        return
    from build_triggers.resources import build_trigger_resource

    primary = Environment.primary_one()
    event = events.Event(
        "build_trigger",
        event_type,
        lambda: {"entity": build_trigger_resource(trigger), "related_entities": []},
        {"build_trigger": trigger.pk},
    )
    events.emit([event], where={"environment": primary.name, "is_environment_primary": True})
