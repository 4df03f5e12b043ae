"""The record editor's Django form: the model (when adding) and one hidden field that the
JS editor (items/static/items/editor/) fills with the form values of every field.

``clean`` converts the form values to API attributes (``record_form``) and checks them with
the API's own validation (``items.services``, without writing); every error is handed to
the editor with its place, which shows it next to the field and locale it belongs to.
"""

import json

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from cms.api.errors import ApiError, ApiErrors
from cms.api.parsing import ResourceDocument
from item_types.models import ItemType
from items import services
from items.admin_editor import choosers
from items.admin_editor.record_form import FormValues, model_descriptions
from items.admin_editor.widgets import WIDGETS, FormValueError
from items.content_model import ContentModel
from items.models import Item, ItemVersion
from items.placement import PARENT, POSITION, is_placed, wire_attributes
from items.resources import block_payload, item_attributes

CONFIG_ID = "record-editor-config"


PLACE = frozenset({"field", "locale", "path", "code", "message", "validator", "key"})


def editor_message(error: ApiError) -> str:
    """What an editor reads next to the value: the error's own message, else its code in
    words with its details (``VALIDATION_NUMBER_RANGE`` -> "Number range: min 1, max 5.")."""
    details = error.details
    if details.get("message"):
        return str(details["message"])
    code = str(details.get("code") or error.code)
    if code == "VALIDATION_REQUIRED":
        return "A value is required."
    words = code.removeprefix("VALIDATION_").replace("_", " ").capitalize()
    facts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in details.items() if k not in PLACE)
    return f"{words}: {facts}." if facts else f"{words}."


def error_places(exc: ApiError | ApiErrors) -> list[dict]:
    """Each error's place in the record (field, locale, path) and its message."""
    errors = exc.errors if isinstance(exc, ApiErrors) else [exc]
    places = []
    for error in errors:
        message = editor_message(error)
        details = error.details
        path = details.get("path") or [
            step for step in (details.get("field"), details.get("locale")) if step
        ]
        code = details.get("code") or error.code
        places.append({"path": [str(step) for step in path], "message": message, "code": code})
    return places


class RecordEditorWidget(forms.Widget):
    """The hidden field, the editor's configuration (models, values, errors, labels, the
    choosers' addresses) as JSON, and the element the JS editor fills."""

    config: dict = {}

    class Media:
        css = {"all": ["items/editor/editor.css"]}
        js = [
            "items/editor/widgets.js",
            "items/editor/choosers.js",
            "items/editor/structured_text.js",
            "items/editor/editor.js",
        ]

    def render(self, name, value, attrs=None, renderer=None):
        config = json.dumps(self.config).replace("</", "<\\/")
        return format_html(
            '<input type="hidden" name="{}" id="id_{}" value="">'
            '<script type="application/json" id="{}">{}</script>'
            '<div id="record-editor" class="record-editor"></div>',
            name,
            name,
            CONFIG_ID,
            mark_safe(config),  # JSON in a script element; "</" escaped above
        )

    def value_from_datadict(self, data, files, name):
        return data.get(name)


def placement_fields(item_type) -> list[dict]:
    """A sortable or tree model's records also have a place: edited as fields would be."""
    if not is_placed(item_type):
        return []
    hint = "Among its siblings, from 1 (empty: last when adding, unchanged when editing)."
    fields = [_pseudo_field(POSITION, "Position", "integer", hint)]
    if item_type.tree:
        parent = _pseudo_field(PARENT, "Parent", "link", "Empty: a root of the tree.")
        fields.append({**parent, "options": {"link_models": [item_type.id]}})
    return fields


def _pseudo_field(api_key, label, widget, hint) -> dict:
    return {
        "api_key": api_key,
        "label": label,
        "hint": hint,
        "widget": widget,
        "localized": False,
        "required": False,
        "options": {},
    }


def _placement_from_form(posted: dict, item_type, converter: FormValues) -> dict:
    attributes = {}
    for field in placement_fields(item_type):
        widget = WIDGETS["integer" if field["api_key"] == POSITION else "link"]
        try:
            attributes[field["api_key"]] = widget.from_form(posted.get(field["api_key"]), None)
        except FormValueError as error:
            converter.fail_at(error.message, [field["api_key"]])
    if attributes.get(POSITION) is None:
        attributes.pop(POSITION, None)  # unchanged, or last
    return attributes


def current_wire_values(record: Item, model: ContentModel) -> dict:
    """The record's values with its blocks whole (so the block editor can edit them)."""
    version = ItemVersion.objects.filter(pk=record.current_version).first()
    if version is None:
        return item_attributes(record, model)
    return block_payload(version.data, record.item_type_id, version.blocks, model)


class RecordForm(forms.ModelForm):
    item_type = forms.ModelChoiceField(
        ItemType.objects.filter(modular_block=False),
        label="Model",
        help_text="Only when adding a record.",
    )
    values = forms.CharField(widget=RecordEditorWidget, required=False, label="")

    class Meta:
        model = Item
        fields = []

    urls: dict = {}  # the choosers' addresses, set by RecordAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = ContentModel.load()
        self.editor_errors: list[dict] = []
        self.attributes: dict | None = None
        self.changing = bool(self.instance.pk) and not self.instance._state.adding
        if self.changing:
            self.fields["item_type"].required = False
            self.fields["item_type"].disabled = True
            self.initial["item_type"] = self.instance.item_type_id

    def _item_type_id(self) -> str | None:
        if self.changing:
            return self.instance.item_type_id
        value = self.data.get("item_type") if self.is_bound else self.initial.get("item_type")
        value = getattr(value, "pk", value)
        return value if value in self.model.item_types else None

    def clean(self):
        cleaned = super().clean()
        item_type_id = self._item_type_id()
        if item_type_id is None:
            return cleaned
        try:
            posted = json.loads(cleaned.get("values") or "")
        except ValueError:
            posted = None
        if not isinstance(posted, dict) or not isinstance(posted.get("values"), dict):
            self.add_error(None, "The editor sent no values: is JavaScript on?")
            return cleaned
        converter = FormValues(self.model)
        values = posted["values"]
        attributes = converter.record_from_form(values, item_type_id)
        item_type = self.model.item_types[item_type_id]
        attributes.update(_placement_from_form(values, item_type, converter))
        try:
            if converter.errors:
                raise ApiErrors(converter.errors)
            self._validate(attributes, item_type_id)
        except (ApiError, ApiErrors) as exc:
            self.editor_errors = error_places(exc)
            self.add_error(None, "Nothing was saved: correct the errors shown by the fields.")
        self.attributes = attributes
        return cleaned

    def _validate(self, attributes: dict, item_type_id: str):
        """The API's checks, without writing (both builders only read)."""
        if self.changing:
            return services.build_update(
                item=self.instance, attributes=attributes, editor_id=None, model=self.model
            )
        return services.build_record(
            document=self.document(attributes, item_type_id), creator_id=None, model=self.model
        )

    @staticmethod
    def document(attributes: dict, item_type_id: str) -> ResourceDocument:
        return ResourceDocument(
            type="item",
            attributes=json.loads(json.dumps(attributes)),
            relationships={"item_type": {"data": {"type": "item_type", "id": item_type_id}}},
        )

    def editor_config(self) -> dict:
        """What the JS editor starts from: the posted values after a refusal (nothing the
        editor typed is lost), else the record's."""
        item_type_id = self._item_type_id()
        models = model_descriptions(self.model)
        if item_type_id is not None:
            placement = placement_fields(self.model.item_types[item_type_id])
            models[item_type_id]["fields"] = placement + models[item_type_id]["fields"]
        config = {
            "item_type": item_type_id,
            "locales": self.model.locales,
            "models": models,
            "errors": self.editor_errors,
            "urls": self.urls,
        }
        if item_type_id is None:
            return config
        posted = None
        if self.is_bound:
            try:
                posted = json.loads(self.data.get("values") or "")
            except ValueError:
                posted = None
        if isinstance(posted, dict) and isinstance(posted.get("values"), dict):
            labels = posted.get("labels") or {}
            return {**config, "values": posted["values"], "labels": labels}
        converter = FormValues(self.model)
        wire = current_wire_values(self.instance, self.model) if self.changing else {}
        values = converter.record_to_form(wire, item_type_id)
        if self.changing:
            placed = wire_attributes(self.instance, self.model.item_types[item_type_id])
            if POSITION in placed:
                values[POSITION] = WIDGETS["integer"].to_form(placed[POSITION], None)
            if PARENT in placed:
                values[PARENT] = placed[PARENT] or ""
                converter.record_ids.update([placed[PARENT]] if placed[PARENT] else [])
        labels = {
            "records": choosers.record_labels(converter.record_ids),
            "uploads": choosers.upload_labels(converter.upload_ids),
        }
        return {**config, "values": values, "labels": labels}

    def prepare_editor(self) -> None:
        self.fields["values"].widget.config = self.editor_config()
