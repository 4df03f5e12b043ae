"""The model page's form layout: its fields grouped by fieldset, in form order, with
controls to reorder them; the order is saved by the service the schema API's
``reorder-fields-and-fieldsets`` job runs."""

import json
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse

from cms.api.errors import ApiError, ApiErrors
from item_types import services
from item_types.admin.fields import message_of
from item_types.models import Field, Fieldset, ItemType


@dataclass
class Group:
    """A fieldset and its fields, or (``fieldset`` None) one top-level field."""

    fieldset: Fieldset | None
    fields: list[Field] = field(default_factory=list)


def groups_of(item_type: ItemType) -> list[Group]:
    """The top-level ordering (fieldsets and top-level fields), each fieldset's fields in
    their own order."""
    fieldsets = {fs.pk: Group(fs) for fs in item_type.fieldsets.all()}
    top = [(group.fieldset.position, 0, group) for group in fieldsets.values()]
    for f in item_type.fields.order_by("position", "created_at"):
        if f.fieldset_id in fieldsets:
            fieldsets[f.fieldset_id].fields.append(f)
        else:
            top.append((f.position, 1, Group(None, [f])))
    return [group for *_key, group in sorted(top, key=lambda entry: entry[:2])]


def change_url(instance) -> str:
    name = type(instance)._meta.model_name
    return reverse(f"admin:item_types_{name}_change", args=[quote(instance.pk)])


def render_layout(item_type: ItemType) -> str:
    return render_to_string(
        "item_types/admin/form_layout.html",
        {
            "groups": [
                {
                    "fieldset": group.fieldset,
                    "url": group.fieldset and change_url(group.fieldset),
                    "fields": [
                        (f, change_url(f), "required" in (f.validators or {})) for f in group.fields
                    ],
                }
                for group in groups_of(item_type)
            ],
            "reorder_url": reverse("admin:item_types_itemtype_reorder", args=[quote(item_type.pk)]),
            "add_field_url": reverse("admin:item_types_field_add") + f"?item_type={item_type.pk}",
            "add_fieldset_url": reverse("admin:item_types_fieldset_add")
            + f"?item_type={item_type.pk}",
        },
    )


def reorder_body(order) -> dict:
    """The page's order (``[{type, id, position, fieldset}]``) as the reorder service's
    body, the schema API's: ``{"data": [{type, id, attributes, relationships}]}``."""
    if not isinstance(order, list):
        raise ApiError("INVALID_FORMAT", 422, message="The order must be a list.")
    entries = []
    for entry in order:
        if not isinstance(entry, dict):
            raise ApiError("INVALID_FORMAT", 422, message="Each entry is an object.")
        body = {
            "type": entry.get("type"),
            "id": entry.get("id"),
            "attributes": {"position": entry.get("position")},
        }
        if entry.get("type") == "field":
            fieldset = entry.get("fieldset")
            data = {"type": "fieldset", "id": fieldset} if fieldset else None
            body["relationships"] = {"fieldset": {"data": data}}
        entries.append(body)
    return {"data": entries}


def reorder_view(model_admin, request, object_id):
    """POST ``order`` (JSON, written by the page's script): apply it, back to the page."""
    item_type = get_object_or_404(ItemType, pk=unquote(object_id))
    if request.method != "POST":
        return HttpResponseBadRequest("POST the order.")
    if not model_admin.has_change_permission(request, item_type):
        return HttpResponseRedirect(reverse("admin:login"))
    try:
        order = json.loads(request.POST.get("order") or "null")
        services.reorder_fields_and_fieldsets(item_type=item_type, body=reorder_body(order))
    except json.JSONDecodeError:
        messages.error(request, "The order was not JSON; nothing was changed.")
    except (ApiError, ApiErrors) as exc:
        errors = exc.errors if isinstance(exc, ApiErrors) else [exc]
        for error in errors:
            messages.error(request, f"Nothing was reordered: {message_of(error)}")
    else:
        messages.success(request, "The new order of the fields was saved.")
    return HttpResponseRedirect(change_url(item_type))
