"""JSON answers for requests that never reach an API view."""

from django.views.decorators.csrf import csrf_exempt

from cms.api.errors import json_error


@csrf_exempt
def not_found(request, exception=None):
    return json_error("NOT_FOUND", 404, path=request.path)


def server_error(request):
    return json_error("INTERNAL_SERVER_ERROR", 500)


def bad_request(request, exception=None):
    return json_error("BAD_REQUEST", 400)


def forbidden(request, exception=None):
    return json_error("INSUFFICIENT_PERMISSIONS", 403)
