"""``make run`` (``manage.py serve``) on a fresh data directory: it migrates the embedded
SQLite, prints a first admin token, and serves with the production server and its static
files, without SECRET_KEY (it keeps a generated key in CMS_DATA_DIR)."""

import re
import sys
import time

from tests.cms.production import ROOT, request, running_server, server_env


def serve_command(port: int) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), "serve", f"127.0.0.1:{port}"]


def test_serve_prints_a_first_token_and_serves_the_api_and_the_admin(tmp_path):
    env = server_env(tmp_path, f"sqlite:///{tmp_path / 'cms.sqlite3'}", SECRET_KEY=None)
    with running_server(env, tmp_path / "serve.log", command=serve_command) as server:
        deadline = time.monotonic() + 10
        while "Authorization: Bearer" not in server.output() and time.monotonic() < deadline:
            time.sleep(0.1)
        output = server.output()
        match = re.search(r"^    (\S{40,})$", output, re.MULTILINE)
        assert match, output
        token = match.group(1)

        status, _, _, _ = request(
            server.port, "GET", "/site", headers={"Authorization": f"Bearer {token}"}
        )
        assert status == 200
        status, headers, _, _ = request(server.port, "GET", "/static/admin/css/base.css")
        assert (status, headers["Content-Type"].split(";")[0]) == (200, "text/css")
    assert (tmp_path / "secret_key").exists()  # the local key it started with, kept
