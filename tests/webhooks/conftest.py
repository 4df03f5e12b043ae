import pytest

from cms import outbound
from tests.webhooks.receiver import Receiver


@pytest.fixture(autouse=True)
def _no_kept_connections():
    """Each test's receivers are its own: no connection kept from another's."""
    outbound.close_idle()
    yield
    outbound.close_idle()


@pytest.fixture
def receiver(settings):
    settings.CMS_WEBHOOK_ALLOWED_NETWORKS = "127.0.0.0/8"
    settings.CMS_WEBHOOK_RETRY_DELAYS = [0.0, 0.0, 0.0]
    found = Receiver()
    yield found
    found.close()


def webhook_body(url, **attributes) -> dict:
    return {
        "data": {
            "type": "webhook",
            "attributes": {
                "name": attributes.pop("name", "hook"),
                "url": url,
                "custom_payload": None,
                "headers": {},
                "events": [
                    {
                        "entity_type": "item",
                        "event_types": ["create", "update", "delete", "publish", "unpublish"],
                    }
                ],
                "http_basic_user": None,
                "http_basic_password": None,
                **attributes,
            },
        }
    }
