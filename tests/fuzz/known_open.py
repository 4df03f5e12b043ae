"""KNOWN_OPEN: problem families that are known and being fixed elsewhere (issue 10's other
parts, or reported to the lead because the fix belongs in another helper's files).

The bounded fuzz test fails on any family NOT listed here. When the fixes are merged, the
lead empties this list (and the test then holds the line for good). Each entry is a name
and a predicate over a finding (its ``family`` string and the ``reproduction`` request).
"""

from urllib.parse import parse_qsl


def _family_has(*markers):
    return lambda finding: all(marker in finding.family for marker in markers)


def _empty_query_key(finding) -> bool:
    pairs = parse_qsl(finding.reproduction.query, keep_blank_values=True)
    return "IndexError" in finding.family and any(key == "" for key, _ in pairs)


KNOWN_OPEN = [
    ("JSON nested 10,000 deep", _family_has("RecursionError")),
    # Issue 10 defect 5: a chunked (or empty) signed PUT stores 0 bytes and answers 200.
    ("chunked or empty signed upload PUT", _family_has("signed PUT answered 2xx")),
    ("empty query key (?=1)", _empty_query_key),
    # cms/api/middleware.py answers a bad X-Api-Version in the CMA's shape under /rest/ too.
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
