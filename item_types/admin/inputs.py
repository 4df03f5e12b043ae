"""The kinds of input a validator's or an editor's parameter is edited with in the admin.

Each :class:`ParamInput` names one parameter and knows three things: the Django form field
that edits it, how the form's cleaned value becomes the parameter's JSON (``to_param``;
None leaves the parameter out) and back (``initial``). Values are not checked here beyond
what the input itself needs (a number is a number): the schema services check parameters,
so the admin answers with the API's own errors.
"""

from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms

from item_types.models import ItemType


@dataclass(frozen=True)
class ParamInput:
    param: str
    label: str = ""
    help: str = ""
    #: Whether an empty input is still written (as null): parameters a default carries.
    keep_empty: bool = False
    field_class: ClassVar[type[forms.Field]] = forms.CharField

    def form_field(self, item_type: ItemType | None) -> forms.Field:
        return self.field_class(
            required=False, label=self.label or self.param, help_text=self.help, **self.options()
        )

    def options(self) -> dict:
        return {}

    def to_param(self, value) -> Any:
        return None if value in (None, "", []) else value

    def initial(self, param) -> Any:
        return param


class Text(ParamInput):
    def options(self):
        return {"strip": False}  # a pattern's spaces are part of it


class WholeNumber(ParamInput):
    field_class = forms.IntegerField


class Number(ParamInput):
    field_class = forms.FloatField

    def to_param(self, value):
        if value is None:
            return None
        return int(value) if value.is_integer() else value


class Date(ParamInput):
    def options(self):
        return {"widget": forms.DateInput(attrs={"type": "date"})}


class DateTime(ParamInput):
    def options(self):
        return {"widget": forms.TextInput(attrs={"placeholder": "2026-01-31T12:00:00Z"})}


class Checkbox(ParamInput):
    """A boolean parameter, always written (true or false)."""

    field_class = forms.BooleanField

    def to_param(self, value):
        return bool(value)


class TriState(ParamInput):
    """A boolean parameter that may also be left out: unset, yes or no (a validator's
    ``{}`` and ``{"alt": false}`` are kept apart)."""

    def options(self):
        choices = [("", "(not set)"), ("true", "Yes"), ("false", "No")]
        return {"widget": forms.Select(choices=choices)}

    def to_param(self, value):
        return {"true": True, "false": False}.get(value)

    def initial(self, param):
        return {True: "true", False: "false"}.get(param, param)


@dataclass(frozen=True)
class Choice(ParamInput):
    choices: tuple[str, ...] = ()

    def form_field(self, item_type):
        return forms.ChoiceField(
            required=False,
            label=self.label or self.param,
            help_text=self.help,
            choices=[("", "---------"), *((c, c) for c in self.choices)],
        )


class Lines(ParamInput):
    """A list of strings, one a line."""

    def options(self):
        return {"widget": forms.Textarea(attrs={"rows": 4, "cols": 40})}

    def to_param(self, value):
        lines = [line.strip() for line in (value or "").splitlines() if line.strip()]
        return lines or None

    def initial(self, param):
        return "\n".join(str(v) for v in param) if isinstance(param, list) else param


class NumberList(ParamInput):
    """A list of whole numbers, separated by commas."""

    def to_param(self, value):
        parts = [p.strip() for p in (value or "").split(",") if p.strip()]
        # Not a number stays as written: the service names the parameter that is wrong.
        return [int(p) if p.lstrip("-").isdigit() else p for p in parts] or None

    def initial(self, param):
        return ", ".join(str(v) for v in param) if isinstance(param, list) else param


class Options(ParamInput):
    """``[{"label", "value", "hint"}]``, one option a line: ``value | label | hint``."""

    def options(self):
        return {"widget": forms.Textarea(attrs={"rows": 4, "cols": 40})}

    def to_param(self, value):
        options = []
        for line in (value or "").splitlines():
            if line.strip():
                parts = [p.strip() for p in line.split("|")] + ["", ""]
                options.append({"value": parts[0], "label": parts[1] or parts[0], "hint": parts[2]})
        return options or None

    def initial(self, param):
        if not isinstance(param, list):
            return param
        return "\n".join(
            " | ".join(
                [str(o.get("value", "")), str(o.get("label", "")), str(o.get("hint") or "")]
            ).rstrip(" |")
            if isinstance(o, dict)
            else str(o)
            for o in param
        )


@dataclass(frozen=True)
class Models(ParamInput):
    """A chooser of models (or of block models) by name, answering their ids. The ones
    already chosen come first, in their stored order, so an unchanged form saves the same
    list."""

    blocks: bool = False

    def form_field(self, item_type):
        models = ItemType.objects.filter(modular_block=self.blocks).order_by("name", "api_key")
        return forms.MultipleChoiceField(
            required=False,
            label=self.label or ("Allowed block models" if self.blocks else "Allowed models"),
            help_text=self.help,
            choices=[(m.pk, f"{m.name} ({m.api_key})") for m in models],
            widget=forms.CheckboxSelectMultiple(attrs={"class": "cms-model-chooser"}),
        )

    def to_param(self, value):
        return list(value or [])  # the service says when none is chosen but one must be

    def put_chosen_first(self, field: forms.MultipleChoiceField, chosen) -> None:
        chosen = [c for c in chosen or [] if isinstance(c, str)]
        labels = dict(field.choices)
        rest = [(pk, label) for pk, label in field.choices if pk not in chosen]
        field.choices = [(pk, labels[pk]) for pk in chosen if pk in labels] + rest


@dataclass(frozen=True)
class TitleField(ParamInput):
    """One of the model's fields a slug can be made from."""

    field_types: tuple[str, ...] = ()

    def form_field(self, item_type):
        fields = item_type.fields.filter(field_type__in=self.field_types) if item_type else []
        return forms.ChoiceField(
            required=False,
            label=self.label or self.param,
            help_text=self.help,
            choices=[("", "---------"), *((f.pk, f"{f.label} ({f.api_key})") for f in fields)],
        )
