"""Requests that broke the server before (issue 10's reproductions), sent at the start of
every fuzz run whatever the random draw: the fuzzer always meets the known families, and
once they are fixed these hold the line."""

import json

from tests.fuzz.case import Case
from tests.fuzz.values import LONG_TEXT
from tests.fuzz.world import REST_TABLE, World

DEEP = "[" * 10_000 + "]" * 10_000


def _item(world: World, **attributes) -> bytes:
    body = json.loads(json.dumps(world.payloads["item"]))
    body["data"]["attributes"].update(attributes)
    return json.dumps(body, allow_nan=True).encode()


def corpus(world: World) -> list[Case]:
    record = world.record_ids[1]
    block = {
        "type": "item",
        "attributes": {"text": "a"},
        "relationships": {"item_type": {"data": {"type": "item_type", "id": ["x"]}}},
    }
    listing = f"filter[type]={REST_TABLE}"
    queries = [
        f"{listing}&filter[fields][title][matches][pattern]=(",
        f"{listing}&filter[fields][count][eq]={'9' * 40}",
        f"{listing}&filter[fields][count][eq]=nan",
        f"{listing}&filter[fields][ratio][gt]=inf",
        f"{listing}&filter[fields][_created_at][gt]=9999-12-31T23:59:59-23:59",
        f"{listing}&filter[fields][_created_at][lt]=0001-01-01T00:00:00%2B23:00",
        f"page[offset]={'1' * 30}",
        "filter[query]=a%00",
        "=1",
    ]
    cases = [Case("GET", "/items", query=query) for query in queries]
    cases += [
        Case("GET", path, query="=1")
        for path in ("/uploads", f"/items/{record}", f"/items/{record}/versions")
    ]
    uploads = [
        "filter[fields][tags][any_in][]=" + "x" * 3000,
        "filter[fields][colors][eq][]=red&filter[fields][colors][eq][]=red",
        "filter[fields][alt][exists]=true&locale=" + "x" * 300,
        "filter[fields][path][in]=" + ",".join(["a"] * 1001),
        "filter[fields][title][matches][pattern]=(a|a)*$",
        "filter[fields][smart_tags][eq][]=&filter[fields][tags][not_in]=",
        "filter[fields][type][in]=&order_by=resolution_DESC",
    ]
    cases += [Case("GET", "/uploads", query=query) for query in uploads]
    cases += [
        Case("GET", f"/items/{record}", query="[=x"),  # found by a long run
        Case("GET", f"/items/{record}/references", query="=1"),
        Case("GET", "/items/a%00b"),
        Case("POST", "/items", body=_item(world, title="a\x00b")),
        Case("POST", "/items", body=_item(world, subtitle=LONG_TEXT)),
        Case("POST", "/items", body=_item(world, at="9999-12-31T23:59:59-23:59")),
        Case("POST", "/items", body=_item(world, at="0001-01-01T00:00:00+23:00")),
        Case("POST", "/items", body=_item(world, count=float("nan"))),
        Case("POST", "/items", body=_item(world, blocks=[{**block, "relationships": [1]}])),
        Case("POST", "/items", body=_item(world, blocks=[block])),
        Case("POST", "/items", body=_item(world, subtitle="a\udfffb")),
        Case("POST", "/items", body=DEEP.encode()),
        Case("POST", f"/rest/db/{REST_TABLE}", body=b'[{"title": "a"}, {"\\udfff": 1}]'),
        Case("POST", f"/rest/db/{REST_TABLE}", body=json.dumps({"subtitle": LONG_TEXT}).encode()),
        Case("GET", f"/rest/db/{REST_TABLE}", query="filter=title%20%3D%20%27a%00%27"),
        Case(
            "PUT",
            f"/upload-content/{world.upload_content_token}",
            body=b"\x89PNG\r\n",
            content_type="image/png",
            chunked=True,
        ),
        # Found by this fuzzer.
        Case("GET", "/media/" + "x" * 300),
        Case("GET", f"/rest/db/{REST_TABLE}/a%0Ab"),
        Case(
            "POST", f"/rest/db/{REST_TABLE}", body=b'{"subtitle": "x"}', content_type="text/plain"
        ),
        Case(
            "POST",
            f"/item-types/{world.model_id}/reorder-fields-and-fieldsets",
            body=b'{"data": [{"type": [], "id": "x", "attributes": {"position": 2}}]}',
        ),
    ]
    return cases
