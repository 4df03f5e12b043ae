"""``manage.py purge_upload_requests``: forget upload URLs that were never turned into uploads.

An upload request whose URL expired unused, or whose bytes arrived but never became an
upload within a day, is deleted with its stored file. Run it from cron.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Exists, OuterRef
from django.utils.timezone import now

from uploads import storage
from uploads.models import Upload, UploadRequest


class Command(BaseCommand):
    help = "Delete expired or abandoned upload requests and their orphaned files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace-hours",
            type=int,
            default=24,
            help="How long uploaded bytes may wait for POST /uploads.",
        )

    def handle(self, *args, grace_hours, **options):
        abandoned = UploadRequest.objects.annotate(
            has_upload=Exists(Upload.objects.filter(path=OuterRef("path")))
        ).filter(has_upload=False, expires_at__lt=now() - timedelta(hours=grace_hours))
        expired_unused = UploadRequest.objects.filter(used_at=None, expires_at__lt=now())
        count = 0
        for upload_request in (abandoned | expired_unused).distinct().iterator():
            name = upload_request.path.lstrip("/")
            if storage.exists(name):
                storage.delete(name)
            storage.delete_variants(upload_request.path)  # had its bytes been viewed resized
            upload_request.delete()
            count += 1
        self.stdout.write(f"Purged {count} upload request(s).")
