"""What the record API's write tests read back: a record's values, everything a write
touches, DreamFactory's error."""

from items.models import Item, ItemVersion, UniqueValue
from webhooks.models import WebhookCall


def values(api, record_id) -> dict:
    """The record as the Content Management API reads it."""
    return api.get(f"/items/{record_id}").body["data"]["attributes"]


def snapshot() -> tuple:
    """Everything a write touches: the records' values and versions."""
    return (
        sorted(Item.objects.values_list("id", "data", "current_version")),
        ItemVersion.objects.count(),
        UniqueValue.objects.count(),
        WebhookCall.objects.count(),
    )


def _df_error(response, status: int) -> dict:
    assert response.status_code == status, response.body
    error = response.body["error"]
    assert error["status_code"] == status and error["message"]
    return error
