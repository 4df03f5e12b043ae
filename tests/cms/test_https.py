"""README "HTTPS": `manage.py check --deploy` is clean with the
documented settings, and a real server with CMS_HTTPS=true behind a TLS-ending proxy
redirects plain HTTP, sends HSTS, and still answers the load balancer's probes."""

import subprocess

import pytest
from django.db import connection

from tests.cms.production import database_url_for_servers, request, running_server, server_env
from tests.processes import PYTHON, ROOT

pytestmark = pytest.mark.django_db

# README "HTTPS": the settings that make `check --deploy` clean.
DOCUMENTED = {"CMS_HTTPS": "true", "CMS_HSTS_SECONDS": "31536000",
              "CMS_HSTS_INCLUDE_SUBDOMAINS": "true", "CMS_HSTS_PRELOAD": "true"}  # fmt: skip
DEPLOY_KEY = "a-long-random-deploy-secret-key-for-the-check-0123456789-abcdefghijklmnop"


def deploy_check(tmp_path, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=server_env(tmp_path, None, SECRET_KEY=DEPLOY_KEY, DEBUG=None, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_documented_https_settings(tmp_path):
    result = deploy_check(tmp_path, **DOCUMENTED)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

    # HSTS for subdomains and preloading are the domain owner's choice: named until made.
    result = deploy_check(tmp_path, CMS_HTTPS="true")
    assert result.returncode != 0
    assert "security.W005" in result.stderr and "security.W021" in result.stderr
    assert "security.W008" not in result.stderr

    # Without them, the check names what is missing (so the settings above are what fix it).
    result = deploy_check(tmp_path, CMS_HTTPS=None)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W010"):
        assert warning in result.stderr
    assert "security.W003" not in result.stderr  # CSRF: checked on the admin's paths


@pytest.fixture(scope="module")
def https_server(tmp_path_factory, django_db_setup, django_db_blocker):
    tmp = tmp_path_factory.mktemp("https")
    with django_db_blocker.unblock():
        url = database_url_for_servers(connection, tmp)
    env = server_env(tmp, url, CMS_HTTPS="true", CMS_TRUSTED_PROXIES="1",
                     CMS_HSTS_SECONDS="600", SECRET_KEY=DEPLOY_KEY, DEBUG=None)  # fmt: skip
    with running_server(env, tmp / "server.log") as server:
        yield server


def test_plain_http_is_redirected_to_https(https_server):
    status, headers, _, _ = request(https_server.port, "GET", "/site?x=1")
    assert status == 301
    assert headers["Location"] == f"https://127.0.0.1:{https_server.port}/site?x=1"


def test_https_through_the_proxy_is_answered_with_hsts(https_server):
    status, headers, body, _ = request(
        https_server.port, "GET", "/site", headers={"X-Forwarded-Proto": "https"}
    )
    assert status == 401, body  # answered (no token), not redirected
    assert headers["Strict-Transport-Security"] == "max-age=600"


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_probes_are_answered_over_plain_http(https_server, path):
    status, _, body, _ = request(https_server.port, "GET", path)
    assert status == 200, body
