"""Bulk edits of uploads over HTTP (SPEC-2 §7.1): bulk tag and bulk set-upload-collection as
jobs, per-upload failures in the result, bad requests refused before anything is queued,
a constant number of queries whatever the count, and the job in its own environment."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.ids import new_id
from environments import selection
from jobs import runner
from jobs.models import Job
from tests.conftest import Api, create_upload, error_codes, make_api, png_bytes, race
from tests.environments.conftest import (  # noqa: F401 (fixtures)
    admin_token,
    environments,
    main_api,
    migrated_sqlite_file,
    sandbox,
    sandbox_api,
)
from tests.menus.conftest import queue  # noqa: F401 (a fixture)
from tests.uploads.library import (
    bulk_collection_body,
    bulk_tag_body,
    create_collection,
    job_done,
    make_uploads,
    stored,
)
from uploads.models import Upload, UploadTag

pytestmark = pytest.mark.usefixtures("queue")


@pytest.fixture
def api(transactional_db):
    """Committed: the job reads what the requests wrote."""
    return make_api("editor")


def tags_of(ids) -> list[list[str]]:
    found = dict(Upload.objects.filter(pk__in=ids).values_list("id", "tags"))
    return [found[id_] for id_ in ids]


def test_bulk_tag_adds_tags_without_repeats(api):
    first = create_upload(api, png_bytes(), tags=["old", "sea"])
    [second] = make_uploads(1)
    unknown = new_id()

    result = job_done(
        api,
        api.post(
            "/uploads/bulk/tag",
            bulk_tag_body([first["id"], unknown, second, first["id"]], ["sea", " sky ", "sky"]),
        ),
    )

    assert result["status"] == 200
    assert result["payload"]["data"] == []
    meta = result["payload"]["meta"]
    assert (meta["successful"], meta["failed"]) == (2, 1)
    assert meta["failures"] == [
        {
            "upload": unknown,
            "code": "NOT_FOUND",
            "errors": [{"code": "NOT_FOUND", "details": {"upload": unknown}}],
        }
    ]
    assert tags_of([first["id"], second]) == [["old", "sea", "sky"], ["sea", "sky"]]
    answered = api.get(f"/uploads/{first['id']}").body["data"]["attributes"]
    assert answered["tags"] == ["old", "sea", "sky"]
    assert answered["updated_at"] > first["attributes"]["updated_at"]
    assert set(UploadTag.objects.values_list("name", flat=True)) == {"old", "sea", "sky"}
    # filter[query] finds the upload by its new tag (the search text follows).
    found = api.get("/uploads?filter[query]=sky").body["data"]
    assert {u["id"] for u in found} == {first["id"], second}


def test_bulk_set_upload_collection_and_null_takes_them_out(api):
    photos = create_collection(api, "Photos")
    ids = make_uploads(3)
    unknown = new_id()
    result = job_done(
        api,
        api.post(
            "/uploads/bulk/set-upload-collection",
            bulk_collection_body([*ids, unknown], photos["id"]),
        ),
    )
    assert result["status"] == 200
    assert result["payload"]["meta"] == {
        "successful": 3,
        "failed": 1,
        "failures": [
            {
                "upload": unknown,
                "code": "NOT_FOUND",
                "errors": [{"code": "NOT_FOUND", "details": {"upload": unknown}}],
            }
        ],
    }
    assert Upload.objects.filter(upload_collection_id=photos["id"]).count() == 3

    result = job_done(
        api, api.post("/uploads/bulk/set-upload-collection", bulk_collection_body(ids[:2], None))
    )
    assert result["payload"]["meta"]["successful"] == 2
    assert list(
        Upload.objects.filter(upload_collection_id=photos["id"]).values_list("id", flat=True)
    ) == [ids[2]]


def test_a_collection_gone_before_the_job_fails_it_and_moves_nothing(api):
    photos = create_collection(api, "Photos")
    ids = make_uploads(2)
    response = api.post(
        "/uploads/bulk/set-upload-collection", bulk_collection_body(ids, photos["id"])
    )
    assert api.delete(f"/upload-collections/{photos['id']}").status_code == 200
    result = job_done(api, response)
    assert result["status"] == 422
    assert result["payload"]["data"][0]["attributes"]["details"]["id"] == photos["id"]
    assert not Upload.objects.exclude(upload_collection=None).exists()


def _bad_bodies():
    uploads = {"data": [{"type": "upload", "id": "UPLOAD"}]}
    many = {"data": [{"type": "upload", "id": new_id()} for _ in range(201)]}
    tag = "/uploads/bulk/tag"
    move = "/uploads/bulk/set-upload-collection"
    return [
        (
            "too many",
            tag,
            bulk_tag_body([e["id"] for e in many["data"]], ["a"]),
            ("INVALID_RELATIONSHIP", "uploads", "VALIDATION_LENGTH"),
        ),
        (
            "none",
            tag,
            bulk_tag_body([], ["a"]),
            ("INVALID_RELATIONSHIP", "uploads", "VALIDATION_REQUIRED"),
        ),
        (
            "no uploads",
            tag,
            {"data": {"type": "upload_bulk_tag_operation", "attributes": {"tags": ["a"]}}},
            ("INVALID_RELATIONSHIP", "uploads", "VALIDATION_REQUIRED"),
        ),
        (
            "upload ids not strings",
            tag,
            {
                "data": {
                    "type": "upload_bulk_tag_operation",
                    "attributes": {"tags": ["a"]},
                    "relationships": {"uploads": {"data": [{"type": "upload", "id": 3}]}},
                }
            },
            ("INVALID_RELATIONSHIP", "uploads", "VALIDATION_FORMAT"),
        ),
        (
            "empty tag",
            tag,
            bulk_tag_body(["UPLOAD"], ["a", ""]),
            ("INVALID_FIELD", "tags", "VALIDATION_REQUIRED"),
        ),
        (
            "long tag",
            tag,
            bulk_tag_body(["UPLOAD"], ["x" * 65]),
            ("INVALID_FIELD", "tags", "VALIDATION_LENGTH"),
        ),
        (
            "tag not a string",
            tag,
            bulk_tag_body(["UPLOAD"], [["a"]]),
            ("INVALID_FIELD", "tags", "VALIDATION_FORMAT"),
        ),
        (
            "no tags",
            tag,
            bulk_tag_body(["UPLOAD"], []),
            ("INVALID_FIELD", "tags", "VALIDATION_REQUIRED"),
        ),
        (
            "tags not a list",
            tag,
            bulk_tag_body(["UPLOAD"], "a,b"),
            ("INVALID_FIELD", "tags", "VALIDATION_FORMAT"),
        ),
        (
            "wrong type",
            tag,
            {"data": {"type": "upload", "relationships": {"uploads": uploads}}},
            ("INVALID_TYPE", "type", None),
        ),
        (
            "unknown collection",
            move,
            bulk_collection_body(["UPLOAD"], "UNKNOWN"),
            ("INVALID_RELATIONSHIP", "upload_collection", "VALIDATION_NOT_FOUND"),
        ),
        (
            "no collection",
            move,
            {
                "data": {
                    "type": "upload_bulk_set_upload_collection_operation",
                    "relationships": {"uploads": uploads},
                }
            },
            ("INVALID_RELATIONSHIP", "upload_collection", "VALIDATION_REQUIRED"),
        ),
        (
            "too many to move",
            move,
            {
                "data": {
                    "type": "upload_bulk_set_upload_collection_operation",
                    "relationships": {"upload_collection": {"data": None}, "uploads": many},
                }
            },
            ("INVALID_RELATIONSHIP", "uploads", "VALIDATION_LENGTH"),
        ),
        ("no body", move, None, ("INVALID_FORMAT", None, None)),
    ]


BAD_BODIES = _bad_bodies()


@pytest.mark.parametrize(
    ("case", "path", "body", "expected"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES]
)
def test_a_bad_bulk_request_is_refused_before_anything_is_queued(api, case, path, body, expected):
    [upload_id] = make_uploads(1, tags=["kept"])
    text = (
        json.dumps(body).replace('"UPLOAD"', f'"{upload_id}"').replace('"UNKNOWN"', f'"{new_id()}"')
    )
    before = stored()
    response = api.request("POST", path, raw=text)
    assert response.status_code == 422, response.body
    assert expected in error_codes(response), error_codes(response)
    assert not Job.objects.exists()
    assert stored() == before


def test_bulk_edits_need_a_writer(api):
    ids = make_uploads(1)
    readonly = make_api("readonly")
    assert readonly.post("/uploads/bulk/tag", bulk_tag_body(ids, ["a"])).status_code == 403
    assert not Job.objects.exists()


def _queries(api, path, body) -> tuple[int, int]:
    """Queries of the request, and of its job run here."""
    with CaptureQueriesContext(connection) as request:
        response = api.post(path, body)
    assert response.status_code == 202, response.body
    (job,) = Job.objects.filter(state=Job.State.QUEUED)
    with CaptureQueriesContext(connection) as run:
        runner.run(job.id)
    assert Job.objects.get(pk=job.id).status == 200
    return len(request.captured_queries), len(run.captured_queries)


@pytest.mark.parametrize("path", ["/uploads/bulk/tag", "/uploads/bulk/set-upload-collection"])
def test_a_constant_number_of_queries_whatever_the_count(api, path):
    photos = create_collection(api, "Photos")
    counts = []
    for size in (1, 10, 100):  # the first warms what a process reads once
        ids = make_uploads(size, tags=["old"])
        if path.endswith("tag"):
            body = bulk_tag_body(ids, ["new", f"size{size}"])
        else:
            body = bulk_collection_body(ids, photos["id"])
        counts.append(_queries(api, path, body))
    assert counts[1] == counts[2], counts


def test_a_bulk_job_edits_the_environment_it_was_asked_in(main_api, sandbox_api, sandbox):  # noqa: F811
    with selection.using(sandbox):
        sandbox_ids = make_uploads(2)
    main_ids = make_uploads(1)
    response = sandbox_api.post(
        "/uploads/bulk/tag", bulk_tag_body([*sandbox_ids, *main_ids], ["s"])
    )
    result = job_done(sandbox_api, response)
    assert result["payload"]["meta"]["successful"] == 2  # the main environment's is unknown there
    assert Job.objects.get().environment == sandbox.name
    with selection.using(sandbox):
        assert tags_of(sandbox_ids) == [["s"], ["s"]]
    assert tags_of(main_ids) == [[]]
    assert main_api.get("/upload-tags").body["data"] == []


def test_a_move_racing_the_collections_delete_leaves_no_upload_in_a_gone_one(racing_api):
    """Whichever wins, the job ends 200 (moved, then cleared by the delete) or 422 (the
    collection was gone), never a foreign key failing at commit."""
    for _ in range(3):
        photos = create_collection(racing_api, "Photos")
        ids = make_uploads(50)
        response = racing_api.post(
            "/uploads/bulk/set-upload-collection", bulk_collection_body(ids, photos["id"])
        )
        job_id = response.body["data"]["id"]

        def send(index, photos=photos, job_id=job_id):
            if index == 0:
                runner.run(job_id)
                return Job.objects.get(pk=job_id).status
            return Api(racing_api.token).delete(f"/upload-collections/{photos['id']}").status_code

        job_status, deleted = race(2, send)

        assert (job_status in (200, 422), deleted) == (True, 200)
        assert not Upload.objects.exclude(upload_collection=None).exists()


@pytest.mark.parametrize("path", ["/uploads/bulk/tag", "/uploads/bulk/set-upload-collection"])
def test_long_ids_and_large_bodies_are_refused(api, settings, path):
    [upload_id] = make_uploads(1, tags=["kept"])
    ids = [upload_id, "x" * 65]
    sent = bulk_tag_body(ids, ["new"]) if path.endswith("tag") else bulk_collection_body(ids, None)
    before = stored()
    response = api.post(path, sent)
    assert response.status_code == 422, response.body
    assert ("INVALID_RELATIONSHIP", "uploads", "VALIDATION_FORMAT") in error_codes(response)
    assert response.body["data"][0]["attributes"]["details"]["index"] == 1
    settings.CMS_MAX_RECORD_BYTES = 100
    sent = bulk_tag_body([upload_id] * 5, ["new"])
    if not path.endswith("tag"):
        sent = bulk_collection_body([upload_id] * 5, None)
    response = api.post(path, sent)
    assert response.status_code == 413 and error_codes(response)[0][0] == "REQUEST_TOO_LARGE"
    assert not Job.objects.exists() and stored() == before
