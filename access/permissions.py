"""What a token may do: the one evaluator every view asks (SPEC-2 §10.3).

A request's role is read with its token, in the token's one query (the role's stored
``final_permissions``: access/final.py), and turned into a :class:`Grants` once per request;
checking a record, or filtering a list, costs no query (except ``on_creator: "role"``: the
role's token ids, read once per request when an entry asks for them).

Anything not allowed is denied; a matching negative entry always wins. A refusal is a 403
``INSUFFICIENT_PERMISSIONS`` naming what was refused.
"""

from django.db.models import Q
from rest_framework.permissions import SAFE_METHODS, BasePermission

from cms.api.errors import ApiError
from environments import access

#: What each HTTP method does to a resource, for views whose permission is one action.
METHOD_ACTIONS = {
    "GET": "read",
    "HEAD": "read",
    "POST": "create",
    "PUT": "update",
    "DELETE": "delete",
}


def refused(**what) -> ApiError:
    return ApiError("INSUFFICIENT_PERMISSIONS", 403, **what)


class EntrySet:
    """One family's final entries (records or uploads) for one environment."""

    def __init__(self, grants: "Grants", positive: list, negative: list, target: str):
        self.grants, self.target = grants, target
        self.positive, self.negative = positive, negative
        #: decisions already made in this request: a batch asks the same of each record
        self._decided: dict = {}

    @staticmethod
    def _acts(entry: dict, action: str) -> bool:
        return entry.get("action") in (action, "all")

    def _aims(self, entry: dict, target) -> bool:
        wanted = entry.get(self.target)
        return wanted is None or wanted == target

    def _creator_ok(self, entry: dict, creator) -> bool:
        """``creator``: (type, id) of the record's creator; None when nothing exists yet."""
        on = entry.get("on_creator") or "anyone"
        if on == "anyone" or creator is None:
            return True
        kind, creator_id = creator
        if kind != "access_token" or creator_id is None:
            return False
        if on == "self":
            return creator_id == self.grants.token_id
        return creator_id in self.grants.role_token_ids()

    @staticmethod
    def _covers_locale(entry: dict, locale, negative: bool) -> bool:
        """Whether ``entry`` covers a change to one field value: ``locale`` is the value's
        locale (None: a field that isn't localized; "*": the whole record, which a
        negative entry for any part of it refuses)."""
        scope = entry.get("localization_scope") or "all"
        if scope == "all":
            return True
        if locale == "*":
            return negative
        if scope == "not_localized":
            return locale is None
        return locale is not None and locale == entry.get("locale")

    def _matches(self, entry, action, target, creator, locale, negative=False) -> bool:
        return (
            self._acts(entry, action)
            and self._aims(entry, target)
            and self._creator_ok(entry, creator)
            and self._covers_locale(entry, locale, negative)
        )

    def allows(self, action: str, target=None, creator=None, locale="*") -> bool:
        key = (action, target, creator, locale)
        found = self._decided.get(key)
        if found is None:
            found = self._decided[key] = self._allows(action, target, creator, locale)
        return found

    def _allows(self, action: str, target, creator, locale) -> bool:
        if any(self._matches(e, action, target, creator, locale, True) for e in self.negative):
            return False
        return any(self._matches(e, action, target, creator, locale) for e in self.positive)

    def everything(self, action: str) -> bool:
        """Whether ``action`` is allowed on every record (any model, creator and locale):
        then a view needn't read the record to check it (admins and editors pay nothing)."""
        if any(self._acts(e, action) for e in self.negative):
            return False
        return any(
            self._acts(e, action)
            and e.get(self.target) is None
            and (e.get("on_creator") or "anyone") == "anyone"
            and (e.get("localization_scope") or "all") == "all"
            for e in self.positive
        )

    def allows_some(self, action: str, target=None) -> bool:
        """Whether ``action`` is allowed on some record of ``target`` (any creator, any
        locale): the gate before a record is read."""
        for entry in self.negative:
            if (
                self._acts(entry, action)
                and self._aims(entry, target)
                and (entry.get("on_creator") or "anyone") == "anyone"
                and (entry.get("localization_scope") or "all") == "all"
            ):
                return False
        return any(
            self._acts(e, action) and (target is None or self._aims(e, target))
            for e in self.positive
        )

    def filter(self, action: str, type_column: str = "item_type_id") -> Q | None:
        """The records (uploads) ``action`` is allowed on, as a condition (None: all).
        Uploads are made by tokens only: they have no ``creator_type``."""
        typed = type_column == "item_type_id"

        def condition(entry) -> Q:
            q = Q()
            if entry.get(self.target) is not None:
                q &= Q(**{type_column: entry[self.target]})
            on = entry.get("on_creator") or "anyone"
            if on != "anyone":
                q &= Q(creator_type="access_token") if typed else Q()
            if on == "self":
                q &= Q(creator_id=self.grants.token_id)
            elif on == "role":
                q &= Q(creator_id__in=self.grants.role_token_ids())
            return q

        nothing = Q(pk__in=[])
        positive = [condition(e) for e in self.positive if self._acts(e, action)]
        negative = [condition(e) for e in self.negative if self._acts(e, action)]
        if any(q == Q() for q in negative):
            return nothing
        # An empty Q is "everything", and Django drops it from an OR: handled apart.
        allowed = None if any(q == Q() for q in positive) else nothing
        for q in positive if allowed is not None else ():
            allowed |= q
        for q in negative:
            allowed = ~q if allowed is None else allowed & ~q
        return allowed

    def restrict(self, records, item_type_ids: list):
        """``records`` (a queryset) narrowed to what may be read; a model asked for by
        type that can't be read at all is refused."""
        for item_type_id in item_type_ids:
            if not self.allows_some("read", item_type_id):
                raise refused(action="read", item_type=item_type_id)
        condition = self.filter("read")
        return records if condition is None else records.filter(condition)

    def check_changes(self, action, target, creator, changes) -> None:
        """Refuse ``action`` unless every changed value is covered; ``changes``: (field api
        key, locale or None) pairs. The refusal names the field and locale."""
        if self.allows(action, target, creator, "*"):
            return
        for field, locale in changes:
            if not self.allows(action, target, creator, locale):
                raise refused(action=action, field=field, locale=locale, item_type=target)
        if not changes and not self.allows_some(action, target):
            raise refused(action=action, item_type=target)


class Grants:
    """A token's role, resolved once per request."""

    def __init__(self, token):
        self.token_id, self.role_id = token.pk, token.role_id
        self.final = getattr(token, "cms_role", None) or {}
        self._sets: dict = {}
        self._role_tokens: set | None = None

    def flag(self, name: str) -> bool:
        return bool(self.final.get(name))

    def may_fire_build(self, trigger_id: str) -> bool:
        """Firing a build trigger: its build-trigger entries (null: every trigger), a
        negative one winning; ``can_manage_build_triggers`` is about editing them."""

        def named(sign: str) -> bool:
            entries = self.final.get(f"{sign}_build_trigger_permissions", [])
            return any(e.get("build_trigger") in (None, trigger_id) for e in entries)

        return named("positive") and not named("negative")

    def may_enter(self, environment) -> bool:
        access_ = self.final.get("environments_access", "all")
        if access_ == "all":
            return True
        if access_ == "primary_only":
            return environment.primary
        if access_ == "sandbox_only":
            return not environment.primary
        return False

    def _set(self, family: str, target: str, environment: str) -> EntrySet:
        key = (family, environment)
        if key not in self._sets:
            pick = [
                [
                    e
                    for e in self.final.get(f"{sign}_{family}_permissions", [])
                    if e.get("environment") == environment
                ]
                for sign in ("positive", "negative")
            ]
            self._sets[key] = EntrySet(self, pick[0], pick[1], target)
        return self._sets[key]

    def records(self, environment: str) -> EntrySet:
        return self._set("item_type", "item_type", environment)

    def uploads(self, environment: str) -> EntrySet:
        return self._set("upload", "upload_collection", environment)

    def role_token_ids(self) -> set:
        if self._role_tokens is None:
            from cms.models import ApiToken

            self._role_tokens = set(
                ApiToken.objects.filter(role_id=self.role_id).values_list("pk", flat=True)
            )
        return self._role_tokens


def grants(request) -> Grants:
    """The request's Grants (DRF's request or Django's), made once."""
    raw = getattr(request, "_request", request)
    found = getattr(raw, "cms_grants", None)
    if found is None:
        found = raw.cms_grants = Grants(request.auth if hasattr(request, "auth") else raw.auth)
    return found


def environment_name(request) -> str:
    raw = getattr(request, "_request", request)
    return raw.cms_environment.name


def records(request) -> EntrySet:
    return grants(request).records(environment_name(request))


def uploads(request) -> EntrySet:
    return grants(request).uploads(environment_name(request))


def require_flag(request, name: str) -> None:
    if not grants(request).flag(name):
        raise refused(permission=name)


class AccessPermission(BasePermission):
    """Every API view's gate (DRF ``DEFAULT_PERMISSION_CLASSES``).

    - The token must be one (a 401 otherwise, from authentication).
    - ``environments_access``: a request in an environment the role may not enter is refused.
    - A view names the flag its writes need with ``write_flag`` (and its reads with
      ``read_flag``, for answers that hold secrets); ``scope = "schema"`` without one means
      ``can_edit_schema``. Record and upload views check per record (``scope = "content"``);
      an upload view without its own checks gets one action per method.
    - A write is also refused while its environment takes none (maintenance, read-only mode),
      unless the view says ``writes_nothing = True``.
    """

    def has_permission(self, request, view):
        from cms.models import ApiToken

        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        granted = grants(request)
        environment = getattr(request._request, "cms_environment", None)
        if environment is not None and not granted.may_enter(environment):
            raise refused(environment=environment.name, permission="environments_access")
        reading = request.method in SAFE_METHODS
        flag = getattr(view, "read_flag" if reading else "write_flag", None)
        if flag is None and not reading and getattr(view, "scope", "schema") == "schema":
            flag = "can_edit_schema"
        if callable(flag):
            flag = flag(request)
        if flag is not None:
            require_flag(request, flag)
        family = getattr(view, "upload_permissions", None)
        if family and environment is not None:
            action = (
                family if isinstance(family, str) else METHOD_ACTIONS.get(request.method, "read")
            )
            if not granted.uploads(environment.name).allows_some(action):
                raise refused(action=action, permission="upload")
        if not reading and not getattr(view, "writes_nothing", False):
            # Maintenance mode, or an environment in read-only mode: a 423 naming why.
            access.refuse_locked_writes(environment)
        return True
