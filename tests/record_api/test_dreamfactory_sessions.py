"""DreamFactory's session login as its documentation shows it (plain ``requests``), against
the production server (``manage.py serve``) on a fresh database: a Django user bound to a
role logs in at ``/api/v2/user/session``, works on the record API with
``X-DreamFactory-Session-Token`` (and ``session_token=``) within their role, and logs out;
``api_key=`` in the query works on both path forms; a bad login is DreamFactory's 401 and
writes nothing; neither credential sent in a URL reaches the server's log."""

import requests

from tests.processes import manage
from tests.serving import serving

USERS = """
from django.contrib.auth.models import User
from access.models import Role, StaffRole
from cms.models import ApiToken
role = Role.objects.get(name="Memo editors")
user = User.objects.create_user("alice", "alice@example.com", "s3cret-pass")
StaffRole.objects.create(user=user, role=role)
_, secret = ApiToken.create(name="reader", role="readonly")
print(secret)
"""
COUNT = "from cms.models import ApiToken; print(ApiToken.objects.count())"


def _schema(served) -> None:
    def ok(method, path, body):
        status, answer = served.request(method, path, body)
        assert status in (200, 201), answer
        return answer["data"]

    for api_key, field in (("memo", "text"), ("post", "title")):
        attributes = {"name": api_key.title(), "api_key": api_key}
        model = ok("POST", "/item-types", {"data": {"type": "item_type", "attributes": attributes}})
        body = {"label": field, "api_key": field, "field_type": "string"}
        ok(
            "POST",
            f"/item-types/{model['id']}/fields",
            {"data": {"type": "field", "attributes": body}},
        )
        if api_key == "memo":
            memo = model["id"]
    entries = [
        {
            "action": "all",
            "item_type": memo,
            "environment": "main",
            "on_creator": "anyone",
            "localization_scope": "all",
        }
    ]
    role = {
        "name": "Memo editors",
        "positive_item_type_permissions": entries,
        "negative_item_type_permissions": [],
    }
    ok("POST", "/roles", {"data": {"type": "role", "attributes": role}})


def test_a_dreamfactory_user_logs_in_works_and_logs_out(tmp_path):
    with serving(tmp_path / "data", "dfsession") as served:
        _schema(served)
        reader_key = manage(served.env, "shell", "-c", USERS).split()[-1]
        base = f"{served.url}/api/v2"
        tokens_before = manage(served.env, "shell", "-c", COUNT).strip()

        # A bad password: DreamFactory's 401 error object, nothing written.
        bad = requests.post(
            f"{base}/user/session",
            json={"email": "alice@example.com", "password": "wrong"},
            timeout=30,
        )
        assert bad.status_code == 401
        assert bad.json()["error"]["code"] == 401
        assert bad.json()["error"]["message"] == "Invalid credentials supplied."
        assert manage(served.env, "shell", "-c", COUNT).strip() == tokens_before

        login = requests.post(
            f"{base}/user/session",
            json={"email": "alice@example.com", "password": "s3cret-pass", "remember_me": False},
            timeout=30,
        )
        assert login.status_code == 200, login.text
        session = login.json()
        token = session["session_token"]
        assert session["role"] == "Memo editors" and session["email"] == "alice@example.com"

        user = requests.Session()
        user.headers.update({"X-DreamFactory-Session-Token": token})
        made = user.post(f"{base}/db/_table/memo", json={"resource": [{"text": "hi"}]}, timeout=30)
        assert made.status_code in (200, 201), made.text
        refused = user.post(
            f"{base}/db/_table/post", json={"resource": [{"title": "no"}]}, timeout=30
        )
        assert refused.status_code == 403 and refused.json()["error"]["status_code"] == 403
        memos = requests.get(f"{base}/db/_table/memo", params={"session_token": token}, timeout=30)
        assert [m["text"] for m in memos.json()["resource"]] == ["hi"]
        assert user.get(f"{base}/user/session", timeout=30).json()["email"] == "alice@example.com"

        # The API key in the query, on both path forms (discouraged, but DreamFactory's).
        for url in (f"{base}/db/_table/memo", f"{served.url}/rest/db/memo"):
            read = requests.get(url, params={"api_key": reader_key}, timeout=30)
            assert read.status_code == 200, read.text
            assert requests.get(url, params={"api_key": "nope"}, timeout=30).status_code == 401

        out = user.delete(f"{base}/user/session", timeout=30)
        assert out.status_code == 200 and out.json() == {"success": True}
        after = user.get(f"{base}/db/_table/memo", timeout=30)
        assert after.status_code == 401 and after.json()["error"]["code"] == 401

        log = (served.data_dir.parent / f"server-{served.data_dir.name}.log").read_text()
        assert "session_token=[redacted]" in log and "api_key=[redacted]" in log
        assert token not in log and reader_key not in log and "s3cret-pass" not in log
