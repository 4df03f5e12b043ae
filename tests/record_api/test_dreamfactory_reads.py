"""DreamFactory 2's database service paths and read options, called as DreamFactory's
documentation shows them: ``/api/v2/<service>/_table/<table>[/<id>]`` (the ``resource``
wrapper), ``_table`` and ``_schema``; and the same reads on the seed's ``/rest/`` form.
Schema and bad input: test_dreamfactory_schema_and_bad_input.py."""

import json
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from items.models import Item
from tests.conftest import Api
from tests.record_api.library import V2, df_error, get, titles

# Paths, wrappers and defaults.


def test_tables_under_both_forms(api, library):
    tables = api.get("/api/v2/db/_table")
    assert tables.status_code == 200, tables.body
    names = [t["name"] for t in tables.body["resource"]]
    assert names == ["author", "book", "tag"]
    assert api.get("/rest/db").body == tables.body


def test_a_read_answers_every_field_in_the_forms_wrapper(api, library):
    v2 = api.get(f"{V2}/book")
    assert v2.status_code == 200, v2.body
    assert set(v2.body) == {"resource"}
    first = v2.body["resource"][0]
    assert first == {
        "id": library["One"],
        "title": "One",
        "pages": 100,
        "author": library["Ann"],
        "tags": [library["old"], library["new"]],
        "sequel": None,
    }
    rest = api.get("/rest/db/book")
    assert rest.body == {"record": v2.body["resource"]}
    only_ids = get(api, f"{V2}/book", fields="")
    assert only_ids.body["resource"][0] == {"id": library["One"]}


def test_create_takes_and_answers_the_resource_wrapper(api, library):
    response = api.post(f"{V2}/tag", {"resource": [{"label": "x"}, {"label": "y"}]})
    assert response.status_code == 200, response.body
    assert list(response.body) == ["resource"]
    assert [list(r) for r in response.body["resource"]] == [["id"], ["id"]]  # POST: ids only
    bad = api.post(f"{V2}/tag", {"resource": [{"label": "z"}, {"colour": 1}]})
    error = df_error(bad, 400)
    assert error["code"] == 1000
    assert set(error["context"]) == {"error", "resource"}
    # The default mode stops at the first failure, keeping the records before it.
    assert Item.objects.filter(item_type__api_key="tag").count() == 5


def test_one_record_by_id_on_both_forms(api, library):
    one = api.get(f"{V2}/book/{library['Two']}")
    assert one.status_code == 200, one.body
    assert one.body["title"] == "Two" and "resource" not in one.body
    assert api.get(f"/rest/db/book/{library['Two']}").body == one.body
    narrowed = get(api, f"{V2}/book/{library['Two']}", fields="title")
    assert narrowed.body == {"id": library["Two"], "title": "Two"}
    # Another table's record, or no record: DreamFactory's 404, naming the id.
    for path in [f"{V2}/book/{library['Ann']}", f"{V2}/book/nope", "/rest/db/book/nope"]:
        error = df_error(api.get(path), 404)
        assert "not found" in error["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v2/db/_proc/anything",
        "/api/v2/db/_func/anything",
        "/api/v2/db/_table/nothing",
        "/api/v2/db/_schema/nothing",
        "/api/v2/other/_table",
        "/api/v2/other/_table/book",
        "/api/v2/db",
        "/api/v2",
        "/api/v2/db/_table/book/x/y",
    ],
)
def test_other_paths_answer_dreamfactorys_404(api, library, path):
    df_error(api.get(path), 404)


def test_refusals_before_the_view_are_in_dreamfactorys_shape_on_v2(db, library):
    df_error(Api(None).get(f"{V2}/book"), 401)
    df_error(Api(None).get("/api/v2/db/_proc/x"), 401)


# Choosing records.


def test_ids_in_their_order_and_unknown_ids(api, library):
    asked = f"{library['Three']},{library['One']}"
    assert titles(get(api, f"{V2}/book", ids=asked)) == ["Three", "One"]
    error = df_error(get(api, f"{V2}/book", ids=f"{library['One']},nope"), 404)
    assert error["message"] == "Record with identifier 'nope' not found."
    assert error["context"] == {"ids": ["nope"]}
    kept = get(api, f"{V2}/book", ids=f"nope,{library['One']}", **{"continue": "true"})
    assert titles(kept) == ["One"]


def test_id_field_and_id_type(api, library):
    by_code = get(api, f"{V2}/author", ids="cy,ann", id_field="code", fields="name")
    assert [r["name"] for r in by_code.body["resource"]] == ["Cy", "Ann"]
    one = get(api, f"{V2}/author/bob", id_field="code", id_type="string")
    assert one.status_code == 200, one.body
    assert one.body["name"] == "Bob"
    listed = get(api, f"{V2}/author", id_field="code", as_list="true")
    assert listed.body == {"resource": ["ann", "bob", "cy"]}
    # Only id or a unique field; the type must be the field's.
    df_error(get(api, f"{V2}/author", ids="Ann", id_field="name"), 400)
    df_error(get(api, f"{V2}/author", ids="ann", id_field="code", id_type="integer"), 400)
    df_error(get(api, f"{V2}/author", ids="ann", id_type="uuid"), 400)
    df_error(get(api, f"{V2}/author/zed", id_field="code"), 404)


FILTERS = [
    ("pages GT 200", ["Two", "Three"]),
    ("pages gte 250", ["Two", "Three"]),
    ("pages LT 250", ["One"]),
    ("pages LTE 250", ["One", "Two"]),
    ("pages EQ 100", ["One"]),
    ("pages NE 100", ["Two", "Three"]),  # Four has no pages: SQL's rule
    ("title CONTAINS 'o'", ["One", "Two", "Four"]),
    ("title STARTS WITH 't'", ["Two", "Three"]),
    ("title ENDS WITH 'E'", ["One", "Three"]),
    ("title NOT CONTAINS 'o'", ["Three"]),
    ("title contains '%'", []),  # every character of the text is literal
    ("pages IS NULL", ["Four"]),
    ("pages IS NOT NULL", ["One", "Two", "Three"]),
    ("pages IN (100, 300)", ["One", "Three"]),
    ("title LIKE 't%'", ["Two", "Three"]),
    ("(pages > 100) AND (title LIKE '%e')", ["Three"]),
]


@pytest.mark.parametrize(("text", "expected"), FILTERS)
def test_dreamfactorys_filter_operators(api, library, text, expected):
    assert titles(get(api, f"{V2}/book", filter=text)) == expected


def test_bound_parameters(api, library):
    filter_text = "pages > :min AND title STARTS WITH :start"
    as_json = get(
        api, f"{V2}/book", filter=filter_text, params=json.dumps({":min": 100, "start": "T"})
    )
    assert titles(as_json) == ["Two", "Three"]
    php = api.get(f"{V2}/book?filter={quote('title = :t')}&params%5B%3At%5D=One")
    assert titles(php) == ["One"]
    missing = df_error(get(api, f"{V2}/book", filter="pages > :min"), 400)
    assert missing["context"]["parameter"] == ":min"
    assert ":min" in missing["message"]
    wrong = get(api, f"{V2}/book", filter="pages > :min", params=json.dumps({"min": "x"}))
    df_error(wrong, 400)
    df_error(get(api, f"{V2}/book", filter="pages > :min", params="{nope"), 400)


def test_counts_schema_and_groups(api, library):
    assert get(api, f"{V2}/book", count_only="true", filter="pages > 100").body == 2
    counted = get(api, f"{V2}/book", include_count="true", limit=1, fields="title")
    assert counted.body == {
        "resource": [{"id": library["One"], "title": "One"}],
        "meta": {"count": 4},
    }
    described = get(api, f"{V2}/book", include_schema="true", limit=1)
    assert described.body["meta"]["schema"]["name"] == "book"
    grouped = get(api, f"{V2}/author", group="born", order="born")
    assert grouped.body == {"resource": [{"born": 1950}, {"born": 1970}]}
    by_two = get(api, f"{V2}/author", group="born,name", filter="born > 1960")
    assert by_two.body["resource"] == [{"born": 1970, "name": "Bob"}, {"born": 1970, "name": "Cy"}]
    assert get(api, f"{V2}/author", group="born", count_only="true").body == 2
    df_error(get(api, f"{V2}/book", group="tags"), 400)  # not a groupable field


def test_posted_reads(api, readonly_api, library):
    """POST with X-HTTP-Method: GET (or ?method=GET): the ids, filter and options in the body."""
    by_ids = readonly_api.post(
        f"{V2}/book",
        {"ids": [library["Two"], library["One"]], "fields": "title"},
        headers={"X-HTTP-Method": "GET"},
    )
    assert by_ids.status_code == 200, by_ids.body
    assert titles(by_ids) == ["Two", "One"]
    by_records = api.post(
        f"{V2}/book?method=GET",
        {"resource": [{"id": library["Three"]}, {"id": library["One"]}]},
    )
    assert titles(by_records) == ["Three", "One"]
    by_filter = api.post(
        "/rest/db/book",
        {"filter": "pages > :min", "params": {":min": 200}, "order": "pages DESC"},
        headers={"X-HTTP-Method": "GET"},
    )
    assert titles(by_filter, "record") == ["Three", "Two"]
    no_id = api.post(f"{V2}/book?method=GET", {"resource": [{"title": "One"}]})
    assert "Required id field" in df_error(no_id, 400)["message"]
    bad_verb = api.post(f"{V2}/book", {}, headers={"X-HTTP-Method": "TRACE"})
    df_error(bad_verb, 400)
    assert Item.objects.filter(item_type__api_key="book").count() == 4  # nothing written


# Related records.


def test_relations_expand_on_reads(api, library):
    read = get(api, f"{V2}/book", related="author_by_author,tag_by_tags", fields="title", limit=2)
    one, two = read.body["resource"]
    assert one["author_by_author"]["name"] == "Ann"
    assert [t["label"] for t in one["tag_by_tags"]] == ["old", "new"]
    assert [t["label"] for t in two["tag_by_tags"]] == ["new"]
    authors = get(api, f"{V2}/author", related="book_by_author", fields="name")
    by_name = {
        a["name"]: [b["title"] for b in a["book_by_author"]] for a in authors.body["resource"]
    }
    assert by_name == {"Ann": ["One", "Two"], "Bob": ["Three"], "Cy": []}
    everything = api.get(f"{V2}/book/{library['Four']}?related=*")
    assert everything.body["author_by_author"] is None
    assert everything.body["tag_by_tags"] == []
    assert everything.body["book_by_sequel"] is None
    assert everything.body["book_by_sequel_reverse"] == []  # a link to its own model
    unknown = df_error(get(api, f"{V2}/book", related="nope"), 400)
    assert "author_by_author" in unknown["context"]["allowed"]


def test_related_reads_cost_the_same_for_any_number_of_records(api, library):
    def queries(limit: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = get(api, f"{V2}/book", related="*", limit=limit)
        assert response.status_code == 200, response.body
        assert len(response.body["resource"]) == limit
        return len(captured.captured_queries)

    assert queries(1) == queries(4)
    more = [
        {"title": f"B{i}", "author": library["Cy"], "tags": [library["old"]]} for i in range(20)
    ]
    api.post(f"{V2}/book", {"resource": more})
    with CaptureQueriesContext(connection) as few:
        get(api, f"{V2}/author", related="book_by_author", limit=1)
    with CaptureQueriesContext(connection) as many:
        get(api, f"{V2}/author", related="book_by_author")
    assert len(few.captured_queries) == len(many.captured_queries)
