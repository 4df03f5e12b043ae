"""Headers every API answer carries."""

from cms.api.errors import json_error

SUPPORTED_API_VERSIONS = {"3"}


class ApiHeadersMiddleware:
    """Echo ``X-Api-Version`` and refuse versions we do not speak."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        version = request.headers.get("X-Api-Version")
        if version is not None and version.strip() not in SUPPORTED_API_VERSIONS:
            response = json_error(
                "INVALID_API_VERSION",
                400,
                request=request,  # (DreamFactory's error shape under /rest/)
                supported=sorted(SUPPORTED_API_VERSIONS),
            )
        else:
            response = self.get_response(request)
        response["X-Api-Version"] = "3"
        return response
