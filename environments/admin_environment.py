"""Which environment the admin works in: the one the editor chose, kept in the session.

An editor who never chose (or chose the primary) works in the primary environment, and
follows it when another is promoted. A sandbox they choose is remembered by its row, so a
rename keeps the choice; once it is destroyed (or is being destroyed) the editor is back in
the primary, told so once. Every admin page selects the environment's storage (the admin's
header shows it, with a switcher), so what an editor adds in the admin lands there only.

Content pages (the per-environment apps') take no writes while their environment takes
none (maintenance mode for the primary, read-only mode for a fast fork's source): the
editor gets a page in the admin's look saying why, with status 423 (the API's), and their
browser's Back button still holds what they typed. Only staff users choose: the choice of
anyone else is ignored, and the switch itself is an admin view (staff, CSRF, POST).
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cms.api.errors import ApiError
from environments import selection
from environments.access import (
    ADMIN_DATA_PATHS,
    ADMIN_PATH,
    SAFE_METHODS,
    Selected,
    refuse_locked_writes,
)
from environments.models import Environment, MaintenanceMode, is_environment_name

SESSION_KEY = "cms_environment"  # {"id": the row's pk, "name": its name when chosen}


def is_admin(request) -> bool:
    return request.path_info.startswith(ADMIN_PATH)


def is_content_write(request) -> bool:
    return request.method not in SAFE_METHODS and request.path_info.startswith(ADMIN_DATA_PATHS)


def is_editor(request) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_active and user.is_staff


@dataclass(frozen=True)
class Banner:
    """A warning across every admin page: this environment takes no writes now."""

    title: str  # lower case: it follows "Not saved: " on the refusal's page
    text: str
    code: str


def banner(environment: Selected) -> Banner | None:
    try:
        refuse_locked_writes(environment)
    except ApiError as refusal:
        if refusal.code == "MAINTENANCE_MODE_ACTIVE":
            return Banner(
                "maintenance mode is on",
                f"The primary environment {environment.name!r} is read-only: nothing can be "
                "saved here until maintenance mode is turned off. Sandboxes stay writable.",
                refusal.code,
            )
        return Banner(
            "this environment is read-only for now",
            f"A fast fork is copying {environment.name!r}: nothing can be saved here until "
            "the copy is done.",
            refusal.code,
        )
    return None


# --- Choosing and selecting ---------------------------------------------------------------


def enter(request) -> Selected:
    """Select the environment this admin request works in (``request.cms_environment``);
    the environments' rows stay on the request for the switcher."""
    rows = list(Environment.objects.all())  # a handful, in one query
    primary = next((row for row in rows if row.primary), None) or Environment.primary_one()
    environment = _chosen(request, rows, primary) or primary
    maintenance = MaintenanceMode.objects.filter(
        pk=MaintenanceMode.SINGLETON_ID, active=True
    ).exists()
    selection.select(environment.storage)
    request.cms_environment = Selected.of(environment, maintenance)
    request.cms_environment_rows = rows
    return request.cms_environment


def _chosen(request, rows: list[Environment], primary: Environment) -> Environment | None:
    """The sandbox the editor chose, while it is ready; else None (the primary), saying
    once why the one they had is gone."""
    if not is_editor(request):
        return None
    remembered = request.session.get(SESSION_KEY)
    if not isinstance(remembered, dict):
        return None
    found = next((row for row in rows if row.pk == remembered.get("id")), None)
    if found is not None and found.is_ready:
        return found
    del request.session[SESSION_KEY]
    if found is None:
        name, what = remembered.get("name"), "was destroyed"
    elif found.status == Environment.Status.DESTROYING:
        name, what = found.name, "is being destroyed"
    else:
        name, what = found.name, f"is {found.status}"
    messages.warning(
        request,
        f"The environment {name!r} you were working in {what}: you are back in the "
        f"primary environment {primary.name!r}.",
    )
    return None


def remember(request, environment: Environment) -> None:
    """The editor works in ``environment`` from their next page on (the primary: whichever
    is primary then)."""
    if environment.primary:
        request.session.pop(SESSION_KEY, None)
    else:
        request.session[SESSION_KEY] = {"id": environment.pk, "name": environment.name}


class AdminEnvironmentMiddleware:
    """After the session, authentication and messages: every admin request works in the
    editor's environment; content writes there are refused while it takes none (in
    ``process_view``, after the CSRF check, so a forged request is refused as such)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_admin(request):
            enter(request)
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if not (is_admin(request) and is_content_write(request) and is_editor(request)):
            return None
        try:
            refuse_locked_writes(request.cms_environment)
        except ApiError as refusal:
            return refused_page(request, refusal)
        return None


def refused_page(request, refusal: ApiError):
    environment = request.cms_environment
    found = banner(environment)
    context = {
        **admin.site.each_context(request),
        "title": f"Not saved: {found.title}",
        "refusal": refusal,
        "text": found.text,
        "back": request.get_full_path(),
    }
    response = TemplateResponse(
        request, "environments/admin_refused.html", context, status=refusal.status
    )
    return response.render()


def context(request) -> dict:
    """What every admin page shows of the environment (cms.admin_site): nothing to anyone
    but an editor."""
    environment = getattr(request, "cms_environment", None)
    if environment is None or not is_editor(request):
        return {}
    rows = getattr(request, "cms_environment_rows", [])
    return {
        "cms_environment": environment,
        "cms_environments": [row for row in rows if row.is_ready],
        "cms_banner": banner(environment),
    }


# --- Switching ----------------------------------------------------------------------------


@require_POST
def switch(request):
    """The switcher's form: ``environment`` (a ready one's id) and ``next`` (the admin page
    to go back to). Served through ``admin_view``: staff only, CSRF checked."""
    name = request.POST.get("environment", "")
    environment = None
    if is_environment_name(name):
        environment = Environment.objects.filter(name=name).first()
    if environment is None or not environment.is_ready:
        messages.error(request, "That environment doesn't exist or is not ready to work in.")
        return redirect(landing(request, request.POST.get("next"), None))
    remember(request, environment)
    kind = "the primary environment" if environment.primary else "a sandbox"
    messages.success(request, f"You are working in {environment.name!r}, {kind}.")
    return redirect(landing(request, request.POST.get("next"), environment))


def landing(request, target: str | None, environment: Environment | None) -> str:
    """Where a switch goes: ``target`` when it is an admin page that exists in
    ``environment`` too; the list of its model when the object it shows isn't there (a
    record made after a fork); the admin's index for anything else."""
    index = reverse("admin:index")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not target or not allowed or not target.startswith(index):
        return index
    try:
        match = resolve(urlsplit(target).path)
    except Resolver404:
        return index
    if match.namespace != "admin" or match.url_name is None:  # None: the admin's catch-all
        return index
    model_admin = getattr(match.func, "model_admin", None)
    object_id = match.kwargs.get("object_id")
    if environment is None or model_admin is None or object_id is None:
        return target
    model = model_admin.model
    try:
        with selection.using(environment):
            there = model._default_manager.filter(pk=unquote(object_id)).exists()
    except (ValueError, ValidationError):  # not a key of this model at all
        there = False
    if there:
        return target
    opts = model._meta
    messages.info(
        request,
        f"{opts.verbose_name.capitalize()} {unquote(object_id)!r} is not in "
        f"{environment.name!r}: here are its {opts.verbose_name_plural}.",
    )
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
