"""The parsed filter (:mod:`audit_log.filter_parser`) as a ``Q``: each path names a column
or a key inside a payload; values are parameters, key names are passed to Django's JSON
key transforms (parameters too). Text matching is case-sensitive on both databases
(``begins_with`` compares a prefix, ``contains`` a position: no LIKE and its escapes)."""

from django.db.models import F, IntegerField, Q, Value
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Length, StrIndex, Substr
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
)

from audit_log.filter_parser import And, Call, Compare, FilterError, Not, Or, Path
from audit_log.ulid import min_ulid

TEXT, NUMBER, BOOLEAN, JSON = "text", "number", "boolean", "json"

#: path -> (column, kind)
FIELDS = {
    "id": ("id", TEXT),
    "action_name": ("action_name", TEXT),
    "actor.type": ("actor_type", TEXT),
    "actor.id": ("actor_id", TEXT),
    "actor.name": ("actor_name", TEXT),
    "role.id": ("role_id", TEXT),
    "role.name": ("role_name", TEXT),
    "environment.id": ("environment_id", TEXT),
    "environment.primary": ("environment_primary", BOOLEAN),
    "request.path": ("request_path", TEXT),
    "request.method": ("request_method", TEXT),
    "request.id": ("request_id", TEXT),
    "response.status": ("response_status", NUMBER),
}
#: path prefix -> JSON column: ``request.payload.data.id`` reads ``data.id`` in it.
PAYLOADS = {"request.payload": "request_payload", "response.payload": "response_payload"}
LOOKUPS = {
    "=": Exact,
    "<": LessThan,
    "<=": LessThanOrEqual,
    ">": GreaterThan,
    ">=": GreaterThanOrEqual,
}


def to_q(node) -> Q:
    if isinstance(node, And):
        return Q(*(to_q(n) for n in node.nodes))
    if isinstance(node, Or):
        combined = Q()
        for n in node.nodes:
            combined |= to_q(n)
        return combined
    if isinstance(node, Not):
        return ~to_q(node.node)
    if isinstance(node, Call):
        return _call(node)
    return _compare(node)


def _compare(node: Compare) -> Q:
    expression, kind = _resolve(node.path)
    value = node.value
    if node.ulid:
        if node.path.dotted != "id":
            _mismatch(node.path, "min_ulid() compares with id only")
        value = min_ulid(value)
    if kind == JSON:
        # Text compares as text; numbers and booleans as JSON values.
        if isinstance(value, str):
            expression = KeyTextTransform(expression.key_name, *expression.source_expressions)
    elif kind == TEXT and not isinstance(value, str):
        _mismatch(node.path, f"{node.path.dotted} is text: compare it with 'quoted text'")
    elif kind == NUMBER and (isinstance(value, bool) or not isinstance(value, int | float)):
        _mismatch(node.path, f"{node.path.dotted} is a number")
    elif kind == BOOLEAN and (not isinstance(value, bool) or node.op not in {"=", "!="}):
        _mismatch(node.path, f"{node.path.dotted} is true or false, compared with = or !=")
    if node.op == "!=":
        return ~Q(Exact(expression, value))
    return Q(LOOKUPS[node.op](expression, value))


def _call(node: Call) -> Q:
    expression, kind = _resolve(node.path)
    if kind == JSON:
        expression = KeyTextTransform(expression.key_name, *expression.source_expressions)
    elif kind != TEXT:
        _mismatch(node.path, f"{node.function}() reads text; {node.path.dotted} is not")
    text = Value(node.text)
    if node.function == "begins_with":
        prefix = Substr(expression, 1, Length(text))
        return Q(Exact(prefix, text))
    return Q(GreaterThan(StrIndex(expression, text, output_field=IntegerField()), 0))


def _resolve(path: Path):
    dotted = path.dotted
    if dotted in FIELDS:
        column, kind = FIELDS[dotted]
        return F(column), kind
    for prefix, column in PAYLOADS.items():
        if dotted.startswith(prefix + "."):
            expression = column
            for key in path.names[len(prefix.split(".")) :]:
                expression = KeyTransform(key, expression)
            return expression, JSON
    known = ", ".join([*FIELDS, *(f"{p}.<key>..." for p in PAYLOADS)])
    raise FilterError(
        "UNKNOWN_FIELD", path.position, dotted, f"Unknown field {dotted!r}; known: {known}."
    )


def _mismatch(path: Path, message: str):
    raise FilterError("TYPE_MISMATCH", path.position, path.dotted, message + ".")
