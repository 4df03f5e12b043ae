"""A field's validators and appearance as per-parameter admin inputs, for one field type.

:class:`SchemaInputs` adds the inputs to a form (each validator the type allows, each
editor it offers), reads them back as the ``validators`` and ``appearance`` the schema
API takes, and says which input an API error belongs next to. Form field names:
``validator_<name>`` (the validator is on), ``validator_<name>__<param>``, ``editor``,
``editor_<editor>__<param>``.
"""

from django import forms

from cms.api.errors import ApiError
from item_types.admin.editors import EDITORS
from item_types.admin.inputs import Models, ParamInput
from item_types.field_types import FIELD_TYPES
from item_types.models import ItemType
from item_types.validators import VALIDATORS
from item_types.validators.admin_inputs import VALIDATOR_INPUTS, VALIDATOR_TITLES


def validator_switch(name: str) -> str:
    return f"validator_{name}"


def validator_input(name: str, param: str) -> str:
    return f"validator_{name}__{param}"


def editor_input(editor: str, param: str) -> str:
    return f"editor_{editor}__{param}"


def title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def validator_title(name: str) -> str:
    """Its title for editors, with the name the API knows it by."""
    return f"{VALIDATOR_TITLES.get(name) or title(name)} ({name})"


class SchemaInputs:
    def __init__(self, field_type: str, item_type: ItemType | None):
        self.field_type = FIELD_TYPES[field_type]
        self.item_type = item_type
        # In the registry's order: presence first, then values, files, references.
        self.validators = [
            name for name in VALIDATORS if name in self.field_type.allowed_validators
        ]
        self.editors: dict[str, tuple[ParamInput, ...]] = dict(EDITORS[field_type])

    def mandatory(self, name: str) -> bool:
        return name in self.field_type.mandatory_validators

    # --- Building the form ------------------------------------------------------------

    def add_to(self, form: forms.Form, validators: dict, appearance: dict) -> None:
        """Add the inputs to ``form``, showing ``validators`` and ``appearance``."""
        for name in self.validators:
            params = validators.get(name)
            if not self.mandatory(name):
                form.fields[validator_switch(name)] = forms.BooleanField(
                    required=False,
                    label=title(name) if not VALIDATOR_INPUTS[name] else "On",
                    initial=params is not None,
                    widget=forms.CheckboxInput(attrs={"class": "cms-validator-switch"}),
                )
            for entry in VALIDATOR_INPUTS[name]:
                value = (params or {}).get(entry.param)
                field = entry.form_field(self.item_type)
                field.initial = None if value is None else entry.initial(value)
                if isinstance(entry, Models):
                    entry.put_chosen_first(field, value)
                form.fields[validator_input(name, entry.param)] = field
        self._add_editor(form, appearance or {})

    def _add_editor(self, form, appearance: dict) -> None:
        current = appearance.get("editor") or self.field_type.default_editor
        choices = [(editor, editor) for editor in self.editors]
        if current not in self.editors:  # an editor the admin doesn't know keeps its place
            choices.append((current, f"{current} (parameters kept as they are)"))
        form.fields["editor"] = forms.ChoiceField(
            choices=choices,
            initial=current,
            required=False,  # none sent: the type's default
            help_text="How editors enter this field's values",
        )
        parameters = appearance.get("parameters") or {}
        for editor, inputs in self.editors.items():
            for entry in inputs:
                field = entry.form_field(self.item_type)
                value = parameters.get(entry.param) if editor == current else None
                field.initial = None if value is None else entry.initial(value)
                form.fields[editor_input(editor, entry.param)] = field

    def admin_fieldsets(self) -> list[tuple[str, dict]]:
        """The inputs grouped for the admin page: the on/off validators together, then one
        group per validator with parameters, the editor, one group per editor's
        parameters (the page shows the chosen editor's)."""
        switches = [
            validator_switch(n)
            for n in self.validators
            if not VALIDATOR_INPUTS[n] and not self.mandatory(n)
        ]
        groups = [("Validators", {"fields": switches, "classes": ["cms-validators"]})]
        for name in self.validators:
            inputs = [validator_input(name, entry.param) for entry in VALIDATOR_INPUTS[name]]
            if not inputs:
                continue
            fields = inputs if self.mandatory(name) else [validator_switch(name), *inputs]
            description = "Always on for this field type." if self.mandatory(name) else ""
            classes = ["cms-validator", f"cms-validator-{name}"]
            groups.append(
                (
                    f"Validator: {validator_title(name)}",
                    {"fields": fields, "classes": classes, "description": description},
                )
            )
        groups.append(("Appearance", {"fields": ["editor"], "classes": ["cms-appearance"]}))
        for editor, inputs in self.editors.items():
            if inputs:
                fields = [editor_input(editor, entry.param) for entry in inputs]
                classes = ["cms-editor-params", f"cms-editor-{editor}"]
                groups.append((f"Editor: {editor}", {"fields": fields, "classes": classes}))
        if not switches:
            groups.pop(0)
        return groups

    # --- Reading it back --------------------------------------------------------------

    def validators_from(self, data: dict) -> dict:
        """The ``validators`` attribute the form's cleaned ``data`` says."""
        validators = {}
        for name in self.validators:
            if not self.mandatory(name) and not data.get(validator_switch(name)):
                continue
            params = {}
            for entry in VALIDATOR_INPUTS[name]:
                value = entry.to_param(data.get(validator_input(name, entry.param)))
                if value is not None or entry.keep_empty:
                    params[entry.param] = value
            validators[name] = params
        return validators

    def appearance_from(self, data: dict, before: dict) -> dict:
        """The ``appearance`` attribute: the chosen editor with its parameters; what the
        admin doesn't edit (addons, a field extension) stays as ``before`` had it."""
        editor = data.get("editor") or self.field_type.default_editor
        if editor in self.editors:
            parameters = {}
            for entry in self.editors[editor]:
                value = entry.to_param(data.get(editor_input(editor, entry.param)))
                if value is not None or entry.keep_empty:
                    parameters[entry.param] = value
        else:
            same = before.get("editor") == editor
            parameters = (before.get("parameters") or {}) if same else {}
        appearance = {**before, "editor": editor, "parameters": parameters}
        appearance.setdefault("addons", [])
        return appearance

    def input_of(self, error: ApiError, form: forms.Form) -> str | None:
        """The form field an API error is shown next to (None: above the form)."""
        details = error.details
        attribute = details.get("field")
        if attribute == "validators":
            name, param = details.get("validator"), details.get("parameter")
            inputs = [e.param for e in VALIDATOR_INPUTS.get(name, ())]
            candidates = [validator_input(name, param) if param else None]
            candidates += [validator_switch(name)] + [validator_input(name, p) for p in inputs]
        elif attribute == "appearance":
            candidates = ["editor"]
        else:
            candidates = [attribute]
        return next((c for c in candidates if c and c in form.fields), None)
