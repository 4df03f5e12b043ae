"""environments.selection: one alias, one storage per thread at a time."""

import threading

import pytest
from django.db import connection, connections, transaction

from environments import selection
from environments.selection import SelectionError
from item_types.models import ItemType


def _names() -> list[str]:
    return list(ItemType.objects.values_list("api_key", flat=True))


@pytest.fixture
def a_model_in_each(environments, sandbox):
    ItemType.objects.create(name="Main", api_key="in_main")
    with selection.using(sandbox):
        ItemType.objects.create(name="Sandbox", api_key="in_sandbox")


def test_using_an_environment_and_back(a_model_in_each, sandbox):
    assert _names() == ["in_main"]
    with selection.using(sandbox):
        assert _names() == ["in_sandbox"]
        with selection.using(""):
            assert _names() == ["in_main"]
        assert _names() == ["in_sandbox"]
    assert _names() == ["in_main"]


def test_a_transaction_stays_in_one_environment(a_model_in_each, sandbox):
    with transaction.atomic():
        assert _names() == ["in_main"]
        with pytest.raises(SelectionError), selection.using(sandbox):
            pass
        assert _names() == ["in_main"]
    with transaction.atomic(), selection.using(""):  # the one already selected: fine
        assert _names() == ["in_main"]


def test_a_path_set_in_a_rolled_back_transaction_is_set_again(a_model_in_each, sandbox):
    """Should a SET go with a statement inside a transaction (the execute wrapper's
    fallback), a rollback undoes it on the server: it is not remembered as done."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's search_path")
    with selection.using(sandbox):
        selection.select("")  # the server back on public, outside any transaction
        connection.cms_storage = sandbox.storage  # wanted, not applied yet
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            assert _names() == ["in_sandbox"]  # the SET goes with it, inside
            raise ZeroDivisionError
        assert connection.connection.cms_search_path is None  # unknown, not "the sandbox's"
        assert _names() == ["in_sandbox"]  # set again
        with connection.cursor() as cursor:
            cursor.execute("SHOW search_path")
            assert cursor.fetchone()[0] == f"{sandbox.storage}, public"


def test_each_thread_has_its_own_selection(a_model_in_each, sandbox):
    seen = {}
    project = selection.project_file(connection) if connection.vendor == "sqlite" else None

    def other_thread():
        try:
            if project:  # the process's settings name the project's file (the fixture's)
                mine = connections["default"]
                mine.settings_dict = {**mine.settings_dict, "NAME": project}
            seen["other"] = _names()
        finally:
            connections.close_all()

    with selection.using(sandbox):
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        assert _names() == ["in_sandbox"]
    assert seen["other"] == ["in_main"]


def test_only_storage_names_are_selected(environments):
    for name in ("main", "env_", "env_UPPER", "public; DROP TABLE x", "env_a.b"):
        with pytest.raises(ValueError):
            selection.select(name)


@pytest.mark.django_db
def test_sqlite_in_memory_has_only_the_project_storage():
    if connection.vendor != "sqlite":
        pytest.skip("the test runner's in-memory SQLite")
    with pytest.raises(SelectionError, match="database file"), selection.using("env_abc"):
        pass
    assert selection.wanted() == ""
    assert ItemType.objects.count() == 0  # still on the test database


def test_no_storage_is_chosen_for_per_environment_data_before_the_request_knows(environments):
    selection.begin_request(None)
    try:
        with pytest.raises(SelectionError):
            selection.current()
    finally:
        selection.end_request()
    assert selection.current() == ""
