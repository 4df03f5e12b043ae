"""A client written the way DreamFactory's documentation shows its database service calls
(plain ``requests``, ``X-DreamFactory-Api-Key``, ``/api/v2/<service>/_table/<table>``, the
``resource`` wrapper), against the production server (``manage.py serve``) on a fresh
database: the schema is made through the Content Management API, then the client reads the
tables and the schema, creates records and reads them back every way it documents."""

import requests

from tests.serving import serving


class DreamFactoryClient:
    """What a DreamFactory user's script holds: the instance, the service and the key."""

    def __init__(self, url: str, api_key: str, service: str = "db"):
        self.base = f"{url}/api/v2/{service}"
        self.session = requests.Session()
        self.session.headers.update(
            {"X-DreamFactory-Api-Key": api_key, "Content-Type": "application/json"}
        )

    def tables(self) -> list[str]:
        response = self.session.get(f"{self.base}/_table", timeout=30)
        response.raise_for_status()
        return [table["name"] for table in response.json()["resource"]]

    def schema(self, table: str) -> dict:
        response = self.session.get(f"{self.base}/_schema/{table}", timeout=30)
        response.raise_for_status()
        return response.json()

    def create(self, table: str, records: list[dict], fields: str = "*") -> list[dict]:
        response = self.session.post(
            f"{self.base}/_table/{table}",
            json={"resource": records},
            params={"fields": fields},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()["resource"]

    def get(self, table: str, **params):
        return self.session.get(f"{self.base}/_table/{table}", params=params, timeout=30)

    def get_by_id(self, table: str, record_id: str, **params) -> dict:
        response = self.session.get(
            f"{self.base}/_table/{table}/{record_id}", params=params, timeout=30
        )
        response.raise_for_status()
        return response.json()

    def get_by_post(self, table: str, body: dict) -> list[dict]:
        response = self.session.post(
            f"{self.base}/_table/{table}", json=body, headers={"X-HTTP-Method": "GET"}, timeout=30
        )
        response.raise_for_status()
        return response.json()["resource"]


def _schema_through_the_cma(served) -> None:
    def ok(method, path, body):
        status, answer = served.request(method, path, body)
        assert status in (200, 201), answer
        return answer["data"]

    def model(api_key):
        attributes = {"name": api_key.title(), "api_key": api_key}
        return ok("POST", "/item-types", {"data": {"type": "item_type", "attributes": attributes}})

    def field(model_id, api_key, field_type, **attributes):
        body = {"label": api_key, "api_key": api_key, "field_type": field_type, **attributes}
        ok(
            "POST",
            f"/item-types/{model_id}/fields",
            {"data": {"type": "field", "attributes": body}},
        )

    account = model("account")
    field(account["id"], "name", "string", validators={"required": {}})
    contact = model("contact")
    field(contact["id"], "first_name", "string", validators={"required": {}})
    field(contact["id"], "last_name", "string")
    field(contact["id"], "age", "integer")
    links = {"item_item_type": {"item_types": [account["id"]]}}
    field(contact["id"], "account", "link", validators=links)


def test_a_script_written_from_dreamfactorys_documentation(tmp_path):
    with serving(tmp_path / "data", "dfclient") as served:
        _schema_through_the_cma(served)
        client = DreamFactoryClient(served.url, served.token)
        assert client.tables() == ["account", "contact"]
        described = client.schema("contact")
        assert [f["name"] for f in described["field"]] == [
            "id",
            "first_name",
            "last_name",
            "age",
            "account",
        ]
        assert [r["name"] for r in described["related"]] == ["account_by_account"]

        [acme] = client.create("account", [{"name": "Acme"}], fields="id")
        created = client.create(
            "contact",
            [
                {"first_name": "Jon", "last_name": "Yang", "age": 33, "account": acme["id"]},
                {"first_name": "Eugene", "last_name": "Zhu", "age": 41, "account": acme["id"]},
                {"first_name": "Ruben", "last_name": "Torres", "age": 25},
            ],
        )
        assert [c["first_name"] for c in created] == ["Jon", "Eugene", "Ruben"]
        jon, eugene, ruben = (c["id"] for c in created)

        # Every field by default; filter with a bound parameter; order, limit, count.
        everything = client.get("contact").json()["resource"]
        assert everything[0] == created[0]
        older = client.get(
            "contact",
            filter="age > :age",
            params='{":age": 30}',
            order="age DESC",
            include_count="true",
            limit=1,
        ).json()
        assert [c["first_name"] for c in older["resource"]] == ["Eugene"]
        assert older["meta"]["count"] == 2
        assert client.get("contact", filter="last_name STARTS WITH 'T'").json()["resource"] == [
            created[2]
        ]
        assert client.get("contact", count_only="true").json() == 3
        # By id, by ids, by posted ids and filter, with related records.
        assert client.get_by_id("contact", jon, related="account_by_account")[
            "account_by_account"
        ] == {"id": acme["id"], "name": "Acme"}
        by_ids = client.get("contact", ids=f"{ruben},{jon}", fields="first_name").json()
        assert by_ids["resource"] == [
            {"id": ruben, "first_name": "Ruben"},
            {"id": jon, "first_name": "Jon"},
        ]
        posted = client.get_by_post("contact", {"ids": [eugene], "fields": "last_name"})
        assert posted == [{"id": eugene, "last_name": "Zhu"}]
        accounts = client.get_by_post("account", {"filter": "name = 'Acme'", "related": "*"})
        assert [c["first_name"] for c in accounts[0]["contact_by_account"]] == ["Jon", "Eugene"]

        # Refusals: DreamFactory's error object.
        missing = client.get("contact", ids=f"{jon},nope")
        assert missing.status_code == 404
        assert missing.json()["error"]["message"] == "Record with identifier 'nope' not found."
        unparsable = client.get("contact", filter="age >")
        assert unparsable.status_code == 400
        assert unparsable.json()["error"]["context"]["filter"] == "age >"
        assert client.session.get(f"{client.base}/_proc/anything", timeout=30).status_code == 404
        anonymous = requests.get(f"{client.base}/_table/contact", timeout=30)
        assert anonymous.status_code == 401
        assert anonymous.json()["error"]["status_code"] == 401
