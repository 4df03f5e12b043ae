"""The record API's filter parser on its own (no database): the trees it builds, what it
refuses and where, and LIKE patterns as regular expressions."""

import pytest

from record_api.filter_parser import (
    MAX_DEPTH,
    And,
    Compare,
    FilterError,
    In,
    IsNull,
    Like,
    Not,
    Or,
    parse,
)
from record_api.filter_query import like_regex

# The parser, on its own.

A, B = Compare("a", "=", 1), Compare("b", "=", 2)


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("name = 'Ann'", Compare("name", "=", "Ann")),
        ("name='Ann'", Compare("name", "=", "Ann")),
        ("name = 'it''s'", Compare("name", "=", "it's")),
        ("name = ''", Compare("name", "=", "")),
        ("name = 'a -- b; DROP'", Compare("name", "=", "a -- b; DROP")),
        ("age != 3", Compare("age", "!=", 3)),
        ("age <> 3", Compare("age", "!=", 3)),
        ("age > -2.5", Compare("age", ">", -2.5)),
        ("age >= 1e3", Compare("age", ">=", 1000)),
        ("age < 0", Compare("age", "<", 0)),
        ("age <= 7", Compare("age", "<=", 7)),
        ("flag = TRUE", Compare("flag", "=", True)),
        ("flag = false", Compare("flag", "=", False)),
        ("name LIKE 'J%'", Like("name", "J%")),
        ("name not like '_x'", Not(Like("name", "_x"))),
        ("x IN (1, 'a', true)", In("x", (1, "a", True))),
        ("x in ('a')", In("x", ("a",))),
        ("x NOT IN (1,2)", Not(In("x", (1, 2)))),
        ("x is null", IsNull("x")),
        ("x IS NOT NULL", Not(IsNull("x"))),
        ("x = null", IsNull("x")),
        ("x != NULL", Not(IsNull("x"))),
        ("x <> null", Not(IsNull("x"))),
        ("a = 1 and b = 2", And((A, B))),
        ("a = 1 AND b = 2 AND a = 1", And((A, B, A))),
        ("a = 1 or b = 2", Or((A, B))),
        ("a = 1 or b = 2 and a = 1", Or((A, And((B, A))))),
        ("(a = 1 or b = 2) and a = 1", And((Or((A, B)), A))),
        ("not a = 1", Not(A)),
        ("NOT(a = 1)", Not(A)),
        ("not a = 1 and b = 2", And((Not(A), B))),
        ("not (a = 1 and b = 2)", Not(And((A, B)))),
        ("not not a = 1", Not(Not(A))),
        ("((a = 1))", A),
        ("  a\t=\n1  ", A),
        ("`a` = 1", A),
        ("`and` = 1 and `in` in (1)", And((Compare("and", "=", 1), In("in", (1,))))),
        ("`NULL` is null", IsNull("NULL")),
    ],
)
def test_the_parser_builds_a_tree(text, tree):
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("", "the filter is empty", 0),
        ("name = 'x'; DROP TABLE items_item; --", "unexpected character ';'", 10),
        ("name = 'x' -- comment", "comments are not allowed", 11),
        ("name = 'x' /* comment */", "comments are not allowed", 11),
        ("name = 'x' # comment", "comments are not allowed", 11),
        ("1=1 OR", "expected a field name, found '1'", 0),
        ("name = 'x' OR 1=1", "expected a field name, found '1'", 14),
        ("name = 'x' OR", "expected a field name, found the end of the filter", 13),
        ("name = (SELECT name FROM items_item)", "expected a value", 7),
        ("name IN (SELECT name FROM items_item)", "expected a value", 9),
        ("name = 'x' UNION SELECT key FROM cms_apitoken", "expected AND, OR", 11),
        ("name = 'x' UNION SELECT * FROM cms_apitoken", "unexpected character '*'", 24),
        ("name = 'a' || 'b'", "unexpected character '|'", 11),
        ("items_item.name = 'x'", "unexpected character '.'", 10),
        ("name == 'x'", "expected a value", 6),
        ('name = "x"', "quote text values with single quotes", 7),
        ("`name = 'x'", "a quoted field name is a name between backticks", 0),
        ("`na me` = 'x'", "a quoted field name is a name between backticks", 0),
        ("`name`` = 'x'", "a quoted field name is a name between backticks", 6),
        ("name = x", "expected a value", 7),
        ("name BETWEEN 'a' AND 'b'", "expected an operator", 5),
        ("name ~ 'a'", "unexpected character '~'", 5),
        ("sleep(10)", "expected an operator", 5),
        ("(name = 'x'", "expected ')'", 11),
        ("name = 'x')", "expected AND, OR", 10),
        ("()", "expected a field name", 1),
        ("name = 'x", "unterminated text value", 7),
        ("name = 'a\x00'", "NUL", 7),
        ("name LIKE 5", "expected a quoted LIKE pattern", 10),
        ("name NOT = 'x'", "expected LIKE or IN after NOT", 9),
        ("name IN ()", "expected a value", 9),
        ("name IN 'a'", "expected '(' after IN", 8),
        ("name IN ('a' 'b')", "expected ',' or ')'", 13),
        ("name IN ('a', null)", "null can't be in an IN list", 14),
        ("name IS 'x'", "expected NULL after IS", 8),
        ("name IS NOT 'x'", "expected NULL after IS", 12),
        ("age > null", "null can't be compared with >", 6),
        ("age = 1e999", "not a finite number", 6),
        ("age = 99999999999999999999", "out of range", 6),
        ("age = 0x10", "invalid number", 6),
        ("age = 1.2.3", "invalid number", 6),
        ("and = 1", "expected a field name, found 'and'", 0),
        ("nom = 'é'", None, None),  # fine: only the field is unknown (checked later)
        ("nóm = 'x'", "unexpected character 'ó'", 1),
        ("(" * (MAX_DEPTH + 1) + "a = 1" + ")" * (MAX_DEPTH + 1), "nested more than", None),
        ("not " * (MAX_DEPTH + 1) + "a = 1", "nested more than", None),
        ("name = '" + "x" * 5000 + "'", "longer than", None),
    ],
)
def test_the_parser_refuses(text, message, position):
    if message is None:
        parse(text)
        return
    with pytest.raises(FilterError) as caught:
        parse(text)
    assert message in caught.value.message
    if position is not None:
        assert caught.value.position == position


@pytest.mark.parametrize(
    ("pattern", "regex"),
    [
        ("J%", "(?s)^J.*$"),
        ("_ob", "(?s)^.ob$"),
        (r"100\%", "(?s)^100%$"),
        (r"a\_b", "(?s)^a_b$"),
        ("a.b(c)*[d]$^|+?{e}", r"(?s)^a\.b\(c\)\*\[d\]\$\^\|\+\?\{e\}$"),
        ("back\\", r"(?s)^back\\$"),
    ],
)
def test_like_patterns_become_anchored_regular_expressions(pattern, regex):
    assert like_regex(pattern) == regex
