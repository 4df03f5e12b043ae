"""``filter[query]`` (full-text search over a record's ``search_text``) and its relevance,
``order_by=_rank_DESC``.

PostgreSQL: a text search (``to_tsvector('simple', …) @@ to_tsquery``) that the GIN index
``items_search`` answers; the index holds only rows with text (blocks and records without
text can't match, and their writes skip it), so the condition states that too, for the
planner to see that the index covers it; each word of the query is a prefix
(``anv`` finds "anvil"), and every word must be there. The ``simple`` configuration
lowercases and keeps every word as written (no language's stemming or stop words: records
hold every locale's text). Relevance is ``ts_rank``. The index holds a record's first
:data:`INDEXED_CHARACTERS` characters of text (a text search value has a size limit).

SQLite: each word is a substring of the text (``LIKE``, a scan); relevance counts how
often the words occur.
"""

import re

from django.db import connection
from django.db.models import BooleanField, F, FloatField, Func, Q, Value
from django.db.models.functions import Cast, Length, Replace

from cms.api.filters import search_words

#: The characters of ``search_text`` the GIN index holds: a tsvector's lexemes may take at
#: most 1 MB, which this many characters (4 bytes at most each) never exceed.
INDEXED_CHARACTERS = 250_000
WORD = re.compile(r"[^\W_]+")  # PostgreSQL's parser splits words at "_" too


def _document(sql: str) -> str:
    """The indexed expression, written as the index is (the planner matches it)."""
    return f"to_tsvector('simple'::regconfig, left({sql}, {INDEXED_CHARACTERS}))"


def _has_text(sql: str) -> str:
    """The index's predicate (migration search_index_only_text), written as it is."""
    return f"{sql} <> ''"


class _SearchMatch(Func):
    """``document @@ query``: the text holds every word of the query."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra):
        (text, text_params), (query, query_params) = (
            compiler.compile(e) for e in self.source_expressions
        )
        # An empty text matches no query: the predicate changes no result.
        match = f"{_document(text)} @@ to_tsquery('simple'::regconfig, {query})"
        sql = f"({_has_text(text)} AND {match})"
        return sql, [*text_params, *text_params, *query_params]


class _Rank(Func):
    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra):
        (text, text_params), (query, query_params) = (
            compiler.compile(e) for e in self.source_expressions
        )
        sql = f"ts_rank({_document(text)}, to_tsquery('simple'::regconfig, {query}))"
        return sql, [*text_params, *query_params]


def _tsquery(words: list[str]) -> str:
    """Every word as a quoted prefix lexeme (``'anv':* & 'seed':*``): runs of letters and
    digits, which is what the parser splits text into too."""
    return " & ".join(f"'{run}':*" for word in words for run in WORD.findall(word))


def search(value) -> tuple[Q, object]:
    """(The condition ``filter[query]`` puts on records, their relevance)."""
    words = search_words(value)
    if connection.vendor == "postgresql":
        query = _tsquery(words)
        if not query:  # only punctuation: no word to find
            return Q(pk__in=[]), Value(0.0)
        text, terms = F("search_text"), Value(query)
        return Q(_SearchMatch(text, terms)), _Rank(text, terms)
    condition = Q()
    rank = Value(0.0)
    for word in words:
        condition &= Q(search_text__contains=word)
        occurrences = Length("search_text") - Length(Replace("search_text", Value(word), Value("")))
        rank = rank + Cast(occurrences, FloatField()) / len(word)
    return condition, rank
