import pytest

from tests.jobs.stack import QUEUES, job_stack


@pytest.fixture(scope="module", params=QUEUES)
def stack_setup(request, tmp_path_factory, django_db_setup, django_db_blocker):
    """One server per queue backend for the module's tests (the database is the suite's)."""
    with job_stack(
        tmp_path_factory.mktemp(f"jobs-{request.param}"), request.param, django_db_blocker
    ) as stack:
        yield stack


@pytest.fixture
def stack(stack_setup):
    """The module's stack, its shared worker running; the workers a test starts are stopped
    after it."""
    stack_setup.ensure_worker()
    yield stack_setup
    stack_setup.end_test()
