"""Record permissions for the record views of both APIs: what a write changes (field and
locale, for ``localization_scope``), and the checks the views call. The evaluation is
access/permissions.py's; this module only knows what records look like."""

from access.permissions import EntrySet, records, refused, uploads
from items.content_model import ContentModel
from items.models import Item


def creator_of(item) -> tuple:
    return (item.creator_type, item.creator_id)


def changes(attributes: dict, item_type_id: str, model, current: dict | None = None) -> list:
    """(field api key, locale or None) for each value ``attributes`` sets (on an update,
    ``current``: the record's attributes, only the values that differ). Attributes that
    are not fields (meta, creator...) change no field value."""
    found = []
    for field in model.fields.get(item_type_id, []):
        if field.api_key not in attributes:
            continue
        value = attributes[field.api_key]
        before = (current or {}).get(field.api_key)
        if field.localized and isinstance(value, dict):
            before = before if isinstance(before, dict) else {}
            for locale, localized in value.items():
                if current is None or localized != before.get(locale):
                    found.append((field.api_key, locale))
            if current is not None:  # a locale left out of the object is removed
                found.extend((field.api_key, locale) for locale in set(before) - set(value))
        elif current is None or value != before:
            found.append((field.api_key, None))
    return found


def everything(request, action: str) -> bool:
    """``action`` is allowed on every record: no need to read one to check it."""
    return records(request).everything(action)


def check_create(request, item_type_id: str, attributes: dict, model=None) -> None:
    """``model``: the content model, read here only when the role's entries depend on
    what the record sets (a localization scope)."""
    allowed = records(request)
    if allowed.everything("create") or allowed.allows("create", item_type_id, None, "*"):
        return  # the whole record may be created: no need to list what it sets
    if model is None:
        model = ContentModel.load()
    allowed.check_changes("create", item_type_id, None, changes(attributes, item_type_id, model))


def check_update(request, item: Item, attributes: dict, model) -> None:
    from items.resources import item_attributes

    allowed = records(request)
    if not allowed.allows("read", item.item_type_id, creator_of(item)):
        raise refused(action="read", item=item.pk, item_type=item.item_type_id)
    current = item_attributes(item, model)
    found = changes(attributes, item.item_type_id, model, current)
    allowed.check_changes("update", item.item_type_id, creator_of(item), found)


def check_record(request, action: str, item: Item, locales=None) -> None:
    """``action`` on one record; ``locales`` (publish): the locales it touches, None for
    the whole record."""
    allowed = records(request)
    creator = creator_of(item)
    if locales is None:
        if not allowed.allows(action, item.item_type_id, creator):
            raise refused(action=action, item=item.pk, item_type=item.item_type_id)
        return
    for locale in locales:
        if not allowed.allows(action, item.item_type_id, creator, locale):
            raise refused(action=action, item=item.pk, locale=locale)


def check_records(request, action: str, ids) -> None:
    """``action`` on each of ``ids`` (a bulk call), read in one query; the first refused
    record is named. Ids that name no record are left to the operation (its own 404s)."""
    allowed: EntrySet = records(request)
    rows = Item.objects.filter(pk__in=list(ids)).only(
        "id", "item_type_id", "creator_type", "creator_id"
    )
    for item in rows:
        if not allowed.allows(action, item.item_type_id, creator_of(item)):
            raise refused(action=action, item=item.pk, item_type=item.item_type_id)


def check_upload(request, action: str, upload):
    """``action`` on one upload (by its collection and creator); the upload."""
    allowed = uploads(request)
    if not allowed.allows(action, upload.upload_collection_id, ("access_token", upload.creator_id)):
        raise refused(action=action, upload=upload.pk)
    return upload
