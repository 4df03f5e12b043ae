"""Structured text in the record editor: a DAST document as a list of top-level nodes, each
edited as text with a light inline markup.

Nodes: paragraph, heading (level 1-6), list (bulleted or numbered; one item per line),
blockquote (paragraphs separated by a blank line, and an attribution), code (with its
language), thematic break, and block (edited with its block model's widgets). Inline
markup: ``**strong**``, ``*emphasis*``, `` `code` ``, ``~~strikethrough~~``,
``__underline__``, ``==highlight==``, ``[text](https://url)``, ``[text](record:ID)`` (a
link to a record), ``{{record:ID}}`` (a record inline); ``\\`` escapes a marker.

A node the markup can't say exactly (nested lists, link meta, inline blocks) is kept as a
"raw" node edited as JSON: every node is converted and converted back, and becomes raw
unless it comes back equal, so opening and saving a record never changes its text.
"""

import json
import re

from items.admin_editor.widgets import FormValueError

MARKERS = {
    "strong": "**",
    "emphasis": "*",
    "code": "`",
    "strikethrough": "~~",
    "underline": "__",
    "highlight": "==",
}
BY_MARKER = {marker: mark for mark, marker in MARKERS.items()}
OPENING = sorted(BY_MARKER, key=len, reverse=True)
SPECIAL = re.compile(r"([\\*`~_=\[\]{}()])")
INLINE_ITEM = re.compile(r"\{\{record:([^}]+)\}\}")
RECORD = "record:"


def _escape(text: str) -> str:
    return SPECIAL.sub(r"\\\1", text)


def _escape_target(url: str) -> str:
    return url.replace("\\", "\\\\").replace(")", "\\)")


def _marker(mark: str) -> str:
    if mark not in MARKERS:
        raise ValueError(mark)  # an unknown mark: the node stays raw
    return MARKERS[mark]


def inline_markup(children: list) -> str:
    parts = []
    for node in children:
        kind = node.get("type")
        if kind == "span":
            marks = node.get("marks") or []
            opening = "".join(_marker(mark) for mark in marks)
            closing = "".join(_marker(mark) for mark in reversed(marks))
            parts.append(opening + _escape(node.get("value", "")) + closing)
        elif kind == "link":
            parts.append(f"[{inline_markup(node['children'])}]({_escape_target(node['url'])})")
        elif kind == "itemLink":
            parts.append(f"[{inline_markup(node['children'])}]({RECORD}{node['item']})")
        elif kind == "inlineItem":
            parts.append(f"{{{{{RECORD}{node['item']}}}}}")
        else:
            raise ValueError(kind)  # inline blocks: the node stays raw
    return "".join(parts)


def parse_inline(text: str) -> list:
    """Inline markup -> DAST inline nodes (spans, links, record links, inline records)."""
    nodes, _ = _parse(text, 0, inside_link=False)
    return nodes or [{"type": "span", "value": ""}]


def _parse(text: str, at: int, inside_link: bool):
    nodes: list = []
    active: list[str] = []
    buffer: list[str] = []

    def flush():
        if buffer:
            span = {"type": "span", "value": "".join(buffer)}
            if active:
                span["marks"] = list(active)
            nodes.append(span)
            buffer.clear()

    while at < len(text):
        char = text[at]
        if char == "\\" and at + 1 < len(text):
            buffer.append(text[at + 1])
            at += 2
            continue
        if inside_link and char == "]":
            flush()
            return nodes, at
        closing = next((m for m in reversed(active) if text.startswith(MARKERS[m], at)), None)
        if closing:
            flush()
            active.remove(closing)
            at += len(MARKERS[closing])
            continue
        opening = next((m for m in OPENING if text.startswith(m, at)), None)
        if opening and BY_MARKER[opening] not in active:
            flush()
            active.append(BY_MARKER[opening])
            at += len(opening)
            continue
        item = INLINE_ITEM.match(text, at)
        if item:
            flush()
            nodes.append({"type": "inlineItem", "item": item.group(1)})
            at = item.end()
            continue
        if char == "[" and not inside_link:
            link = _link(text, at)
            if link:
                flush()
                nodes.append(link[0])
                at = link[1]
                continue
        buffer.append(char)
        at += 1
    flush()
    return nodes, at


def _link(text: str, at: int):
    children, end = _parse(text, at + 1, inside_link=True)
    if end >= len(text) or not text.startswith("](", end):
        return None
    target, at = [], end + 2
    while at < len(text) and text[at] != ")":  # "\\" escapes a ")" in the address
        if text[at] == "\\" and at + 1 < len(text):
            at += 1
        target.append(text[at])
        at += 1
    if at >= len(text):
        return None
    close, target = at, "".join(target)
    children = children or [{"type": "span", "value": ""}]
    if target.startswith(RECORD):
        node = {"type": "itemLink", "item": target[len(RECORD) :], "children": children}
    else:
        node = {"type": "link", "url": target, "children": children}
    return node, close + 1


def _node_form(node: dict, blocks) -> dict:
    kind = node["type"]
    if kind == "paragraph":
        return {"kind": kind, "text": inline_markup(node["children"])}
    if kind == "heading":
        return {"kind": kind, "level": node["level"], "text": inline_markup(node["children"])}
    if kind == "list":
        lines = []
        for item in node["children"]:
            (paragraph,) = item["children"]
            if paragraph["type"] != "paragraph":
                raise ValueError("nested list")
            lines.append(inline_markup(paragraph["children"]))
        return {"kind": kind, "style": node["style"], "text": "\n".join(lines)}
    if kind == "blockquote":
        text = "\n\n".join(inline_markup(p["children"]) for p in node["children"])
        return {"kind": kind, "text": text, "attribution": node.get("attribution") or ""}
    if kind == "code":
        return {"kind": kind, "text": node["code"], "language": node.get("language") or ""}
    if kind == "thematicBreak":
        return {"kind": kind}
    if kind == "block":
        return {"kind": kind, "block": blocks.to_form(node["item"])}
    raise ValueError(kind)


def _node_wire(form: dict, blocks, index: int) -> dict:
    kind = form.get("kind")
    text = form.get("text") or ""
    if kind == "paragraph":
        return {"type": kind, "children": parse_inline(text)}
    if kind == "heading":
        return {"type": kind, "level": int(form.get("level") or 1), "children": parse_inline(text)}
    if kind == "list":
        items = [
            {
                "type": "listItem",
                "children": [{"type": "paragraph", "children": parse_inline(line)}],
            }
            for line in text.split("\n")
        ]
        return {"type": kind, "style": form.get("style") or "bulleted", "children": items}
    if kind == "blockquote":
        paragraphs = [
            {"type": "paragraph", "children": parse_inline(p)} for p in text.split("\n\n")
        ]
        node = {"type": kind, "children": paragraphs}
        if form.get("attribution"):
            node["attribution"] = form["attribution"]
        return node
    if kind == "code":
        node = {"type": kind, "code": text}
        if form.get("language"):
            node["language"] = form["language"]
        return node
    if kind == "thematicBreak":
        return {"type": kind}
    if kind == "block":
        return {"type": kind, "item": blocks.from_form(form.get("block"), None)}
    if kind == "raw":
        try:
            return json.loads(text)
        except ValueError:
            raise FormValueError("The node's JSON is not valid.", "document", index) from None
    raise FormValueError(f"Unknown node {kind!r}.", "document", index)


def to_form(value, blocks) -> list:
    if not value:
        return []
    nodes = []
    for node in value["document"]["children"]:
        try:
            form = _node_form(node, blocks)
            if form["kind"] != "block" and _node_wire(form, blocks, 0) != node:
                raise ValueError("not said exactly")
        except (ValueError, KeyError, TypeError):
            form = {"kind": "raw", "text": json.dumps(node, indent=1, ensure_ascii=False)}
        nodes.append(form)
    return nodes


def from_form(form, blocks):
    if not form:
        return None
    if not isinstance(form, list):
        raise FormValueError("Expected a list of nodes.")
    children = [_node_wire(node, blocks, index) for index, node in enumerate(form)]
    return {"schema": "dast", "document": {"type": "root", "children": children}}
