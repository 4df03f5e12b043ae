"""`manage.py serve` (what `make run` starts: the server and a job worker) on a fresh
database, for tests that need the whole product running: its own SQLite file, or a new
PostgreSQL database beside the suite's when DATABASE_URL points there."""

import json
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import quote

from tests.processes import (
    PYTHON,
    ServerProcess,
    free_port,
    fresh_database,
    manage,
    printed_token,
    server_env,
)

# Jobs are picked up and recovered quickly (production's defaults are seconds).
FAST_JOBS = {
    "CMS_WORKER_POLL_SECONDS": "0.1",
    "CMS_JOB_HEARTBEAT_SECONDS": "0.4",
    "CMS_JOB_STALE_SECONDS": "2",
    "CMS_JOB_REQUEUE_SECONDS": "1.5",
}


@dataclass
class Served:
    url: str
    token: str
    env: dict  # the server's environment, for manage.py calls on its database
    data_dir: Path | None = None  # the server's CMS_DATA_DIR
    database_url: str | None = None  # None: the SQLite file in data_dir
    pid: int | None = None  # `manage.py serve`'s process (granian and the job worker below it)

    def request(self, method: str, path: str, body=None, environment: str | None = None):
        """(status, JSON body) of one request; ``environment`` is sent as X-Environment."""
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/json",
            "Content-Type": "application/json",
            "X-Api-Version": "3",
        }
        if environment:
            headers["X-Environment"] = environment
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                content = response.read()
                return response.status, json.loads(content) if content else None
        except HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def create_superuser(self, username: str, password: str) -> None:
        """A superuser of this server's database, as `manage.py createsuperuser` makes one."""
        manage(
            {**self.env, "DJANGO_SUPERUSER_PASSWORD": password},
            "createsuperuser",
            "--noinput",
            "--username",
            username,
            "--email",
            f"{username}@example.com",
        )

    def get(self, path: str, environment: str | None = None):
        status, body = self.request("GET", path, environment=environment)
        assert status == 200, f"GET {path} ({environment or 'primary'}): {status} {body}"
        return body

    def records(self, model: str, environment: str | None = None) -> list[dict]:
        """Every record of ``model`` (one page of 500)."""
        path = f"/items?filter%5Btype%5D={quote(model)}&page%5Blimit%5D=500"
        return self.get(path, environment)["data"]

    def job_result(self, job_id: str, timeout: float = 60) -> dict:
        """Polls /job-results until the job is done (404 until then); its attributes."""
        deadline = time.monotonic() + timeout
        while True:
            status, body = self.request("GET", f"/job-results/{job_id}")
            if status == 200:
                return body["data"]["attributes"]
            assert status == 404, body
            assert time.monotonic() < deadline, f"job {job_id} not done in {timeout} s"
            time.sleep(0.1)


@contextmanager
def serving(data_dir: Path, database: str, **overrides: str | None):
    """`manage.py serve` on a fresh database (PostgreSQL: `<the suite's>_<database>`) and
    data directory; the admin token it prints."""
    with fresh_database(database) as database_url:
        env = server_env(data_dir, database_url, REDIS_URL=None, PYTHONUNBUFFERED="1", **overrides)
        address = f"127.0.0.1:{free_port()}"
        log = data_dir.parent / f"server-{data_dir.name}.log"
        process = ServerProcess([PYTHON, "manage.py", "serve", address], env, log)
        try:
            token = process.wait_until(lambda: printed_token(log, address), 60, "print a token")
            yield Served(
                f"http://{address}", token, env, data_dir, database_url, process.process.pid
            )
        finally:
            process.stop()
