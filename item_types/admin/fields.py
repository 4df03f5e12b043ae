"""A field's page: its attributes, each validator the field type allows with its own
inputs, and the editor with its parameters (item_types.admin.schema_inputs).

The form is checked by running the field service and rolling it back, as the API's
writes are checked: each error is shown next to the input it is about, nothing written.
"""

from django import forms
from django.contrib import admin

from cms.admin_forms import ServiceModelAdmin, dry_run_errors
from cms.api.errors import ApiError
from cms.api.parsing import ResourceDocument
from item_types import services
from item_types.admin.schema_inputs import SchemaInputs
from item_types.field_types import FIELD_TYPES
from item_types.models import Field, Fieldset, ItemType

ATTRIBUTES = ["label", "api_key", "field_type", "localized", "hint", "default_value", "position"]
DEFAULT_FIELD_TYPE = "string"


def message_of(error: ApiError) -> str:
    details = error.details
    parts = [details.get("code", error.code), details.get("validator"), details.get("message")]
    return ": ".join(str(p) for p in parts if p)


class FieldForm(forms.ModelForm):
    #: Set by the admin for the request (FieldAdmin.get_form): the type whose inputs show.
    field_type_code = DEFAULT_FIELD_TYPE

    field_type = forms.ChoiceField(
        choices=[(code, code) for code in FIELD_TYPES],
        help_text="Changing it shows that type's validators and editors.",
    )
    default_value = forms.JSONField(required=False)
    position = forms.IntegerField(
        required=False,
        min_value=1,
        help_text="Among the top-level fields and fieldsets, or in its fieldset; empty for the end",
    )
    fieldset = forms.ModelChoiceField(
        queryset=Fieldset.objects.all(), required=False, help_text="Empty: at the top level"
    )

    class Meta:
        model = Field
        fields = ["item_type", *ATTRIBUTES, "fieldset"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        item_type_id = self.instance.item_type_id or self.initial.get("item_type")
        if self.is_bound and not item_type_id:
            item_type_id = self.data.get("item_type")
        self.item_type = ItemType.objects.filter(pk=item_type_id).first() if item_type_id else None
        if self.item_type and "fieldset" in self.fields:
            self.fields["fieldset"].queryset = self.item_type.fieldsets.all()
        self.initial["field_type"] = self.field_type_code
        same_type = self.instance.pk and self.instance.field_type == self.field_type_code
        self.before = {
            "validators": (self.instance.validators or {}) if same_type else {},
            "appearance": (self.instance.appearance or {}) if same_type else {},
        }
        self.schema = SchemaInputs(self.field_type_code, self.item_type)
        self.schema.add_to(self, self.before["validators"], self.before["appearance"])

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for error in dry_run_errors(self.call_service):
                self.add_error(self.schema.input_of(error, self), message_of(error))
        return cleaned

    def document(self) -> ResourceDocument:
        data = self.cleaned_data
        attributes = {name: data.get(name) for name in ATTRIBUTES if name in data}
        attributes["hint"] = attributes.get("hint") or None
        if attributes.get("position") is None:
            attributes.pop("position", None)
        attributes["validators"] = self.schema.validators_from(data)
        attributes["appearance"] = self.schema.appearance_from(data, self.before["appearance"])
        fieldset = data.get("fieldset")
        relationships = {"fieldset": {"data": fieldset and {"type": "fieldset", "id": fieldset.pk}}}
        return ResourceDocument(type="field", attributes=attributes, relationships=relationships)

    def call_service(self):
        if self.instance.pk and not self.instance._state.adding:
            return services.field_update(field=self.instance, document=self.document())
        return services.field_create(
            item_type=self.cleaned_data["item_type"], document=self.document()
        )


@admin.register(Field)
class FieldAdmin(ServiceModelAdmin):
    form = FieldForm
    list_display = ["label", "api_key", "field_type", "item_type", "position", "localized"]
    list_filter = ["field_type", "item_type"]
    search_fields = ["label", "api_key"]

    class Media:
        css = {"all": ["item_types/schema_editor.css"]}
        js = ["item_types/schema_editor.js"]

    def chosen_field_type(self, request, obj=None) -> str:
        """The type whose inputs the page shows: the one posted, else the one the page
        was asked for (``?field_type=``: the type select reloads the page), else the
        field's own."""
        for source in (request.POST, request.GET):
            if source.get("field_type") in FIELD_TYPES:
                return source["field_type"]
        return obj.field_type if obj else DEFAULT_FIELD_TYPE

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The form adds the schema inputs itself: only its declared fields are named here.
        kwargs["fields"] = ["item_type", *ATTRIBUTES, "fieldset"]
        form = super().get_form(request, obj, change, **kwargs)
        return type(
            form.__name__, (form,), {"field_type_code": self.chosen_field_type(request, obj)}
        )

    def get_fieldsets(self, request, obj=None):
        main = ["label", "api_key", "field_type", "localized", "hint", "fieldset", "position"]
        main += ["default_value"]
        if obj is None:
            main.insert(0, "item_type")
        field_type = self.chosen_field_type(request, obj)
        item_type = obj.item_type if obj else None
        return [(None, {"fields": main}), *SchemaInputs(field_type, item_type).admin_fieldsets()]

    def get_readonly_fields(self, request, obj=None):
        # A field stays with its model: moving it would orphan the model's records' values.
        return ["item_type"] if obj else []

    def delete_model(self, request, obj):
        services.field_destroy(field=obj)
