"""Sends a :class:`Case` through Django's whole HTTP stack and judges the answer.

Each case runs inside a savepoint that is rolled back afterwards, so cases never see each
other's writes. For every answer: no 5xx; a refusal (4xx) is a JSON error in its API's
shape and wrote no row in any table; a signed upload PUT reported as stored stored the
bytes sent. Problems are grouped into families (the exception type and the project frame
it came from), each kept with its smallest reproduction.
"""

import json
import logging
import re
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from itertools import count

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test import Client

from tests.fuzz.case import Case
from tests.fuzz.known_open import known_family
from tests.fuzz.world import World

COUNTED_APPS = ("cms", "item_types", "items", "uploads", "menus", "jobs")
PROJECT_DIRS = ("/cms/", "/items/", "/item_types/", "/uploads/", "/menus/")
_addresses = count(1)


@dataclass
class Finding:
    family: str
    kind: str  # "5xx", "shape", "rows", "upload"
    detail: str
    reproduction: Case
    seen: int = 1


@dataclass
class Tally:
    """What a run saw: requests, statuses, and problems grouped by family."""

    sent: int = 0
    statuses: Counter = field(default_factory=Counter)
    findings: dict[str, Finding] = field(default_factory=dict)
    rows_wrongly_written: int = 0
    slowest: list = field(default_factory=list)  # (seconds, case), the 3 slowest
    accepted: Counter = field(default_factory=Counter)  # route -> 2xx answers (coverage)

    def timed(self, seconds: float, case: Case) -> None:
        self.slowest = sorted([*self.slowest, (seconds, case)], key=lambda s: -s[0])[:3]

    def add(self, finding: Finding) -> None:
        earlier = self.findings.get(finding.family)
        if earlier is None:
            self.findings[finding.family] = finding
            return
        earlier.seen += 1
        if len(finding.reproduction.reproduction()) < len(earlier.reproduction.reproduction()):
            earlier.reproduction, earlier.detail = finding.reproduction, finding.detail

    def unexpected(self) -> list[Finding]:
        return [f for f in self.findings.values() if known_family(f) is None]

    def report(self, title: str) -> str:
        five = sum(n for status, n in self.statuses.items() if status >= 500)
        lines = [
            f"== fuzz: {title}",
            f"requests sent: {self.sent}",
            f"answers by status: {dict(sorted(self.statuses.items()))}",
            f"5xx seen: {five}",
            f"rows wrongly written (refusals that changed a row count): "
            f"{self.rows_wrongly_written}",
            "2xx by route (how often a case got all the way through): "
            + ", ".join(f"{route} {n}" for route, n in sorted(self.accepted.items())),
            f"problem families: {len(self.findings)}",
            *(
                f"slow: {seconds:.2f} s  {case.reproduction(80).splitlines()[0]}"
                for seconds, case in self.slowest
            ),
        ]
        for finding in sorted(self.findings.values(), key=lambda f: -f.seen):
            known = known_family(finding)
            mark = f"KNOWN_OPEN ({known})" if known else "NEW"
            lines += [
                f"-- [{mark}] {finding.kind}: {finding.family}  x{finding.seen}",
                f"   {finding.detail}",
                *("   " + line for line in finding.reproduction.reproduction().splitlines()),
            ]
        return "\n".join(lines)


class _Exceptions(logging.Handler):
    """Collects the exceptions the server logs while answering (DRF's handler and
    Django's both log unexpected ones with their traceback)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.seen: list = []

    def emit(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            self.seen.append(record.exc_info)


def _table_counts() -> dict[str, int]:
    tables = [
        model._meta.db_table
        for label in COUNTED_APPS
        for model in apps.get_app_config(label).get_models()
    ]
    sql = "SELECT " + ", ".join(
        f"(SELECT COUNT(*) FROM {connection.ops.quote_name(t)})" for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


def _defer_constraints() -> None:
    """Foreign keys as a fresh request's transaction has them: checked at commit. (The
    test's one long transaction would otherwise keep a ``SET CONSTRAINTS ALL IMMEDIATE``
    some earlier request ran.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _commit_problem() -> str | None:
    """What the commit would refuse (the foreign keys checked there), as a real request's
    commit would: a 500 in production, though the answer was already written."""
    try:
        with transaction.atomic():
            connection.check_constraints()
    except IntegrityError as error:
        return str(error).splitlines()[0][:200]
    return None


def _family(exc_info) -> str:
    """The exception type and the deepest frame of the project's own code."""
    _, error, tb = exc_info
    where = "?"
    for frame in traceback.extract_tb(tb):
        if any(part in frame.filename for part in PROJECT_DIRS) and "/tests/" not in frame.filename:
            folder, name = frame.filename.rsplit("/", 2)[-2:]
            where = f"{folder}/{name}:{frame.name}"
    # Numbers (positions, sizes) vary within one family: left out of its name.
    message = re.sub(r"\d+", "N", str(error).splitlines()[0][:80]) if str(error) else ""
    return f"{type(error).__module__}.{type(error).__name__} in {where}: {message}"


def _kept_part(response) -> bool:
    """A record API batch without ``rollback`` keeps the records before (or, with
    ``continue``, besides) the failed ones, as DreamFactory does: its 400 reports them in
    ``context.record``. Rows written are then expected."""
    if response.status_code != 400 or not _is_rest(response.wsgi_request.path_info):
        return False
    try:
        context = json.loads(response.content)["error"]["context"]
        slots = context.get("record", context.get("resource")) or []  # /rest/, /api/v2/
    except (ValueError, KeyError, TypeError, AttributeError):
        return False
    return any(isinstance(slot, dict) and "id" in slot for slot in slots)


def _is_rest(path_info: str) -> bool:
    return path_info in ("/rest", "/api/v2") or path_info.startswith(("/rest/", "/api/v2/"))


def _shape_problem(response, rest: bool) -> str | None:
    """Why a refusal is not its API's JSON error, or None."""
    if not response["Content-Type"].startswith("application/json"):
        return f"Content-Type {response['Content-Type']}"
    if response.wsgi_request.method == "HEAD":
        return None  # no body to judge
    try:
        body = json.loads(response.content)
    except ValueError:
        return "body is not JSON"
    if rest:
        error = body.get("error") if isinstance(body, dict) else None
        ok = isinstance(error, dict) and {"code", "status_code", "message", "context"} <= set(error)
        ok = ok and error["status_code"] == response.status_code
        return None if ok else f"not DreamFactory's error object: {str(body)[:120]}"
    errors = body.get("data") if isinstance(body, dict) else None
    ok = (
        isinstance(errors, list)
        and errors
        and all(
            isinstance(e, dict)
            and e.get("type") == "api_error"
            and isinstance(e.get("attributes", {}).get("code"), str)
            and isinstance(e["attributes"].get("details"), dict)
            for e in errors
        )
    )
    return None if ok else f"not an api_error document: {str(body)[:120]}"


class Harness:
    def __init__(self, world: World):
        self.world = world
        self.client = Client(raise_request_exception=False)
        self.tally = Tally()
        self.exceptions = _Exceptions()
        self.signed_name = world.signed_path.lstrip("/")

    def _authorization(self, role: str) -> dict:
        if role in self.world.tokens:
            return {"Authorization": f"Bearer {self.world.tokens[role]}"}
        if role == "bad":
            return {"Authorization": "Bearer not-a-token"}
        return {}

    def _send(self, case: Case):
        headers = {"X-Api-Version": "3", **self._authorization(case.role), **case.headers}
        extra = {"REMOTE_ADDR": f"10.{next(_addresses) % 250}.0.1"}
        if case.chunked:
            extra["CONTENT_LENGTH"] = ""
            extra["HTTP_TRANSFER_ENCODING"] = "chunked"
        if not case.body:
            extra["CONTENT_TYPE"] = case.content_type
        return self.client.generic(
            case.method,
            case.url,
            data=case.body,
            content_type=case.content_type,
            headers=headers,
            **extra,
        )

    def run(self, case: Case) -> None:
        loggers = [logging.getLogger(name) for name in ("cms", "django")]
        for logger in loggers:
            logger.addHandler(self.exceptions)
        self.exceptions.seen.clear()
        try:
            with transaction.atomic():
                _defer_constraints()
                before = _table_counts()
                started = time.perf_counter()
                response = self._send(case)
                self.tally.timed(time.perf_counter() - started, case)
                stored = self._stored_size()
                try:
                    with transaction.atomic():
                        after = _table_counts()
                        commit_problem = _commit_problem()
                except (DatabaseError, TransactionManagementError) as error:
                    after, commit_problem = error, None
                transaction.set_rollback(True)
        finally:
            for logger in loggers:
                logger.removeHandler(self.exceptions)
            if default_storage.exists(self.signed_name):
                default_storage.delete(self.signed_name)  # so the next PUT can store again
        self._judge(case, response, before, after, stored)
        if commit_problem and response.status_code < 500:
            family = f"{response.status_code} answer whose writes fail at commit"
            self.tally.add(Finding(family, "5xx", commit_problem, case))

    def _stored_size(self) -> int | None:
        if not default_storage.exists(self.signed_name):
            return None
        return default_storage.size(self.signed_name)

    def _judge(self, case: Case, response, before, after, stored) -> None:
        tally = self.tally
        tally.sent += 1
        status = response.status_code
        tally.statuses[status] += 1
        if status < 300 and case.endpoint:
            tally.accepted[case.endpoint] += 1
        if status >= 500:
            exc_infos = self.exceptions.seen or (
                [response.exc_info] if getattr(response, "exc_info", None) else []
            )
            family = _family(exc_infos[0]) if exc_infos else f"{status} with no exception logged"
            tally.add(Finding(family, "5xx", f"status {status}", case))
        rest = _is_rest(response.wsgi_request.path_info)
        if 400 <= status < 500:  # (a 5xx is a failure whatever its shape)
            problem = _shape_problem(response, rest)
            if problem:
                api = "record API" if rest else "CMA"
                tally.add(Finding(f"{api} {status} answer shape", "shape", problem, case))
        if status >= 400:
            if isinstance(after, Exception) and status < 500:
                tally.add(
                    Finding(
                        f"connection unusable after {status}",
                        "rows",
                        f"{type(after).__name__}: {after}",
                        case,
                    )
                )
            elif not isinstance(after, Exception) and after != before and not _kept_part(response):
                changed = {t: after[t] - before[t] for t in before if after[t] != before[t]}
                tally.rows_wrongly_written += 1
                if status < 500:
                    tally.add(Finding(f"rows written by a {status}", "rows", str(changed), case))
        elif (
            case.path.startswith("/upload-content/")
            and case.method == "PUT"
            and (stored != len(case.body) or not stored)
        ):
            # A signed PUT answered 2xx must have stored exactly the bytes sent, and some.
            tally.add(
                Finding(
                    "signed PUT answered 2xx without storing the body",
                    "upload",
                    f"stored {stored} of {len(case.body)} bytes",
                    case,
                )
            )
