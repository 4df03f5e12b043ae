"""The README runs as pasted: its examples, in order, against a fresh server, as a new user would.

The server is started as `make run` starts it (``manage.py serve ADDRESS``, a real process) on a
fresh ``CMS_DATA_DIR`` and a free loopback port. The token it prints goes into the README's
``export TOKEN=...`` line and its address into ``export CMS=http://127.0.0.1:8000``, the two
values the README tells the user to fill in; nothing else of the README is changed. Then every
runnable block (see tests/readme_doc.py for the fences) runs in one bash session, in order.

Blocks marked ``<!-- not run: reason -->`` are skipped; today they are the `make run`/`make test`
commands themselves (one of them would run this test), `make run ADDRESS=...` (a foreground
server), the production command (it needs a PostgreSQL host) and `npm install` (the test uses the
pinned client tests/compat installs, rather than the npm registry on every run).

Without Node.js the test is skipped, unless CMS_COMPAT_REQUIRED=1 (then it fails), like the
compat tests whose installed client it reuses.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from item_types.field_types import FIELD_TYPES, FieldValueError
from tests.compat import test_official_client as compat
from tests.processes import ServerProcess, free_port, fresh_database, printed_token, server_env
from tests.readme_doc import README, code_blocks, field_type_rows

REPO = README.parent
# The two lines a user fills in; the test fills them in the same way.
TOKEN_LINE = re.compile(r"^export TOKEN=\.\.\.(?=\s|$)", re.MULTILINE)
ADDRESS_LINE = re.compile(r"^export CMS=http://127\.0\.0\.1:8000(?=\s|$)", re.MULTILINE)
# Any other mention of the default address in a run block would reach whatever listens there.
DEFAULT_ADDRESS = re.compile(r"(127\.0\.0\.1|localhost):8000\b")
MAX_NOT_RUN = 8  # keep the examples a user can't check by pasting few
SERVER_START_TIMEOUT = 60
SESSION_TIMEOUT = 180
MARK = "::readme-block::"

node_client = compat.node_client  # the pinned official client in tests/compat/node_modules


def _tail(path: Path, lines: int = 60) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


@pytest.fixture
def fresh_database_url():
    """None for SQLite (the server makes its own in CMS_DATA_DIR), else an empty PostgreSQL
    database beside the suite's, dropped afterwards."""
    with fresh_database("readme") as url:
        yield url


class Server:
    def __init__(self, address: str, token: str, log: Path, database: str):
        self.address, self.token, self.log, self.database = address, token, log, database


@pytest.fixture
def fresh_server(tmp_path, fresh_database_url):
    """`manage.py serve` on a fresh install, as `make run` starts it; its first printed token."""
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^run:.*\n(\t.*\n)*\t.*manage\.py serve \$\(ADDRESS\)", makefile, re.M), (
        "`make run` no longer runs `manage.py serve $(ADDRESS)`: start the server here as it does"
    )
    env = server_env(tmp_path / "data", fresh_database_url, PYTHONUNBUFFERED="1")
    address = f"127.0.0.1:{free_port()}"
    log = tmp_path / "server.log"
    process = ServerProcess([sys.executable, "manage.py", "serve", address], env, log)
    try:
        token = process.wait_until(
            lambda: printed_token(log, address), SERVER_START_TIMEOUT, "print a token"
        )
        yield Server(address, token, log, "PostgreSQL" if fresh_database_url else "SQLite")
    finally:
        process.stop()


def _fill_in(text: str, pattern: re.Pattern, value: str, what: str) -> str:
    filled, count = pattern.subn(value, text)
    assert count == 1, f"README.md must have exactly one `{pattern.pattern}` line ({what})"
    return filled


def _session_script(blocks, workdir: Path, token: str, address: str) -> str:
    """One bash script: every runnable block in order, each announced by a marker line."""
    parts = ["set -euo pipefail"]
    for number, block in enumerate(blocks):
        parts.append(f"printf '\\n{MARK}{number}\\n'")
        if block.language == "sh":
            parts.append(block.text)
        else:
            script = workdir / f"readme-line-{block.line}.mjs"
            script.write_text(block.text)
            parts.append(f"node {script.name}")
    parts.append(f"printf '\\n{MARK}done\\n'")
    text = "\n".join(parts) + "\n"
    text = _fill_in(text, TOKEN_LINE, f"export TOKEN={token}", "the token to fill in")
    return _fill_in(text, ADDRESS_LINE, f"export CMS=http://{address}", "the server address")


def _check_blocks(blocks) -> None:
    """What would let an example pass without working: a hard-coded address (it reaches
    whatever listens there), a curl that exits 0 on an HTTP error."""
    for block in blocks:
        if not block.runs:
            continue
        for line in block.text.splitlines():
            if DEFAULT_ADDRESS.search(line) and not ADDRESS_LINE.match(line):
                pytest.fail(f"README.md line {block.line}: use $CMS, not the address, in: {line}")
        for command in re.split(r"(?<!\\)\n", block.text):
            if re.search(r"(^|[\s|;&(])curl\s", command) and not re.search(
                r"\s(--fail-with-body|--fail|-f)\b", command
            ):
                pytest.fail(
                    f"README.md line {block.line}: curl without --fail-with-body would pass "
                    f"on an HTTP error:\n{command}"
                )


def _failure(blocks, result_output: str, returncode, server: Server) -> str:
    pieces = result_output.split(MARK)
    last = pieces[-1].split("\n", 1)
    failed = blocks[int(last[0])] if last[0].isdigit() else None
    report = [f"the README's examples failed on {server.database} (exit {returncode})"]
    if failed is not None:
        report += [
            f"--- the block at README.md line {failed.line} ({failed.language}) ---",
            failed.text,
            "--- its output ---",
            last[1] if len(last) > 1 else "",
            "(a block not meant to run is preceded by <!-- not run: reason -->)",
        ]
    else:
        report += ["--- output ---", result_output]
    report += ["--- server log (tail) ---", _tail(server.log)]
    return "\n".join(report)


@pytest.mark.compat
def test_readme_examples_run_as_pasted_on_a_fresh_install(node_client, fresh_server, tmp_path):
    blocks = code_blocks(README.read_text())
    runnable = [block for block in blocks if block.runs]
    skipped = [block for block in blocks if block.not_run_reason is not None]
    assert sum(b.language == "sh" for b in runnable) >= 5, "the README's shell examples vanished"
    assert any(b.language == "js" for b in runnable), "the official client's example vanished"
    assert all(block.not_run_reason for block in skipped), "a <!-- not run: --> needs a reason"
    assert len(skipped) <= MAX_NOT_RUN, "\n".join(
        f"line {b.line}: {b.not_run_reason}" for b in skipped
    )
    _check_blocks(blocks)

    workdir = tmp_path / "shell"
    workdir.mkdir()
    (workdir / "node_modules").symlink_to(compat.COMPAT_DIR / "node_modules")
    # A terminal hides curl's progress meter; a pipe shows it. Keep the log readable.
    (workdir / ".curlrc").write_text("silent\nshow-error\n")
    script = _session_script(runnable, workdir, fresh_server.token, fresh_server.address)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("TOKEN", "CMS", "DATABASE_URL")
    }
    env.update(CURL_HOME=str(workdir), NO_COLOR="1")
    env["PATH"] = f"{Path(node_client).parent}{os.pathsep}{env.get('PATH', '')}"
    try:
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-c", script],
            cwd=workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=SESSION_TIMEOUT,
        )
        output, returncode = result.stdout, result.returncode
    except subprocess.TimeoutExpired as timeout:
        output = timeout.stdout.decode() if isinstance(timeout.stdout, bytes) else timeout.stdout
        output, returncode = output or "", f"timeout after {SESSION_TIMEOUT}s"
    if returncode != 0 or not output.rstrip().endswith(f"{MARK}done"):
        pytest.fail(_failure(runnable, output, returncode, fresh_server), pytrace=False)


# --- The field types table --------------------------------------------------------------------


def test_readme_field_types_table_matches_the_registry():
    rows = {row.field_type: row for row in field_type_rows(README.read_text())}
    assert sorted(rows) == sorted(FIELD_TYPES), "every registered field type, each once"
    for code, field_type in FIELD_TYPES.items():
        row = rows[code]
        assert row.required == field_type.mandatory_validators, f"{code}: required validators"
        assert row.required | row.others == field_type.allowed_validators, (
            f"{code}: the validators it accepts"
        )
        assert not row.required & row.others, f"{code}: a validator listed twice"
        try:
            field_type.parse(json.loads(row.example))
        except (ValueError, FieldValueError) as error:
            pytest.fail(f"{code}: the README's example {row.example} is refused: {error!r}")
