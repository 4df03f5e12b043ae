"""Every error code the API can answer is in the catalog (cms/api/codes.py), and only those.

The codes are found where they are raised, whichever module that is: the source of every app
package is read with ``ast``, and the registries that build codes from names (the field
validators, DRF's validation codes) are read as they are. A code reaches an answer as

- the first argument of ``ApiError(code, status, ...)`` or ``json_error(code, status, ...)``,
  or of a function that passes its ``code`` (or ``error_code``) parameter on to one of them
  (``check_pattern``): the answer's code;
- a ``code=`` keyword (``ApiError(..., code=...)``, ``invalid_field(field, code)``), or the
  ``code`` parameter of any other function (``FieldValueError``, ``expect``, ``fail``):
  ``details.code``, the reason;
- ``return CODE, {details}`` (a check that answers a code and its details): the answer's code.

A code missing from the catalog, a cataloged code raised nowhere, or a status written at a
raise site that is not the cataloged one fails, naming the code and where it is raised.
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions as drf

from cms.api.codes import CODES, REASONS, markdown
from cms.api.errors import DRF_CODE_MAP, errors_for
from item_types.models import ItemType
from item_types.validators import VALIDATORS, Validator
from items.models import Item
from tests.conftest import error_codes

REPO = Path(__file__).resolve().parents[2]
CODE_SHAPE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")
CODE_PARAMETERS = {"code", "error_code"}
ANSWERS = {"ApiError", "json_error"}  # their first argument is the answer's code
# Statuses written at a raise site that never reach an answer: a batch record's problems are
# listed in the batch's own answer (422, or 400 with DreamFactory's code 1000).
UNANSWERED_STATUSES = {("INVALID_FORMAT", 400)}


@dataclass(frozen=True)
class Raised:
    code: str
    answer: bool  # the answer's code (else details.code)
    status: int | None  # when written at the raise site
    where: str


@dataclass(frozen=True)
class Taker:
    """A callable with a code parameter: where that parameter is, and what it becomes."""

    index: int | None  # its position among the positional parameters
    keyword: str | None  # its name, unless positional-only
    answer: bool


def _source_trees() -> dict[str, ast.Module]:
    packages = [p for p in REPO.iterdir() if (p / "__init__.py").exists() and p.name != "tests"]
    return {
        str(path.relative_to(REPO)): ast.parse(path.read_text(), str(path))
        for package in sorted(packages)
        for path in sorted(package.rglob("*.py"))
        if "migrations" not in path.parts
    }


def _called(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def _strings(node) -> list[str]:
    """The code-shaped texts an expression can be (both branches of ``a if c else b``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if CODE_SHAPE.fullmatch(node.value) else []
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def _is_static(function: ast.FunctionDef) -> bool:
    return any(getattr(d, "id", None) == "staticmethod" for d in function.decorator_list)


def _functions(tree: ast.Module):
    """(name it is called by, function, is a method) for every function; __init__ is called
    by its class's name."""
    methods = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and not _is_static(item):
                    methods[item] = node.name if item.name == "__init__" else item.name
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            yield methods.get(node, node.name), node, node in methods


def _takers(trees) -> tuple[dict[str, list[Taker]], list[Raised]]:
    takers, defaults = {}, []
    for path, tree in trees.items():
        for name, function, is_method in _functions(tree):
            arguments = function.args
            positional = arguments.posonlyargs + arguments.args
            positional = positional[1:] if is_method else positional
            names = [a.arg for a in positional]
            for parameter in CODE_PARAMETERS & {a.arg for a in positional + arguments.kwonlyargs}:
                answer = name in ANSWERS or any(
                    isinstance(call, ast.Call)
                    and _called(call) in ANSWERS
                    and call.args
                    and isinstance(call.args[0], ast.Name)
                    and call.args[0].id == parameter
                    for call in ast.walk(function)
                )
                positional_only = parameter in {a.arg for a in arguments.posonlyargs}
                takers.setdefault(name, []).append(
                    Taker(
                        names.index(parameter) if parameter in names else None,
                        None if positional_only else parameter,
                        answer,
                    )
                )
                with_defaults = positional[len(positional) - len(arguments.defaults) :]
                for argument, default in zip(with_defaults, arguments.defaults, strict=True):
                    if argument.arg == parameter:
                        where = f"{path}:{default.lineno}"
                        defaults += [Raised(c, answer, None, where) for c in _strings(default)]
    return takers, defaults


def _raised_by_call(call: ast.Call, takers: list[Taker], where: str) -> list[Raised]:
    status = None
    if _called(call) in ANSWERS and len(call.args) > 1 and isinstance(call.args[1], ast.Constant):
        status = call.args[1].value
        if status < 400:
            return []  # json_error("OK", 200): a JSON answer that is not an error
    found = []
    for taker in takers:
        if taker.index is not None and len(call.args) > taker.index:
            found += [
                Raised(c, taker.answer, status, where) for c in _strings(call.args[taker.index])
            ]
    for keyword in call.keywords:
        if keyword.arg in CODE_PARAMETERS:
            answer = any(t.keyword == keyword.arg and t.answer for t in takers)
            found += [Raised(c, answer, None, where) for c in _strings(keyword.value)]
    return found


def _raised_in_source() -> list[Raised]:
    trees = _source_trees()
    takers, found = _takers(trees)
    for path, tree in trees.items():
        for node in ast.walk(tree):
            where = f"{path}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):
                found += _raised_by_call(node, takers.get(_called(node), []), where)
            elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
                parts = node.value.elts
                if len(parts) == 2 and isinstance(parts[1], ast.Dict):
                    found += [Raised(c, True, None, where) for c in _strings(parts[0])]
    return found


def _answered_validators() -> list[Raised]:
    """Validators that check values (or whose name record validation answers for a link or
    block it refuses) answer ``VALIDATION_<NAME>``."""
    return [
        Raised(validator.code, False, None, f"VALIDATORS[{name!r}]")
        for name, validator in VALIDATORS.items()
        if type(validator).check is not Validator.check
        or type(validator).check_upload is not Validator.check_upload
        or hasattr(validator, "allows")
    ]


def _drf_codes() -> list[Raised]:
    return [Raised(code, False, None, "DRF_CODE_MAP") for code in DRF_CODE_MAP.values()]


@pytest.fixture(scope="module")
def raised() -> list[Raised]:
    return _raised_in_source() + _answered_validators() + _drf_codes()


def test_the_scan_finds_codes_of_each_kind(raised):
    found = {(r.code, r.answer) for r in raised}
    # One of each way a code is written, so that a broken scan can't pass the tests below.
    assert ("NOT_FOUND", True) in found  # ApiError("NOT_FOUND", 404)
    assert ("INVALID_API_VERSION", True) in found  # json_error(...)
    assert ("INVALID_PATH", True) in found  # return "INVALID_PATH", {...}
    assert ("VALIDATION_UNIQUENESS", False) in found  # ApiError(..., code=...)
    assert ("VALIDATION_RESERVED", False) in found  # invalid_field(field, code)
    assert ("VALIDATION_STRUCTURED_TEXT_NODE", False) in found  # visitor.fail(code)
    assert ("VALIDATION_ENUM", False) in found  # the validators' registry
    assert ("VALIDATION_UNIQUE", False) not in found  # unique answers VALIDATION_UNIQUENESS


def test_every_code_raised_is_in_the_catalog(raised):
    missing = sorted(
        f"{r.code} ({'code' if r.answer else 'details.code'}) at {r.where}"
        for r in raised
        if r.code not in (CODES if r.answer else REASONS)
    )
    assert not missing, "Add these to cms/api/codes.py:\n" + "\n".join(missing)


def test_every_code_in_the_catalog_is_raised_somewhere(raised):
    answers = {r.code for r in raised if r.answer}
    reasons = {r.code for r in raised if not r.answer}
    unraised = sorted(set(CODES) - answers)
    assert not unraised, f"cataloged as code, raised nowhere: {unraised}"
    unraised = sorted(set(REASONS) - reasons)
    assert not unraised, f"cataloged as details.code, raised nowhere: {unraised}"


def test_a_code_is_raised_with_its_cataloged_status(raised):
    wrong = sorted(
        f"{r.code} {r.status} at {r.where}, cataloged {CODES[r.code].status}"
        for r in raised
        if r.answer
        and r.status is not None
        and r.code in CODES
        and r.status != CODES[r.code].status
        and (r.code, r.status) not in UNANSWERED_STATUSES
    )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "exception",
    [
        drf.ParseError(),
        drf.AuthenticationFailed(),
        drf.NotAuthenticated(),
        drf.PermissionDenied(),
        drf.NotFound(),
        drf.MethodNotAllowed("PATCH"),
        drf.NotAcceptable(),
        drf.UnsupportedMediaType("text/plain"),
        drf.Throttled(wait=3),
        drf.ValidationError({"name": ["This field is required."]}, code="required"),
        DjangoValidationError({"name": ["Not this."]}),
        DjangoPermissionDenied(),
        Http404(),
        TooManyFieldsSent(),
    ],
    ids=lambda exception: type(exception).__name__,
)
def test_the_exceptions_the_api_maps_answer_cataloged_codes(exception):
    for error in errors_for(exception):
        assert CODES[error.code].status == error.status, error.code
        if "code" in error.details:
            assert error.details["code"] in REASONS


def test_the_catalog_prints_as_markdown_tables():
    text = markdown()
    assert "| 404 | `NOT_FOUND` | " in text
    assert "| `VALIDATION_REQUIRED` | " in text
    assert len(text.splitlines()) == len(CODES) + len(REASONS) + 5


# --- What the API answers ------------------------------------------------------------------


def _record_api_codes(response) -> list[tuple]:
    context = response.body["error"]["context"] or {}
    problems = context.get("error") or []
    return [(p["error"], p.get("field"), p.get("code")) for p in problems if isinstance(p, dict)]


def _assert_cataloged(response, codes):
    assert codes, response.body
    for code, _field, reason in codes:
        assert CODES[code].status == response.status_code, (code, response.status_code)
        assert reason is None or reason in REASONS, reason


def test_every_error_of_representative_requests_carries_a_cataloged_code(api, anonymous_api):
    item_type = api.create_item_type("article")
    api.create_field(item_type["id"], "title", "string", validators={"required": {}})
    before = (ItemType.objects.count(), Item.objects.count())
    answers = [
        anonymous_api.get("/items"),
        api.get("/items/nope"),
        api.get("/items?filter[fields][nope][eq]=1"),
        api.get("/items", headers={"X-Api-Version": "2"}),
        api.post("/item-types", {"data": {"type": "item_type"}}),
        api.post("/item-types", {"type": "item_type"}),
        api.post(
            "/items",
            {
                "data": {
                    "type": "item",
                    "attributes": {"title": "Hi"},
                    "relationships": {"item_type": {"data": {"type": "item_type", "id": "x"}}},
                }
            },
        ),
        api.post(
            "/items",
            {
                "data": {
                    "type": "item",
                    "attributes": {"title": "", "nope": 1},
                    "relationships": {
                        "item_type": {"data": {"type": "item_type", "id": item_type["id"]}}
                    },
                }
            },
        ),
    ]
    for response in answers:
        assert response.status_code >= 400, response.body
        _assert_cataloged(response, error_codes(response))
    assert [[(code, reason) for code, _, reason in error_codes(r)] for r in answers] == [
        [("INVALID_AUTHORIZATION_HEADER", None)],
        [("NOT_FOUND", None)],
        [("INVALID_FILTER_FIELDS_PARAM", None)],
        [("INVALID_API_VERSION", None)],
        [("INVALID_FIELD", "VALIDATION_REQUIRED")] * 2,
        [("INVALID_FORMAT", None)],
        [("ITEM_TYPE_NOT_FOUND", None)],
        [
            ("INVALID_ATTRIBUTES", "VALIDATION_UNKNOWN_FIELD"),
            ("INVALID_FIELD", "VALIDATION_REQUIRED"),
        ],
    ]
    # Under /rest/, errors that are not the record API's own carry the same codes.
    refused = api.post("/rest/db/article", {"title": ""})
    assert refused.status_code == 422, refused.body
    _assert_cataloged(refused, _record_api_codes(refused))
    assert ("INVALID_FIELD", "title", "VALIDATION_REQUIRED") in _record_api_codes(refused)
    # The record API's own refusals carry DreamFactory's numeric code, as the catalog says.
    unknown = api.get("/rest/nope/article")
    assert (unknown.status_code, unknown.body["error"]["code"]) == (404, 404)
    assert (ItemType.objects.count(), Item.objects.count()) == before
