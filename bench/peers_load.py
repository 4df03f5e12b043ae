"""The rows ``compare_peers.py`` measures on: the same 100,000 ``article`` records in each
system (the 6-field shape of ``bench/wrk/common.lua``; ``rating`` is n % 1000, so
``rating > 900`` matches 9,900), loaded each system's fastest way.

- Ours: through the record API, batches of 1,000 (what a client would do, and as fast as
  a COPY of our tables); beside them 100,000 ``post`` records of ``create_records.py``
  with three blocks each, so the article model is 100,000 of 500,000 rows.
- Strapi and Directus: their ``article`` table emptied and filled by one SQL statement
  (their APIs would take minutes: Directus's batch writes about 1,000 records a second,
  Strapi has none), then the same ``VACUUM ANALYZE`` as ours.
"""

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from harness import Client

ARTICLES = 100_000
FILLER_POSTS = 100_000  # with three blocks each: 400,000 rows of other models
BLOCKS_PER_POST = 3
# bench/wrk/common.lua's BODY_TEXT: every system stores the same text.
BODY_TEXT = (
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
    "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud "
    "exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure "
    "dolor in reprehenderit in voluptate velit esse."
)
MATCHES = sum(1 for n in range(ARTICLES) if n % 1000 > 900)  # 9,900
ARTICLE_FIELDS = [
    ("title", "string", {"validators": {"required": {}}}),
    ("body", "text", {}),
    ("category", "string", {}),
    ("rating", "integer", {}),
    ("published_on", "date", {}),
    ("flag", "boolean", {}),
]


def article(n: int) -> dict:
    return {
        "title": f"Seed {n}",
        "body": BODY_TEXT,
        "category": "news",
        "rating": n % 1000,
        "published_on": "2024-05-01",
        "flag": n % 2 == 0,
    }


def filler_post(ids: dict, n: int) -> dict:
    quote = {
        "type": "item",
        "attributes": {"text": "A quote"},
        "relationships": {"item_type": {"data": {"type": "item_type", "id": ids["quote"]}}},
    }
    return {
        "title": f"Filler {n}",
        "slug": f"filler-{n}",
        "subtitle": {"en": "Sub", "it": "Sotto"},
        "content": {"en": "Lorem ipsum " * 10, "it": "Dolor " * 10},
        "category": ids["category"],
        "cover": {"upload_id": ids["upload"], "alt": "Cover"},
        "sections": [quote] * BLOCKS_PER_POST,
        "published_on": "2024-05-01",
        "rating": n % 6,
        "featured": n % 2 == 0,
    }


def post_batches(port: int, token: str, table: str, make, count: int, size: int, clients: int):
    """``count`` records made by ``make(n)``, POSTed in batches of ``size`` from
    ``clients`` connections at once."""
    local = threading.local()

    def send(start: int) -> None:
        if not hasattr(local, "client"):
            local.client = Client(port, token)
            local.client.connection.timeout = 600
        body = {"record": [make(n) for n in range(start, min(start + size, count))]}
        code, answer = local.client.request(
            "POST", f"/rest/db/{table}", raw=json.dumps(body).encode()
        )
        assert code == 200, (code, str(answer)[:500])

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, range(0, count, size)))


def load_ours(server, ids: dict, clients: int, articles: int, filler: int) -> None:
    post_batches(server.port, server.token, "article", article, articles, 1000, clients)
    post_batches(
        server.port, server.token, "post", lambda n: filler_post(ids, n), filler, 500, clients
    )
    vacuum(server.env["DATABASE_URL"], ["items_item", "items_itemversion"])


def database_url(admin_url: str, name: str) -> str:
    return urlsplit(admin_url)._replace(path=f"/{name}").geturl()


def vacuum(url: str, tables: list[str]) -> None:
    """As autovacuum would leave a loaded table: statistics, and a visibility map that lets
    counts read an index alone."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        for table in tables:
            connection.execute(f'VACUUM ANALYZE "{table}"')


# One statement each: the peer's own table, emptied, then the same rows as ours.
SEED = """SELECT 'Seed ' || n, %(body)s, 'news', n %% 1000, DATE '2024-05-01', n %% 2 = 0
          FROM generate_series(0, %(count)s - 1) AS n"""
# Directus logs an activity and a revision row per record it writes. Deleting a run's tens of
# thousands of them took minutes (each activity row deleted scans the revisions' dead rows:
# their foreign key has no index), so both logs are emptied whole: the benchmark's database
# holds nothing else.
DIRECTUS_LOAD = [
    "TRUNCATE directus_revisions, directus_activity",
    "TRUNCATE article RESTART IDENTITY",
    "INSERT INTO article (title, body, category, rating, published_on, flag, date_created) "
    f"SELECT *, now() FROM ({SEED}) AS seed",
]
# Strapi 5 keeps a document id (24 characters) and a locale on every row; with draft and
# publish off, a row is published when it is created.
STRAPI_LOAD = [
    "TRUNCATE articles RESTART IDENTITY CASCADE",
    "INSERT INTO articles (document_id, title, body, category, rating, published_on, flag, "
    "created_at, updated_at, published_at, locale) "
    "SELECT substr(md5(random()::text || seed.title), 1, 24), seed.*, now(), now(), now(), 'en' "
    f"FROM ({SEED}) AS seed (title, body, category, rating, published_on, flag)",
]


def load_peer(admin_url: str, database: str, table: str, statements: list[str], count: int):
    """Runs a peer's ``statements`` (``*_LOAD``) in one transaction, then vacuums ``table``."""
    import psycopg

    url = database_url(admin_url, database)
    with psycopg.connect(url) as connection:
        for statement in statements:
            connection.execute(statement, {"body": BODY_TEXT, "count": count})
    vacuum(url, [table])
