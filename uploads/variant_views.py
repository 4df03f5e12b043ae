"""``/media/<path>?w=…``: an upload file transformed (uploads/variants.py). Not
authenticated, as the file itself is not: its URL is unguessable and public."""

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils.cache import patch_vary_headers

from cms.api.errors import ApiError, ApiErrors, error_document
from uploads import imaging, transformations, variants


def serve_transformed(request, path, original):
    """The variant the query asks for; ``original(request, path)`` when it asks for none,
    or for the file as stored (see :func:`variants.find_or_make`)."""
    if not transformations.requested(request.GET):
        return original(request, path)
    try:
        wanted = transformations.parse(request.GET, imaging.supported_formats())
        variant = variants.find_or_make(path, wanted, request.headers.get("Accept", ""))
    except (ApiError, ApiErrors) as error:
        errors = error.errors if isinstance(error, ApiErrors) else [error]
        response = JsonResponse(error_document(errors), status=errors[0].status)
        response["Content-Type"] = "application/json; charset=utf-8"
        return response
    response = original(request, path) if variant is None else _answer(request, variant)
    if wanted.depends_on_accept():
        patch_vary_headers(response, ["Accept"])
    return response


def _answer(request, variant: variants.Variant):
    etag = f'"{variant.etag}"'
    if etag in request.headers.get("If-None-Match", ""):
        if variant.handle is not None:
            variant.handle.close()
        response = HttpResponseNotModified()
    elif variant.handle is not None:
        response = FileResponse(variant.handle, content_type=variant.content_type)
    else:
        response = HttpResponse(variant.data, content_type=variant.content_type)
    response["ETag"] = etag
    response["Cache-Control"] = settings.CMS_IMAGE_TRANSFORM_CACHE_CONTROL
    return response
