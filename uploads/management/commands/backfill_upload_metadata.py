"""``manage.py backfill_upload_metadata``: colours, hashes, EXIF and smart tags for uploads
created before they were read from files, in every ready environment.

Safe to run again (only uploads without smart tags are read, unless ``--all``) and while
the server runs: it writes only the metadata columns.
"""

from django.core.management.base import BaseCommand

from environments import selection
from environments.models import Environment
from environments.storages import PROJECT_STORAGE
from uploads import metadata


class Command(BaseCommand):
    help = "Read colors, blurhash, thumbhash, EXIF and smart tags of uploads that lack them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="Read every upload's again, not only the new."
        )

    def handle(self, *args, **options):
        others = Environment.objects.filter(status=Environment.Status.READY).exclude(
            storage=PROJECT_STORAGE
        )
        storages = [(PROJECT_STORAGE, "project storage")]
        storages += [(e.storage, f"environment {e.name}") for e in others.order_by("created_at")]
        for storage, label in storages:
            with selection.using(storage):
                count = metadata.backfill(everything=options["all"])
            self.stdout.write(f"{label}: read the metadata of {count} upload(s).")
