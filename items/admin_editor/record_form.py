"""A record's values between the wire and the record editor's form, for any model: each
field through its type's widget (``widgets.WIDGETS``), localized fields per locale, blocks
through their own models' fields at any depth.

``FormValues.from_form`` collects every value it can't convert as an ``INVALID_FIELD``
error placed as the API places its own (``field``, ``locale``, ``path``), so the editor
shows both kinds next to the value they belong to.
"""

from cms.api.errors import ApiError, invalid_field
from item_types.field_types import FIELD_TYPES
from items.admin_editor.widgets import WIDGETS, FormValueError
from items.content_model import ContentModel


def _block_model_id(block) -> str | None:
    data = ((block.get("relationships") or {}).get("item_type") or {}).get("data") or {}
    return data.get("id")


class FormValues:
    """Converts one record's values; remembers the records and uploads they reference
    (the editor shows their titles and thumbnails)."""

    def __init__(self, model: ContentModel):
        self.model = model
        self.errors: list[ApiError] = []
        self.record_ids: set[str] = set()
        self.upload_ids: set[str] = set()
        self._path: list = []

    # --- wire -> form ---------------------------------------------------------------

    def record_to_form(self, attributes: dict, item_type_id: str) -> dict:
        form = {}
        for field in self.model.fields[item_type_id]:
            widget = WIDGETS[field.field_type]
            value = attributes.get(field.api_key)
            if field.localized:
                value = value if isinstance(value, dict) else {}
                form[field.api_key] = {
                    locale: self._value_to_form(widget, value.get(locale))
                    for locale in self.model.locales
                }
            else:
                form[field.api_key] = self._value_to_form(widget, value)
        return form

    def _value_to_form(self, widget, value):
        self._remember(widget.name, value)
        return widget.to_form(value, self)

    def _remember(self, name: str, value) -> None:
        if not value:
            return
        if name == "link":
            self.record_ids.add(value)
        elif name == "links":
            self.record_ids.update(value)
        elif name == "file":
            self.upload_ids.add(value["upload_id"])
        elif name == "gallery":
            self.upload_ids.update(f["upload_id"] for f in value)
        elif name == "seo" and value.get("image"):
            self.upload_ids.add(value["image"])

    def to_form(self, block) -> dict:
        """One block (rich text, single block, structured text) as the block editor edits it:
        its id (kept on save), its model and its fields' form values."""
        if isinstance(block, str):  # a block the payload doesn't expand: kept as it is
            return {"id": block, "item_type": None, "fields": {}}
        item_type_id = _block_model_id(block)
        fields = self.record_to_form(block.get("attributes") or {}, item_type_id)
        return {"id": block.get("id"), "item_type": item_type_id, "fields": fields}

    # --- form -> wire ---------------------------------------------------------------

    def record_from_form(self, form: dict, item_type_id: str) -> dict:
        """The API attributes of a form's values (errors in ``self.errors``)."""
        attributes = {}
        form = form if isinstance(form, dict) else {}
        for field in self.model.fields[item_type_id]:
            widget = WIDGETS[field.field_type]
            value = form.get(field.api_key)
            if field.localized:
                value = value if isinstance(value, dict) else {}
                attributes[field.api_key] = {
                    locale: self._value_from_form(widget, value.get(locale), field, locale)
                    for locale in self.model.locales
                }
            else:
                attributes[field.api_key] = self._value_from_form(widget, value, field, None)
        return attributes

    def _value_from_form(self, widget, form, field, locale):
        steps = [field.api_key] + ([locale] if locale else [])
        self._path.extend(steps)
        try:
            return widget.from_form(form, self)
        except FormValueError as error:
            self._fail(error.message, error.steps)
            return None
        finally:
            del self._path[-len(steps) :]

    def from_form(self, block, index) -> dict | str:
        if not isinstance(block, dict):
            raise FormValueError("Expected a block.")
        if block.get("item_type") is None and block.get("id"):
            return block["id"]
        item_type_id = block.get("item_type")
        if item_type_id not in self.model.item_types:
            raise FormValueError(
                "Choose the block's model.", *([index] if index is not None else [])
            )
        if index is not None:
            self._path.append(index)
        try:
            attributes = self.record_from_form(block.get("fields"), item_type_id)
        finally:
            if index is not None:
                self._path.pop()
        resource = {
            "type": "item",
            "attributes": attributes,
            "relationships": {"item_type": {"data": {"type": "item_type", "id": item_type_id}}},
        }
        if block.get("id"):
            resource["id"] = block["id"]
        return resource

    def fail_at(self, message: str, path: list) -> None:
        """An error at ``path`` (from the record's top)."""
        self._path, saved = [], self._path
        try:
            self._fail(message, path)
        finally:
            self._path = saved

    def _fail(self, message: str, steps) -> None:
        path = [*self._path, *steps]
        # As the API's validation names a place (items/validation/locations.py): the
        # top-level field, its locale when localized, the whole path when deeper.
        details = {"field": path[0], "code": "INVALID_FORMAT", "message": message}
        if len(path) > 1 and path[1] in self.model.locales:
            details["locale"] = path[1]
        if len(path) > (2 if "locale" in details else 1):
            details["path"] = path
        self.errors.append(invalid_field(**details))


def field_description(field, model: ContentModel) -> dict:
    """What the JS editor needs of a field: its widget and what it may choose from."""
    field_type = FIELD_TYPES[field.field_type]
    validators = field.validators or {}
    options: dict = {}
    for role in ("link_validator", "block_validator"):
        name = getattr(field_type, role)
        if name:
            key = "link_models" if role == "link_validator" else "block_models"
            options[key] = list((validators.get(name) or {}).get("item_types") or [])
    inline = getattr(field_type, "inline_block_validator", None)
    if inline:
        options["block_models"] += list((validators.get(inline) or {}).get("item_types") or [])
    if "enum" in validators:
        options["choices"] = list(validators["enum"].get("values") or [])
    if field.field_type == "slug":
        title_field_id = (validators.get("slug_title_field") or {}).get("title_field_id")
        title_field = model.fields_by_id.get(title_field_id)
        options["title_field"] = title_field.api_key if title_field else None
    return {
        "api_key": field.api_key,
        "label": field.label,
        "hint": field.hint or "",
        "widget": WIDGETS[field.field_type].name,
        "localized": field.localized,
        "required": "required" in validators,
        "options": options,
    }


def model_descriptions(model: ContentModel) -> dict:
    """Every model's and block model's fields, by model id (blocks nest at any depth)."""
    return {
        item_type.id: {
            "id": item_type.id,
            "name": item_type.name,
            "api_key": item_type.api_key,
            "block": item_type.modular_block,
            "fields": [field_description(f, model) for f in model.fields[item_type.id]],
        }
        for item_type in model.item_types.values()
    }
