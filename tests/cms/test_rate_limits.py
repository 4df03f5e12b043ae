"""Rate limits on both APIs (cms/rate_limits.py, SPEC-2 §12.1): headers on every answer, 429
with X-RateLimit-Reset, the record API counted in records, CORS. Limits are lowered here
through settings (the suite's default is high: tests/conftest.py)."""

import hashlib
import os
import time
import urllib.error
import urllib.request

import pytest
from django.test import Client

from cms.models import ApiToken
from item_types.models import ItemType
from items.models import Item
from tests.cms.test_auth_throttle import REDIS_URL
from tests.conftest import Api, error_codes, within_one_rate_window
from tests.real_server import prepare, serving

ITEM_TYPE = {"data": {"type": "item_type", "attributes": {"name": "Post", "api_key": "post"}}}


WINDOW = 3600  # long, so that a test's requests fall in one window (within_one_rate_window)


@pytest.fixture
def limits(settings):
    settings.CMS_RATE_LIMIT_REQUESTS = 3
    settings.CMS_RATE_LIMIT_RECORDS = 10
    settings.CMS_RATE_LIMIT_WINDOW = WINDOW
    within_one_rate_window(WINDOW, needed=60)
    return settings


@pytest.fixture
def shared_redis():
    """The Redis of CMS_TEST_REDIS_URL, not emptied: the counts are under a new token's
    digest, and expire with their window."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CMS_REDIS_REQUIRED"):  # CI starts Redis: never skip there
            raise
        pytest.skip(f"no Redis at {REDIS_URL}")
    return client


def token_api(address="10.1.0.1") -> Api:
    _, secret = ApiToken.create(name="limited", role="admin")
    api = Api(secret)
    api.client = Client(REMOTE_ADDR=address)
    return api


def remaining(response) -> int:
    assert response["X-RateLimit-Limit"]
    return int(response["X-RateLimit-Remaining"])


def assert_limited(response, window=WINDOW) -> int:
    assert response.status_code == 429, response.body
    reset = int(response["X-RateLimit-Reset"])  # an integer, in seconds
    assert 1 <= reset <= window
    assert response["Retry-After"] == str(reset)
    return reset


def test_every_api_answer_carries_the_headers(db, limits):
    limits.CMS_RATE_LIMIT_REQUESTS = 10
    api = token_api()
    answers = [
        api.get("/site"),  # 200
        api.post("/item-types", {"data": {"type": "item_type", "attributes": {}}}),  # 422
        api.get("/no-such-thing"),  # the fallback's 404
        api.get("/job-results/not-a-job"),  # the client's job poll counts like any request
        api.get("/site", headers={"X-Api-Version": "2"}),  # 400 from a middleware
        Api("not-a-token").get("/site"),  # 401 (another client: its own count)
    ]
    assert [a.status_code for a in answers] == [200, 422, 404, 404, 400, 401]
    assert all(a["X-RateLimit-Limit"] == "10" for a in answers)
    assert [remaining(a) for a in answers] == [9, 8, 7, 6, 5, 9]
    assert all("X-RateLimit-Reset" not in a for a in answers)  # only on a 429
    # Not the API's: the admin, health checks and the index are neither counted nor marked.
    for path in ("/healthz", "/readyz", "/", "/admin/login/"):
        assert "X-RateLimit-Limit" not in Client().get(path), path
    assert remaining(api.get("/site")) == 4


def test_over_the_limit_answers_429_and_runs_nothing(db, limits):
    api = token_api()
    for expected in (2, 1, 0):
        assert remaining(api.get("/site")) == expected
    response = api.post("/item-types", ITEM_TYPE)
    assert_limited(response)
    assert error_codes(response) == [("RATE_LIMIT_EXCEEDED", None, None)]
    assert response["X-RateLimit-Limit"] == "3" and remaining(response) == 0
    assert response["X-Api-Version"] == "3"
    assert response.body["data"][0]["attributes"]["details"]["wait"] >= 1
    assert not ItemType.objects.exists()
    # Per token: another token, even from the same address, has its own count...
    assert token_api().post("/item-types", ITEM_TYPE).status_code == 201
    # ...and requests without one are counted per address.
    for _ in range(3):
        from_10_1_0_9 = Api(None)
        from_10_1_0_9.client = Client(REMOTE_ADDR="10.1.0.9")
        assert from_10_1_0_9.get("/site").status_code == 401
    assert_limited(from_10_1_0_9.get("/site"))
    assert Api(None).get("/site").status_code == 401  # 127.0.0.1: not limited


def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_count(db, limits):
    limits.CMS_TRUSTED_PROXIES = 1

    def behind_proxy(client_address):
        api = Api(None)
        api.client = Client(REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR=client_address)
        return api.get("/site")

    assert [remaining(behind_proxy("203.0.113.7")) for _ in range(3)] == [2, 1, 0]
    assert_limited(behind_proxy("203.0.113.7"))
    assert remaining(behind_proxy("203.0.113.8")) == 2


def test_the_window_ends(db, limits):
    limits.CMS_RATE_LIMIT_REQUESTS = 1
    limits.CMS_RATE_LIMIT_WINDOW = 2
    api = token_api()
    within_one_rate_window(2, needed=0.5)
    assert api.get("/site").status_code == 200
    reset = assert_limited(api.get("/site"), window=2)
    time.sleep(reset)
    assert remaining(api.get("/site")) == 0


@pytest.mark.parametrize("counted_in", ["memory", "redis"])
def test_the_record_api_counts_records(db, limits, counted_in, request):
    if counted_in == "redis":  # the script and the giving back, on Redis
        request.getfixturevalue("shared_redis")
        limits.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
            }
        }
    api = token_api()
    api.create_item_type("contact")
    # The model's creation is on the CMA's count; the record API has its own.
    batch = {"record": [{} for _ in range(6)]}
    response = api.post("/rest/db/contact", batch)
    assert response.status_code == 200, response.body
    assert (response["X-RateLimit-Limit"], remaining(response)) == ("10", 4)
    # Six more would pass the limit: refused in the record API's shape, nothing written,
    # and not counted (the smaller calls that fit still go through).
    response = api.post("/rest/db/contact", batch)
    assert_limited(response)
    assert response.body["error"]["status_code"] == 429
    assert response.body["error"]["context"]["error"][0]["error"] == "RATE_LIMIT_EXCEEDED"
    assert Item.objects.count() == 6
    assert remaining(response) == 4
    assert remaining(api.get("/rest/db/contact")) == 3  # a read is one
    response = api.post("/rest/db/contact", {"record": [{}, {}, {}]})
    assert response.status_code == 200 and remaining(response) == 0
    assert_limited(api.get("/rest/db/contact"))
    assert_limited(api.post("/rest/db/contact", {}))
    assert Item.objects.count() == 9
    # A batch larger than the whole limit passes alone in a fresh window (else the client
    # would retry it forever); a request that fails before its batch is read counts one.
    fresh = token_api()
    response = fresh.post("/rest/db/contact", {"record": [{} for _ in range(12)]})
    assert response.status_code == 200 and remaining(response) == 0
    assert Item.objects.count() == 21
    other = token_api()
    response = other.post("/rest/db/nothing", {"record": [{}] * 5})
    assert response.status_code == 404 and remaining(response) == 9


def test_preflights_are_not_counted_and_browsers_may_read_the_headers(db, limits):
    api = token_api()
    preflight = api.client.options(
        "/site",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization, x-api-version",
        },
    )
    assert preflight.status_code == 200
    assert "authorization" in preflight["Access-Control-Allow-Headers"]
    for expected in (2, 1, 0):
        response = api.get("/site", headers={"Origin": "https://app.example"})
        assert remaining(response) == expected
    exposed = {h.strip() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= exposed
    response = api.get("/site", headers={"Origin": "https://app.example"})
    assert_limited(response)
    assert response["Access-Control-Allow-Origin"] == "*"  # a browser can read the 429 too


def test_a_limit_of_zero_turns_it_off(db, limits):
    limits.CMS_RATE_LIMIT_REQUESTS = 0
    api = token_api()
    for _ in range(5):
        response = api.get("/site")
        assert response.status_code == 200 and "X-RateLimit-Limit" not in response


def test_with_the_cache_down_requests_go_on_unlimited(db, limits):
    limits.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
        }
    }
    api = token_api()
    assert [api.get("/site").status_code for _ in range(5)] == [200] * 5


# --- One limit for every process: two servers, one Redis ---------------------------------


def test_two_processes_share_one_limit_through_redis(shared_redis, tmp_path):
    token = prepare(tmp_path)
    window = 600
    within_one_rate_window(window, needed=60)
    env = {
        "REDIS_URL": REDIS_URL,
        "CMS_RATE_LIMIT_REQUESTS": "10",
        "CMS_RATE_LIMIT_WINDOW": str(window),
    }
    with serving(tmp_path, **env) as first, serving(tmp_path, **env) as second:

        def site(base):
            request = urllib.request.Request(
                f"{base}/site", headers={"Authorization": f"Bearer {token}"}
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status, response.headers
            except urllib.error.HTTPError as error:
                return error.code, error.headers

        answers = [site(base) for _ in range(8) for base in (first, second)]
    statuses = [status for status, _ in answers]
    # The sum of both processes' allowed requests is one limit, not two.
    assert statuses == [200] * 10 + [429] * 6, statuses
    assert [int(h["X-RateLimit-Remaining"]) for _, h in answers[:10]] == list(range(9, -1, -1))
    assert all(1 <= int(h["X-RateLimit-Reset"]) <= window for _, h in answers[10:])
    digest = hashlib.sha256(token.encode()).hexdigest()[:32]
    assert list(shared_redis.scan_iter(f":1:ratelimit:cma:*:token:{digest}"))  # counted there
