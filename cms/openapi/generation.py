"""The OpenAPI 3.1 document, made by drf-spectacular from the URLconf.

drf-spectacular walks the URLconf and asks each DRF view's schema (:class:`CatalogSchema`,
``DEFAULT_SCHEMA_CLASS``) for each method's operation; our views have no serializers to
introspect, so the schema reads the operation from the catalogs (``operations.CMA``,
``record_api.operations()``). :func:`finish` (a postprocessing hook) adds the shared
components and the few plain Django routes. A route with no catalog entry is left out,
and tests/cms/test_openapi.py fails on it.
"""

import re
from functools import cache

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema

from cms.openapi import components, record_api
from cms.openapi.op_shapes import Op
from cms.openapi.operations import CMA, DEFAULT_PATH_PARAMETER, PATH_PARAMETERS
from cms.openapi.project_operations import PROJECT


@cache
def operations() -> dict[str, Op]:
    return {**CMA, **PROJECT, **record_api.operations()}


def is_record_api(path: str) -> bool:
    return path in record_api.SESSION_PATHS or any(
        path in (form.service, form.table) or path.startswith(form.table + "/")
        for form in record_api.FORMS
    )


class CatalogSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        op = operations().get(f"{method} {path}")
        return None if op is None else build_operation(method, path, op)


def build_operation(method: str, path: str, op: Op) -> dict:
    record = is_record_api(path)
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": PATH_PARAMETERS.get(name, DEFAULT_PATH_PARAMETER),
            "schema": {"type": "string", "minLength": 1},
        }
        for name in re.findall(r"{(\w+)}", path)
    ]
    parameters += [
        {"name": name, "in": "query", "required": False, "description": text, "schema": schema}
        for name, (schema, text) in op.query.items()
    ]
    headers = ["X-Environment"] + ([] if record else ["X-Api-Version"])
    headers += ["Idempotency-Key"] if op.idempotent else []
    parameters += [{"$ref": f"#/components/parameters/{name}"} for name in headers]
    operation = {
        "operationId": re.sub(r"\W+", "_", f"{method.lower()} {path}").strip("_"),
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": parameters,
        "security": op.security
        if op.security is not None
        else (components.RECORD_API_SECURITY if record else [{"bearer": []}]),
        "responses": _responses(op, record),
    }
    if op.description:
        operation["description"] = op.description
    if op.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": op.body}},
        }
    return operation


def _responses(op: Op, record: bool) -> dict:
    answers = {}
    for status, schema in op.answers.items():
        answer = {"description": "OK" if status < 300 else "Done"}
        if schema is not None:
            answer["content"] = {"application/json": {"schema": schema}}
        answers[str(status)] = answer
    for status in components.STATUSES:
        name = "RecordApiError" if record else f"Error{status}"
        answers[str(status)] = {"$ref": f"#/components/responses/{name}"}
    return answers


PLAIN_ROUTES = {
    "/": {"get": ("Server", "Where things are: the API, the admin, these docs")},
    "/healthz": {"get": ("Server", "The process answers")},
    "/readyz": {"get": ("Server", "The database, cache and storage answer (else 503)")},
    "/metrics": {"get": ("Server", "Prometheus metrics (`CMS_METRICS_TOKEN` as a bearer token)")},
    "/docs": {"get": ("Server", "This document, browsable (HTML)")},
    "/docs/openapi.json": {"get": ("Server", "This document")},
    "/upload-content/{token}": {
        "put": ("Uploads", "The file's bytes, to the URL `POST /upload-requests` answered")
    },
    "/media/{path}": {"get": ("Uploads", "A stored file (`?w=`, `h`, `fit`... transform images)")},
}


def finish(result, generator, request, public):
    """drf-spectacular's postprocessing hook: shared components, plain routes, order."""
    for path, methods in PLAIN_ROUTES.items():
        for method, (tag, summary) in methods.items():
            result["paths"].setdefault(path, {})[method] = {
                "operationId": re.sub(r"\W+", "_", f"{method} {path}").strip("_") or "index",
                "summary": summary,
                "tags": [tag],
                "security": [],
                "parameters": [
                    {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                    for name in re.findall(r"{(\w+)}", path)
                ],
                "responses": {"200": {"description": "OK"}, "404": {"description": "Not found"}},
            }
    result["paths"] = dict(sorted(result["paths"].items()))
    result["components"] = {
        "schemas": components.schemas(),
        "responses": components.error_responses(),
        "parameters": components.PARAMETERS,
        "securitySchemes": components.SECURITY_SCHEMES,
    }
    return result


@cache
def document() -> dict:
    """The document: the same for every request (routes and catalogs are code), made once
    per process."""
    return SchemaGenerator().get_schema(request=None, public=True)
