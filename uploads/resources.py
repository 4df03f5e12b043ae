"""How an upload looks on the wire."""

from cms.api.wire import timestamp
from uploads import storage
from uploads.models import Upload


def upload_resource(upload: Upload, request) -> dict:
    return {
        "type": "upload",
        "id": upload.id,
        "attributes": {
            "size": upload.size,
            "width": upload.width,
            "height": upload.height,
            "path": upload.path,
            "basename": upload.basename,
            "filename": upload.filename,
            "url": storage.public_url(request, upload.storage_name),
            "format": upload.format,
            "mime_type": upload.mime_type,
            "md5": upload.md5,
            "is_image": upload.is_image,
            "author": upload.author,
            "copyright": upload.copyright,
            "notes": upload.notes,
            "tags": upload.tags,
            "smart_tags": upload.smart_tags,
            "default_field_metadata": upload.default_field_metadata,
            "duration": None,
            "frame_rate": None,
            "blurhash": upload.blurhash,
            "thumbhash": upload.thumbhash,
            "mux_playback_id": None,
            "mux_mp4_highest_res": None,
            "exif_info": upload.exif_info,
            "colors": upload.colors,
            "created_at": timestamp(upload.created_at),
            "updated_at": timestamp(upload.updated_at),
        },
        "relationships": {
            "upload_collection": {
                "data": {"type": "upload_collection", "id": upload.upload_collection_id}
                if upload.upload_collection_id
                else None
            },
            "creator": {
                "data": {"type": "access_token", "id": upload.creator_id}
                if upload.creator_id
                else None
            },
        },
        "meta": {},
    }
