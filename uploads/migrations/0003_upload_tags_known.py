"""Tags that uploads carried before tags were recorded (uploads.tags.record) become known to
``GET /upload-tags``. A tag longer than the limit stays on its upload, unlisted."""

from django.db import migrations

TAG_MAX_LENGTH = 64  # uploads.models.TAG_MAX_LENGTH when this was written
BATCH = 1000


def record_existing_tags(apps, schema_editor):
    Upload = apps.get_model("uploads", "Upload")
    UploadTag = apps.get_model("uploads", "UploadTag")
    names: set[str] = set()
    for tags in Upload.objects.exclude(tags=[]).values_list("tags", flat=True).iterator():
        if isinstance(tags, list):
            names.update(
                t.strip() for t in tags if isinstance(t, str) and 0 < len(t.strip()) <= TAG_MAX_LENGTH
            )
    UploadTag.objects.bulk_create(
        [UploadTag(name=name) for name in sorted(names)], batch_size=BATCH, ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [("uploads", "0002_media_library")]

    operations = [migrations.RunPython(record_existing_tags, migrations.RunPython.noop)]
