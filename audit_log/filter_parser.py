"""The audit log's ``filter``: a safe subset of PartiQL, parsed into a small tree that
:mod:`audit_log.filter_query` turns into ``Q`` objects. The text never reaches the database.

Grammar (keywords and function names are case-insensitive)::

    filter     := or
    or         := and ("OR" and)*
    and        := not ("AND" not)*
    not        := "NOT" not | "(" or ")" | call | comparison
    call       := ("begins_with" | "contains") "(" path "," 'text' ")"
    comparison := path ("=" | "!=" | "<>" | "<" | "<=" | ">" | ">=") value
    value      := 'text' ('' inside is a quote) | number | TRUE | FALSE | min_ulid(number)
    path       := name ("." name)*

Anything else (double-quoted names, ``[index]``, other functions, a value on the left,
``;``, trailing words) is refused with its position and the token found there.
"""

import math
import re
from dataclasses import dataclass

from cms import filter_tokens
from cms.filter_tokens import INT_RANGE, Cursor, Token, unquote

MAX_FILTER_LENGTH = 4000
MAX_DEPTH = 32
FUNCTIONS = ("begins_with", "contains")
COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^']|'')*')
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<punct>[().,])
    """,
    re.VERBOSE,
)


class FilterError(ValueError):
    """``code`` is the stable ``details.code``; ``position`` a 0-based offset."""

    def __init__(self, code: str, position: int, token: str, message: str):
        super().__init__(message)
        self.code, self.position, self.token, self.message = code, position, token, message


@dataclass(frozen=True)
class Path:
    names: tuple[str, ...]
    position: int

    @property
    def dotted(self) -> str:
        return ".".join(self.names)


@dataclass(frozen=True)
class Compare:
    path: Path
    op: str
    value: object  # str, int, float or bool
    ulid: bool = False  # the value came from min_ulid()


@dataclass(frozen=True)
class Call:
    function: str
    path: Path
    text: str


@dataclass(frozen=True)
class Not:
    node: object


@dataclass(frozen=True)
class And:
    nodes: tuple


@dataclass(frozen=True)
class Or:
    nodes: tuple


def _unreadable(text: str, position: int) -> FilterError:
    char = text[position]
    if char == "'":
        return FilterError("UNTERMINATED_STRING", position, char, "A ' is not closed.")
    return FilterError(
        "UNEXPECTED_CHARACTER", position, char, f"Can't read {char!r} at {position}."
    )


def tokenize(text: str) -> list[Token]:
    """Tokens of kinds string, number, name, op, punct, then end."""
    return filter_tokens.tokenize(text, _TOKEN, _unreadable)


def parse(text: str):
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterError(
            "FILTER_TOO_LONG", MAX_FILTER_LENGTH, "", f"At most {MAX_FILTER_LENGTH} characters."
        )
    parser = _Parser(tokenize(text))
    tree = parser.or_()
    parser.expect_end()
    return tree


class _Parser(Cursor):
    def keyword(self, word: str) -> bool:
        if self.token.kind == "name" and self.token.text.lower() == word:
            self.advance()
            return True
        return False

    def punct(self, char: str) -> None:
        if self.token.kind == "punct" and self.token.text == char:
            self.advance()
            return
        self.fail(f"Expected {char!r}")

    def fail(self, expected: str, code: str | None = None):
        token = self.token
        found = "the end" if token.kind == "end" else repr(token.text)
        message = f"{expected}, found {found}."
        if code is not None:
            raise FilterError(code, token.position, token.text, message)
        if token.kind == "end":
            raise FilterError("UNEXPECTED_END", token.position, "", message)
        raise FilterError("UNEXPECTED_TOKEN", token.position, token.text, message)

    def expect_end(self) -> None:
        if self.token.kind != "end":
            self.fail("Expected AND, OR or the end")

    def or_(self):
        nodes = [self.and_()]
        while self.keyword("or"):
            nodes.append(self.and_())
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def and_(self):
        nodes = [self.not_()]
        while self.keyword("and"):
            nodes.append(self.not_())
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def not_(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"Nested deeper than {MAX_DEPTH}", "FILTER_TOO_DEEP")
        try:
            if self.keyword("not"):
                return Not(self.not_())
            if self.token.kind == "punct" and self.token.text == "(":
                self.advance()
                node = self.or_()
                self.punct(")")
                return node
            return self.call_or_comparison()
        finally:
            self.depth -= 1

    def call_or_comparison(self):
        token = self.token
        if token.kind != "name" or token.text.lower() in {"and", "or", "true", "false"}:
            self.fail("Expected a field, NOT, '(' or a function")
        following = self.following()
        if following.kind == "punct" and following.text == "(":
            return self.call()
        path = self.path()
        if self.token.kind != "op":
            self.fail("Expected a comparison (=, !=, <, <=, >, >=)")
        op = self.advance().text
        op = "!=" if op == "<>" else op
        value, ulid = self.value()
        return Compare(path, op, value, ulid)

    def call(self):
        name = self.advance()
        function = name.text.lower()
        if function not in FUNCTIONS:
            raise FilterError(
                "UNKNOWN_FUNCTION",
                name.position,
                name.text,
                f"Unknown function {name.text!r}: use {', '.join(FUNCTIONS)} "
                "(min_ulid is a value).",
            )
        self.punct("(")
        path = self.path()
        self.punct(",")
        if self.token.kind != "string":
            self.fail(f"{function}() takes a quoted text")
        text = unquote(self.advance().text)
        self.punct(")")
        return Call(function, path, text)

    def path(self) -> Path:
        if self.token.kind != "name":
            self.fail("Expected a field")
        start = self.token.position
        names = [self.advance().text]
        while self.token.kind == "punct" and self.token.text == ".":
            self.advance()
            if self.token.kind != "name":
                self.fail("Expected a name after '.'")
            names.append(self.advance().text)
        return Path(tuple(names), start)

    def value(self) -> tuple[object, bool]:
        token = self.token
        if token.kind == "string":
            self.advance()
            return unquote(token.text), False
        if token.kind == "number":
            self.advance()
            return _number(token), False
        if token.kind == "name" and token.text.lower() in {"true", "false"}:
            self.advance()
            return token.text.lower() == "true", False
        if token.kind == "name" and token.text.lower() == "min_ulid":
            self.advance()
            self.punct("(")
            if self.token.kind != "number":
                self.fail("min_ulid() takes a unix time in seconds")
            seconds = _number(self.advance())
            self.punct(")")
            return seconds, True
        if token.kind == "name":
            following = self.following()
            if following.kind == "punct" and following.text == "(":
                raise FilterError(
                    "UNKNOWN_FUNCTION",
                    token.position,
                    token.text,
                    f"Unknown function {token.text!r}: a value is text, a number, true, "
                    "false or min_ulid(unix seconds).",
                )
        self.fail("Expected a value: 'text', a number, true, false or min_ulid(...)")


def _number(token: Token):
    text = token.text
    value = float(text) if any(c in text for c in ".eE") else int(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise FilterError("INVALID_NUMBER", token.position, text, f"{text} is not a number.")
    if isinstance(value, int) and not INT_RANGE[0] <= value <= INT_RANGE[1]:
        raise FilterError("INVALID_NUMBER", token.position, text, f"{text} is out of range.")
    return value
