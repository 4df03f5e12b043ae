"""The site's settings and locales."""

from django.utils.timezone import now

from cms.api.attributes import clean_attributes
from cms.api.errors import ApiError, invalid_field
from cms.api.parsing import ResourceDocument
from item_types.locking import schema_write
from item_types.models import Field, ItemType, Site
from item_types.schema import LOCALE_PATTERN, SITE_ATTRIBUTES
from item_types.services.common import raise_if
from item_types.signals import locales_removed, record_rules_changed


def _clean_locales(locales: list) -> list[ApiError]:
    if not locales:
        return [invalid_field("locales", "VALIDATION_REQUIRED", message="Give at least one.")]
    bad = [loc for loc in locales if not isinstance(loc, str) or not LOCALE_PATTERN.match(loc)]
    if bad:
        return [
            invalid_field(
                "locales",
                "VALIDATION_FORMAT",
                invalid=bad,
                message='Locale codes look like "en", "it" or "pt-BR".',
            )
        ]
    if len(set(locales)) != len(locales):
        return [
            invalid_field("locales", "VALIDATION_UNIQUENESS", message="A locale is listed twice.")
        ]
    return []


@schema_write
def site_update(*, site: Site, document: ResourceDocument) -> Site:
    """Update the site. Removing a locale removes that locale's content with it.

    That is what DatoCMS does, and it keeps the rule that every localized value names the
    same locales: each localized value loses the same key.
    """
    cleaned, errors = clean_attributes(document.attributes, SITE_ATTRIBUTES, creating=False)
    if "locales" in cleaned:
        errors += _clean_locales(cleaned["locales"])
    raise_if(errors)
    site = Site.objects.select_for_update().get(pk=site.pk)
    removed = set(site.locales) - set(cleaned.get("locales", site.locales))
    added = set(cleaned.get("locales", site.locales)) - set(site.locales)
    for name, value in cleaned.items():
        setattr(site, name, value)
    site.save()
    if removed:
        _drop_locales_from_defaults(removed)
        locales_removed.send(sender=Site, locales=removed)
    if added:  # a model requiring every locale finds its records lacking the new ones
        for item_type_id in ItemType.objects.filter(all_locales_required=True).values_list(
            "pk", flat=True
        ):
            record_rules_changed.send(sender=Site, item_type_id=item_type_id)
    return site


def _drop_locales_from_defaults(removed: set[str]) -> None:
    """One UPDATE for every localized default. It skips Field's post_save receivers, which
    have nothing to do here: the site's save above gave the schema its new version, and a
    field's index depends on its type and localization, not on its default."""
    changed, updated_at = [], now()
    for field in Field.objects.filter(localized=True).exclude(default_value=None):
        if isinstance(field.default_value, dict):
            field.default_value = {
                locale: value
                for locale, value in field.default_value.items()
                if locale not in removed
            }
            field.updated_at = updated_at  # auto_now is set by save() only
            changed.append(field)
    Field.objects.bulk_update(changed, ["default_value", "updated_at"])
