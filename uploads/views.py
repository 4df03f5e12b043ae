"""Upload endpoints: /upload-requests, the signed PUT, /uploads. Thin: parse, call, render."""

import json

from django.conf import settings
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt
from django.views.static import serve
from rest_framework.response import Response
from rest_framework.views import APIView

import jobs
from access.permissions import uploads as upload_permissions
from access.records import check_upload
from cms.api import json_body
from cms.api.body_limit import BodyLimit
from cms.api.errors import ApiError, ApiErrors, error_document, found, json_error
from cms.api.parsing import JSONAPIParser, JSONParser, MultiPartParser, parse_resource
from cms.api.query import nested_params, refuse_unknown
from environments.scoped_jobs import submit_here
from uploads import destroying, replacing, selectors, services
from uploads.models import Upload
from uploads.resources import upload_resource
from uploads.variant_views import serve_transformed

# Multipart form overhead allowed on top of the file itself before refusing outright.
MULTIPART_SLACK = 64 * 1024


def find_upload(upload_id: str) -> Upload:
    return found(Upload.objects.filter(pk=upload_id).first(), upload=upload_id)


class UploadRequestView(APIView):
    scope = "content"
    upload_permissions = "create"  # access/permissions.py

    def post(self, request):
        document = parse_resource(request.data, "upload_request")
        upload_request, url = services.upload_request_create(request=request, document=document)
        return Response(
            {
                "data": {
                    "type": "upload_request",
                    "id": upload_request.path,
                    "attributes": {"url": url, "request_headers": {}},
                }
            },
            status=201,
        )


def _put_body(request):
    """The PUT's body as a stream, and its announced length (None: chunked, read to the end).

    A chunked body has no Content-Length, and Django reads nothing without one; the raw
    input is read instead when the server has de-chunked it and marks its end
    (``wsgi.input_terminated``: gunicorn, granian). Servers that don't (Django's
    runserver) get a 411, never an empty file.
    """
    length = request.META.get("CONTENT_LENGTH")
    if length:
        try:
            return request, int(length)
        except ValueError as error:
            raise ApiError("INVALID_CONTENT_LENGTH", 400, content_length=length) from error
    if "chunked" not in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        return request, 0
    if not request.META.get("wsgi.input_terminated"):
        raise ApiError(
            "LENGTH_REQUIRED",
            411,
            message="Send a Content-Length: this server can't read chunked bodies.",
        )
    return request.META["wsgi.input"], None


@csrf_exempt
def upload_content(request, token):
    """The signed URL: a plain PUT of the bytes, authorised by its signature alone."""
    if request.method != "PUT":
        return json_error("METHOD_NOT_ALLOWED", 405, allowed=["PUT"])
    try:
        stream, length = _put_body(request)
        upload_request = services.receive_content(token=token, stream=stream, content_length=length)
    except (ApiError, ApiErrors) as error:
        errors = error.errors if isinstance(error, ApiErrors) else [error]
        response = json_error(errors[0].code, errors[0].status, **errors[0].details)
        response.content = json.dumps(error_document(errors))
        return response
    response = json_error("OK", 200)  # any 2xx satisfies the client; answer JSON anyway
    response.content = json.dumps({"data": {"type": "upload_request", "id": upload_request.path}})
    return response


def _multipart_attributes(data) -> dict:
    attributes = {
        key: data.get(key) for key in ("author", "copyright", "notes", "basename") if key in data
    }
    tags = data.getlist("tags") or data.getlist("tags[]")
    if tags:
        attributes["tags"] = [t for tag in tags for t in tag.split(",") if t.strip()]
    if "default_field_metadata" in data:
        try:
            # Checked as a JSON body is (no NUL, no lone surrogate, bounded nesting).
            attributes["default_field_metadata"] = json_body.loads(data["default_field_metadata"])
        except ApiError as error:
            raise ApiError(
                "INVALID_FIELD",
                422,
                field="default_field_metadata",
                code="VALIDATION_FORMAT",
                message=f"Expected JSON: {error.details['message']}",
                **({"path": error.details["path"]} if "path" in error.details else {}),
            ) from None
    return attributes


class UploadListView(APIView):
    scope = "content"
    upload_permissions = True  # one action per method (access/permissions.py)
    parser_classes = [JSONParser, JSONAPIParser, MultiPartParser]

    def get(self, request):
        readable = upload_permissions(request)
        uploads, total = selectors.upload_list(nested_params(request.query_params), readable)
        return Response(
            {
                "data": [upload_resource(upload, request) for upload in uploads],
                "meta": {"total_count": total},
            }
        )

    def post(self, request):
        creator = request.auth.id
        if request.content_type.startswith("multipart/form-data"):
            length = int(request.META.get("CONTENT_LENGTH") or 0)
            if length > settings.CMS_MAX_UPLOAD_BYTES + MULTIPART_SLACK:
                raise ApiError("UPLOAD_TOO_LARGE", 413, max_bytes=settings.CMS_MAX_UPLOAD_BYTES)
            uploaded = request.FILES.get("file")
            if uploaded is None:
                raise ApiError(
                    "INVALID_FIELD",
                    422,
                    field="file",
                    code="VALIDATION_REQUIRED",
                    message='Send the file as the multipart field "file".',
                )
            upload = services.upload_create_from_file(
                uploaded=uploaded,
                attributes=_multipart_attributes(request.data),
                creator_id=creator,
            )
        else:
            document = parse_resource(request.data, "upload")
            upload = services.upload_create(document=document, creator_id=creator)
        return Response({"data": upload_resource(upload, request)}, status=201)


class UploadDetailView(APIView):
    scope = "content"
    upload_permissions = True  # one action per method (access/permissions.py)

    def get(self, request, upload_id):
        upload = check_upload(request, "read", find_upload(upload_id))
        return Response({"data": upload_resource(upload, request)})

    def put(self, request, upload_id):
        strategy = replacing.replace_strategy(nested_params(request.query_params))
        document = parse_resource(request.data, "upload")
        upload = services.upload_update(
            upload=check_upload(request, "update", find_upload(upload_id)),
            document=document,
            replace_strategy=strategy,
        )
        return Response({"data": upload_resource(upload, request)})

    def delete(self, request, upload_id):
        upload = check_upload(request, "delete", find_upload(upload_id))
        answer = upload_resource(upload, request)
        services.upload_destroy(upload=upload)
        return Response({"data": answer})


class BulkDestroyView(BodyLimit, APIView):
    """``POST /uploads/bulk/destroy``: a job (uploads/destroying.py, uploads/tasks.py)."""

    scope = "content"
    upload_permissions = "delete"

    def post(self, request):
        refuse_unknown(nested_params(request.query_params), set())
        upload_ids = destroying.bulk_request_ids(request.data)
        return jobs.accepted(submit_here("uploads.bulk_destroy", {"uploads": upload_ids}))


def serve_media(request, path):
    """Files of the default (folder) storage, transformed when the query asks
    (``?w=300&fm=webp``: uploads/variant_views.py). Sandboxed: an uploaded HTML or SVG
    file can't run script with this site's origin."""
    if request.method not in ("GET", "HEAD"):
        response = json_error("METHOD_NOT_ALLOWED", 405, request=request)
        response["Allow"] = "GET, HEAD"
        return response
    response = serve_transformed(request, path, original=_serve_file)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _serve_file(request, path):
    try:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError as error:
        # A name the file system refuses (longer than it allows, say) names no file.
        raise Http404(path) from error
