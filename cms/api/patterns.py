"""Regular expressions from API users, run in linear time on every database.

A ``matches`` filter pattern (``filter[fields][<f>][matches][pattern]``) is written in
RE2's syntax, restricted to what PostgreSQL's regular expressions read the same way, so
that a filter answers the same on both databases (:func:`check_pattern`):

- everything RE2 takes (``. * + ? {m,n} [...] [[:alpha:]] ^ $ | (...) (?:...)``, lazy
  quantifiers), ``.`` matching a newline too, except:
- escapes other than ``\\d \\D \\s \\S \\w \\W \\n \\t \\r \\f \\v`` or a backslash before a
  punctuation character (``\\b``, ``\\A``, ``\\z``, ``\\pL``, ``\\Q`` and back-references
  mean something else, or nothing, to one of the engines);
- groups that start ``(?`` other than ``(?:`` (flags: ``case_sensitive`` says it; named
  groups), negated POSIX classes (``[[:^alpha:]]``), repetition counts over 255 and an
  unclosed ``{m,n}`` (PostgreSQL's limits);
- programs over :data:`MAX_PROGRAM_SIZE` RE2 instructions.

One difference is left: classes (``\\w``, ``[[:alpha:]]``) are ASCII on SQLite and follow
the database's locale on PostgreSQL. A format validator's ``custom_pattern`` only ever
runs in RE2, so it takes all of RE2's syntax, within the same size.

RE2 compiles no back-references or look-arounds and matches in time linear in the text.
SQLite runs every ``REGEXP`` through :func:`regexp` (installed on each connection by
:mod:`cms.db`, replacing Django's own, which uses Python's backtracking ``re``);
PostgreSQL runs its own engine (which answers ``~`` without backtracking too), under the
statement timeout.
"""

import functools
import re

import re2

from cms.api.errors import ApiError

MAX_PATTERN_LENGTH = 1000
#: RE2's program size (about one instruction per character to match; "." is eight, for
#: UTF-8). Matching costs at worst about this many steps per byte of the value, in one
#: call SQLite can't interrupt: the bound keeps one row's match short.
MAX_PROGRAM_SIZE = 1000
PLAIN_ESCAPES = frozenset("dDsSwWntrfv")
MAX_REPEAT = 255  # PostgreSQL's largest {m,n} (RE2 takes 1000)
REPEAT = re.compile(r"\{(\d+)(?:,(\d*))?\}")
REPEAT_OPENING = re.compile(r"(?<!\\)\{\d")


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # a user's bad pattern is a 422, not a line in the log
    options.never_capture = True  # captures are never read: the faster matchers
    return options


@functools.lru_cache(maxsize=512)
def compiled(pattern: str):
    """The RE2 program for ``pattern``; ``re2.error`` if RE2 can't compile it."""
    return re2.compile(pattern, _options())


def too_complex(pattern: str) -> str | None:
    """Why RE2 can't run ``pattern`` in a short time per byte, if it can't (or can't
    compile it at all)."""
    try:
        size = compiled(pattern).programsize
    except re2.error as error:
        return _reason(error)
    if size > MAX_PROGRAM_SIZE:
        return f"it is too complex ({size} steps per character, at most {MAX_PROGRAM_SIZE})"
    return None


def regexp(pattern, string):
    """SQLite's ``REGEXP`` function (``string REGEXP pattern``), as Django's, but RE2."""
    if pattern is None or string is None:
        return None
    return compiled(pattern).search(string if isinstance(string, str) else str(string)) is not None


def _unsupported(pattern: str) -> str | None:
    """Why the databases would read ``pattern`` differently, if they would."""
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            follower = pattern[index + 1]
            if follower.isalnum() and follower not in PLAIN_ESCAPES:
                return f"the escape \\{follower} is not supported"
            index += 2
            continue
        if pattern.startswith("(?", index) and not pattern.startswith("(?:", index):
            return "groups starting (? are not supported, except (?:...)"
        index += 1
    if "[:^" in pattern:
        return "negated POSIX classes ([[:^alpha:]]) are not supported"
    repeats = list(REPEAT.finditer(pattern))
    if {m.start() for m in REPEAT_OPENING.finditer(pattern)} - {m.start() for m in repeats}:
        return "an unclosed {m,n} repetition (write a literal { as \\{)"
    if any(int(n) > MAX_REPEAT for match in repeats for n in match.groups() if n):
        return f"a repetition count is at most {MAX_REPEAT}"
    return None


def check_pattern(pattern: str, parameter: str, error_code: str, **details) -> str:
    """``pattern`` if it is in the API's pattern language, else a 422 naming ``parameter``.

    Checked before any query runs: RE2 compiles it within its memory budget (a pattern
    whose program would be too large is refused too).
    """

    def refuse(message: str) -> ApiError:
        return ApiError(error_code, 422, parameter=parameter, message=message, **details)

    if not isinstance(pattern, str):
        raise refuse("A pattern is a text value.")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise refuse(f"A pattern is at most {MAX_PATTERN_LENGTH} characters.")
    if "\x00" in pattern:
        raise refuse("A pattern can't hold NUL characters.")
    # Syntax errors quote the pattern as written; its size is the one the databases run
    # ("." matching "\n", case-sensitive or not).
    why = (
        _unsupported(pattern)
        or _syntax_error(pattern)
        or too_complex("(?s)" + pattern)
        or too_complex("(?i)(?s)" + pattern)
    )
    if why is not None:
        raise refuse(f"Not a valid regular expression (RE2 syntax): {why}.")
    return pattern


def _syntax_error(pattern: str) -> str | None:
    try:
        compiled(pattern)
    except re2.error as error:
        return _reason(error)
    return None


def _reason(error: Exception) -> str:
    message = error.args[0] if error.args else str(error)
    return message.decode(errors="replace") if isinstance(message, bytes) else str(message)
