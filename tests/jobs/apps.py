from django.apps import AppConfig


class TestJobsConfig(AppConfig):
    """Test only: the handlers of tasks.py and the routes of urls.py, in the processes the
    tests start with ``DJANGO_SETTINGS_MODULE=tests.jobs.settings``."""

    name = "tests.jobs"
    label = "test_jobs"
