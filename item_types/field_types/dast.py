"""Structured text (DAST, DatoCMS's document format): the rules a document follows and
the walkers that check it, collect its blocks and links, and rewrite it. The structured
text field type (``blocks``) and the validators (``length``, ``required``) read it here.
"""

from item_types.field_types.base import FieldValueError, expect
from item_types.field_types.block_shape import check_block_shape

INLINE = frozenset({"span", "link", "itemLink", "inlineItem", "inlineBlock"})
CHILDREN = {
    "root": frozenset(
        {"paragraph", "heading", "list", "code", "blockquote", "block", "thematicBreak"}
    ),
    "paragraph": INLINE,
    "heading": INLINE,
    "list": frozenset({"listItem"}),
    "listItem": frozenset({"paragraph", "list"}),
    "blockquote": frozenset({"paragraph"}),
    "link": frozenset({"span"}),
    "itemLink": frozenset({"span"}),
}
LEAVES = frozenset({"span", "code", "thematicBreak", "block", "inlineBlock", "inlineItem"})
# Node types an editor can switch off in the field's appearance ("nodes"), and the marks
# a span may carry, in the order a new field's appearance lists them.
OPTIONAL_NODES = ("blockquote", "code", "heading", "link", "list", "thematicBreak")
MARKS = ("strong", "code", "emphasis", "underline", "strikethrough", "highlight")


def _fail(path: str, message: str):
    raise FieldValueError("INVALID_FORMAT", message=message, key=path)


def _is_str(value) -> bool:
    return isinstance(value, str)


def _check_meta(node: dict, path: str) -> None:
    meta = node.get("meta")
    if meta is not None and not (
        isinstance(meta, list)
        and all(
            isinstance(m, dict) and _is_str(m.get("id")) and _is_str(m.get("value")) for m in meta
        )
    ):
        _fail(f"{path}.meta", "meta must be a list of {id, value}.")


def _check_leaf(node: dict, kind: str, path: str) -> None:
    if kind == "span":
        if not _is_str(node.get("value")):
            _fail(path, "A span needs a string value.")
        marks = node.get("marks", [])
        if not isinstance(marks, list) or not all(_is_str(m) for m in marks):
            _fail(f"{path}.marks", "marks must be a list of mark names.")
    elif kind == "code":
        if not _is_str(node.get("code")):
            _fail(f"{path}.code", "A code node needs its code as a string.")
        if node.get("language") is not None and not _is_str(node["language"]):
            _fail(f"{path}.language", "language must be a string.")
    elif kind == "inlineItem":
        if not _is_str(node.get("item")):
            _fail(f"{path}.item", "inlineItem needs the linked record's id as item.")
    elif kind in ("block", "inlineBlock"):
        if "item" not in node:
            _fail(f"{path}.item", f"{kind} needs its block as item.")
        check_block_shape(node["item"], key=f"{path}.item")


def check_value(value) -> None:
    """A structured-text value: ``{schema: "dast", document}``, its document node by node."""
    expect(
        isinstance(value, dict) and value.get("schema") == "dast",
        'Expected {schema: "dast", document: {type: "root", children: [...]}}.',
    )
    expect(set(value) <= {"schema", "document"}, "Only schema and document.")
    document = value.get("document")
    expect(
        isinstance(document, dict)
        and document.get("type") == "root"
        and isinstance(document.get("children"), list),
        'document must be {type: "root", children: [...]}.',
        key="document",
    )
    check_node(document, "document")


def check_node(node, path: str) -> None:
    """A DAST node, recursively: known type, the attributes it needs, allowed children."""
    if not isinstance(node, dict) or not _is_str(node.get("type")):
        _fail(path, "A node is an object with a type.")
    kind = node["type"]
    if kind not in CHILDREN and kind not in LEAVES:
        _fail(path, f"Unknown node type {kind!r}.")
    if kind in LEAVES:
        _check_leaf(node, kind, path)
        if "children" in node:
            _fail(f"{path}.children", f"A {kind} has no children.")
        return
    if kind == "heading" and node.get("level") not in (1, 2, 3, 4, 5, 6):
        _fail(f"{path}.level", "A heading's level is 1 to 6.")
    elif kind == "list" and node.get("style") not in ("bulleted", "numbered"):
        _fail(f"{path}.style", "A list's style is bulleted or numbered.")
    elif kind == "link":
        if not _is_str(node.get("url")) or not node["url"]:
            _fail(f"{path}.url", "A link needs a url.")
        _check_meta(node, path)
    elif kind == "itemLink":
        if not _is_str(node.get("item")):
            _fail(f"{path}.item", "itemLink needs the linked record's id as item.")
        _check_meta(node, path)
    elif kind == "blockquote" and not _is_str(node.get("attribution") or ""):
        _fail(f"{path}.attribution", "attribution must be a string.")
    children = node.get("children")
    if not isinstance(children, list) or (kind != "root" and not children):
        _fail(f"{path}.children", f"A {kind} needs a list of children.")
    for index, child in enumerate(children):
        child_path = f"{path}.children.{index}"
        check_node(child, child_path)
        if child["type"] not in CHILDREN[kind]:
            _fail(child_path, f"A {child['type']} can't be inside a {kind}.")


def is_empty(value) -> bool:
    """A structured-text value with no content (``required`` counts it as blank)."""
    return (
        isinstance(value, dict)
        and value.get("schema") == "dast"
        and not value.get("document", {}).get("children")
    )


def value_text(value: dict, separator: str = "") -> str:
    """The plain text of a structured-text value ``{schema, document}``."""
    return dast_text(value.get("document", {}), separator)


def dast_text(node, separator: str = "") -> str:
    """The plain text of a structured-text node: its spans in order (the ``length``
    validator counts it; search joins spans with a space so words don't run together)."""
    if isinstance(node, dict):
        if node.get("type") == "span":
            return node.get("value") or ""
        return separator.join(dast_text(child, separator) for child in node.get("children") or [])
    return ""


#: The nodes whose children are text (spans, links): ``matches`` reads them as lines.
TEXT_NODES = ("paragraph", "heading")


def filter_text(value) -> str:
    """What a structured-text filter (``matches``) reads: each paragraph's and heading's
    spans joined, one line each, in document order. PostgreSQL computes the same in SQL
    (``items.filter_columns``); SQLite calls this."""
    lines = []

    def walk(node):
        if not isinstance(node, dict):
            return
        if node.get("type") in TEXT_NODES:
            lines.append(dast_text(node))
            return
        for child in node.get("children") or []:
            walk(child)

    if isinstance(value, dict):
        walk(value.get("document"))
    return "\n".join(lines)


def map_nodes(node: dict, replace) -> dict:
    node = dict(node)
    if node["type"] in ("block", "inlineBlock"):
        node["item"] = replace(node["item"])
    if "children" in node:
        node["children"] = [map_nodes(child, replace) for child in node["children"]]
    return node


def drop_links(node: dict, record_id: str) -> dict:
    """Links to a record that is going away: an inline record disappears, a link to it
    keeps its text."""
    if "children" not in node:
        return node
    children = []
    for child in node["children"]:
        if child["type"] == "inlineItem" and child["item"] == record_id:
            continue
        if child["type"] == "itemLink" and child["item"] == record_id:
            children.extend(child["children"])
            continue
        children.append(drop_links(child, record_id))
    return {**node, "children": children}


class DastRules:
    """What a structured-text field's appearance allows: nodes, marks, heading levels."""

    def __init__(self, nodes, marks, heading_levels):
        self.nodes, self.marks, self.heading_levels = nodes, marks, heading_levels

    @classmethod
    def of_field(cls, field) -> "DastRules":
        parameters = (field.appearance or {}).get("parameters") or {}
        return cls(
            nodes=set(parameters["nodes"]) if "nodes" in parameters else None,
            marks=set(parameters["marks"]) if "marks" in parameters else None,
            heading_levels=set(parameters.get("heading_levels") or range(1, 7)),
        )


def collect_node(node: dict, visitor, rules: DastRules, path: str, field_type) -> dict:
    """Check a parsed node against the field's settings; blocks become their ids.
    ``field_type`` names the validators that check its blocks and links."""
    kind = node["type"]
    if kind in OPTIONAL_NODES and rules.nodes is not None and kind not in rules.nodes:
        visitor.fail("VALIDATION_STRUCTURED_TEXT_NODE", node=kind, key=path)
    if kind == "heading" and node["level"] not in rules.heading_levels:
        visitor.fail("VALIDATION_STRUCTURED_TEXT_NODE", node=kind, level=node["level"], key=path)
    if kind == "span":
        allowed = rules.marks if rules.marks is not None else MARKS
        for mark in node.get("marks", []):
            if mark not in allowed:
                visitor.fail("VALIDATION_STRUCTURED_TEXT_MARK", mark=mark, key=path)
    node = dict(node)
    if kind == "block":
        node["item"] = visitor.block(node["item"], field_type.block_validator, key=path)
    elif kind == "inlineBlock":
        node["item"] = visitor.block(node["item"], field_type.inline_block_validator, key=path)
    elif kind in ("itemLink", "inlineItem"):
        visitor.record(node["item"], field_type.link_validator, key=path)
    if "children" in node:
        node["children"] = [
            collect_node(child, visitor, rules, f"{path}.children.{index}", field_type)
            for index, child in enumerate(node["children"])
        ]
    return node


def json_schema(block: dict) -> dict:
    """A structured-text value as JSON Schema: the document and its top-level nodes with
    what each needs (``block`` is a block node's item). Deeper nodes are said to be typed
    objects only: ``check_node`` and the field's appearance decide the rest."""
    children = {"type": "array", "items": {"type": "object", "required": ["type"]}}

    def node(kind, required=(), **properties) -> dict:
        return {
            "type": "object",
            "properties": {"type": {"const": kind}, **properties},
            "required": ["type", *required],
        }

    top_level = [
        node("paragraph", ("children",), children=children),
        node(
            "heading", ("level", "children"), level={"enum": [1, 2, 3, 4, 5, 6]}, children=children
        ),
        node(
            "list",
            ("style", "children"),
            style={"enum": ["bulleted", "numbered"]},
            children=children,
        ),
        node(
            "blockquote", ("children",), children=children, attribution={"type": ["string", "null"]}
        ),
        node("code", ("code",), code={"type": "string"}, language={"type": ["string", "null"]}),
        node("thematicBreak"),
        node("block", ("item",), item=block),
    ]
    return {
        "type": "object",
        "properties": {
            "schema": {"const": "dast"},
            "document": {
                "type": "object",
                "properties": {
                    "type": {"const": "root"},
                    "children": {"type": "array", "items": {"anyOf": top_level}},
                },
                "required": ["type", "children"],
            },
        },
        "required": ["schema", "document"],
        "additionalProperties": False,
    }
