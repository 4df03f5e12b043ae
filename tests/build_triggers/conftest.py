import pytest

from tests.menus.conftest import queue  # noqa: F401  (a fixture)
from tests.webhooks.conftest import receiver  # noqa: F401  (a fixture)


def trigger_body(url="https://ci.example.com/build", **attributes) -> dict:
    return {
        "data": {
            "type": "build_trigger",
            "attributes": {
                "name": attributes.pop("name", "Production"),
                "adapter": "custom",
                "adapter_settings": {
                    "trigger_url": url,
                    "headers": {"Authorization": "Bearer ci-secret"},
                    "payload": {"type": "build_request", "branch": "main"},
                },
                "frontend_url": "https://www.example.com/",
                "autotrigger_on_scheduled_publications": False,
                **attributes,
            },
        }
    }


def create(api, url="https://ci.example.com/build", **attributes) -> dict:
    response = api.post("/build-triggers", trigger_body(url, **attributes))
    assert response.status_code == 201, response.body
    return response.body["data"]


@pytest.fixture
def results_client(db):
    """The CI's side: no API token, the body it POSTs to ``webhook_url``."""
    from tests.conftest import Api

    return Api(None)
