"""The README's production server, as a real process: slow clients can't take it down, it
keeps connections alive, serves the admin's styles, refuses to start without SECRET_KEY,
and /readyz names what is down."""

import http.client
import json
import socket
import threading
import time

import pytest
from django.db import connection

from tests.cms.production import (
    Server,
    closed_port,
    database_url_for_servers,
    forget_what_servers_wrote,
    manage,
    request,
    running_server,
    server_env,
)

# The test database is set up for a session only when a test asks for it: this module's
# servers use it, so the module asks (else, run alone on PostgreSQL, they found no tables).
pytestmark = pytest.mark.django_db

SLOW_PERIOD = 12.0  # seconds the slow clients keep their requests unfinished
PROBES = 8
# Slow chunked bodies: at least 12 land on one of the server's two processes, more than
# its pooled database connections (CMS_DB_POOL_SIZE, 10).
CHUNKED = 24


@pytest.fixture(scope="module")
def server_setup(tmp_path_factory, django_db_setup, django_db_blocker):
    """(database URL, admin token) for server processes."""
    tmp_dir = tmp_path_factory.mktemp("production")
    with django_db_blocker.unblock():
        url = database_url_for_servers(connection, tmp_dir)
    env = server_env(tmp_dir, url)
    token = manage(env, "create_token", "production test", "--role", "admin").split()[-1]
    yield url, token
    forget_what_servers_wrote(django_db_blocker, "production test")


@pytest.fixture(scope="module")
def server(server_setup, tmp_path_factory):
    url, token = server_setup
    data_dir = tmp_path_factory.mktemp("server-data")
    with running_server(server_env(data_dir, url), data_dir / "server.log") as running:
        running.token = token
        yield running


def _slow_headers(port: int, stop: float, finished: list) -> None:
    """Sends a request's headers one line a second, never finishing them."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET /site HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        lines = 0
        while time.monotonic() < stop:
            sock.sendall(b"X-Slow-%d: 1\r\n" % lines)
            lines += 1
            time.sleep(1)
        finished.append(("headers", lines, _answered(sock)))


def _slow_body(port: int, token: str, stop: float, finished: list, chunked=False) -> None:
    """A valid token and a large Content-Length, then the body one byte a second; or
    ``chunked`` (no Content-Length), a one-byte chunk a second. Never finished."""
    framing = (
        b"Transfer-Encoding: chunked\r\n\r\n1\r\n[\r\n"
        if chunked
        else b"Content-Length: 1000000\r\n\r\n["
    )
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(
            b"POST /items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer " + token.encode() + b"\r\n" + framing
        )
        sent = 0
        while time.monotonic() < stop:
            sock.sendall(b"1\r\n \r\n" if chunked else b" ")
            sent += 1
            time.sleep(1)
        finished.append(("chunked" if chunked else "body", sent, _answered(sock)))


def _answered(sock: socket.socket) -> bool:
    """Whether the server has answered (or closed) this unfinished request."""
    sock.setblocking(False)
    try:
        sock.recv(1)  # some bytes, or b"" when the server closed it: either way, answered
    except BlockingIOError:
        return False
    return True


def _probe(port: int, token: str) -> tuple:
    try:
        status, _, _, seconds = request(
            port, "GET", "/site", headers={"Authorization": f"Bearer {token}"}
        )
    except OSError as exc:  # a timeout included
        return type(exc).__name__, None
    return status, round(seconds, 3)


def test_slow_clients_do_not_stop_ordinary_requests(server):
    started = time.monotonic()
    stop = started + SLOW_PERIOD
    finished: list = []  # (kind, lines or bytes sent, answered?) per slow client
    slow = [
        threading.Thread(target=_slow_headers, args=(server.port, stop, finished)) for _ in range(8)
    ] + [
        threading.Thread(
            target=_slow_body, args=(server.port, server.token, stop, finished, chunked)
        )
        for chunked in [False] * 8 + [True] * CHUNKED
    ]
    for thread in slow:
        thread.start()

    # Probes on a fixed schedule from 1.5 s (every slow connection open and sending) to
    # 9.2 s, so that each, taking under 1 s, ends while the slow clients are still slow.
    probes = []
    for number in range(PROBES):
        time.sleep(max(0.0, started + 1.5 + number * 1.1 - time.monotonic()))
        probes.append(_probe(server.port, server.token))
    probes_ended = time.monotonic()
    for thread in slow:
        thread.join(timeout=SLOW_PERIOD + 10)

    assert [status for status, _ in probes] == [200] * PROBES, probes
    assert max(seconds for _, seconds in probes) < 1.0, probes
    assert probes_ended < stop
    # The slow clients really were slow for the whole period, and none was answered.
    kinds = sorted(kind for kind, _, _ in finished)
    assert kinds == ["body"] * 8 + ["chunked"] * CHUNKED + ["headers"] * 8, finished
    assert min(sent for _, sent, _ in finished) >= SLOW_PERIOD - 2, finished
    assert not any(answered for _, _, answered in finished), finished


def test_connections_are_kept_alive(server):
    auth = {"Authorization": f"Bearer {server.token}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        # A body first (read whole before Django runs, and not one byte more), then a read.
        body = json.dumps({"data": {"type": "item_type", "attributes": {"name": "No key"}}})
        conn.request("POST", "/item-types", body=body, headers=auth)
        first = conn.getresponse()
        refusal = json.loads(first.read())
        first_socket = conn.sock
        conn.request("GET", "/site", headers=auth)
        second = conn.getresponse()
        second.read()
        assert (first.status, second.status) == (422, 200)
        assert {"field": "api_key", "code": "VALIDATION_REQUIRED"}.items() <= (
            refusal["data"][0]["attributes"]["details"].items()
        )
        assert not first.will_close
        assert conn.sock is first_socket  # the same connection served both
    finally:
        conn.close()


def test_the_admin_is_styled(server):
    status, headers, body, _ = request(server.port, "GET", "/static/admin/css/base.css")
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert b"body" in body and len(body) > 1000
    status, _, page, _ = request(server.port, "GET", "/admin/login/")
    assert status == 200
    assert b"/static/admin/css/base.css" in page


def test_index_health_and_readiness_over_http(server):
    status, headers, body, _ = request(server.port, "GET", "/")
    assert status == 200
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    links = json.loads(body)["links"]
    assert links["admin"] == f"http://127.0.0.1:{server.port}/admin/"
    assert links["api"] == f"http://127.0.0.1:{server.port}/site"
    assert links["docs"]

    status, headers, body, _ = request(server.port, "GET", "/", headers={"Accept": "text/html"})
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert b'href="http://127.0.0.1:' in body and b"/admin/" in body

    status, _, body, _ = request(server.port, "GET", "/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    status, _, body, _ = request(server.port, "GET", "/readyz")
    assert status == 200
    assert json.loads(body) == {
        "status": "ready",
        "checks": {"database": "ok", "cache": "ok", "storage": "ok"},
    }


def _down_components(body: bytes) -> list[tuple[str, str]]:
    return [
        (error["attributes"]["code"], error["attributes"]["details"]["component"])
        for error in json.loads(body)["data"]
    ]


def test_readyz_names_a_database_and_cache_that_are_down(tmp_path):
    env = server_env(
        tmp_path,
        f"postgres://postgres@127.0.0.1:{closed_port()}/nothing_listens_here",
        REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0",
        CMS_DB_POOL_TIMEOUT="2",
    )
    with running_server(env, tmp_path / "server.log") as server:
        assert request(server.port, "GET", "/healthz")[0] == 200
        status, headers, body, _ = request(server.port, "GET", "/readyz", timeout=30)
    assert status == 503
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert _down_components(body) == [
        ("SERVICE_UNAVAILABLE", "database"),
        ("SERVICE_UNAVAILABLE", "cache"),
    ]


def test_readyz_names_storage_it_cannot_write(server_setup, tmp_path):
    url, _ = server_setup
    blocker = tmp_path / "a-file"
    blocker.write_text("uploads can't go under a file")
    env = server_env(tmp_path, url, CMS_MEDIA_ROOT=str(blocker / "uploads"))
    with running_server(env, tmp_path / "server.log") as server:
        status, _, body, _ = request(server.port, "GET", "/readyz", timeout=30)
    assert status == 503
    assert _down_components(body) == [("SERVICE_UNAVAILABLE", "storage")]


def test_the_production_server_refuses_to_start_without_secret_key(server_setup, tmp_path):
    url, _ = server_setup
    server = Server(server_env(tmp_path, url, SECRET_KEY=None), tmp_path / "server.log")
    try:
        returncode = server.process.wait(timeout=60)
    finally:
        server.stop()
    output = server.output()
    assert returncode != 0
    assert "SECRET_KEY is not set" in output
    assert "Set SECRET_KEY" in output
    assert not (tmp_path / "secret_key").exists()  # no key was made up on the way
