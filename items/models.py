"""Records and blocks.

A record keeps all its field values in one JSON column (JSONB on PostgreSQL), keyed by
field id so that renaming a field's api_key rewrites nothing. A block is a record of a
block model, stored as a row of its own (it has an id, and later versions) and linked to
the record it belongs to.

Foreign keys are enforced by the database where they guard against a concurrent delete:
a record's model, a field, a linked record, an upload. A row that is only ever written in
the same transaction as the record it belongs to (its versions, its unique values, its
references, its published version; a block's record and parent block) points at a row
that cannot vanish before the commit, so the database does not check those again
(``db_constraint=False``: a check per row is a third of a big batch's time); Django's
delete still cascades to them.
"""

from django.db import models
from django.utils.timezone import now

from cms.ids import new_id
from item_types.models import Field, ItemType


def _block_link(to, related_name: str, *, checked: bool = True) -> models.ForeignKey:
    """A block's link to what holds it: null on records, indexed for blocks only (in
    ``Item.Meta``). ``checked=False``: the database does not check it (see the module's
    docstring)."""
    return models.ForeignKey(
        to,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name=related_name,
        db_index=False,
        db_constraint=checked,
    )


class Item(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft"
        UPDATED = "updated"
        PUBLISHED = "published"

    id = models.CharField(primary_key=True, max_length=22, default=new_id, editable=False)
    # Looked up through the (item_type, created_at, id) index: a second one would only cost writes.
    item_type = models.ForeignKey(
        ItemType, on_delete=models.CASCADE, related_name="items", db_index=False
    )
    #: field id -> stored value; a localized field's value is an object keyed by locale.
    data = models.JSONField(default=dict, blank=True)
    # For blocks: the top-level record they belong to, the record or block holding them,
    # and the field they sit in. All null for a record, so their indexes (in Meta) leave
    # records out: most rows are records, and an index entry per null is a write for nothing.
    # A block's record and parent block are written in its transaction, or locked by it
    # (an update holds its record's row, which a delete waits for): not checked again,
    # which also spares every record two checks of its nulls at commit.
    root = _block_link("self", "descendants", checked=False)
    parent = _block_link("self", "children", checked=False)
    parent_field = _block_link(Field, "+")
    # Records of sortable and tree models (``items.placement``): the record's place among
    # its siblings (1, 2, 3... with no gap) and, in a tree, the record it sits under (null
    # for a root). Null on every other record, so the index over them (in Meta) leaves
    # those out and their writes pay nothing for it. Not ``parent``: blocks use that name.
    tree_parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        # Deleting a record first moves its children up (items.services.placement):
        # none is left when the row goes, and the database's key checks that.
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
    )
    position = models.PositiveIntegerField(null=True, blank=True)
    # The model's id on the one record of a singleton model, null otherwise: the unique
    # constraint (in Meta) makes a second record impossible, even under concurrent creates.
    singleton_of = models.CharField(max_length=22, null=True, blank=True)
    creator_type = models.CharField(max_length=32, default="access_token")
    creator_id = models.CharField(max_length=22, null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    current_version = models.CharField(max_length=22, default=new_id)
    #: The snapshot readers of ``version=published`` see (null while never published).
    #: Only ever read from the record to its version, never the other way, so not indexed
    #: (an entry per record written for nothing); a version goes only with its record, so
    #: nothing is left to set null (Django's SET_NULL would look records up by it).
    published_version = models.ForeignKey(
        "ItemVersion",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,  # written with the record (see the module's docstring)
        db_index=False,
    )
    #: Lowercased text of its string, text, slug and structured-text values, every locale,
    #: blocks included: what ``filter[query]`` searches, on any database.
    search_text = models.TextField(default="", blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)
    published_at = models.DateTimeField(null=True, blank=True)
    first_published_at = models.DateTimeField(null=True, blank=True)
    publication_scheduled_at = models.DateTimeField(null=True, blank=True)
    unpublishing_scheduled_at = models.DateTimeField(null=True, blank=True)
    #: Whether the current and the published values pass the model's rules as they are
    #: now. A write validates, so it stores true; a change of the rules (a field's
    #: validators, a new required field) has a job re-check the model's records
    #: (items/validity.py). The published flag means nothing while never published.
    is_current_version_valid = models.BooleanField(default=True, db_default=True)
    is_published_version_valid = models.BooleanField(default=True, db_default=True)

    class Meta:
        indexes = [
            # A model's records in list order (created_at, then id, either way): a page of
            # 25 walks 25 entries, however many records share a created_at, and a model's
            # count reads this index alone.
            models.Index(fields=["item_type", "created_at", "id"], name="items_model_order"),
            *(
                models.Index(
                    fields=[name],
                    condition=models.Q(**{f"{name}__isnull": False}),
                    name=f"items_block_{name}",
                )
                for name in ("root", "parent", "parent_field")
            ),
            # Siblings in order (the id last, as lists break ties on it). A sortable
            # model's records and a tree's roots (no parent: IS NULL is no equality, so
            # an index holding the parent could not hand them over in order):
            models.Index(
                fields=["item_type", "position", "id"],
                condition=models.Q(tree_parent__isnull=True, position__isnull=False),
                name="items_roots",
            ),
            # and the children of a record: also "has it children?" for a page of
            # records, and what the database's key check reads when a record is deleted.
            models.Index(
                fields=["tree_parent", "position", "id"],
                condition=models.Q(tree_parent__isnull=False),
                name="items_children",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["singleton_of"],
                condition=models.Q(singleton_of__isnull=False),
                name="one_record_per_singleton",
            )
        ]

    def __str__(self):
        return f"{self.item_type_id}:{self.id}"

    @property
    def is_block(self) -> bool:
        return self.root_id is not None


class ItemVersion(models.Model):
    """A record as it was after one create or update: its values and its blocks'."""

    id = models.CharField(primary_key=True, max_length=22, default=new_id, editable=False)
    # Looked up through the (item, created_at) index.
    item = models.ForeignKey(
        Item,
        on_delete=models.CASCADE,
        related_name="versions",
        db_index=False,
        db_constraint=False,  # written with the record (see the module's docstring)
    )
    # Always its record's model, which the record's own foreign key guards: no check, no
    # index (versions are found through their record), and deleted with the record.
    item_type = models.ForeignKey(
        ItemType,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    data = models.JSONField(default=dict)
    #: block id -> {"item_type", "data", "parent", "parent_field"}
    blocks = models.JSONField(default=dict)
    editor_type = models.CharField(max_length=32, default="access_token")
    editor_id = models.CharField(max_length=22, null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["item", "created_at"])]

    def __str__(self):
        return f"{self.item_id}@{self.created_at:%Y-%m-%d %H:%M:%S}"


class UniqueValue(models.Model):
    """One row per value of a ``unique`` field: the database, not a prior check, keeps two
    records (even created at the same instant) from sharing a value."""

    # Looked up through the unique constraint's index, which starts with it.
    field = models.ForeignKey(Field, on_delete=models.CASCADE, related_name="+", db_index=False)
    locale = models.CharField(max_length=16, default="", blank=True)
    value_hash = models.CharField(max_length=64)
    item = models.ForeignKey(
        Item,
        on_delete=models.CASCADE,
        related_name="unique_values",
        db_constraint=False,  # written with the record (see the module's docstring)
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["field", "locale", "value_hash"], name="unique_field_value"
            )
        ]

    def __str__(self):
        return f"{self.field_id}/{self.locale}: {self.value_hash[:8]}"


class Reference(models.Model):
    """A record pointing at another record or at an upload from one of its fields, or from
    a field of one of its blocks (``holder``): "who uses this?" is one indexed query."""

    # Both written with the record (see the module's docstring).
    record = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="references_out", db_constraint=False
    )
    holder = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    field = models.ForeignKey(Field, on_delete=models.CASCADE, related_name="+")
    target_item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.CASCADE, related_name="references_in"
    )
    target_upload = models.ForeignKey(
        "uploads.Upload",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="references",
    )

    def __str__(self):
        return f"{self.record_id} -> {self.target_item_id or self.target_upload_id}"
