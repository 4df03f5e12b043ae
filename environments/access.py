"""Which environment a request works in, and whether it may write there.

``X-Environment: <id>`` names the environment; without it, the primary one. An API request
learns its environment in the same query that finds its token (:func:`find_token`), so
environments cost a request no query; the admin works in the one its editor chose
(environments/admin_environment.py).

Refused, before the view runs (so nothing is written):

- a malformed id: 400 ``INVALID_ENVIRONMENT``; an unknown one: 404
  ``ENVIRONMENT_NOT_FOUND``; one being created or destroyed: 409 ``ENVIRONMENT_NOT_READY``
  (each naming the environment);
- a write to the primary environment while maintenance mode is on: 423
  ``MAINTENANCE_MODE_ACTIVE``; to an environment in read-only mode (the source of a fast
  fork): 423 ``ENVIRONMENT_READ_ONLY``. Reads go on.

Project-wide views (environments, maintenance mode, job results...) say ``project_wide =
True`` and ignore the header.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_aware, make_aware, now

from access.models import Role
from cms.api.errors import ApiError
from cms.api.json_body import printable
from cms.models import ApiToken, hash_secret
from cms.prepared import prepared_cursor
from environments import selection
from environments.models import Environment, MaintenanceMode, is_environment_name
from environments.storages import PER_ENVIRONMENT_APPS, PROJECT_STORAGE
from webhooks import config as webhooks_config
from webhooks.models import WebhooksVersion

HEADER = "X-Environment"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# last_data_change_at is kept to the minute: writing it on every write would cost a query.
DATA_CHANGE_RESOLUTION = timedelta(minutes=1)
ADMIN_PATH = "/admin/"
ADMIN_DATA_PATHS = tuple(f"{ADMIN_PATH}{label}/" for label in PER_ENVIRONMENT_APPS)


@dataclass(frozen=True)
class Selected:
    """The environment a request works in, as read with its token."""

    id: int
    name: str
    storage: str
    status: str
    primary: bool
    read_only_mode: bool
    last_data_change_at: datetime | None
    maintenance: bool

    @classmethod
    def of(cls, environment: Environment, maintenance: bool) -> "Selected":
        return cls(
            id=environment.pk,
            name=environment.name,
            storage=environment.storage,
            status=environment.status,
            primary=environment.primary,
            read_only_mode=environment.read_only_mode,
            last_data_change_at=environment.last_data_change_at,
            maintenance=maintenance,
        )

    @classmethod
    def read(cls, found: dict, maintenance: bool) -> "Selected":
        """From the JSON :func:`find_token` reads (SQLite's booleans are 0 and 1 there)."""
        return cls(
            id=found["id"],
            name=found["name"],
            storage=found["storage"],
            status=found["status"],
            primary=bool(found["primary"]),
            read_only_mode=bool(found["read_only_mode"]),
            last_data_change_at=_datetime(found["changed"]),
            maintenance=maintenance,
        )


def wanted_name(request) -> str | None:
    """The id the ``X-Environment`` header names (None: the primary); 400 if malformed."""
    name = request.headers.get(HEADER)
    if name is None:
        return None
    if not is_environment_name(name):
        raise ApiError(
            "INVALID_ENVIRONMENT",
            400,
            environment=printable(name),
            message=f"{HEADER} takes an environment id: lowercase letters, digits and dashes.",
        )
    return name


def find_token(secret: str, name: str | None) -> ApiToken | None:
    """The token with ``secret`` (None if unknown), read in one query with the environment
    ``name`` names (None: the primary) as a dict in ``cms_environment`` (None if there is
    none), and whether maintenance mode is on in ``cms_maintenance``. Read from the
    database on every request: a token deleted or given a new secret works no more."""
    compiled = _compiled.get(name is not None) or _compile(name is not None)
    values = {_SECRET_SLOT: hash_secret(secret), _NAME_SLOT: name}
    params = [values.get(p, p) if isinstance(p, str) else p for p in compiled.params]
    with prepared_cursor() as cursor:
        cursor.execute(compiled.sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    for position, (converters, expression) in compiled.converters.items():
        for convert in converters:
            row[position] = convert(row[position], expression, connection)
    count = len(_TOKEN_FIELDS)
    token = ApiToken.from_db(connection.alias, _TOKEN_FIELDS, row[:count])
    found, maintenance, token.cms_webhooks, role, token.cms_role_name = row[count:]
    token.cms_environment, token.cms_role = found, role  # parsed by JSONField's converter
    token.cms_maintenance = maintenance
    return token


def _token_query(secret_hash: str, name: str | None):
    environments = Environment.objects.filter(**({"name": name} if name else {"primary": True}))
    columns = ("id", "name", "storage", "status", "primary", "read_only_mode")
    return ApiToken.objects.filter(secret_hash=secret_hash).annotate(
        cms_environment=Subquery(
            environments.values(
                found=JSONObject(**{c: c for c in columns}, changed="last_data_change_at")
            )[:1]
        ),
        cms_maintenance=Subquery(
            MaintenanceMode.objects.filter(pk=MaintenanceMode.SINGLETON_ID).values("active")
        ),
        # Whether this process's cached webhooks are current (webhooks/config.py).
        cms_webhooks=Subquery(WebhooksVersion.objects.values("version")[:1]),
        # The role's effective permissions (access/permissions.py reads them).
        cms_role=Subquery(Role.objects.filter(pk=OuterRef("role_id")).values("final_permissions")),
        # Its name, for the audit log's events (audit_log/actors.py): no query of its own.
        cms_role_name=Subquery(Role.objects.filter(pk=OuterRef("role_id")).values("name")),
    )


# Every API request runs the token's query, and building it with the ORM cost more CPU
# than anything else a create does (10 ms a request on SQLite): it is compiled once per
# process (with stand-ins for the secret's hash and the environment's id), run as SQL, and
# its row converted by the converters Django would apply (SQLite's dates and booleans
# arrive as text and integers).
_SECRET_SLOT, _NAME_SLOT = "\x00secret-hash", "\x00environment-id"
_TOKEN_FIELDS = [f.attname for f in ApiToken._meta.concrete_fields]


@dataclass(frozen=True)
class _CompiledTokenQuery:
    sql: str
    params: list  # the slots stand for the request's values
    converters: dict  # column position -> (converters, expression), as Django's compiler


_compiled: dict[bool, _CompiledTokenQuery] = {}  # by whether an environment is named


def _compile(named: bool) -> _CompiledTokenQuery:
    query = _token_query(_SECRET_SLOT, _NAME_SLOT if named else None)
    query = query.order_by(*ApiToken._meta.ordering)[:1].query
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    columns = [select[0] for select in compiler.select[: compiler.col_count]]
    compiled = _CompiledTokenQuery(sql, list(params), compiler.get_converters(columns))
    _compiled[named] = compiled
    return compiled


def enter(request, name: str | None, token: ApiToken) -> Selected:
    """Select the request's environment, as :func:`find_token` read it with ``token``;
    refuse an unknown one, or one not ready."""
    found, maintenance = token.cms_environment, bool(token.cms_maintenance)
    if found is None and name is not None:
        _last_storages.pop(name, None)
        raise ApiError(
            "ENVIRONMENT_NOT_FOUND",
            404,
            environment=name,
            message=f"No environment is called {name!r}.",
        )
    if found is None:  # no primary row: a project whose table was emptied gets main back
        environment = Selected.of(Environment.primary_one(), maintenance)
    else:
        environment = Selected.read(found, maintenance)
    if environment.status != Environment.Status.READY:
        raise ApiError(
            "ENVIRONMENT_NOT_READY",
            409,
            environment=environment.name,
            status=environment.status,
            message=f"The environment {environment.name!r} is {environment.status}.",
        )
    selection.select(environment.storage)
    request.cms_environment = environment
    webhooks_config.note_request(token.cms_webhooks, environment.name, environment.primary)
    _last_storages[name] = environment.storage
    return environment


# Where each environment id (None: the primary) was last seen, in this process: a guess
# for the next request (see selection.begin_request); the token's query says for sure.
# Only ids that name an environment get in, and renames are rare: the bound is a fuse.
_last_storages: dict[str | None, str] = {}
MAX_REMEMBERED = 1000


def forget_storages() -> None:
    _last_storages.clear()


def likely_storage(request) -> str | None:
    if len(_last_storages) > MAX_REMEMBERED:
        forget_storages()
    return _last_storages.get(request.headers.get(HEADER))


def enter_storage(storage: str) -> None:
    """Select a storage named by something the server signed (an upload URL), while its
    environment is there and ready."""
    ready = Environment.objects.filter(storage=storage, status=Environment.Status.READY)
    if storage != PROJECT_STORAGE and not ready.exists():
        raise ApiError(
            "ENVIRONMENT_NOT_FOUND",
            404,
            message="The environment this URL was issued in is gone, or not ready.",
        )
    selection.select(storage)


def refuse_locked_writes(environment: Selected | None) -> None:
    """A write to an environment that takes none now: maintenance mode (the primary), or
    read-only mode (a fast fork's source)."""
    if environment is None:
        return
    if environment.primary and environment.maintenance:
        raise ApiError(
            "MAINTENANCE_MODE_ACTIVE",
            423,
            environment=environment.name,
            message="Maintenance mode is on: the primary environment takes no writes.",
        )
    if environment.read_only_mode:
        raise ApiError(
            "ENVIRONMENT_READ_ONLY",
            423,
            environment=environment.name,
            message=f"The environment {environment.name!r} is read-only for now.",
        )


def _datetime(value) -> datetime | None:
    """A datetime read inside JSON: ISO text (PostgreSQL's with its offset, SQLite's in UTC
    without one)."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = parse_datetime(value.replace(" ", "T"))
    return parsed if parsed is None or is_aware(parsed) else make_aware(parsed, UTC)


class EnvironmentMiddleware:
    """Frames every request's selection: any storage until the API's authentication (or,
    for the admin, environments.admin_environment) selects the environment, the project's
    after. Echoes the environment in ``X-Environment``, and notes when its data last
    changed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.cms_environment = None
        selection.begin_request(likely_storage(request))
        try:
            response = self.get_response(request)
            environment = request.cms_environment
            if environment is not None:
                response[HEADER] = environment.name
                if wrote_data(request, response):
                    note_data_change(environment)
            return response
        finally:
            webhooks_config.forget_version()
            selection.end_request()


def wrote_data(request, response) -> bool:
    """Whether a request changed its environment's data: an API write answered 2xx, or an
    admin form on content saved (the admin answers a save with a redirect)."""
    if request.method in SAFE_METHODS:
        return False
    if request.path_info.startswith(ADMIN_PATH):
        return request.path_info.startswith(ADMIN_DATA_PATHS) and response.status_code == 302
    return 200 <= response.status_code < 300


def note_data_change(environment: Selected) -> None:
    """After a successful write: the environment's ``last_data_change_at``, to the minute."""
    moment = now()
    last = environment.last_data_change_at
    if last is None or moment - last >= DATA_CHANGE_RESOLUTION:
        Environment.objects.filter(pk=environment.id).update(last_data_change_at=moment)
