"""Every 500 is logged with its traceback and answered as JSON in the API's own shape,
including a failure after the view returned (while its answer is rendered)."""

import json
import logging

import pytest
from django.test import Client


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = "tests.cms.error_urls"


@pytest.fixture
def request_log(caplog):
    """caplog, also fed by django.request (which does not propagate: it has its own
    console handler)."""
    logger = logging.getLogger("django.request")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.ERROR)
    yield caplog
    logger.removeHandler(caplog.handler)


def get(path):
    response = Client(raise_request_exception=False).get(path)
    assert response["Content-Type"].startswith("application/json")
    return response.status_code, json.loads(response.content)


def tracebacks(log) -> list[logging.LogRecord]:
    return [r for r in log.records if r.levelno >= logging.ERROR and r.exc_info]


API_ERROR = {"code": "INTERNAL_SERVER_ERROR", "details": {}}


@pytest.mark.parametrize(
    ("path", "exception"),
    [
        ("/raises", RuntimeError),
        ("/renders-badly", UnicodeEncodeError),
        ("/plain-raises", RuntimeError),
    ],
)
def test_a_500_is_logged_once_with_its_traceback_and_answered_as_api_error(
    db, failing_urls, request_log, path, exception
):
    status, body = get(path)
    assert status == 500
    assert body["data"][0]["type"] == "api_error"
    assert body["data"][0]["attributes"] == API_ERROR
    [record] = tracebacks(request_log)
    assert record.exc_info[0] is exception
    assert record.name in ("cms.api", "django.request")


@pytest.mark.parametrize(
    ("path", "exception"),
    [("/rest/raises", RuntimeError), ("/rest/renders-badly", UnicodeEncodeError)],
)
def test_a_500_under_rest_is_answered_in_dreamfactorys_shape(
    db, failing_urls, request_log, path, exception
):
    status, body = get(path)
    assert status == 500
    assert body["error"]["status_code"] == 500
    assert body["error"]["context"] == {"error": [{"error": "INTERNAL_SERVER_ERROR"}]}
    [record] = tracebacks(request_log)
    assert record.exc_info[0] is exception


def test_the_console_log_says_when_and_how_bad():
    for name in ("cms", "django.request"):
        [handler] = [
            h for h in logging.getLogger(name).handlers if type(h) is logging.StreamHandler
        ]
        record = logging.LogRecord(name, logging.ERROR, "", 0, "boom", None, None)
        for filter_ in handler.filters:
            filter_.filter(record)
        line = json.loads(handler.format(record))  # one JSON object (CMS_LOG_FORMAT=json)
        assert line["level"] == "ERROR" and line["message"] == "boom"
        assert line["logger"] == name
        assert line["time"][:4].isdigit()  # the time (the year first)
        assert "request_id" in line
