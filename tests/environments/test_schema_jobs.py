"""Schema jobs (a reorder, a field's duplicate) run in the environment their request named,
whichever environment the worker's thread was on, and leave the others alone."""

from item_types.models import Field
from jobs.models import Job
from tests.item_types.jobs import job_result
from tests.item_types.test_fieldsets import create_fieldset, form


def test_a_reorder_and_a_duplicate_run_in_the_sandbox_they_were_asked_in(main_api, sandbox_api):
    in_main = main_api.create_item_type("post")
    main_api.create_field(in_main["id"], "title", "string")
    post = sandbox_api.create_item_type("post")
    title = sandbox_api.create_field(post["id"], "title", "string")
    seo = create_fieldset(sandbox_api, post["id"], "SEO")

    entries = [{"type": "fieldset", "id": seo["id"], "attributes": {"position": 1}}]
    entries.append(
        {
            "type": "field",
            "id": title["id"],
            "attributes": {"position": 1},
            "relationships": {"fieldset": {"data": {"type": "fieldset", "id": seo["id"]}}},
        }
    )
    accepted = sandbox_api.post(f"/item-types/{post['id']}/reorder-fields-and-fieldsets", entries)
    assert Job.objects.get(pk=accepted.body["data"]["id"]).environment == "sandbox"
    result = job_result(sandbox_api, accepted)
    assert result["status"] == 200, result
    assert form(sandbox_api, post["id"]) == [("SEO", "title", 1)]

    copy = job_result(sandbox_api, sandbox_api.post(f"/fields/{title['id']}/duplicate"))
    assert copy["status"] == 201, copy
    assert [k for _, k, _ in form(sandbox_api, post["id"])] == ["title", "title_copy"]
    # main: its own model, untouched; no fieldset, no copy.
    assert main_api.get("/item-types/post/fieldsets").body["data"] == []
    assert [
        f["attributes"]["api_key"] for f in main_api.get("/item-types/post/fields").body["data"]
    ] == ["title"]
    assert list(Field.objects.values_list("api_key", flat=True)) == ["title"]  # main's storage
