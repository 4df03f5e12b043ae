"""The content model as data: the site (with its locales), item types, their fields and the
fieldsets that group them."""

from django.db import models
from django.utils.timezone import now

from cms.ids import new_id


class Site(models.Model):
    """The one site this server holds. Its first locale is the main one."""

    id = models.CharField(primary_key=True, max_length=22, default=new_id, editable=False)
    # Always 1: the unique constraint makes a second site impossible, even under a race.
    singleton_key = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)
    # Changes with every change to the content model (site, models, fields), so workers can
    # keep the model in memory and reread it only when this differs. Random, not a counter:
    # a rolled-back change must never make an old value mean a new schema.
    schema_version = models.CharField(max_length=22, default=new_id, editable=False)
    name = models.CharField(max_length=200, default="My site")
    locales = models.JSONField(default=list, help_text='Locale codes, main first: ["en", "it"]')
    timezone = models.CharField(max_length=64, default="UTC")
    no_index = models.BooleanField(default=False)
    internal_domain = models.CharField(max_length=255, null=True, blank=True)
    domain = models.CharField(max_length=255, null=True, blank=True)
    global_seo = models.JSONField(null=True, blank=True)
    theme = models.JSONField(null=True, blank=True)
    favicon = models.CharField(max_length=22, null=True, blank=True, help_text="Upload id")
    require_2fa = models.BooleanField(default=False)
    ip_tracking_enabled = models.BooleanField(default=False)
    force_use_of_sandbox_environments = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "site"

    def __str__(self):
        return self.name

    @classmethod
    def load(cls) -> "Site":
        """The site, created with defaults on first use."""
        site, _ = cls.objects.get_or_create(singleton_key=1, defaults={"locales": ["en"]})
        return site

    @property
    def main_locale(self) -> str:
        return self.locales[0]


def _own_field() -> models.ForeignKey:
    """A model's setting naming one of its own fields; unset when that field goes."""
    return models.ForeignKey(
        "Field", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class ItemType(models.Model):
    """A model (or, with ``modular_block``, a block model) whose records share its fields."""

    class OrderingDirection(models.TextChoices):
        ASC = "asc"
        DESC = "desc"

    class OrderingMeta(models.TextChoices):
        CREATED_AT = "created_at"
        UPDATED_AT = "updated_at"
        FIRST_PUBLISHED_AT = "first_published_at"
        PUBLISHED_AT = "published_at"

    class CollectionAppearance(models.TextChoices):
        COMPACT = "compact"
        TABLE = "table"

    id = models.CharField(primary_key=True, max_length=22, default=new_id, editable=False)
    name = models.CharField(max_length=200)
    api_key = models.CharField(max_length=64, unique=True)
    singleton = models.BooleanField(default=False)
    all_locales_required = models.BooleanField(default=False)
    sortable = models.BooleanField(default=False)
    modular_block = models.BooleanField(default=False, help_text="A block model")
    tree = models.BooleanField(default=False)
    draft_mode_active = models.BooleanField(default=False)
    draft_saving_active = models.BooleanField(default=False)
    ordering_direction = models.CharField(
        max_length=4, choices=OrderingDirection.choices, null=True, blank=True
    )
    ordering_meta = models.CharField(
        max_length=32, choices=OrderingMeta.choices, null=True, blank=True
    )
    collection_appearance = models.CharField(
        max_length=16, choices=CollectionAppearance.choices, default=CollectionAppearance.COMPACT
    )
    hint = models.TextField(null=True, blank=True)
    inverse_relationships_enabled = models.BooleanField(default=False)

    # Presentation settings pointing at this model's own fields.
    title_field = _own_field()
    image_preview_field = _own_field()
    excerpt_field = _own_field()
    ordering_field = _own_field()
    presentation_title_field = _own_field()
    presentation_image_field = _own_field()

    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "model"

    def __str__(self):
        return f"{self.name} ({self.api_key})"


class Fieldset(models.Model):
    """A group of a model's fields in the editing form. Fieldsets and the model's top-level
    fields share one ordering (``position``); the fields inside a fieldset have their own
    (item_types/services/positions.py)."""

    id = models.CharField(primary_key=True, max_length=22, default=new_id, editable=False)
    item_type = models.ForeignKey(ItemType, on_delete=models.CASCADE, related_name="fieldsets")
    title = models.CharField(max_length=200)
    hint = models.TextField(null=True, blank=True)
    collapsible = models.BooleanField(default=False)
    start_collapsed = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["item_type", "position", "created_at"]

    def __str__(self):
        return self.title


class Field(models.Model):
    """A typed field of an item type; its value rules live in ``item_types.field_types``.
    Its ``position`` is among the model's top-level fields and fieldsets, or, in a
    fieldset, among that fieldset's fields."""

    id = models.CharField(primary_key=True, max_length=22, default=new_id, editable=False)
    item_type = models.ForeignKey(ItemType, on_delete=models.CASCADE, related_name="fields")
    # Deleting a fieldset moves its fields to the top level first (the service); SET_NULL
    # only keeps a delete that bypasses it from failing.
    fieldset = models.ForeignKey(
        Fieldset, null=True, blank=True, on_delete=models.SET_NULL, related_name="fields"
    )
    label = models.CharField(max_length=200)
    api_key = models.CharField(max_length=64)
    field_type = models.CharField(max_length=32)
    localized = models.BooleanField(default=False)
    validators = models.JSONField(default=dict, blank=True)
    appearance = models.JSONField(default=dict, blank=True)
    position = models.PositiveIntegerField(default=1)
    hint = models.TextField(null=True, blank=True)
    default_value = models.JSONField(null=True, blank=True)
    deep_filtering_enabled = models.BooleanField(default=False)
    content_link_enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["item_type", "position", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["item_type", "api_key"], name="field_api_key_unique_per_item_type"
            )
        ]

    def __str__(self):
        return f"{self.label} ({self.api_key}: {self.field_type})"
