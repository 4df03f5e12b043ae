"""The two navigation trees of an environment: the content menu editors browse records by
(``MenuItem``) and the schema sidebar (``SchemaMenuItem``).

In both, ``position`` is the order among the items sharing a parent: dense and 1-based,
kept so by menus.positions on every write. A model's items point at it; deleting the model
removes them (menus.model_hooks), or, when asked to keep them, leaves them pointing at
nothing (``SET_NULL``).
"""

from django.db import models
from django.utils.timezone import now

from cms.ids import new_id
from item_types.models import ItemType


class _MenuNode(models.Model):
    """What both menus' items are: a place in a tree, maybe a model's."""

    id = models.CharField(primary_key=True, max_length=22, default=new_id, editable=False)
    position = models.PositiveIntegerField(default=1)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    item_type = models.ForeignKey(
        ItemType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        abstract = True
        ordering = ["parent_id", "position", "id"]


class MenuItem(_MenuNode):
    label = models.CharField(max_length=200)
    external_url = models.CharField(max_length=2000, null=True, blank=True)
    open_in_new_tab = models.BooleanField(default=False)

    class Meta(_MenuNode.Meta):
        verbose_name = "menu item"

    def __str__(self):
        return self.label


class SchemaMenuItem(_MenuNode):
    class Kind(models.TextChoices):
        ITEM_TYPE = "item_type", "Models"
        MODULAR_BLOCK = "modular_block", "Blocks"

    # Null when linked to a model: the sidebar shows the model's name.
    label = models.CharField(max_length=200, null=True, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)

    class Meta(_MenuNode.Meta):
        verbose_name = "schema menu item"

    def __str__(self):
        return self.label or (str(self.item_type) if self.item_type_id else self.id)
