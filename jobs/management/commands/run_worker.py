"""``manage.py run_worker``: run background jobs (README "Background jobs")."""

from django.core.management.base import BaseCommand

from jobs import worker


class Command(BaseCommand):
    help = (
        "Run background jobs from the queue (CMS_QUEUE_URL) until stopped: SIGTERM waits for "
        "running jobs (CMS_WORKER_SHUTDOWN_SECONDS), SIGINT stops at once. Run any number, "
        "on any number of hosts sharing the database and a Redis queue."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--threads", type=int, help="jobs run at once (default: CMS_WORKER_THREADS)"
        )

    def handle(self, *args, threads=None, **options):
        worker.run(threads)
