"""Admin forms that save through the API's services, so the admin obeys the API's rules.

A form is checked by running its service and rolling it back (``dry_run``); ``save_model``
then runs the service for real. One set of rules, no second copy in forms or models.
"""

from django import forms
from django.contrib import admin
from django.db import transaction

from access.admin_permissions import RoleBoundAdmin
from cms.api.errors import ApiError, ApiErrors


class _Undo(Exception):
    pass


def error_messages(exc: ApiError | ApiErrors) -> list[str]:
    errors = exc.errors if isinstance(exc, ApiErrors) else [exc]
    messages = []
    for error in errors:
        details = error.details
        parts = [
            details.get("field"),
            details.get("code", error.code),
            details.get("validator"),
            details.get("message"),
        ]
        messages.append(": ".join(str(p) for p in parts if p))
    return messages


def dry_run_errors(call) -> list[ApiError]:
    """Run ``call`` in a transaction that is always rolled back; answer its errors."""
    try:
        with transaction.atomic():
            call()
            raise _Undo
    except _Undo:
        return []
    except ApiErrors as exc:
        return list(exc.errors)
    except ApiError as exc:
        return [exc]


def dry_run(call) -> list[str]:
    """Run ``call`` in a transaction that is always rolled back; return its error messages."""
    errors = dry_run_errors(call)
    return error_messages(ApiErrors(errors)) if errors else []


class ServiceModelForm(forms.ModelForm):
    """Subclasses say how to call their service; ``clean`` checks with it."""

    def call_service(self):
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for message in dry_run(self.call_service):
                self.add_error(None, message)
        return cleaned

    def attributes(self, names) -> dict:
        """Form values as API attributes: empty text becomes null, as the API stores it."""
        return {
            name: (None if self.cleaned_data.get(name) == "" else self.cleaned_data.get(name))
            for name in names
            if name in self.cleaned_data
        }


class ServiceModelAdmin(RoleBoundAdmin, admin.ModelAdmin):
    """An admin whose form is a :class:`ServiceModelForm`: saving runs the service. A staff
    user bound to a role has the role's permissions here (access/admin_permissions.py)."""

    def save_model(self, request, obj, form, change):
        saved = form.call_service()
        obj.pk = saved.pk
        obj._state.adding = False
