"""Field types that hold blocks: modular content, single block and structured text.

``parse`` checks shapes (a structured-text document node by node); ``collect`` hands each
block to record validation, which validates it as a record of its block model at any
depth and answers the id it will have.
"""

from item_types.field_types.base import FieldType, FieldValueError, expect


def check_block_shape(value, key: str = "") -> None:
    """A block is an existing block's id, or a block resource to create or update one:
    ``{type: "item", id?, attributes?, relationships?: {item_type: {data: {type:
    "item_type", id}}}, meta?}``. Each member is checked here, so that what reads a block
    next can trust its shape; ``key`` says where the block sits in the value."""
    if isinstance(value, str):
        return
    expect(
        isinstance(value, dict) and value.get("type") == "item",
        'A block is a block id or an object with type "item".',
        **({"key": key} if key else {}),
    )
    expect(
        value.get("id") is None or isinstance(value["id"], str),
        "A block's id is a string.",
        key=_below(key, "id"),
    )
    for member in ("attributes", "relationships", "meta"):
        expect(
            value.get(member) is None or isinstance(value[member], dict),
            f"A block's {member} is an object.",
            key=_below(key, member),
        )
    item_type = (value.get("relationships") or {}).get("item_type")
    if item_type is not None:
        data = item_type.get("data") if isinstance(item_type, dict) else None
        expect(
            isinstance(data, dict)
            and data.get("type") in (None, "item_type")
            and isinstance(data.get("id"), str),
            'relationships.item_type is {data: {type: "item_type", id}}.',
            key=_below(key, "relationships.item_type"),
        )


def _below(key: str, member: str) -> str:
    return f"{key}.{member}" if key else member


class RichTextType(FieldType):
    code = "rich_text"
    allowed_validators = frozenset({"rich_text_blocks", "size"})
    mandatory_validators = frozenset({"rich_text_blocks"})
    default_editor = "rich_text"
    default_editor_parameters = {"start_collapsed": False}
    accepts_default_value = False
    empty_value = []

    def parse(self, value):
        expect(isinstance(value, list), "Expected a list of blocks.")
        for index, block in enumerate(value):
            check_block_shape(block, key=str(index))
        return value

    def collect(self, value, visitor):
        ids = [visitor.block(block, "rich_text_blocks", index=i) for i, block in enumerate(value)]
        return [block_id for block_id in ids if block_id]

    def map_blocks(self, value, replace):
        return [replace(block_id) for block_id in value]


class SingleBlockType(FieldType):
    code = "single_block"
    allowed_validators = frozenset({"single_block_blocks", "required"})
    mandatory_validators = frozenset({"single_block_blocks"})
    default_editor = "framed_single_block"
    default_editor_parameters = {"start_collapsed": False}
    accepts_default_value = False

    def parse(self, value):
        check_block_shape(value)
        return value

    def collect(self, value, visitor):
        return visitor.block(value, "single_block_blocks")

    def map_blocks(self, value, replace):
        return replace(value)


class StructuredTextType(FieldType):
    code = "structured_text"
    allowed_validators = frozenset(
        {
            "structured_text_blocks",
            "structured_text_links",
            "structured_text_inline_blocks",
            "required",
            "length",
        }
    )
    mandatory_validators = frozenset({"structured_text_blocks", "structured_text_links"})
    default_editor = "structured_text"
    default_editor_parameters = {
        "nodes": ["blockquote", "code", "heading", "link", "list", "thematicBreak"],
        "marks": ["strong", "code", "emphasis", "underline", "strikethrough", "highlight"],
        "heading_levels": [1, 2, 3, 4, 5, 6],
        "blocks_start_collapsed": False,
        "show_links_target_blank": True,
        "show_links_meta_editor": False,
    }
    accepts_default_value = False

    def parse(self, value):
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
        _check_node(document, "document")
        return value

    def collect(self, value, visitor):
        parameters = (visitor.field.appearance or {}).get("parameters") or {}
        rules = DastRules(
            nodes=set(parameters["nodes"]) if "nodes" in parameters else None,
            marks=set(parameters["marks"]) if "marks" in parameters else None,
            heading_levels=set(parameters.get("heading_levels") or range(1, 7)),
        )
        document = _collect(value["document"], visitor, rules, "document")
        return {"schema": "dast", "document": document}

    def search_text(self, value):
        return dast_text(value["document"], " ")

    def map_blocks(self, value, replace):
        return {"schema": "dast", "document": _map_nodes(value["document"], replace)}

    def without_link(self, value, record_id):
        return {"schema": "dast", "document": _drop_links(value["document"], record_id)}


# --- Structured text (DAST) ----------------------------------------------------------

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
# Node types an editor can switch off in the field's appearance ("nodes").
OPTIONAL_NODES = frozenset({"blockquote", "code", "heading", "link", "list", "thematicBreak"})
MARKS = frozenset({"strong", "code", "emphasis", "underline", "strikethrough", "highlight"})


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


def _check_node(node, path: str) -> None:
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
        _check_node(child, child_path)
        if child["type"] not in CHILDREN[kind]:
            _fail(child_path, f"A {child['type']} can't be inside a {kind}.")


def dast_text(node, separator: str = "") -> str:
    """The plain text of a structured-text node: its spans in order (the ``length``
    validator counts it; search joins spans with a space so words don't run together)."""
    if isinstance(node, dict):
        if node.get("type") == "span":
            return node.get("value") or ""
        return separator.join(dast_text(child, separator) for child in node.get("children") or [])
    return ""


def _map_nodes(node: dict, replace) -> dict:
    node = dict(node)
    if node["type"] in ("block", "inlineBlock"):
        node["item"] = replace(node["item"])
    if "children" in node:
        node["children"] = [_map_nodes(child, replace) for child in node["children"]]
    return node


def _drop_links(node: dict, record_id: str) -> dict:
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
        children.append(_drop_links(child, record_id))
    return {**node, "children": children}


class DastRules:
    """What a structured-text field's appearance allows: nodes, marks, heading levels."""

    def __init__(self, nodes, marks, heading_levels):
        self.nodes, self.marks, self.heading_levels = nodes, marks, heading_levels


def _collect(node: dict, visitor, rules: DastRules, path: str) -> dict:
    """Check a parsed node against the field's settings; blocks become their ids."""
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
        node["item"] = visitor.block(node["item"], "structured_text_blocks", key=path)
    elif kind == "inlineBlock":
        node["item"] = visitor.block(node["item"], "structured_text_inline_blocks", key=path)
    elif kind in ("itemLink", "inlineItem"):
        visitor.record(node["item"], "structured_text_links", key=path)
    if "children" in node:
        node["children"] = [
            _collect(child, visitor, rules, f"{path}.children.{index}")
            for index, child in enumerate(node["children"])
        ]
    return node
