"""``GET /items/:id/current-vs-published-state``: what publishing the record now would
change, locale by locale, and what in its current values doesn't pass the rules.

Values are compared as the API shows them, blocks nested (a block edited in place is a
change of the locale holding it). A record never published is compared with nothing: all
its locales are added, and its non-localized fields changed if it has any. The
record's schedules (schedules/) are linked, and included.
"""

from items.content_model import ContentModel
from items.models import Item, ItemVersion
from items.resources import block_payload, locales_of, version_resource
from items.validity import current_errors, invalid_parts
from schedules.resources import schedule_link, schedule_resource, schedules_of


def _nested_values(version: ItemVersion | None, item: Item, model: ContentModel) -> dict:
    if version is None:
        return {}
    return block_payload(version.data, item.item_type_id, version.blocks, model)


def state_document(item: Item, model: ContentModel) -> dict:
    versions = {
        v.id: v
        for v in ItemVersion.objects.filter(
            pk__in=[item.current_version, item.published_version_id or item.current_version]
        )
    }
    current_version = versions.get(item.current_version)
    published_version = versions.get(item.published_version_id)
    current = _nested_values(current_version, item, model)
    published = _nested_values(published_version, item, model)
    current_locales = locales_of(item.data, item.item_type_id, model)
    published_locales = (
        locales_of(published_version.data, item.item_type_id, model) if published_version else []
    )
    changed, non_localized_changed = set(), False
    for field in model.fields[item.item_type_id]:
        now, then = current.get(field.api_key), published.get(field.api_key)
        if not field.localized:
            non_localized_changed |= published_version is None or now != then
            continue
        now, then = now or {}, then or {}
        changed |= {
            locale
            for locale in current_locales
            if locale in published_locales and now.get(locale) != then.get(locale)
        }
    invalid_locales, non_localized_invalid = invalid_parts(current_errors(item, model))
    schedules = schedules_of(item)
    return {
        "data": {
            "type": "item_current_vs_published_state",
            "id": item.id,
            "attributes": {
                "current_version_locales": current_locales,
                "published_version_locales": published_locales,
                "changed_locales": [loc for loc in current_locales if loc in changed],
                "added_locales": [loc for loc in current_locales if loc not in published_locales],
                "removed_locales": [loc for loc in published_locales if loc not in current_locales],
                "non_localized_fields_changed": non_localized_changed,
                "current_version_invalid_locales": invalid_locales,
                "current_version_non_localized_fields_invalid": non_localized_invalid,
            },
            "relationships": {
                "scheduled_publication": schedule_link(schedules.get("publication")),
                "scheduled_unpublishing": schedule_link(schedules.get("unpublishing")),
                "published_version": {
                    "data": {"type": "item_version", "id": published_version.id}
                    if published_version
                    else None
                },
            },
        },
        "included": [
            *(schedule_resource(schedule) for schedule in schedules.values()),
            *([version_resource(published_version, item, model)] if published_version else []),
        ],
    }
