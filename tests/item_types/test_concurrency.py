"""Uniqueness holds under concurrent requests: the database decides, not a prior check."""

from item_types.models import ItemType
from tests.conftest import Api, race


def test_concurrent_creates_with_one_api_key_exactly_one_wins(racing_api):
    def create(index):
        body = {
            "data": {
                "type": "item_type",
                "attributes": {"name": f"Post {index}", "api_key": "post"},
            }
        }
        response = Api(racing_api.token).post("/item-types", body)
        return response.status_code, response.body

    statuses = race(6, create)
    codes = sorted(status for status, _ in statuses)
    assert codes == [201, 422, 422, 422, 422, 422], statuses
    for status, body in statuses:
        if status == 422:
            details = body["data"][0]["attributes"]["details"]
            assert (details["field"], details["code"]) == ("api_key", "VALIDATION_UNIQUENESS")
    assert ItemType.objects.filter(api_key="post").count() == 1
