"""Reading README.md as the suite checks it: its fenced code blocks and its field types table.

Fences tests/test_readme.py understands (the README's authors add examples by these rules):

- ```` ```sh ```` (also ``bash``, ``shell``): run, in order, in ONE bash session (``set -euo
  pipefail``), so a variable set by one block is there in the next, as in a user's terminal.
- ```` ```js ```` (also ``javascript``, ``mjs``): saved as an ``.mjs`` file and run with ``node``
  from that same session (ESM; ``@datocms/cma-client-node`` resolvable).
- any other language (``json``, ``text``, ``console``, ``python``...) or none: not run.
- an ``sh``/``js`` block preceded (on the line before the fence, blank lines allowed) by
  ``<!-- not run: reason -->`` is not run; the reason is required.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"

SHELL_LANGUAGES = frozenset({"sh", "bash", "shell"})
JS_LANGUAGES = frozenset({"js", "javascript", "mjs"})

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)")
NOT_RUN = re.compile(r"^\s*<!--\s*not run:\s*(?P<reason>.*?)\s*-->\s*$")


@dataclass(frozen=True)
class Block:
    language: str  # "sh", "js", or the fence's own info string for blocks never run
    text: str
    line: int  # README line of the opening fence (1-based)
    not_run_reason: str | None  # set when the block is marked <!-- not run: ... -->

    @property
    def runs(self) -> bool:
        return self.language in ("sh", "js") and self.not_run_reason is None


def _kind(info: str) -> str:
    info = info.lower()
    if info in SHELL_LANGUAGES:
        return "sh"
    if info in JS_LANGUAGES:
        return "js"
    return info


def code_blocks(text: str) -> list[Block]:
    """Every fenced block of a Markdown text, in order."""
    lines = text.splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not re.match(rf"^ {{0,3}}{re.escape(fence)}\s*$", lines[end]):
            body.append(lines[end][indent:] if lines[end][:indent].isspace() else lines[end])
            end += 1
        marker = _previous_nonblank(lines, index)
        reason = NOT_RUN.match(marker)
        blocks.append(
            Block(
                language=_kind(opening["info"]),
                text="\n".join(body) + "\n",
                line=index + 1,
                not_run_reason=reason["reason"] if reason else None,
            )
        )
        index = end + 1
    return blocks


def _previous_nonblank(lines: list[str], index: int) -> str:
    for line in reversed(lines[:index]):
        if line.strip():
            return line
    return ""


# --- The field types table -----------------------------------------------------------------

FIELD_TYPES_HEADING = "### Field types"
CODE_SPAN = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class FieldTypeRow:
    field_type: str
    example: str  # the first code span of the value cell: one locale's value, as JSON
    required: frozenset[str]
    others: frozenset[str]


def _names(cell: str) -> frozenset[str]:
    """Validator names of a cell: its code spans ("none" is the empty set)."""
    return frozenset(CODE_SPAN.findall(cell))


def field_type_rows(text: str) -> list[FieldTypeRow]:
    """The rows of the table under the "Field types" heading."""
    start = text.index(FIELD_TYPES_HEADING)
    rows: list[FieldTypeRow] = []
    in_table = False
    for line in text[start:].splitlines()[1:]:
        if line.startswith("#"):
            break
        if not line.startswith("|"):
            if in_table:
                break
            continue
        in_table = True
        # Cells hold JSON in code spans, never a pipe; a plain split is enough.
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        type_cell = CODE_SPAN.fullmatch(cells[0])
        if type_cell is None or type_cell[1] == "field_type":
            continue  # the header and the separator row
        example = CODE_SPAN.search(cells[1])
        rows.append(
            FieldTypeRow(
                field_type=type_cell[1],
                example=example[1] if example else "",
                required=_names(cells[2]),
                others=_names(cells[3]),
            )
        )
    return rows
