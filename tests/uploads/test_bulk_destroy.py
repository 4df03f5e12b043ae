"""``POST /uploads/bulk/destroy``: a job per environment that deletes the uploads no record
uses and reports, per upload, those it refused; bad bodies refused before anything is
queued."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.ids import new_id
from jobs.models import Job
from tests.conftest import make_api, stored_files
from tests.menus.conftest import run_jobs
from tests.uploads.test_references import Album
from uploads import destroying
from uploads.models import Upload


def job_failure(upload_id: str, code: str, **details) -> dict:
    """A bulk job's failure entry, as every bulk job shapes it."""
    return {
        "upload": upload_id,
        "code": code,
        "errors": [{"code": code, "details": {"upload": upload_id, **details}}],
    }


@pytest.fixture
def api(transactional_db, settings, tmp_path):
    """Committed (the job reads what the requests wrote), with a queue of the test's own."""
    settings.CMS_QUEUE_URL = f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    settings.CMS_QUEUE_NAME = "uploads_tests"
    return make_api("admin")


@pytest.fixture
def album(api) -> Album:
    return Album(api)


def body(ids, type_="upload_bulk_destroy_operation") -> dict:
    entries = [{"type": "upload", "id": upload_id} for upload_id in ids]
    return {"data": {"type": type_, "relationships": {"uploads": {"data": entries}}}}


def bulk_destroy(api, ids) -> dict:
    """POST, run the job as a worker does; the job result as /job-results answers it."""
    response = api.post("/uploads/bulk/destroy", body(ids))
    assert response.status_code == 202, response.body
    job_id = response.body["data"]["id"]
    assert api.get(f"/job-results/{job_id}").status_code == 404  # not run yet
    assert job_id in [job.id for job in run_jobs()]
    result = api.get(f"/job-results/{job_id}")
    assert result.status_code == 200, result.body
    return result.body["data"]["attributes"]


def test_unused_uploads_go_and_used_ones_are_reported(api, album, upload_storage):
    used, in_block, free1, free2 = (album.upload() for _ in range(4))
    user = album.create(cover={"upload_id": used})
    block_user = album.create(slides=album.slides(in_block))
    unknown = new_id()
    result = bulk_destroy(api, [used, free1, unknown, in_block, free2, free1])
    assert result["status"] == 200
    payload = result["payload"]
    assert payload["data"] == []
    assert (payload["meta"]["successful"], payload["meta"]["failed"]) == (2, 3)
    assert payload["meta"]["failures"] == [
        job_failure(used, "UPLOAD_IN_USE", references=[{"type": "item", "id": user}]),
        job_failure(unknown, "NOT_FOUND"),
        job_failure(in_block, "UPLOAD_IN_USE", references=[{"type": "item", "id": block_user}]),
    ]
    assert sorted(Upload.objects.values_list("id", flat=True)) == sorted([used, in_block])
    paths = Upload.objects.values_list("path", flat=True)
    assert stored_files(upload_storage) == sorted(p.lstrip("/") for p in paths)


def test_an_upload_only_the_published_version_uses_is_kept(api, album):
    old, new = album.upload(), album.upload()
    record = album.create(cover={"upload_id": old})
    assert api.put(f"/items/{record}/publish").status_code == 200
    assert (
        api.put(
            f"/items/{record}",
            {"data": {"type": "item", "id": record, "attributes": {"cover": {"upload_id": new}}}},
        ).status_code
        == 200
    )
    result = bulk_destroy(api, [old])
    assert result["payload"]["meta"]["failures"][0]["code"] == "UPLOAD_IN_USE"
    assert Upload.objects.filter(pk=old).exists()


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (body([]), "VALIDATION_REQUIRED"),
        (body([new_id() for _ in range(201)]), "VALIDATION_SIZE"),
        ({"data": {"type": "upload_bulk_destroy_operation"}}, "VALIDATION_REQUIRED"),
        (
            {
                "data": {
                    "type": "upload_bulk_destroy_operation",
                    "relationships": {"uploads": {"data": [{"type": "item", "id": "x"}]}},
                }
            },
            "VALIDATION_FORMAT",
        ),
        (body(["a"], type_="upload_bulk_tag_operation"), None),
        ({"data": []}, None),
    ],
)
def test_bad_bodies_are_refused_and_nothing_is_queued(api, album, payload, code):
    upload = album.upload()
    response = api.post("/uploads/bulk/destroy", payload)
    assert response.status_code == 422, response.body
    details = response.body["data"][0]["attributes"]["details"]
    if code:
        assert (details["field"], details["code"]) == ("uploads", code)
    assert not Job.objects.filter(kind="uploads.bulk_destroy").exists()
    assert Upload.objects.filter(pk=upload).exists()


def test_up_to_200_in_a_constant_number_of_queries(api, album):
    def counted(count: int) -> int:
        ids = [album.upload() for _ in range(count)]
        used = ids[0]
        album.create(cover={"upload_id": used})
        with CaptureQueriesContext(connection) as queries:
            outcome = destroying.destroy_unused([*ids, new_id()])
        assert len(outcome.deleted) == count - 1 and len(outcome.failures) == 2
        return len(queries)

    assert counted(2) == counted(12)


def test_the_single_delete_shares_the_guard(api, album):
    upload = album.upload()
    user = album.create(cover={"upload_id": upload})
    refused = api.delete(f"/uploads/{upload}")
    assert refused.status_code == 422
    details = refused.body["data"][0]["attributes"]["details"]
    assert (refused.body["data"][0]["attributes"]["code"], details["references"]) == (
        "DELETE_RESTRICTION",
        [{"type": "item", "id": user}],
    )
    assert Upload.objects.filter(pk=upload).exists()


def test_the_statement_keeps_an_upload_a_reference_reached_after_the_check(api, album, monkeypatch):
    """A record that started using the upload between the check and the delete (the check
    is made to miss it): the delete statement itself keeps it."""
    upload, other = album.upload(), album.upload()
    album.create(cover={"upload_id": upload})
    monkeypatch.setattr(destroying, "REFERENCE_FINDERS", [lambda ids: {}])
    outcome = destroying.destroy_unused([upload, other])
    assert [u.pk for u in outcome.deleted] == [other]
    assert outcome.failures == [job_failure(upload, "UPLOAD_IN_USE", references=[])]
    assert Upload.objects.filter(pk=upload).exists()


def test_long_ids_and_large_bodies_are_refused(api, album, settings):
    upload = album.upload()
    response = api.post("/uploads/bulk/destroy", body([upload, "x" * 65]))
    assert response.status_code == 422, response.body
    details = response.body["data"][0]["attributes"]["details"]
    assert (details["field"], details["code"], details["index"]) == (
        "uploads",
        "VALIDATION_FORMAT",
        1,
    )
    settings.CMS_MAX_RECORD_BYTES = 100
    response = api.post("/uploads/bulk/destroy", body([upload] * 5))
    assert response.status_code == 413
    assert response.body["data"][0]["attributes"]["code"] == "REQUEST_TOO_LARGE"
    assert not Job.objects.filter(kind="uploads.bulk_destroy").exists()
    assert Upload.objects.filter(pk=upload).exists()
