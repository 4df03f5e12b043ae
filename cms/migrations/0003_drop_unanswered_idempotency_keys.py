"""Keys claimed by the earlier code and never answered (their request died, or is running
during the upgrade) would be replayed without an answer: they go, and their request may be
sent again. From now on a key's row commits only with its answer."""

from django.db import migrations


def drop_unanswered(apps, schema_editor):
    apps.get_model("cms", "IdempotencyKey").objects.filter(status_code__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0002_idempotency_keys"),
    ]

    operations = [
        migrations.RunPython(drop_unanswered, migrations.RunPython.noop),
    ]
