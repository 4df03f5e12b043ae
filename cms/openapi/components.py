"""The shapes the API document's operations share: JSON:API resources and documents,
the two error shapes with their codes (from ``cms.api.codes``), the 202 job, headers,
query parameters and authentication. Schemas are OpenAPI 3.1 (JSON Schema 2020-12)."""

from cms.api.codes import CODES, REASONS

ID = {"type": "string", "description": "A resource id (22 URL-safe characters)."}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def resource(type_: str, attributes: dict | None = None) -> dict:
    """A JSON:API resource object of ``type_`` as answered (answers may carry attributes
    beyond the ones a client writes)."""
    return {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "type": {"const": type_},
            "attributes": {"type": "object", "properties": attributes or {}},
            "relationships": {"type": "object"},
            "meta": {"type": "object"},
        },
        "required": ["id", "type"],
    }


def document(data: dict, *, many: bool = False) -> dict:
    """A JSON:API document: ``data`` (one resource, or a list with ``meta.total_count``),
    and ``included`` where the call includes related resources."""
    return {
        "type": "object",
        "properties": {
            "data": {"type": "array", "items": data} if many else data,
            "included": {"type": "array", "items": {"type": "object"}},
            "meta": {"type": "object"},
        },
        "required": ["data"],
    }


def write_document(type_: str, attributes: dict | None, *, required=(), with_id=False) -> dict:
    """A request body: ``{data: {type, id?, attributes, relationships?, meta?}}``.
    ``attributes`` None: the attributes are free-form (described in the operation)."""
    attrs = (
        {"type": "object"}
        if attributes is None
        else {
            "type": "object",
            "properties": attributes,
            "additionalProperties": False,
            **({"required": list(required)} if required else {}),
        }
    )
    data = {
        "type": "object",
        "properties": {
            "type": {"const": type_},
            "id": {"type": "string"},
            "attributes": attrs,
            "relationships": {"type": "object"},
            "meta": {"type": "object"},
        },
        "required": ["type", *(["id"] if with_id else [])],
    }
    return {"type": "object", "properties": {"data": data}, "required": ["data"]}


def attributes_of(spec: dict) -> tuple[dict, list[str]]:
    """A resource's writable attributes (``cms.api.attributes.Attribute`` specs) as
    properties, and those a create requires."""
    properties = {name: attribute.json_schema() for name, attribute in spec.items()}
    return properties, [name for name, attribute in spec.items() if attribute.required]


def _api_error(codes: list[str]) -> dict:
    return {
        "type": "object",
        "properties": {
            "data": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "type": {"const": "api_error"},
                        "attributes": {
                            "type": "object",
                            "properties": {
                                "code": {"enum": codes},
                                "details": {
                                    "type": "object",
                                    "properties": {
                                        "field": {"type": "string"},
                                        "code": {
                                            "type": "string",
                                            "description": "The rule broken: "
                                            + ", ".join(sorted(REASONS))
                                            + ", or a validator's VALIDATION_<NAME>.",
                                        },
                                        "locale": {"type": "string"},
                                        "path": {"type": "array"},
                                        "key": {"type": "string"},
                                    },
                                },
                                "transient": {"type": "boolean"},
                            },
                            "required": ["code", "details"],
                        },
                    },
                    "required": ["id", "type", "attributes"],
                },
            }
        },
        "required": ["data"],
    }


DREAMFACTORY_ERROR = {
    "type": "object",
    "description": "DreamFactory's error object: every refusal under the record API.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "integer"},
                "status_code": {"type": "integer"},
                "message": {"type": "string"},
                "context": {
                    "description": "`error`: the problems, each `{error: <code>, ...details}`"
                    " (a batch: `error` the failed indexes, `record` each slot's outcome)."
                },
            },
            "required": ["code", "status_code", "message"],
        }
    },
    "required": ["error"],
}

JOB = document(
    {
        "type": "object",
        "properties": {"type": {"const": "job"}, "id": {"type": "string"}},
        "required": ["type", "id"],
    }
)

STATUSES = sorted({code.status for code in CODES.values()})


def error_responses() -> dict:
    """One response per HTTP status the API refuses with, its codes listed."""
    responses = {}
    for status in STATUSES:
        codes = sorted(name for name, code in CODES.items() if code.status == status)
        lines = "\n".join(f"- `{name}`: {CODES[name].meaning}" for name in codes)
        responses[f"Error{status}"] = {
            "description": f"Refused ({status}); `code` is one of:\n\n{lines}",
            "content": {"application/json": {"schema": ref(f"ApiError{status}")}},
        }
    responses["RecordApiError"] = {
        "description": "Refused: DreamFactory's error object, with the same HTTP statuses "
        "and codes (in `context.error[].error`) as the Content Management API.",
        "content": {"application/json": {"schema": ref("DreamFactoryError")}},
    }
    return responses


def schemas() -> dict:
    found = {"ApiError": _api_error(sorted(CODES)), "DreamFactoryError": DREAMFACTORY_ERROR}
    for status in STATUSES:
        found[f"ApiError{status}"] = _api_error(
            sorted(name for name, code in CODES.items() if code.status == status)
        )
    found["Job"] = JOB
    return found


def header(name: str, description: str, **schema) -> dict:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "description": description,
        "schema": {"type": "string", **schema},
    }


PARAMETERS = {
    "X-Environment": header(
        "X-Environment",
        "The environment to work in (lowercase letters, digits, dashes); the primary one "
        "without it. Answers name it in `X-Environment`.",
        maxLength=64,
    ),
    "X-Api-Version": header(
        "X-Api-Version", "3 (the only version), as DatoCMS's client sends.", enum=["3"]
    ),
    "Idempotency-Key": header(
        "Idempotency-Key",
        "Replays the first answer for a repeat with the same body (24 hours, per token).",
        minLength=1,
        maxLength=255,
    ),
}

SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "`Authorization: Bearer <token>` (`manage.py create_token`). Roles: "
        "admin (schema and content), editor (content), readonly (reads).",
    },
    "dreamfactoryApiKey": {
        "type": "apiKey",
        "in": "header",
        "name": "X-DreamFactory-Api-Key",
        "description": "The same token, as DreamFactory's clients send it.",
    },
    "dreamfactoryApiKeyQuery": {
        "type": "apiKey",
        "in": "query",
        "name": "api_key",
        "description": "The same token in the query, as DreamFactory takes it. Discouraged: "
        "URLs end up in proxies' logs and browser histories (ours redact it).",
    },
    "dreamfactorySession": {
        "type": "apiKey",
        "in": "header",
        "name": "X-DreamFactory-Session-Token",
        "description": "A user's session (`POST /api/v2/user/session`): their role's access.",
    },
    "dreamfactorySessionQuery": {
        "type": "apiKey",
        "in": "query",
        "name": "session_token",
        "description": "The session in the query. Discouraged, as `api_key=` is.",
    },
}
#: Who may call the record API: a token or a user's session, in a header or the query.
RECORD_API_SECURITY = [
    {name: []}
    for name in (
        "bearer",
        "dreamfactoryApiKey",
        "dreamfactoryApiKeyQuery",
        "dreamfactorySession",
        "dreamfactorySessionQuery",
    )
]
