"""Field types that hold blocks: modular content, single block and structured text.

Here only the outer shape is checked. Building and validating the blocks themselves (at
any depth) belongs to record validation in ``items``, which has the records to do it.
"""

from item_types.field_types.base import FieldType, expect


def check_block_shape(value) -> None:
    """A block is an existing block's id, or ``{type: "item", ...}`` to create or update one."""
    if isinstance(value, str):
        return
    expect(
        isinstance(value, dict) and value.get("type") == "item",
        'A block is a block id or an object with type "item".',
    )


class RichTextType(FieldType):
    code = "rich_text"
    allowed_validators = frozenset({"rich_text_blocks", "size"})
    mandatory_validators = frozenset({"rich_text_blocks"})
    default_editor = "rich_text"
    default_editor_parameters = {"start_collapsed": False}
    accepts_default_value = False

    def parse(self, value):
        expect(isinstance(value, list), "Expected a list of blocks.")
        for block in value:
            check_block_shape(block)
        return value


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
        document = value.get("document")
        expect(
            isinstance(document, dict)
            and document.get("type") == "root"
            and isinstance(document.get("children"), list),
            'document must be {type: "root", children: [...]}.',
            key="document",
        )
        return value
