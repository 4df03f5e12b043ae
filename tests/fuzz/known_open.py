"""KNOWN_OPEN: problem families that are known and being fixed elsewhere (issue 10's other
parts, or reported to the lead because the fix belongs in another helper's files).

The bounded fuzz test fails on any family NOT listed here. When the fixes are merged, the
lead empties this list (and the test then holds the line for good). Each entry is a name
and a predicate over a finding (its ``family`` string, ``detail`` and ``reproduction``).
"""

from urllib.parse import parse_qsl


def _any(*markers):
    return lambda finding: any(marker in finding.family for marker in markers)


def _empty_query_key(finding) -> bool:
    pairs = parse_qsl(finding.reproduction.query, keep_blank_values=True)
    return "IndexError" in finding.family and any(key == "" for key, _ in pairs)


def _in_block_code(finding) -> bool:
    confused = any(name in finding.family for name in ("TypeError", "AttributeError", "KeyError"))
    where = ("items/validation.py", "field_types/blocks.py")
    return confused and any(place in finding.family for place in where)


def _surrogates(finding) -> bool:
    if _any("surrogates not allowed", "UnicodeEncodeError")(finding):
        return True
    # PostgreSQL's JSON parser refuses a lone \udfff escape as "invalid input syntax".
    sent = finding.reproduction.body.lower()
    return "invalid input syntax for type json" in finding.family and b"\\ud" in sent


KNOWN_OPEN = [
    ("lone surrogates", _surrogates),
    ("NUL bytes on PostgreSQL", _any("cannot contain NUL", "\\u0000")),
    ("empty query key (?=1)", _empty_query_key),
    ("JSON nested 10,000 deep", _any("RecursionError")),
    ("type confusion inside blocks", _in_block_code),
    (
        "out-of-range dates",
        _any("date value out of range", "year", "time zone displacement out of range"),
    ),
    (
        "numbers too large for the database (and nan/inf)",
        _any(
            "OverflowError",
            "NumericValueOutOfRange",
            "out of range for type",
            "bigint out of range",
            "integer out of range",
            "invalid input syntax for type json",
            "malformed JSON",  # SQLite, nan
            "datatype mismatch",  # SQLite, a 30-digit offset
        ),
    ),
    (
        "invalid regex in matches",
        _any("regular expression", "re.error", "PatternError", "user-defined function raised"),
    ),
    ("long indexed string on PostgreSQL", _any("index row size", "ProgramLimitExceeded")),
    # Issue 10 defect 5: a chunked (or empty) signed PUT stores 0 bytes and answers 200.
    ("chunked or empty signed upload PUT", _any("signed PUT answered 2xx")),
    # Not fixed here (uploads/views.py, another helper's file): serve_media lets the OS
    # refuse a name over 255 bytes (ENAMETOOLONG), a 500 instead of a 404.
    ("long /media/ name", _any("File name too long")),
    # Not fixed here (cms/api/middleware.py, another helper's file): a bad X-Api-Version is
    # answered in the CMA's error shape under /rest/ too.
    (
        "X-Api-Version refusal under /rest/",
        lambda f: f.family == "record API 400 answer shape" and "INVALID_API_VERSION" in f.detail,
    ),
]


def known_family(finding) -> str | None:
    """The KNOWN_OPEN name a finding belongs to, or None if it is new."""
    for name, matches in KNOWN_OPEN:
        if matches(finding):
            return name
    return None
