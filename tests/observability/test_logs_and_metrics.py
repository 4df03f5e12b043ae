"""What an operator sees of a real production server (granian, two workers): a JSON access
line per request with its id, path, status and duration and no secrets; the id on the
answer; and Prometheus metrics that count every worker's requests and the job queue."""

import json
import re

import pytest
from django.db import connection

from observability.context import request_id_for
from observability.logs import redacted_query
from tests.cms.production import (
    database_url_for_servers,
    forget_what_servers_wrote,
    manage,
    request,
    running_server,
    server_env,
)

# (Marked so that pytest-django sets the test database up even when this module runs alone.)
pytestmark = pytest.mark.django_db

METRICS_TOKEN = "metrics-test-token"
DREAMFACTORY_KEY = "df-secret-key-that-must-not-be-logged"


@pytest.fixture(scope="module")
def server(tmp_path_factory, django_db_setup, django_db_blocker):
    tmp_dir = tmp_path_factory.mktemp("observability")
    with django_db_blocker.unblock():
        url = database_url_for_servers(connection, tmp_dir)
    token = manage(server_env(tmp_dir, url), "create_token", "observability", "--role", "admin")
    token = token.split()[-1]
    metrics_dir = tmp_dir / "metrics"
    metrics_dir.mkdir()
    env = server_env(
        tmp_dir,
        url,
        CMS_LOG_FORMAT="json",
        CMS_METRICS_TOKEN=METRICS_TOKEN,
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
    )
    with running_server(env, tmp_dir / "server.log") as running:
        running.token = token
        yield running
    forget_what_servers_wrote(django_db_blocker, "observability")


def log_lines(server) -> list[dict]:
    """The server's output lines that are JSON objects (granian's own lines are not)."""
    lines = []
    for line in server.output().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def access_line(server, request_id: str) -> dict:
    found = [
        line
        for line in log_lines(server)
        if line.get("logger") == "cms.access" and line.get("request_id") == request_id
    ]
    assert len(found) == 1, found
    return found[0]


def api_headers(server, **more) -> dict:
    return {"Authorization": f"Bearer {server.token}", "X-Api-Version": "3", **more}


def test_an_access_line_per_request_with_its_id(server):
    status, headers, _, _ = request(
        server.port, "GET", "/site", headers=api_headers(server, **{"X-Request-ID": "trace-42"})
    )
    assert status == 200
    assert headers["X-Request-ID"] == "trace-42"  # the client's id follows the request

    line = access_line(server, "trace-42")
    assert line["level"] == "INFO"
    assert line["method"] == "GET"
    assert line["path"] == "/site"
    assert line["route"] == "/site"
    assert line["status"] == 200
    assert line["duration_ms"] > 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", line["time"])


def test_an_id_is_made_when_the_client_sends_none_or_a_bad_one(server):
    _, headers, _, _ = request(server.port, "GET", "/healthz")
    made = headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert access_line(server, made)["status"] == 200

    # Spaces, or an overlong id, are never echoed into logs or answers.
    _, headers, _, _ = request(
        server.port, "GET", "/healthz", headers={"X-Request-ID": "a b; drop table"}
    )
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
    _, headers, _, _ = request(server.port, "GET", "/healthz", headers={"X-Request-ID": "x" * 200})
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])


def test_errors_are_logged_with_their_status(server):
    status, headers, body, _ = request(
        server.port, "GET", "/items/nope", headers={"Authorization": "Bearer wrong-token-value"}
    )
    assert status == 401
    line = access_line(server, headers["X-Request-ID"])
    assert line["status"] == 401
    assert line["route"] == "/items/<str:item_id>"  # the pattern, not the raw path


def test_secrets_never_reach_the_log(server):
    status, headers, _, _ = request(
        server.port,
        "GET",
        f"/rest/db?api_key={DREAMFACTORY_KEY}&fields=id",
        headers={"X-DreamFactory-Api-Key": DREAMFACTORY_KEY},
    )
    assert status < 500
    line = access_line(server, headers["X-Request-ID"])
    assert line["query"] == "api_key=[redacted]&fields=id"
    request(server.port, "GET", "/site", headers=api_headers(server))
    output = server.output()
    assert DREAMFACTORY_KEY not in output
    assert server.token not in output


def metric(exposition: str, name: str, **labels) -> float | None:
    """The value of the sample ``name{labels}`` (labels in any order), or None."""
    for line in exposition.splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if not match or match[1] != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match[2] or ""))
        if found == labels:
            return float(match[3])
    return None


def scrape(server) -> str:
    status, headers, body, _ = request(
        server.port, "GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    assert status == 200, body
    assert headers["Content-Type"].startswith("text/plain")
    return body.decode()


def test_metrics_need_their_token(server):
    status, _, body, _ = request(server.port, "GET", "/metrics")
    assert status == 401
    assert json.loads(body)["data"][0]["attributes"]["code"] == "INVALID_AUTHORIZATION_HEADER"
    status, _, _, _ = request(
        server.port, "GET", "/metrics", headers={"Authorization": f"Bearer {server.token}"}
    )
    assert status == 401  # an API token is not the metrics token
    status, _, body, _ = request(server.port, "POST", "/metrics")
    assert status == 405


def test_metrics_count_every_workers_requests(server):
    before = metric(scrape(server), "cms_http_requests_total", method="HEAD", route="/healthz",
                    status="200") or 0  # fmt: skip
    # New connections each: granian spreads them over both workers.
    for _ in range(30):
        assert request(server.port, "HEAD", "/healthz")[0] == 200
    # Whichever worker answers a scrape, it counts all 30.
    for _ in range(4):
        exposition = scrape(server)
        counted = metric(
            exposition, "cms_http_requests_total", method="HEAD", route="/healthz", status="200"
        )
        assert counted == before + 30
    assert (
        metric(exposition, "cms_http_request_duration_seconds_count", method="HEAD",
               route="/healthz") == before + 30
    )  # fmt: skip


def test_metrics_show_the_job_queue(server):
    exposition = scrape(server)
    depth = metric(exposition, "cms_job_queue_depth")
    assert depth is not None
    # A job queued with no worker running waits: the depth grows by one.
    headers = {**api_headers(server), "Content-Type": "application/vnd.api+json"}
    body = json.dumps(
        {
            "data": {
                "type": "item_bulk_destroy_operation",
                "relationships": {"items": {"data": [{"type": "item", "id": "doesnotexist"}]}},
            }
        }
    ).encode()
    status, _, answer, _ = request(
        server.port, "POST", "/items/bulk/destroy", headers=headers, body=body
    )
    assert status == 202, answer
    exposition = scrape(server)
    assert metric(exposition, "cms_job_queue_depth") == depth + 1
    assert metric(exposition, "cms_jobs", state="queued") == depth + 1
    assert metric(exposition, "cms_jobs_failed_total") is not None


@pytest.mark.parametrize(
    "query, shown",
    [
        ("", ""),
        ("api_key=abc", "api_key=[redacted]"),
        ("API_KEY=abc&x=1", "API_KEY=[redacted]&x=1"),
        (
            "X-Amz-Signature=ff&X-Amz-Credential=k%2Fday&w=5",
            "X-Amz-Signature=[redacted]&X-Amz-Credential=[redacted]&w=5",
        ),  # fmt: skip
        ("filter[name][eq]=a b", "filter[name][eq]=a+b"),
    ],
)
def test_redacted_query(query, shown):
    assert redacted_query(query) == shown


@pytest.mark.parametrize(
    "given, kept",
    [
        ("abc-123", True),
        ("0f" * 64, True),
        ("a" * 129, False),
        ("a b", False),
        ("é", False),
        ("", False),
        (None, False),
        ("x\ny", False),
    ],  # fmt: skip
)
def test_request_ids_accepted(given, kept):
    made = request_id_for(given)
    assert (made == given) is kept
    assert re.fullmatch(r"[A-Za-z0-9._:@+=/-]{1,128}", made)
