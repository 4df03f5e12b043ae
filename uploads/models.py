"""Uploaded files and the signed requests that bring their bytes in."""

from django.db import models
from django.utils.timezone import now

from cms.ids import new_id


class UploadRequest(models.Model):
    """A promise of a file: ``POST /upload-requests`` issues it, a signed PUT fulfils it.

    Its ``path`` is where the bytes go in storage; ``POST /uploads`` only accepts paths
    issued here, so a client can't turn an arbitrary storage object into an upload.
    """

    id = models.CharField(primary_key=True, max_length=22, default=new_id, editable=False)
    path = models.CharField(max_length=300, unique=True)
    filename = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=now, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.path


#: Upload columns read from the stored file, never from the client (the admin shows them
#: read-only; file validators read them).
FILE_FACTS = ("filename", "format", "mime_type", "size", "width", "height", "md5", "is_image")


#: A tag's longest name, in characters (DatoCMS sets none we know of; 64 keeps names readable).
TAG_MAX_LENGTH = 64


class UploadCollection(models.Model):
    """A folder of the media library. ``position`` orders siblings under one parent (dense,
    from 1). Deleting a collection deletes its sub-collections; their uploads stay, in no
    collection."""

    id = models.CharField(primary_key=True, max_length=22, default=new_id)
    label = models.CharField(max_length=255)
    position = models.PositiveIntegerField(default=1)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    class Meta:
        ordering = ["parent_id", "position", "id"]

    def __str__(self):
        return self.label


class UploadTag(models.Model):
    """A manually given tag, known to ``GET /upload-tags`` whether or not an upload still
    carries it. Its id is its name (DatoCMS's ids for tags are not specified)."""

    name = models.CharField(primary_key=True, max_length=TAG_MAX_LENGTH)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Upload(models.Model):
    id = models.CharField(primary_key=True, max_length=22, default=new_id, editable=False)
    path = models.CharField(max_length=300, unique=True, help_text="Where the file is in storage")
    filename = models.CharField(max_length=255)
    basename = models.CharField(max_length=255)
    format = models.CharField(max_length=32, null=True, blank=True)
    mime_type = models.CharField(max_length=255, null=True, blank=True)
    size = models.BigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    md5 = models.CharField(max_length=32, db_index=True)
    is_image = models.BooleanField(default=False)
    author = models.TextField(null=True, blank=True)
    copyright = models.TextField(null=True, blank=True)
    notes = models.TextField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)
    # Derived from the file itself (kind, orientation, dominant colour…), never by the client.
    smart_tags = models.JSONField(default=list, blank=True, editable=False)
    colors = models.JSONField(default=list, blank=True, editable=False)
    blurhash = models.CharField(max_length=100, null=True, blank=True, editable=False)
    thumbhash = models.CharField(max_length=100, null=True, blank=True, editable=False)
    exif_info = models.JSONField(default=dict, blank=True, editable=False)
    upload_collection = models.ForeignKey(
        UploadCollection, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploads"
    )
    default_field_metadata = models.JSONField(default=dict, blank=True)
    # Lowercased filename, tags, alts and titles: what filter[query] searches, on any database.
    search_text = models.TextField(default="", blank=True, editable=False)
    creator_id = models.CharField(max_length=22, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=now, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self):
        return self.filename

    @property
    def storage_name(self) -> str:
        return self.path.lstrip("/")

    def refresh_search_text(self) -> None:
        parts = [self.filename, *self.tags, self.author or "", self.notes or ""]
        for metadata in (self.default_field_metadata or {}).values():
            parts += [metadata.get("alt") or "", metadata.get("title") or ""]
        self.search_text = "\n".join(p for p in parts if p).lower()
