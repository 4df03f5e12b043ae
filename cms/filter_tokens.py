"""What the two filter grammars share: the record API's DreamFactory-style ``filter``
(:mod:`record_api.filter_parser`) and the audit log's PartiQL subset
(:mod:`audit_log.filter_parser`).

Each grammar has its own token pattern and its own errors (both on the wire already);
this module runs the pattern over the text and gives the parsers their cursor, so the
scanning loop, the token and the quoted-text rule exist once.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

INT_RANGE = (-(2**63), 2**63 - 1)  # a bigint's


@dataclass(frozen=True)
class Token:
    kind: str  # the pattern's group that matched, or "end"
    text: str
    position: int
    value: object = None  # what the grammar reads the text as, where it says


def tokenize(
    text: str,
    pattern: re.Pattern,
    unreadable: Callable[[str, int], Exception],
    token: Callable[[str, re.Match], Token] | None = None,
) -> list[Token]:
    """``text``'s tokens, then an ``end`` one. The named group of ``pattern`` that
    matched is a token's kind; ``space`` is skipped. ``unreadable(text, index)`` is
    raised where no group matches; ``token(kind, match)`` makes a token with its value
    (by default, the kind and text only)."""
    tokens, index = [], 0
    while index < len(text):
        match = pattern.match(text, index)
        if match is None:
            raise unreadable(text, index)
        kind = match.lastgroup
        if kind != "space":
            tokens.append(token(kind, match) if token else Token(kind, match.group(), index))
        index = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def unquote(text: str) -> str:
    """A single-quoted text's value (``''`` inside is a quote)."""
    return text[1:-1].replace("''", "'")


class Cursor:
    """A recursive-descent parser's place in the tokens, and how deep it has nested."""

    def __init__(self, tokens: list[Token]):
        self.tokens, self.index, self.depth = tokens, 0, 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def following(self) -> Token:
        """The token after the current one (the last is always ``end``)."""
        return self.tokens[min(self.index + 1, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.token
        self.index += 1
        return token
