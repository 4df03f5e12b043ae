"""Helpers of the media-library tests: collections, uploads made in bulk, jobs run here."""

from cms.ids import new_id
from jobs.models import Job
from tests.menus.conftest import run_jobs
from uploads.models import Upload, UploadCollection, UploadTag


def link(type_: str, id_: str | None) -> dict:
    return {"data": {"type": type_, "id": id_} if id_ else None}


def create_collection(api, label: str, parent: str | None = None, **attributes) -> dict:
    data = {"type": "upload_collection", "attributes": {"label": label, **attributes}}
    if parent:
        data["relationships"] = {"parent": link("upload_collection", parent)}
    response = api.post("/upload-collections", {"data": data})
    assert response.status_code == 201, response.body
    return response.body["data"]


def library(api) -> list[tuple]:
    """The collections as the API lists them: (label, parent's label, position), in order."""
    response = api.get("/upload-collections")
    assert response.status_code == 200, response.body
    labels = {r["id"]: r["attributes"]["label"] for r in response.body["data"]}
    return [
        (
            r["attributes"]["label"],
            labels.get((r["relationships"]["parent"]["data"] or {}).get("id")),
            r["attributes"]["position"],
        )
        for r in response.body["data"]
    ]


def stored() -> tuple:
    """Every collection, tag and upload's tags and collection: to show a refusal wrote nothing."""
    return (
        sorted(UploadCollection.objects.values_list("id", "label", "parent_id", "position")),
        sorted(UploadTag.objects.values_list("name", flat=True)),
        sorted(Upload.objects.values_list("id", "tags", "upload_collection_id")),
    )


def make_uploads(count: int, **fields) -> list[str]:
    """``count`` upload rows, straight into the table (what bulk edits start from)."""
    uploads = [
        Upload(
            id=new_id(),
            path=f"/{new_id()}/file{n}.png",
            filename=f"file{n}.png",
            basename=f"file{n}",
            size=10,
            md5="0" * 32,
            **fields,
        )
        for n in range(count)
    ]
    Upload.objects.bulk_create(uploads)
    return [upload.id for upload in uploads]


def uploads_rel(ids) -> dict:
    return {"data": [{"type": "upload", "id": id_} for id_ in ids]}


def bulk_tag_body(ids, tags) -> dict:
    return {
        "data": {
            "type": "upload_bulk_tag_operation",
            "attributes": {"tags": tags},
            "relationships": {"uploads": uploads_rel(ids)},
        }
    }


def bulk_collection_body(ids, collection_id) -> dict:
    return {
        "data": {
            "type": "upload_bulk_set_upload_collection_operation",
            "relationships": {
                "upload_collection": link("upload_collection", collection_id),
                "uploads": uploads_rel(ids),
            },
        }
    }


def job_done(api, response) -> dict:
    """A 202's job run here as a worker would; its result as /job-results answers it."""
    assert response.status_code == 202, response.body
    job_id = response.body["data"]["id"]
    assert api.get(f"/job-results/{job_id}").status_code == 404  # not run yet
    (job,) = run_jobs()
    assert job.id == job_id and job.state in (Job.State.SUCCEEDED, Job.State.FAILED)
    result = api.get(f"/job-results/{job_id}")
    assert result.status_code == 200, result.body
    return result.body["data"]["attributes"]
