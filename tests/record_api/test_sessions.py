"""DreamFactory's credentials on the record API, in-process (the live client drives them
too: test_dreamfactory_sessions.py): ``api_key=`` in the query, and the user session
(``/api/v2/user/session``): login answers DreamFactory's session object, the session acts
with the user's bound role, ends at logout or after ``CMS_SESSION_LIFETIME``, and a bad
login is DreamFactory's 401 with nothing written. Logins and logouts are in the audit
log, with the password and the session token redacted."""

import pytest
from django.contrib.auth.models import User

from access.models import Role, StaffRole, UserSession
from cms.models import ApiToken
from tests.access.test_roles import entry, role_body
from tests.audit_log.conftest import events
from tests.conftest import Api, make_api

LOGIN = "/api/v2/user/session"


@pytest.fixture
def world(db):
    admin = make_api("admin")
    memo = admin.create_item_type("memo")["id"]
    admin.create_field(memo, "text", "string")
    post = admin.create_item_type("post")["id"]
    admin.create_field(post, "title", "string")
    body = role_body(
        "Memo editors",
        positive_item_type_permissions=[entry("all", item_type=memo)],
        negative_item_type_permissions=[],
    )
    role = Role.objects.get(pk=admin.post("/roles", body).body["data"]["id"])
    alice = User.objects.create_user("alice", "alice@example.com", "s3cret")
    StaffRole.objects.create(user=alice, role=role)
    return {"admin": admin, "role": role, "alice": alice}


def login(email="alice@example.com", password="s3cret", path=LOGIN):
    return Api(None).post(path, {"email": email, "password": password})


def session_api(token: str) -> Api:
    api = Api(None)
    api.client.defaults["HTTP_X_DREAMFACTORY_SESSION_TOKEN"] = token
    return api


def test_login_answers_dreamfactorys_session_and_acts_with_the_role(world):
    answer = login()
    assert answer.status_code == 200, answer.body
    session = answer.body
    assert session["email"] == "alice@example.com" and session["is_sys_admin"] is False
    assert session["role"] == "Memo editors" and session["role_id"] == world["role"].pk
    assert session["session_token"] == session["session_id"] and session["token_expiry_date"]
    user = session_api(session["session_token"])
    made = user.post("/api/v2/db/_table/memo", {"resource": [{"text": "hi"}]})
    assert made.status_code in (200, 201), made.body
    refused = user.post("/api/v2/db/_table/post", {"resource": [{"title": "no"}]})
    assert refused.status_code == 403 and "error" in refused.body
    assert user.get("/rest/db/memo").status_code == 200
    # The query parameter, as DreamFactory takes it.
    by_query = Api(None).get(f"/rest/db/memo?session_token={session['session_token']}")
    assert by_query.status_code == 200 and len(by_query.body["record"]) == 1
    current = user.get(LOGIN)
    assert current.status_code == 200 and current.body["email"] == "alice@example.com"
    assert current.body["session_token"] == session["session_token"]
    # A session is the record API's: not a Content Management API token.
    cma = Api(session["session_token"]).get("/items")
    assert cma.status_code == 401
    # Sessions are not access tokens to list.
    listed = world["admin"].get("/access_tokens").body["data"]
    assert all("session" not in t["attributes"]["name"] for t in listed)


def test_logout_ends_the_session_at_once(world):
    token = login().body["session_token"]
    user = session_api(token)
    assert user.get("/rest/db/memo").status_code == 200
    out = user.delete(LOGIN)
    assert out.status_code == 200 and out.body == {"success": True}
    after = user.get("/rest/db/memo")
    assert after.status_code == 401 and after.body["error"]["status_code"] == 401
    assert user.get(LOGIN).status_code == 401
    assert not UserSession.objects.exists()


def test_sessions_expire(world, settings):
    settings.CMS_SESSION_LIFETIME = 0
    token = login().body["session_token"]
    assert session_api(token).get("/rest/db/memo").status_code == 401
    assert not ApiToken.objects.filter(session__isnull=False).exists()  # deleted when met


@pytest.mark.parametrize(
    "body, status, message",
    [
        ({"email": "alice@example.com", "password": "wrong"}, 401, "Invalid credentials"),
        ({"email": "nobody@example.com", "password": "s3cret"}, 401, "Invalid credentials"),
        ({"password": "s3cret"}, 400, "missing required email"),
        ({"email": "alice@example.com"}, 400, "missing required password"),
        ({"email": 3, "password": []}, 400, "missing required email"),
    ],
)
def test_a_bad_login_is_refused_and_writes_nothing(world, body, status, message):
    tokens = ApiToken.objects.count()
    answer = Api(None).post(LOGIN, body)
    assert answer.status_code == status
    error = answer.body["error"]
    assert error["status_code"] == status and error["code"] == status
    assert message in error["message"]
    assert ApiToken.objects.count() == tokens and not UserSession.objects.exists()


def test_an_unbound_user_gets_no_session_and_a_superuser_is_admin(world):
    User.objects.create_user("carol", "carol@example.com", "pw")
    refused = login("carol@example.com", "pw")
    assert refused.status_code == 403 and not UserSession.objects.exists()
    User.objects.create_superuser("root", "root@example.com", "pw")
    root = login("root@example.com", "pw", path="/rest/user/session")
    assert root.status_code == 200 and root.body["is_sys_admin"] is True
    assert root.body["role"] == Role.named("admin").name


def test_a_binding_changed_after_login_applies_to_the_session(world):
    token = login().body["session_token"]
    user = session_api(token)
    assert user.post("/rest/db/memo", {"text": "a"}).status_code in (200, 201)
    binding = StaffRole.objects.get(user=world["alice"])
    binding.role = Role.named("readonly")
    binding.save()
    assert user.post("/rest/db/memo", {"text": "b"}).status_code == 403
    binding.delete()
    assert user.get("/rest/db/memo").status_code == 401


def test_the_api_key_in_the_query(world):
    _, secret = ApiToken.create(name="script", role="readonly")
    for path in ("/rest/db/memo", "/api/v2/db/_table/memo"):
        assert Api(None).get(f"{path}?api_key={secret}").status_code == 200
        bad = Api(None).get(f"{path}?api_key=not-a-key")
        assert bad.status_code == 401 and bad.body["error"]["status_code"] == 401
    # Only the record API takes it.
    assert Api(None).get(f"/items?api_key={secret}").status_code == 401


def test_login_and_logout_are_audited_with_secrets_redacted(world):
    token = login().body["session_token"]
    session_api(token).delete(LOGIN)
    found = events(
        world["admin"], filter="begins_with(action_name, 'user_session')", detailed_log=True
    )
    names = sorted(e["attributes"]["action_name"] for e in found)
    assert names == ["user_session.create", "user_session.destroy"]
    created = next(e for e in found if e["attributes"]["action_name"] == "user_session.create")
    text = str(created)
    assert "s3cret" not in text and token not in text
    assert created["attributes"]["role"]["name"] == "Memo editors"
