"""The API document (/docs/openapi.json): valid OpenAPI 3.1, every public route of the
URLconf in it, the browsable page served from this server's files, and a bounded
schemathesis run against it that meets no 5xx."""

import re

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from rest_framework.views import APIView

from cms.api.codes import CODES
from tests.conftest import Api
from tests.items.conftest import item_body

#: Not public API routes: the admin, and the catch-alls that answer 404 in each API's shape.
NOT_DOCUMENTED = ("admin/", r"^.*$", r"^rest(/[\s\S]*)?$", r"^api/v2(/[\s\S]*)?$")


def routes(patterns=None, prefix="") -> list[tuple[str, object]]:
    """Every route of the URLconf as an OpenAPI path (``{name}`` for a parameter)."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = str(pattern.pattern)
        if route in NOT_DOCUMENTED:
            continue
        if isinstance(pattern, URLResolver):
            found += routes(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern):
            path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", prefix + route)
            found.append((path, pattern.callback))
    return found


def methods(callback) -> list[str] | None:
    """A DRF view's methods; None for a plain Django view (it says none)."""
    view = getattr(callback, "cls", None)
    if view is None or not issubclass(view, APIView):
        return None
    # An action view's as_view(http_method_names=[...]) narrows what it takes.
    allowed = getattr(callback, "initkwargs", {}).get("http_method_names", view.http_method_names)
    return [m for m in allowed if m not in ("options", "head") and hasattr(view, m)]


@pytest.fixture
def document(anonymous_api):
    response = anonymous_api.get("/docs/openapi.json")  # no token needed
    assert response.status_code == 200
    return response.body


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_public_route_and_method_is_documented(document):
    missing = []
    for path, callback in routes():
        if methods(callback) is None and not document["paths"].get(path):
            missing.append(path)
        for method in methods(callback) or ():
            if method not in document["paths"].get(path, {}):
                missing.append(f"{method.upper()} {path}")
    assert not missing, f"not in the document (add them to cms/openapi): {missing}"
    assert "/rest/{service}/{table}" in document["paths"]


def test_operations_say_auth_environment_and_errors(document):
    create = document["paths"]["/items"]["post"]
    assert create["security"] == [{"bearer": []}]
    names = {p.get("$ref", "").rsplit("/", 1)[-1] for p in create["parameters"]}
    assert {"X-Environment", "Idempotency-Key"} <= names
    assert create["responses"]["422"] == {"$ref": "#/components/responses/Error422"}
    listed = set()
    for status in {code.status for code in CODES.values()}:
        schema = document["components"]["schemas"][f"ApiError{status}"]
        attributes = schema["properties"]["data"]["items"]["properties"]["attributes"]
        listed |= set(attributes["properties"]["code"]["enum"])
    assert listed == set(CODES)
    records = document["paths"]["/rest/{service}/{table}"]["post"]
    assert records["responses"]["422"] == {"$ref": "#/components/responses/RecordApiError"}
    assert {"dreamfactoryApiKey": []} in records["security"]


def test_the_docs_page_is_served_with_its_own_files(anonymous_api):
    page = anonymous_api.client.get("/docs", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "/docs/openapi.json" in html
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert len(assets) == 3 and not re.search(r'(?:src|href)="https?://', html)
    for asset in assets:
        response = anonymous_api.client.get(asset)
        assert response.status_code == 200, asset
        assert b"".join(response.streaming_content if response.streaming else [response.content])


def test_the_document_answers_only_reads(anonymous_api):
    response = anonymous_api.post("/docs/openapi.json", {})
    assert response.status_code == 405
    assert response.body["data"][0]["attributes"]["code"] == "METHOD_NOT_ALLOWED"


# --- schemathesis: generated requests from the document, to a handful of operations ------

FUZZED = (
    ("GET", "/item-types"),
    ("GET", "/items"),
    ("GET", "/items/{item_id}"),
    ("POST", "/items"),
    ("GET", "/uploads"),
    ("GET", "/item-types/{id_or_api_key}/schema.json"),
    ("GET", "/rest/{service}/{table}"),
    ("POST", "/rest/{service}/{table}"),
)
EXAMPLES = 12


def app(environ, start_response):
    """Django's WSGI application inside this test's transaction: as Django's test client
    does, a request doesn't close the test's connection when it starts or ends."""
    handlers = (signals.request_started, signals.request_finished)
    for signal in handlers:
        signal.disconnect(close_old_connections)
    try:
        response = WSGI(environ, start_response)
        body = b"".join(response)
        response.close()
        return [body]
    finally:
        for signal in handlers:
            signal.connect(close_old_connections)


WSGI = get_wsgi_application()


@pytest.mark.parametrize(("method", "path"), FUZZED)
def test_schemathesis_finds_no_5xx(api, two_locales, document, method, path):
    model = api.create_item_type("post")
    api.create_field(model["id"], "title", "string", validators={"required": {}})
    record = api.post("/items", item_body(model["id"], {"title": "Hello"})).body["data"]
    operation = schemathesis.openapi.from_dict(document)[path][method]
    # Half the cases name things that exist, so they get past the lookups.
    real = {"service": "db", "table": "post", "item_id": record["id"], "id_or_api_key": "post"}

    def existing(case):
        case.path_parameters = {name: real[name] for name in case.path_parameters or {}}
        return case

    strategy = operation.as_strategy()
    auth = {"Authorization": f"Bearer {api.token}"}
    answers = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategy, strategy.map(existing)))
    def send(case):
        response = case.call(app=app, headers=auth)
        answers.append(response.status_code)
        assert response.status_code < 500, case.as_curl_command()

    send()
    assert len(answers) >= 1
    # The token still works and nothing broke the process's state.
    assert Api(api.token).get("/item-types").status_code == 200
