"""The admin works in the environment its editor chose (environments/admin_environment.py):
the header shows it and switches it; records made in the admin land there only (checked
over the API with X-Environment); a chosen environment that goes away falls back to the
primary; switching takes staff and a CSRF token; content writes are refused in an admin
page while the environment takes none. Environments are read-only in the admin."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils.timezone import now

from environments import forking
from environments.admin_environment import SESSION_KEY
from environments.models import Environment
from environments.services import set_maintenance_mode
from environments.storages import new_storage_name
from tests.conftest import change_url
from tests.items.conftest import item_body
from tests.items.editor_forms import posted

SWITCH = "/admin/switch-environment/"
NAME = re.compile(r'id="cms-environment-name"[^>]*>([^<]*)<')
KIND = re.compile(r'id="cms-environment-kind"[^>]*>([^<]*)<')
OPTION = re.compile(r'<option value="([^"]*)"[^>]*>')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NEW_MODEL = {
    "name": "Page",
    "api_key": "page",
    "collection_appearance": "compact",
    "fields-TOTAL_FORMS": "0",
    "fields-INITIAL_FORMS": "0",
}


def header(response, status=200) -> tuple[str, str]:
    """(name, "primary" or "sandbox") as the page's header shows them."""
    assert response.status_code == status, response
    page = response.content.decode()
    return NAME.search(page)[1], KIND.search(page)[1]


def choices(response) -> list[str]:
    switcher = response.content.decode().split('id="cms-environment-switch"', 1)[1]
    return OPTION.findall(switcher.split("</form>", 1)[0])


def switch(client, name: str, next_page: str = "/admin/"):
    return client.post(SWITCH, {"environment": name, "next": next_page})


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def editor(environments):
    return get_user_model().objects.create_superuser("editor", "e@example.com", "pw")


@pytest.fixture
def admin(editor) -> Client:
    client = Client()
    client.force_login(editor)
    return client


def _post_model(api, title_field=True, **ids) -> dict:
    """A model ``post`` (with a title) through the API; ``ids`` may fix the model's id."""
    body = {
        "data": {
            "type": "item_type",
            **({"id": ids["id"]} if ids.get("id") else {}),
            "attributes": {"name": "Post", "api_key": "post"},
        }
    }
    response = api.post("/item-types", body)
    assert response.status_code == 201, response.body
    model = response.body["data"]
    if title_field:
        api.create_field(model["id"], "title", "string")
    return model


def _titles(api) -> list[str]:
    response = api.get("/items")
    assert response.status_code == 200, response.body
    return sorted(record["attributes"]["title"] for record in response.body["data"])


def _model_keys(api) -> list[str]:
    return sorted(m["attributes"]["api_key"] for m in api.get("/item-types").body["data"])


# --- Showing and switching ----------------------------------------------------------------


def test_the_admin_works_in_the_primary_until_the_editor_chooses(admin, sandbox):
    Environment.objects.create(name="copying", storage=new_storage_name())  # creating
    response = admin.get("/admin/")
    assert header(response) == ("main", "primary")
    assert response["X-Environment"] == "main"
    assert choices(response) == ["main", "sandbox"]  # ready ones only
    assert "<title>Site administration" in response.content.decode()
    assert "cms-environment-banner" not in response.content.decode()


ADMIN_PAGES = [
    "/admin/",
    "/admin/items/",
    "/admin/items/item/",
    "/admin/items/item/add/",
    "/admin/item_types/itemtype/",
    "/admin/uploads/upload/",
    "/admin/environments/environment/",
    "/admin/auth/user/",
    "/admin/password_change/",
]


def test_every_admin_page_shows_the_chosen_sandbox(admin, sandbox):
    for page in ADMIN_PAGES:
        response = switch(admin, "sandbox", page)
        assert (response.status_code, response["Location"]) == (302, page)
        response = admin.get(page)
        assert header(response) == ("sandbox", "sandbox"), page
        assert response["X-Environment"] == "sandbox"
        assert "<title>[sandbox] " in response.content.decode()
        assert choices(response) == ["main", "sandbox"]
        switch(admin, "main")


def test_switching_to_a_sandbox_and_back(admin, sandbox):
    response = switch(admin, "sandbox", "/admin/items/item/")
    assert admin.session[SESSION_KEY] == {"id": sandbox.pk, "name": "sandbox"}
    response = admin.get(response["Location"])
    assert header(response) == ("sandbox", "sandbox")
    assert messages_of(response) == ["You are working in 'sandbox', a sandbox."]

    response = admin.get(switch(admin, "main", "/admin/items/item/")["Location"])
    assert header(response) == ("main", "primary")
    assert messages_of(response) == ["You are working in 'main', the primary environment."]
    assert SESSION_KEY not in admin.session  # the primary: whichever is primary


def test_a_renamed_sandbox_stays_chosen_and_a_promoted_one_is_the_primary(admin, main_api, sandbox):
    switch(admin, "sandbox")
    assert (
        main_api.put(
            "/environments/sandbox/rename", {"data": {"type": "environment", "id": "trial"}}
        ).status_code
        == 200
    )
    assert header(admin.get("/admin/")) == ("trial", "sandbox")
    assert main_api.put("/environments/trial/promote").status_code == 200
    assert header(admin.get("/admin/")) == ("trial", "primary")


def test_what_the_admin_writes_in_a_sandbox_is_in_the_sandbox_only(
    admin, main_api, sandbox_api, sandbox
):
    post = _post_model(sandbox_api)
    long_ago = now() - timedelta(days=1)
    Environment.objects.update(last_data_change_at=long_ago)
    switch(admin, "sandbox")

    response = admin.post("/admin/item_types/itemtype/add/", NEW_MODEL)
    assert response.status_code == 302, response.content.decode()[-2000:]
    response = admin.post(
        "/admin/items/item/add/",
        posted({"title": "Only in the sandbox"}, item_type=post["id"]),
    )
    assert response.status_code == 302, response.content.decode()[-2000:]

    assert _model_keys(sandbox_api) == ["page", "post"]
    assert _titles(sandbox_api) == ["Only in the sandbox"]
    assert _model_keys(main_api) == []
    assert main_api.get("/items").body["data"] == []
    assert "Only in the sandbox" in admin.get("/admin/items/item/").content.decode()
    # The sandbox's data changed; the primary's didn't.
    changed = dict(Environment.objects.values_list("name", "last_data_change_at"))
    assert changed["sandbox"] > long_ago and changed["main"] == long_ago

    switch(admin, "main")
    listing = admin.get("/admin/items/item/")
    assert header(listing) == ("main", "primary")
    assert "Only in the sandbox" not in listing.content.decode()
    assert "0 items" in listing.content.decode()


# --- Going back to the same page ----------------------------------------------------------


def test_switching_from_a_record_the_other_environment_lacks_lands_on_the_list(
    admin, main_api, sandbox
):
    post = _post_model(main_api)
    record = main_api.post("/items", item_body(post["id"], {"title": "Main's"})).body["data"]
    page = change_url("items", "item", record["id"])
    assert header(admin.get(page)) == ("main", "primary")

    response = switch(admin, "sandbox", page)
    assert response["Location"] == "/admin/items/item/"
    listing = admin.get(response["Location"])
    assert header(listing) == ("sandbox", "sandbox")
    assert f"Item '{record['id']}' is not in 'sandbox': here are its items." in (
        messages_of(listing)
    )

    # A list filtered by a model the sandbox lacks still answers (no 500).
    filtered = f"/admin/items/item/?item_type__id__exact={post['id']}"
    response = switch(admin, "sandbox", filtered)
    assert response["Location"] == filtered
    assert admin.get(filtered, follow=True).status_code == 200
    # And back in main, the record's page is where the switch lands.
    assert switch(admin, "main", page)["Location"] == page


def test_switching_from_a_record_both_environments_hold_stays_on_it(admin, main_api, sandbox_api):
    post = _post_model(main_api)
    _post_model(sandbox_api, id=post["id"])
    record = main_api.post("/items", item_body(post["id"], {"title": "Both"})).body["data"]
    copy = item_body(post["id"], {"title": "Both, in the sandbox"})
    copy["data"]["id"] = record["id"]
    assert sandbox_api.post("/items", copy).status_code == 201
    page = change_url("items", "item", record["id"])

    response = switch(admin, "sandbox", page)
    assert response["Location"] == page
    assert "Both, in the sandbox" in admin.get(page).content.decode()


def test_a_switch_goes_back_only_to_an_admin_page_here(admin, sandbox):
    elsewhere = [
        "https://elsewhere.example/admin/",
        "//elsewhere.example/admin/",
        "/items",
        "",
        "/admin/nothing-here/",
    ]
    for next_page in elsewhere:
        response = switch(admin, "sandbox", next_page)
        assert (response.status_code, response["Location"]) == (302, "/admin/"), next_page
        assert admin.session[SESSION_KEY]["name"] == "sandbox"


# --- Refusals -----------------------------------------------------------------------------


def test_an_environment_that_isnt_ready_is_not_chosen(admin, sandbox):
    Environment.objects.create(name="copying", storage=new_storage_name())
    Environment.objects.create(name="leaving", storage=new_storage_name(), status="destroying")
    switch(admin, "sandbox")
    for name in ["nowhere", "copying", "leaving", "Not A Name", ""]:
        response = switch(admin, name, "/admin/items/item/")
        assert response["Location"] == "/admin/items/item/"
        page = admin.get(response["Location"])
        assert messages_of(page)[-1] == (
            "That environment doesn't exist or is not ready to work in."
        )
        assert header(page) == ("sandbox", "sandbox"), name  # unchanged


def test_switching_takes_a_csrf_token(editor, sandbox):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    refused = switch(client, "sandbox")
    assert refused.status_code == 403
    assert SESSION_KEY not in client.session
    page = client.get("/admin/")
    assert header(page) == ("main", "primary")

    token = CSRF.search(page.content.decode().split('id="cms-environment-switch"', 1)[1])[1]
    response = client.post(SWITCH, {"environment": "sandbox", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert header(client.get("/admin/")) == ("sandbox", "sandbox")


def test_only_staff_switch(environments, sandbox):
    visitor = get_user_model().objects.create_user("visitor", "v@example.com", "pw")
    signed_in, anonymous = Client(), Client()
    signed_in.force_login(visitor)
    for client in (signed_in, anonymous):
        response = switch(client, "sandbox")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
        assert SESSION_KEY not in client.session

    # A choice in a non-staff user's session is ignored, and the login page shows none.
    client = Client()
    client.force_login(visitor)
    session = client.session
    session[SESSION_KEY] = {"id": sandbox.pk, "name": "sandbox"}
    session.save()
    login = client.get("/admin/login/")
    assert login["X-Environment"] == "main"
    assert "cms-environment-switch" not in login.content.decode()


def test_switching_is_a_post(admin, sandbox):
    assert admin.get(f"{SWITCH}?environment=sandbox").status_code == 405
    assert SESSION_KEY not in admin.session


# --- An environment that goes away --------------------------------------------------------


def test_a_sandbox_being_destroyed_sends_the_editor_back_to_the_primary(admin, sandbox):
    switch(admin, "sandbox")
    forking.start_destroy("sandbox")
    page = admin.get("/admin/items/item/")
    assert header(page) == ("main", "primary")
    assert page["X-Environment"] == "main"
    said = (
        "The environment 'sandbox' you were working in is being destroyed: you are back in "
        "the primary environment 'main'."
    )
    assert messages_of(page)[-1] == said
    assert SESSION_KEY not in admin.session
    assert messages_of(admin.get("/admin/items/item/")) == []  # said once
    assert choices(page) == ["main"]


def test_a_destroyed_sandbox_sends_the_editor_back_to_the_primary(admin, sandbox):
    switch(admin, "sandbox")
    forking.start_destroy("sandbox")
    # What the destroy's job leaves: no row (the drop of a test's storage is the fixture's;
    # tests/environments/test_forks.py runs the job itself).
    Environment.objects.filter(pk=sandbox.pk).delete()
    page = admin.get("/admin/item_types/itemtype/")
    assert header(page) == ("main", "primary")
    assert messages_of(page)[-1] == (
        "The environment 'sandbox' you were working in was destroyed: you are back in the "
        "primary environment 'main'."
    )


# --- While an environment takes no writes -------------------------------------------------


def test_maintenance_mode_shows_a_banner_in_the_primary_and_refuses_its_writes(
    admin, main_api, sandbox_api
):
    set_maintenance_mode(True)
    page = admin.get("/admin/item_types/itemtype/add/").content.decode()
    assert 'id="cms-environment-banner"' in page and "Maintenance mode is on" in page

    refused = admin.post("/admin/item_types/itemtype/add/", NEW_MODEL)
    assert refused.status_code == 423
    assert header(refused, 423) == ("main", "primary")  # the whole admin page, with its switcher
    text = refused.content.decode()
    assert "Not saved: maintenance mode is on" in text
    assert "MAINTENANCE_MODE_ACTIVE" in text and "switch to a sandbox" in text
    assert _model_keys(main_api) == []

    # A sandbox shows no banner and takes the write.
    switch(admin, "sandbox", "/admin/item_types/itemtype/add/")
    page = admin.get("/admin/item_types/itemtype/add/").content.decode()
    assert "cms-environment-banner" not in page
    assert admin.post("/admin/item_types/itemtype/add/", NEW_MODEL).status_code == 302
    assert _model_keys(sandbox_api) == ["page"]


def test_a_forged_write_is_refused_as_such_even_in_maintenance_mode(editor, sandbox):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    set_maintenance_mode(True)
    assert client.post("/admin/item_types/itemtype/add/", NEW_MODEL).status_code == 403
    token = CSRF.search(client.get("/admin/").content.decode())[1]
    response = client.post(
        "/admin/item_types/itemtype/add/", {**NEW_MODEL, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 423


def test_a_read_only_sandbox_shows_why_and_refuses_writes(admin, sandbox_api, sandbox):
    Environment.objects.filter(pk=sandbox.pk).update(read_only_mode=True)
    switch(admin, "sandbox")
    page = admin.get("/admin/").content.decode()
    assert "This environment is read-only for now" in page
    refused = admin.post("/admin/item_types/itemtype/add/", NEW_MODEL)
    assert refused.status_code == 423
    assert "ENVIRONMENT_READ_ONLY" in refused.content.decode()
    assert _model_keys(sandbox_api) == []


# --- Environments in the admin ------------------------------------------------------------


def test_environments_are_listed_read_only(admin, sandbox):
    Environment.objects.filter(pk=sandbox.pk).update(
        forked_from=Environment.objects.get(name="main")
    )
    listing = admin.get("/admin/environments/environment/").content.decode()
    for column in ("Name", "Primary", "Status", "Forked from", "Created at"):
        assert column in listing
    assert "field-forked_from" in listing and ">main</td>" in listing
    assert "Add environment" not in listing

    page = change_url("environments", "environment", sandbox.pk)
    detail = admin.get(page)
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert admin.post(page, {"name": "renamed"}).status_code == 403
    assert admin.get("/admin/environments/environment/add/").status_code == 403
    assert admin.post(f"/admin/environments/environment/{sandbox.pk}/delete/").status_code == 403
    assert sorted(Environment.objects.values_list("name", flat=True)) == ["main", "sandbox"]
