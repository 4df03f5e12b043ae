"""JSON answers for requests that never reach an API view, or whose answer failed after
the view returned (a 500 raised while rendering): api_error documents, or DreamFactory's
error object under ``/rest/``. Django's request logger has already logged the traceback
of a 500 by the time ``server_error`` runs."""

from django.views.decorators.csrf import csrf_exempt

from cms.api.errors import json_error


@csrf_exempt
def not_found(request, exception=None):
    return json_error("NOT_FOUND", 404, request=request, path=request.path)


def server_error(request):
    return json_error("INTERNAL_SERVER_ERROR", 500, request=request)


def bad_request(request, exception=None):
    return json_error("BAD_REQUEST", 400, request=request)


def forbidden(request, exception=None):
    return json_error("INSUFFICIENT_PERMISSIONS", 403, request=request)
