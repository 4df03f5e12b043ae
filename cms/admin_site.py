"""The admin site, with its login throttled (cms/throttle.py): after too many failed logins
for a username or from an address, the login page answers 429 with a clear message and
``Retry-After``, and checks no password until the window ends. Every page shows the
environment the editor works in, with a switcher (environments/admin_environment.py)."""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.urls import path

from cms import throttle
from environments import admin_environment


class ThrottledAuthenticationForm(AdminAuthenticationForm):
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        wait = throttle.login_locked(self.request, username)
        if wait is not None:
            self.request.login_retry_after = wait
            raise ValidationError(
                "Too many failed logins for this account or from this address. "
                "Try again in %(wait)d seconds.",
                code="throttled",
                params={"wait": wait},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.login_failed(self.request, username)
            raise
        if self.get_user() is not None:
            throttle.login_succeeded(username)
        return cleaned


class CmsAdminSite(admin.AdminSite):
    login_form = ThrottledAuthenticationForm

    def get_urls(self):
        switch = path(
            "switch-environment/",
            self.admin_view(admin_environment.switch),
            name="switch_environment",
        )
        return [switch, *super().get_urls()]

    def each_context(self, request):
        return {**super().each_context(request), **admin_environment.context(request)}

    def login(self, request, extra_context=None):
        response = super().login(request, extra_context)
        wait = getattr(request, "login_retry_after", None)
        if wait is not None:
            response.status_code = 429
            response["Retry-After"] = str(wait)
        return response
