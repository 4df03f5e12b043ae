"""Drive DatoCMS's own CLI (`@datocms/cli`, pinned in package.json beside the official client)
against a real server process, as a DatoCMS team runs it.

The CLI finds our server through `baseUrl` in a profile of its `datocms.config.json` (or its
hidden `--base-url` flag) and its token in `DATOCMS_API_TOKEN` (or `--api-token`). It is run
with `DATOCMS_SKIP_NEW_VERSION_CHECK=true` (else every run asks the npm registry for a newer
version) and its config and cache directories under the test's own HOME.

The server is `manage.py serve` (what `make run` starts) on a fresh database: its own SQLite
file, or a new PostgreSQL database beside the suite's when DATABASE_URL points there.
Node.js is found, and the CLI installed, as for the official client (test_official_client.py).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.compat.test_official_client import COMPAT_DIR, node_client
from tests.serving import FAST_JOBS, Served, serving

__all__ = ["node_client"]  # the pinned packages in tests/compat/node_modules (a fixture)

CLI = COMPAT_DIR / "node_modules" / "@datocms" / "cli" / "bin" / "run"
CLI_TIMEOUT = 180
# What `migrations:new --js` writes: the CLI's template, a migration that adds a model
# `article` with a required `title` field and creates one record of it.
TEMPLATE_RECORD_TITLE = "My first article!"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server for the tests that only add to it (each its own models or environments).
    Its worker starts a job within 0.1 s: a fork is done before the CLI's first poll (1 s)."""
    with serving(tmp_path_factory.mktemp("cli-server") / "data", "cli", **FAST_JOBS) as served:
        yield served


@pytest.fixture
def fresh_server(tmp_path):
    with serving(tmp_path / "data", "cli_fresh", **FAST_JOBS) as served:
        yield served


class Cli:
    """The `datocms` command, run in a project folder whose profile points at the server."""

    def __init__(self, node: str, project: Path, home: Path, server: Served):
        self.node, self.project, self.server = node, project, server
        self.migrations = project / "migrations"
        self.env = {
            **os.environ,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "XDG_DATA_HOME": str(home / "data"),
            "DATOCMS_SKIP_NEW_VERSION_CHECK": "true",
            "DATOCMS_API_TOKEN": server.token,
            "NO_COLOR": "1",
            "FORCE_COLOR": "0",
        }
        profile = {"baseUrl": server.url, "migrations": {"directory": "./migrations"}}
        config = {"profiles": {"default": profile}}
        (project / "datocms.config.json").write_text(json.dumps(config, indent=2))

    def run(self, *args: str, cwd: Path | None = None, **env: str | None):
        """The finished process; `env` overrides (None unsets) variables."""
        run_env = {**self.env, **env}
        run_env = {name: value for name, value in run_env.items() if value is not None}
        try:
            return subprocess.run(
                [self.node, str(CLI), *args],
                cwd=cwd or self.project,
                env=run_env,
                capture_output=True,
                text=True,
                timeout=CLI_TIMEOUT,
            )
        except subprocess.TimeoutExpired as exc:
            pytest.fail(
                f"datocms {' '.join(args)} did not finish within {CLI_TIMEOUT}s\n"
                f"--- stdout ---\n{exc.stdout or ''}\n--- stderr ---\n{exc.stderr or ''}"
            )

    def ok(self, *args: str, **env: str | None) -> str:
        """stdout of a run that must exit 0."""
        result = self.run(*args, **env)
        assert result.returncode == 0, _report(args, result)
        return result.stdout

    def json(self, *args: str, **env: str | None):
        """What a command answers with --json (its result, on stdout)."""
        return json.loads(self.ok(*args, "--json", **env))

    def new_migration(self, name: str) -> Path:
        """`migrations:new --js NAME`: the script it wrote (the CLI's template). Found by
        listing the folder: with --json, 4.0.14 fails after writing it (it parses the path it
        answers as JSON)."""
        before = set(self.migrations.iterdir()) if self.migrations.is_dir() else set()
        self.ok("migrations:new", name, "--js")
        (path,) = set(self.migrations.iterdir()) - before
        assert re.fullmatch(r"\d+_\w+\.js", path.name), path.name
        return path


def _report(args, result: subprocess.CompletedProcess) -> str:
    return (
        f"datocms {' '.join(args)} exited {result.returncode}\n"
        f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )


@pytest.fixture
def cli(node_client, server, tmp_path) -> Cli:
    project = tmp_path / "project"
    project.mkdir()
    return Cli(node_client, project, tmp_path / "home", server)


@pytest.fixture
def fresh_cli(node_client, fresh_server, tmp_path) -> Cli:
    project = tmp_path / "project"
    project.mkdir()
    return Cli(node_client, project, tmp_path / "home", fresh_server)


def _assert_template_migration(script: Path) -> None:
    """The script is the CLI's JS template: CommonJS, a model, a required field, a record."""
    text = script.read_text()
    assert "module.exports = async (client) =>" in text
    assert "api_key: 'article'" in text
    assert "api_key: 'title'" in text
    assert f"title: '{TEMPLATE_RECORD_TITLE}'" in text


def _assert_template_applied(server: Served, environment: str | None = None) -> None:
    """What the template migration made, in `environment` (None: the primary)."""
    article = server.get("/item-types/article", environment)["data"]
    fields = server.get(f"/item-types/{article['id']}/fields", environment)["data"]
    assert [(f["attributes"]["api_key"], f["attributes"]["field_type"]) for f in fields] == [
        ("title", "string")
    ]
    assert fields[0]["attributes"]["validators"] == {"required": {}}
    titles = [record["attributes"]["title"] for record in server.records("article", environment)]
    assert titles == [TEMPLATE_RECORD_TITLE]


def _api_keys(models: list[dict]) -> list[str]:
    """The sorted api_keys of models, as the CLI prints them or as the API answers them."""
    return sorted(model.get("api_key") or model["attributes"]["api_key"] for model in models)


def _migration_log(server: Served, environment: str | None = None) -> list[str]:
    """The script names the CLI logged in `schema_migration`, sorted."""
    records = server.records("schema_migration", environment)
    return sorted(record["attributes"]["name"] for record in records)


@pytest.mark.compat
def test_cli_reaches_our_server_through_a_profile(cli, server):
    """`migrations:new` writes the template; `cma:script` runs it against the profile's
    baseUrl (the primary environment, no X-Environment); `cma:call` reads the result."""
    script = cli.new_migration("add article")
    _assert_template_migration(script)
    assert server.request("GET", "/item-types/article")[0] == 404

    cli.ok("cma:script", str(script), "--skip-validation")  # the template is CommonJS

    _assert_template_applied(server)
    listed = json.loads(cli.ok("cma:call", "itemTypes", "list"))
    assert "article" in _api_keys(listed)
    assert _api_keys(listed) == _api_keys(server.get("/item-types")["data"])


@pytest.mark.compat
def test_cli_reaches_our_server_through_flags(cli, server, tmp_path):
    """No config file: the hidden --base-url flag and --api-token find the server."""
    model = {"data": {"type": "item_type", "attributes": {"name": "Post", "api_key": "post"}}}
    assert server.request("POST", "/item-types", model)[0] == 201
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = cli.run(
        *("cma:call", "itemTypes", "list", "--base-url", server.url),
        *("--api-token", server.token),
        cwd=elsewhere,
        DATOCMS_API_TOKEN=None,
    )
    assert result.returncode == 0, _report(["cma:call"], result)
    assert "post" in _api_keys(json.loads(result.stdout))
    assert _api_keys(json.loads(result.stdout)) == _api_keys(server.get("/item-types")["data"])


@pytest.mark.compat
def test_cli_names_a_refused_token(cli):
    """Our 401 carries the code the CLI recognises (INVALID_AUTHORIZATION_HEADER)."""
    result = cli.run("schema:inspect", DATOCMS_API_TOKEN="not-a-token-of-this-server")
    assert result.returncode != 0
    assert "Invalid API token" in result.stderr, _report(["schema:inspect"], result)


@pytest.mark.compat
def test_cli_migration_log_on_our_server(cli, server):
    """The CLI's own migration-log code (cli_migration_log.mjs calls `migrations:run`'s
    methods in the primary environment): it creates `schema_migration`, logs every script it
    runs, reads the log back over more than one page (30 a page), and runs each script once."""
    cli.migrations.mkdir()
    (cli.migrations / "0001_ran_model.js").write_text(
        "module.exports = async (client) => {\n"
        "  const ran = await client.itemTypes.create({ name: 'Ran', api_key: 'ran' });\n"
        "  await client.fields.create(ran, { label: 'Script', api_key: 'script',"
        " field_type: 'string' });\n"
        "};\n"
    )
    logging_script = (
        "const { basename } = require('node:path');\n"
        "module.exports = async (client) => {\n"
        "  const ran = await client.itemTypes.find('ran');\n"
        "  await client.items.create({ item_type: ran, script: basename(__filename) });\n"
        "};\n"
    )
    for number in range(2, 33):
        (cli.migrations / f"{number:04}_log.js").write_text(logging_script)

    def one_pass() -> dict:
        result = subprocess.run(
            [cli.node, "cli_migration_log.mjs"],
            cwd=COMPAT_DIR,
            env={
                **cli.env,
                "CMS_BASE_URL": server.url,
                "CMS_API_TOKEN": server.token,
                "CMS_MIGRATIONS_DIR": str(cli.migrations),
            },
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT,
        )
        assert result.returncode == 0, _report(["(cli_migration_log.mjs)"], result)
        return json.loads(result.stdout.strip().splitlines()[-1])

    first = one_pass()
    scripts = sorted(path.name for path in cli.migrations.iterdir())
    assert first["ran"] == scripts  # 32, in file-name order
    assert first["model"]["api_key"] == "schema_migration"

    # The model as the CLI made it: no drafts, one required string `name`.
    model = server.get("/item-types/schema_migration")["data"]
    assert model["id"] == first["model"]["id"]
    assert model["attributes"]["draft_mode_active"] is False
    fields = server.get(f"/item-types/{model['id']}/fields")["data"]
    assert [(f["attributes"]["api_key"], f["attributes"]["field_type"]) for f in fields] == [
        ("name", "string")
    ]
    assert fields[0]["attributes"]["validators"] == {"required": {}}

    second = one_pass()
    assert second == {**first, "ran": []}

    (cli.migrations / "0033_log.js").write_text(logging_script)
    third = one_pass()
    assert third["ran"] == ["0033_log.js"]

    assert _migration_log(server) == [*scripts, "0033_log.js"]
    ran = sorted(record["attributes"]["script"] for record in server.records("ran"))
    assert ran == [*scripts[1:], "0033_log.js"]  # each logging script exactly once


@pytest.mark.compat
def test_cli_forks_renames_and_destroys_environments(cli, server):
    """`environments:fork` (a fast one: a job with ?fast=true), `rename`, `destroy` (a job);
    the errors the CLI names: a taken id, an unknown environment."""
    fork = cli.json("environments:fork", "main", "cli-fork", "--fast")
    assert (fork["id"], fork["meta"]["status"]) == ("cli-fork", "ready")
    assert fork["meta"]["forked_from"] == "main"
    assert server.get("/environments/main")["data"]["meta"]["read_only_mode"] is False
    main_models = _api_keys(server.get("/item-types")["data"])
    assert _api_keys(server.get("/item-types", "cli-fork")["data"]) == main_models

    taken = cli.run("environments:fork", "main", "cli-fork")
    assert taken.returncode != 0
    assert 'An environment called "cli-fork" already exists' in taken.stderr, taken.stderr
    unknown = cli.run("environments:fork", "nowhere", "cli-other")
    assert unknown.returncode != 0
    assert 'An environment called "nowhere" does not exist' in unknown.stderr, unknown.stderr

    renamed = cli.json("environments:rename", "cli-fork", "cli-renamed")
    assert (renamed["id"], renamed["meta"]["primary"]) == ("cli-renamed", False)
    assert cli.json("environments:destroy", "cli-renamed")["id"] == "cli-renamed"
    assert server.request("GET", "/environments/cli-renamed")[0] == 404
    listed = [env["id"] for env in server.get("/environments")["data"]]
    assert "cli-renamed" not in listed and "cli-fork" not in listed and "main" in listed
    gone = cli.run("environments:destroy", "cli-renamed")
    assert gone.returncode != 0
    assert 'An environment called "cli-renamed" does not exist' in gone.stderr, gone.stderr


@pytest.mark.compat
def test_cli_sandbox_workflow(fresh_cli, fresh_server):
    """Issue 12's workflow with the real CLI: a migration run in a fork of main, then promoted
    under maintenance mode; a second run into a new sandbox skips what the log holds."""
    cli, server = fresh_cli, fresh_server
    first_script = cli.new_migration("add article")
    _assert_template_migration(first_script)

    run = cli.json("migrations:run", "--source=main", "--destination=sandbox-x")
    assert run == {"environmentId": "sandbox-x", "runMigrationScripts": [str(first_script)]}
    _assert_template_applied(server, "sandbox-x")
    assert _migration_log(server, "sandbox-x") == [first_script.name]
    # The source is untouched, with or without the header.
    for environment in ("main", None):
        assert server.request("GET", "/item-types/article", environment=environment)[0] == 404
        assert (
            server.request("GET", "/item-types/schema_migration", environment=environment)[0] == 404
        )

    assert cli.json("maintenance:on")["active"] is True
    # The CLI activates again without asking first: a second `on` must not fail.
    assert cli.json("maintenance:on")["active"] is True
    assert server.get("/maintenance-mode")["data"]["attributes"]["active"] is True
    write = {"data": {"type": "item_type", "attributes": {"name": "Late", "api_key": "late"}}}
    status, refusal = server.request("POST", "/item-types", write)
    assert status == 423, (status, refusal)  # the primary refuses writes
    assert refusal["data"][0]["attributes"]["code"] == "MAINTENANCE_MODE_ACTIVE"
    assert server.request("GET", "/item-types/late")[0] == 404  # nothing was written

    promoted = cli.json("environments:promote", "sandbox-x")
    assert promoted["id"] == "sandbox-x"
    assert promoted["meta"]["primary"] is True
    assert cli.json("maintenance:off")["active"] is False
    assert server.get("/maintenance-mode")["data"]["attributes"]["active"] is False

    # Header-less requests now see the promoted environment.
    _assert_template_applied(server)
    environments = {env["id"]: env["meta"]["primary"] for env in cli.json("environments:list")}
    assert environments == {"main": False, "sandbox-x": True}

    # A second run, from the primary (the default source) into a new sandbox: only the new
    # script runs; the first is in the log the fork copied.
    second_script = cli.new_migration("add summary")
    second_script.write_text(
        "module.exports = async (client) => {\n"
        "  await client.fields.create('article', { label: 'Summary', api_key: 'summary',"
        " field_type: 'text' });\n"
        "};\n"
    )
    run = cli.json("migrations:run", "--destination=sandbox-y")
    assert run == {"environmentId": "sandbox-y", "runMigrationScripts": [str(second_script)]}
    fields = server.get("/item-types/article/fields", "sandbox-y")["data"]
    assert [f["attributes"]["api_key"] for f in fields] == ["title", "summary"]
    assert len(server.records("article", "sandbox-y")) == 1  # the template did not run again
    assert _migration_log(server, "sandbox-y") == [first_script.name, second_script.name]
    # The primary (sandbox-x) has not changed.
    fields = server.get("/item-types/article/fields")["data"]
    assert [f["attributes"]["api_key"] for f in fields] == ["title"]

    # Nothing left to run in a fork of sandbox-y: its log holds both scripts.
    run = cli.json("migrations:run", "--source=sandbox-y", "--destination=sandbox-z")
    assert run == {"environmentId": "sandbox-z", "runMigrationScripts": []}
