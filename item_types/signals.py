"""Any change to the content model gives the site a new ``schema_version``; and the
content model tells the records (``items``) when site locales go away."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal, receiver

from cms.ids import new_id
from item_types.models import Field, Fieldset, ItemType, Site

#: Sent with ``locales`` (a set) when the site stops having them; records drop them.
locales_removed = Signal()

#: Sent inside a model's create transaction once it is saved, with ``item_type`` and the
#: request's ``options`` (its query parameters, a dict): menus adds the model's items.
item_type_created = Signal()

#: Sent inside a model's destroy transaction before it is deleted, likewise: menus removes
#: the model's items.
item_type_destroying = Signal()

#: Sent inside a field update's transaction, before the field is saved, with the field as
#: it was (``before``) and as it will be (``after``), when its type or localization
#: changes: records convert their values, or refuse the change by raising (which rolls
#: the update back).
field_changed = Signal()


#: Sent inside a schema write's transaction with ``item_type_id`` when a change may make
#: some of the model's saved records valid or invalid (a field's validators, default,
#: type or localization; a field added with validators or deleted; which locales the
#: model requires): records are re-checked by a job once it commits.
record_rules_changed = Signal()

#: The field attributes a record's validity depends on.
RULE_ATTRIBUTES = ("validators", "default_value", "localized", "field_type")


@receiver([post_save, post_delete], sender=ItemType)
@receiver([post_save, post_delete], sender=Field)
@receiver([post_save, post_delete], sender=Fieldset)
def schema_changed(sender, **kwargs):
    bump_schema_version()


def bump_schema_version() -> None:
    """For writes that send no signal (``bulk_update``: a reorder)."""
    Site.objects.update(schema_version=new_id())


@receiver(pre_save, sender=Site)
def site_changed(sender, instance, raw=False, **kwargs):
    # A site save rewrites every column, schema_version included: it writes a fresh one.
    if not raw:
        instance.schema_version = new_id()
