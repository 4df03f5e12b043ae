"""Staff users bound to a role, in the Django admin over HTTP (access/admin_permissions.py):
the role decides what they see and change, per model, creator and locale, as through the
APIs; superusers keep everything; a binding to a role that doesn't exist writes nothing."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from access.models import Role, StaffRole
from items.models import Item
from tests.access.test_roles import entry, role_body
from tests.audit_log.conftest import events
from tests.conftest import change_url, make_api
from tests.items.conftest import item_body
from tests.items.editor_forms import posted


class Site:
    """Locales en and it; post (title localized) and memo (text), one record each."""

    def __init__(self):
        self.api = make_api("admin")
        site = {"data": {"type": "site", "attributes": {"locales": ["en", "it"]}}}
        assert self.api.put("/site", site).status_code == 200
        self.post = self.api.create_item_type("post", draft_mode_active=True)["id"]
        self.api.create_field(self.post, "title", "string", localized=True)
        self.memo = self.api.create_item_type("memo", draft_mode_active=True)["id"]
        self.api.create_field(self.memo, "text", "string")
        self.post_record = self.make(self.post, {"title": {"en": "Hello", "it": "Ciao"}})
        self.memo_record = self.make(self.memo, {"text": "note"})

    def make(self, item_type, values) -> str:
        response = self.api.post("/items", item_body(item_type, values))
        assert response.status_code == 201, response.body
        return response.body["data"]["id"]

    def role(self, name, positive=(), **flags) -> Role:
        body = role_body(
            name,
            positive_item_type_permissions=list(positive),
            negative_item_type_permissions=[],
            **flags,
        )
        response = self.api.post("/roles", body)
        assert response.status_code == 201, response.body
        return Role.objects.get(pk=response.body["data"]["id"])

    def staff(self, name, role: Role | None, **extra) -> Client:
        user = User.objects.create_user(name, f"{name}@example.com", "pw", is_staff=True, **extra)
        if role is not None:
            StaffRole.objects.create(user=user, role=role)
        client = Client()
        assert client.login(username=name, password="pw")
        return client


@pytest.fixture
def site(db) -> Site:
    return Site()


def _title(record_id) -> dict:
    return Item.objects.get(pk=record_id).data


def test_a_read_only_user_views_records_and_is_refused_every_write(site):
    client = site.staff("reader", Role.named("readonly"))
    listing = client.get("/admin/items/item/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert site.post_record in page and site.memo_record in page
    url = change_url("items", "item", site.post_record)
    assert client.get(url).status_code == 200  # the view-only page
    before = _title(site.post_record)
    changed = client.post(url, posted({"title": {"en": "X", "it": "Y"}}))
    assert changed.status_code == 403
    assert client.get("/admin/items/item/add/").status_code == 403
    add = posted({"text": "new"}, item_type=site.memo)
    assert client.post("/admin/items/item/add/", add).status_code == 403
    deleting = client.post(f"{url.rsplit('/change/', 1)[0]}/delete/", {"post": "yes"})
    assert deleting.status_code == 403
    publish = {"action": "publish", "_selected_action": [site.post_record]}
    assert client.post("/admin/items/item/", publish).status_code == 403
    assert _title(site.post_record) == before
    assert Item.objects.count() == 2
    assert Item.objects.get(pk=site.post_record).status != "published"
    # Neither schema, tokens nor users are a read-only role's to change.
    assert client.get("/admin/item_types/itemtype/add/").status_code == 403
    assert client.get("/admin/cms/apitoken/").status_code == 403
    assert client.get("/admin/auth/user/").status_code == 403


def test_an_editor_of_one_model_sees_and_writes_only_that_model(site):
    role = site.role("Memo editors", [entry("all", item_type=site.memo)])
    client = site.staff("memo_editor", role)
    page = client.get("/admin/items/item/").content.decode()
    assert site.memo_record in page and site.post_record not in page
    # The other model's record is not there for them (the admin's "doesn't exist").
    hidden = client.get(change_url("items", "item", site.post_record))
    assert hidden.status_code == 302
    made = client.post(
        "/admin/items/item/add/",
        posted({"text": "by staff"}, item_type=site.memo),
    )
    assert made.status_code == 302
    assert Item.objects.filter(item_type_id=site.memo).count() == 2
    refused = client.post(
        "/admin/items/item/add/",
        posted({"title": {"en": "No"}}, item_type=site.post),
    )
    assert refused.status_code == 403
    assert Item.objects.filter(item_type_id=site.post).count() == 1
    publish = {"action": "publish", "_selected_action": [site.memo_record]}
    assert client.post("/admin/items/item/", publish).status_code == 302
    assert Item.objects.get(pk=site.memo_record).status == "published"
    # The audit log names the user's role.
    logged = events(site.api, filter="actor.type = 'user'")
    assert logged and all(e["attributes"]["role"]["id"] == role.pk for e in logged)


def test_a_translator_saves_italian_only(site):
    role = site.role(
        "Translators",
        [
            entry("read"),
            entry("update", item_type=site.post, localization_scope="localized", locale="it"),
        ],
    )
    client = site.staff("translator", role)
    url = change_url("items", "item", site.post_record)
    italian = client.post(url, posted({"title": {"en": "Hello", "it": "Ola"}}))
    assert italian.status_code == 302
    assert _title(site.post_record) != {}
    english = client.post(url, posted({"title": {"en": "Hi", "it": "Ola"}}))
    assert english.status_code == 403
    text = english.content.decode()
    assert "field title" in text and "locale en" in text
    record = site.api.get(f"/items/{site.post_record}").body["data"]["attributes"]
    assert record["title"] == {"en": "Hello", "it": "Ola"}
    memo = change_url("items", "item", site.memo_record)
    assert client.post(memo, posted({"text": "x"})).status_code == 403


def test_schema_and_token_pages_follow_the_flags(site):
    schema = site.role("Schema", [entry("read")], can_edit_schema=True)
    designer = site.staff("designer", schema)
    assert designer.get("/admin/item_types/itemtype/add/").status_code == 200
    assert designer.get("/admin/cms/apitoken/").status_code == 403
    tokens = site.role("Tokens", [], can_manage_access_tokens=True)
    keeper = site.staff("keeper", tokens)
    assert keeper.get("/admin/cms/apitoken/").status_code == 200
    assert keeper.get("/admin/item_types/itemtype/add/").status_code == 403
    index = keeper.get("/admin/").content.decode()
    assert "/admin/cms/apitoken/" in index and "/admin/items/item/" not in index


def test_superusers_keep_everything_and_unbound_staff_keep_djangos_permissions(site):
    boss = site.staff("boss", Role.named("readonly"), is_superuser=True)
    url = change_url("items", "item", site.memo_record)
    assert boss.post(url, posted({"text": "boss"})).status_code == 302
    unbound = site.staff("plain", None)  # staff, no Django permission, no role
    assert unbound.get("/admin/items/item/").status_code == 403


def test_a_role_forbidding_the_environment_shows_nothing(site):
    role = site.role("Sandboxes", [entry("all")], environments_access="sandbox_only")
    client = site.staff("sandboxer", role)
    assert client.get("/admin/items/item/").status_code == 403


def test_binding_a_user_in_the_admin_and_a_missing_role_writes_nothing(site, admin_client):
    user = User.objects.create_user("newbie", "n@example.com", "pw", is_staff=True)
    form = {
        "username": "newbie",
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "staff_role-TOTAL_FORMS": "1",
        "staff_role-INITIAL_FORMS": "0",
        "staff_role-MIN_NUM_FORMS": "0",
        "staff_role-MAX_NUM_FORMS": "1",
        "staff_role-0-user": str(user.pk),
    }
    url = change_url("auth", "user", str(user.pk))
    missing = admin_client.post(url, {**form, "staff_role-0-role": "no-such-role"})
    assert missing.status_code == 200 and "Select a valid choice" in missing.content.decode()
    assert not StaffRole.objects.exists()
    editor = Role.named("editor")
    bound = admin_client.post(url, {**form, "staff_role-0-role": editor.pk})
    assert bound.status_code == 302, bound.content.decode()[:3000]
    assert StaffRole.objects.get(user=user).role == editor
    assert "editor" in admin_client.get("/admin/auth/user/").content.decode().lower()


def test_bind_role_command(site):
    User.objects.create_user("cli", "c@example.com", "pw", is_staff=True)
    with pytest.raises(CommandError, match="no-such"):
        call_command("bind_role", "cli", "no-such")
    with pytest.raises(CommandError, match="ghost"):
        call_command("bind_role", "ghost", "editor")
    assert not StaffRole.objects.exists()
    call_command("bind_role", "cli", "readonly")
    assert StaffRole.objects.get(user__username="cli").role.builtin == "readonly"
    call_command("bind_role", "cli", "editor")
    assert StaffRole.objects.get(user__username="cli").role.builtin == "editor"
    call_command("bind_role", "cli", "--unbind")
    assert not StaffRole.objects.exists()


def test_a_role_users_have_is_not_deleted(site):
    role = site.role("Bound", [entry("read")])
    site.staff("someone", role)
    refused = site.api.delete(f"/roles/{role.pk}")
    assert refused.status_code == 422
    assert refused.body["data"][0]["attributes"]["details"]["users"] == 1
    assert Role.objects.filter(pk=role.pk).exists()


def test_uploads_follow_the_roles_upload_entries(site):
    def upload_role(name, *actions):
        body = role_body(
            name,
            positive_upload_permissions=[
                {
                    "action": a,
                    "environment": "main",
                    **({"on_creator": "anyone"} if a != "create" else {}),
                }
                for a in actions
            ],
            negative_upload_permissions=[],
        )
        response = site.api.post("/roles", body)
        assert response.status_code == 201, response.body
        return Role.objects.get(pk=response.body["data"]["id"])

    viewer = site.staff("viewer", upload_role("Upload viewers", "read"))
    assert viewer.get("/admin/uploads/upload/").status_code == 200
    assert viewer.get("/admin/uploads/upload/add/").status_code == 403
    maker = site.staff("maker", upload_role("Upload makers", "read", "create"))
    assert maker.get("/admin/uploads/upload/add/").status_code == 200
    records_only = site.staff("records", Role.named("readonly"))
    assert records_only.get("/admin/uploads/upload/add/").status_code == 403


def test_the_editors_publish_and_restore_buttons_ask_the_role(site):
    """The record editor's own views (items/admin.py): publishing needs the role's
    publish, restoring a version its update of every locale (a translator may not)."""
    role = site.role(
        "Updaters",
        [entry("read", item_type=site.post), entry("update", item_type=site.post)],
    )
    client = site.staff("updater", role)
    base = change_url("items", "item", site.post_record).rsplit("/change/", 1)[0]
    assert client.post(f"{base}/publish/").status_code == 403
    assert Item.objects.get(pk=site.post_record).status != "published"
    version = Item.objects.get(pk=site.post_record).current_version
    translator = site.role(
        "Italian",
        [
            entry("read", item_type=site.post),
            entry("update", item_type=site.post, locale="it", localization_scope="localized"),
        ],
    )
    assert site.staff("italian", translator).post(f"{base}/restore/{version}/").status_code == 403
    assert client.post(f"{base}/restore/{version}/").status_code == 302  # every locale: may
    publisher = site.role(
        "Publishers", [entry("read", item_type=site.post), entry("publish", item_type=site.post)]
    )
    published = site.staff("publisher", publisher).post(f"{base}/publish/")
    assert published.status_code == 302
    assert Item.objects.get(pk=site.post_record).status == "published"
