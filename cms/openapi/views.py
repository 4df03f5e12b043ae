"""``/docs/openapi.json`` (the document) and ``/docs`` (Swagger UI over it, served from
this server's static files: no CDN)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from cms.api.errors import json_error
from cms.openapi.generation import document

READ_METHODS = ("GET", "HEAD")


@csrf_exempt
def openapi_json(request):
    if request.method not in READ_METHODS:
        return json_error("METHOD_NOT_ALLOWED", 405, method=request.method, allowed=READ_METHODS)
    response = JsonResponse(document(), json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/json; charset=utf-8"
    return response


@csrf_exempt
def docs_page(request):
    if request.method not in READ_METHODS:
        return json_error("METHOD_NOT_ALLOWED", 405, method=request.method, allowed=READ_METHODS)
    return render(request, "cms/api_docs.html")
