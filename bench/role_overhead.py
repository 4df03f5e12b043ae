"""Benchmark: what a restricted role costs against an admin token, in one run.

POST /items (a 6-field record) and a 1,000-record batch (POST /rest/db/<table>), each
timed in wall-clock and in queries, with an admin token and with a role allowed only
read/create on the model with a localization scope (the costliest check: every value's
locale is looked at). Through Django's test client in this process, on PostgreSQL.

    .venv/bin/python bench/role_overhead.py                    # 300 creates, 5 batches
    .venv/bin/python bench/role_overhead.py --creates 1000 --batches 10

Its own database (``cms_bench_roles``, or BENCH_DATABASE_NAME), recreated each run.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import create_model  # noqa: E402
from profile_create import SIMPLE, SIMPLE_FIELDS, InProcess, in_process_client  # noqa: E402


def restricted_client(item_type_id: str) -> InProcess:
    from access.final import recompute_all
    from access.models import Role
    from cms.models import ApiToken

    scope = {"localization_scope": "all"}
    entries = [
        {
            "action": "read",
            "environment": "main",
            "item_type": item_type_id,
            "on_creator": "anyone",
        },
        {"action": "create", "environment": "main", "item_type": item_type_id, **scope},
    ]
    role = Role.objects.create(
        name="bench writers",
        positive_item_type_permissions=entries,
        negative_item_type_permissions=[
            {"action": "delete", "environment": "main", "item_type": None, "on_creator": "anyone"}
        ],
    )
    recompute_all()
    _, secret = ApiToken.create(name="restricted", role=role)
    return InProcess(secret)


def timed(send, count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        send()
    return (time.perf_counter() - started) * 1000 / count


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--creates", type=int, default=300)
    parser.add_argument("--batches", type=int, default=5)
    args = parser.parse_args()

    admin = in_process_client(args.database_url, "cms_bench_roles")
    note = create_model(admin, "note", SIMPLE_FIELDS)["id"]
    restricted = restricted_client(note)
    body = {
        "data": {
            "type": "item",
            "attributes": SIMPLE,
            "relationships": {"item_type": {"data": {"type": "item_type", "id": note}}},
        }
    }
    batch = {"record": [SIMPLE] * 1000}

    def create(client):
        code, answer = client.request("POST", "/items", body)
        assert code == 201, answer

    def bulk(client):
        code, answer = client.request("POST", "/rest/db/note", batch)
        assert code == 200, answer

    results = {}
    for client in (admin, restricted):
        for _ in range(20):
            create(client)  # warm
    # Interleaved rounds, so drift (autovacuum, other load) falls on both alike.
    for _ in range(3):
        for name, client in (("admin", admin), ("restricted", restricted)):
            results.setdefault((name, "create"), []).append(
                timed(lambda c=client: create(c), args.creates // 3)
            )
            results.setdefault((name, "batch"), []).append(
                timed(lambda c=client: bulk(c), max(1, args.batches // 3))
            )
    for kind in ("create", "batch"):
        admin_ms = min(results[("admin", kind)])
        restricted_ms = min(results[("restricted", kind)])
        print(
            f"{kind:6}: admin {admin_ms:8.2f} ms, restricted {restricted_ms:8.2f} ms, "
            f"ratio {restricted_ms / admin_ms:.3f}"
        )


if __name__ == "__main__":
    main()
