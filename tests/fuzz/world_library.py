"""The world's media library: collections seeded over HTTP, and the valid bodies of the
library's writes (collections, tags, bulk edits) the strategies mutate."""


def seed_library(api, upload_id: str) -> list[str]:
    """Two collections, the second inside the first; the upload goes into the first."""
    ids: list[str] = []
    for label in ("Photos", "Summer"):
        data = {"type": "upload_collection", "attributes": {"label": label}}
        if ids:
            data["relationships"] = {"parent": _link("upload_collection", ids[0])}
        response = api.post("/upload-collections", {"data": data})
        assert response.status_code == 201, response.body
        ids.append(response.body["data"]["id"])
    moved = api.put(
        f"/uploads/{upload_id}",
        {
            "data": {
                "type": "upload",
                "attributes": {"tags": ["seeded"]},
                "relationships": {"upload_collection": _link("upload_collection", ids[0])},
            }
        },
    )
    assert moved.status_code == 200, moved.body
    return ids


def _link(type_, id_):
    return {"data": {"type": type_, "id": id_}}


def library_payloads(world) -> dict[str, object]:
    photos, summer = world.upload_collection_ids
    uploads = {"data": [{"type": "upload", "id": world.upload_id}]}
    return {
        "upload_collection": {
            "data": {
                "type": "upload_collection",
                "attributes": {"label": "New", "position": 1},
                "relationships": {"parent": _link("upload_collection", photos)},
            }
        },
        "upload_collection_update": {
            "data": {
                "type": "upload_collection",
                "attributes": {"label": "Renamed"},
                "relationships": {
                    "children": {"data": [{"type": "upload_collection", "id": summer}]}
                },
            }
        },
        "upload_collection_reorder": {
            "data": [
                {
                    "type": "upload_collection",
                    "id": summer,
                    "attributes": {"position": 1},
                    "relationships": {"parent": {"data": None}},
                }
            ]
        },
        "upload_tag": {"data": {"type": "upload_tag", "attributes": {"name": "fuzzed"}}},
        "upload_bulk_tag": {
            "data": {
                "type": "upload_bulk_tag_operation",
                "attributes": {"tags": ["a", "b"]},
                "relationships": {"uploads": uploads},
            }
        },
        "upload_bulk_set_upload_collection": {
            "data": {
                "type": "upload_bulk_set_upload_collection_operation",
                "relationships": {
                    "upload_collection": _link("upload_collection", summer),
                    "uploads": uploads,
                },
            }
        },
    }
