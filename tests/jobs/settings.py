"""Test only: the product's settings, plus the test handlers (tasks.py, found as every app's
are) and a route that submits them (urls.py). Worker and server processes started by the
tests run with these, through the product's own commands."""

from cms.settings import *  # noqa: F403
from cms.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.jobs.apps.TestJobsConfig"]
ROOT_URLCONF = "tests.jobs.urls"
