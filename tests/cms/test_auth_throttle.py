"""Failed authentication is throttled: 1,000 bad API tokens in a row and 30 bad admin
passwords met no resistance. Limits are shortened here through settings."""

import os
import time
import urllib.error
import urllib.request

import pytest
from django.test import Client

from cms.models import ApiToken
from item_types.models import ItemType
from tests.conftest import Api, error_codes
from tests.real_server import prepare, serving
from tests.worker_isolation import TEST_REDIS_URL

ITEM_TYPE = {"data": {"type": "item_type", "attributes": {"name": "Post", "api_key": "post"}}}


@pytest.fixture
def limits(settings):
    settings.CMS_AUTH_FAILURES_PER_ADDRESS = 3
    settings.CMS_AUTH_ADDRESS_WINDOW = 60
    settings.CMS_LOGIN_FAILURES_PER_USER = 2
    settings.CMS_LOGIN_USER_WINDOW = 60
    return settings


def from_address(token: str | None, address: str, **extra) -> Api:
    api = Api(token)
    api.client = Client(REMOTE_ADDR=address, **extra)
    return api


def assert_throttled(response, window: int = 60) -> int:
    assert response.status_code == 429, response.body
    wait = int(response["Retry-After"])
    assert 1 <= wait <= window
    return wait


def test_bad_tokens_are_refused_401_up_to_the_limit_then_429(db, limits):
    guesser = from_address("not-a-token", "10.0.0.1")
    for _ in range(3):
        response = guesser.post("/item-types", ITEM_TYPE)
        assert error_codes(response) == [("INVALID_AUTHORIZATION_HEADER", None, None)]
    response = guesser.post("/item-types", ITEM_TYPE, headers={"Origin": "https://app.example"})
    assert_throttled(response)
    assert error_codes(response) == [("RATE_LIMIT_EXCEEDED", None, None)]
    assert "retry-after" in response["Access-Control-Expose-Headers"]  # browsers may read it
    assert (
        "Too many failed authentications"
        in response.body["data"][0]["attributes"]["details"]["message"]
    )
    # Any kind of bad credentials counts and is refused: a malformed header, another token.
    malformed = from_address(None, "10.0.0.1")
    assert_throttled(malformed.get("/site", headers={"Authorization": "Basic dXNlcjpwYXNz"}))
    assert_throttled(from_address("another-guess", "10.0.0.1").get("/site"))
    assert not ItemType.objects.exists()


def test_a_good_token_is_never_throttled(db, limits):
    """Only failures are refused: clients sharing an address (NAT, a proxy) with a guesser
    keep working. Tokens are 256 random bits, so the guesser gains nothing meanwhile."""
    for _ in range(4):
        from_address("not-a-token", "10.0.0.2").get("/site")
    assert_throttled(from_address("not-a-token", "10.0.0.2").get("/site"))
    _, secret = ApiToken.create(name="good", role="admin")
    good = from_address(secret, "10.0.0.2")
    for _ in range(5):
        assert good.get("/site").status_code == 200
    assert good.post("/item-types", ITEM_TYPE).status_code == 201
    assert from_address(None, "10.0.0.2").get("/site").status_code == 401  # no token: no guess


def test_other_addresses_are_not_throttled(db, limits):
    for _ in range(4):
        from_address("not-a-token", "10.0.0.3").get("/site")
    assert from_address("not-a-token", "10.0.0.4").get("/site").status_code == 401


def test_the_record_api_answers_429_in_dreamfactory_shape(db, limits):
    guesser = from_address(None, "10.0.0.5")
    headers = {"X-DreamFactory-Api-Key": "not-a-key"}
    for _ in range(3):
        assert guesser.post("/rest/db/contact", {"a": 1}, headers=headers).status_code == 401
    response = guesser.post("/rest/db/contact", {"a": 1}, headers=headers)
    assert_throttled(response)
    error = response.body["error"]
    assert (error["code"], error["status_code"]) == (429, 429)
    assert error["message"].startswith("Too many failed authentications")
    assert error["context"]["error"][0]["error"] == "RATE_LIMIT_EXCEEDED"


def test_the_window_expires(db, limits):
    limits.CMS_AUTH_FAILURES_PER_ADDRESS = 1
    limits.CMS_AUTH_ADDRESS_WINDOW = 2
    guesser = from_address("not-a-token", "10.0.0.6")
    assert guesser.get("/site").status_code == 401
    wait = assert_throttled(guesser.get("/site"), window=2)
    time.sleep(wait + 0.1)
    assert guesser.get("/site").status_code == 401
    assert_throttled(guesser.get("/site"), window=2)


def test_x_forwarded_for_is_ignored_unless_proxies_are_trusted(db, limits):
    # Off by default: a client can't dodge the limit by inventing a header.
    for hop in range(4):
        spoofer = from_address("not-a-token", "10.0.0.7", HTTP_X_FORWARDED_FOR=f"1.2.3.{hop}")
        response = spoofer.get("/site")
    assert_throttled(response)
    # One trusted proxy: the address it saw (the last hop) is the client's; what the client
    # put further left is not.
    limits.CMS_TRUSTED_PROXIES = 1
    for hop in range(4):
        behind = from_address(
            "not-a-token", "10.0.0.8", HTTP_X_FORWARDED_FOR=f"9.9.9.{hop}, 203.0.113.1"
        )
        response = behind.get("/site")
    assert_throttled(response)
    other = from_address("not-a-token", "10.0.0.8", HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert other.get("/site").status_code == 401


# --- The admin login ---------------------------------------------------------------------


def login(client: Client, username: str, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def logged_in(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


@pytest.fixture
def editors(django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast
    for name in ("ann", "bob"):
        django_user_model.objects.create_user(name, password="right-pass", is_staff=True)


def test_admin_login_locks_a_username_after_failed_passwords(db, limits, editors):
    attacker = Client(REMOTE_ADDR="10.1.0.1")
    for _ in range(2):
        response = login(attacker, "ann", "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    response = login(Client(REMOTE_ADDR="10.1.0.2"), "ann", "right-pass")
    assert_throttled(response)
    page = response.content.decode()
    assert "Too many failed logins" in page and "<form" in page  # the login page, with why
    # Locked even from elsewhere and with the right password; other accounts are not.
    owner = Client(REMOTE_ADDR="10.1.0.3")
    assert login(owner, "ANN", "right-pass").status_code == 429
    assert not logged_in(owner)
    bob = Client(REMOTE_ADDR="10.1.0.1")
    assert login(bob, "bob", "right-pass").status_code == 302
    assert logged_in(bob)


def test_admin_login_locks_an_address_trying_many_usernames(db, limits, editors):
    limits.CMS_LOGIN_FAILURES_PER_USER = 100
    sprayer = Client(REMOTE_ADDR="10.1.1.1")
    for name in ("ann", "bob", "carol"):
        assert login(sprayer, name, "guess").status_code == 200
    assert_throttled(login(sprayer, "bob", "right-pass"))
    assert not logged_in(sprayer)
    elsewhere = Client(REMOTE_ADDR="10.1.1.2")
    assert login(elsewhere, "bob", "right-pass").status_code == 302


def test_a_successful_login_clears_its_username_count(db, limits, editors):
    limits.CMS_AUTH_FAILURES_PER_ADDRESS = 100
    client = Client(REMOTE_ADDR="10.1.2.1")
    assert login(client, "ann", "typo").status_code == 200
    assert login(client, "ann", "right-pass").status_code == 302
    client.logout()
    assert login(client, "ann", "typo again").status_code == 200
    assert login(client, "ann", "right-pass").status_code == 302


# --- Shared counters: two server processes, one Redis ------------------------------------

REDIS_URL = TEST_REDIS_URL


@pytest.fixture
def redis_db():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()  # a database of its own (CMS_TEST_REDIS_URL), emptied for the test
    except redis.ConnectionError:
        if os.environ.get("CMS_REDIS_REQUIRED"):  # CI starts Redis: never skip there
            raise
        pytest.skip(f"no Redis at {REDIS_URL}")
    yield client
    client.flushdb()


def test_two_processes_share_their_counts_through_redis(redis_db, tmp_path):
    token = prepare(tmp_path)
    env = {"REDIS_URL": REDIS_URL, "CMS_AUTH_FAILURES_PER_ADDRESS": "3"}
    with serving(tmp_path, **env) as first, serving(tmp_path, **env) as second:

        def site(base, secret):
            request = urllib.request.Request(
                f"{base}/site", headers={"Authorization": f"Bearer {secret}"}
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status, response.headers
            except urllib.error.HTTPError as error:
                return error.code, error.headers

        # Three failures, spread over both processes, reach the limit of the whole site.
        assert [site(base, "bad")[0] for base in (first, second, first)] == [401] * 3
        for base in (second, first):
            status, headers = site(base, "bad")
            assert status == 429 and 1 <= int(headers["Retry-After"]) <= 60
            assert site(base, token)[0] == 200
    assert list(redis_db.scan_iter(":1:authfail:api-address:*"))  # the counts live there


def test_with_the_cache_down_authentication_goes_on_unthrottled(db, limits, editors):
    """Redis unreachable: bad tokens are still 401 and logins still work, never a 500."""
    limits.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
        }
    }
    guesser = from_address("not-a-token", "10.2.0.1")
    assert [guesser.get("/site").status_code for _ in range(5)] == [401] * 5
    _, secret = ApiToken.create(name="good", role="admin")
    assert from_address(secret, "10.2.0.1").get("/site").status_code == 200
    client = Client(REMOTE_ADDR="10.2.0.1")
    assert login(client, "ann", "wrong").status_code == 200
    assert login(client, "ann", "right-pass").status_code == 302
