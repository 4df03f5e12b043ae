"""Field types that hold blocks: modular content, single block and structured text.

``parse`` checks shapes (a structured-text document node by node); ``collect`` hands each
block to record validation, which validates it as a record of its block model at any
depth and answers the id it will have.
"""

from item_types.field_types import dast
from item_types.field_types.base import FieldType, expect
from item_types.field_types.block_shape import check_block_shape


class _BlocksValue(FieldType):
    """Rich text and single block: blocks of the models their ``block_validator`` names."""

    default_editor_parameters = {"start_collapsed": False}
    accepts_default_value = False


class RichTextType(_BlocksValue):
    code = "rich_text"
    block_validator = "rich_text_blocks"
    allowed_validators = frozenset({"size"})
    default_editor = "rich_text"
    empty_value = []

    def parse(self, value):
        expect(isinstance(value, list), "Expected a list of blocks.")
        for index, block in enumerate(value):
            check_block_shape(block, key=str(index))
        return value

    def json_schema(self, block):
        return {"type": "array", "items": block}

    def collect(self, value, visitor):
        ids = [visitor.block(block, self.block_validator, index=i) for i, block in enumerate(value)]
        return [block_id for block_id in ids if block_id]

    def map_blocks(self, value, replace):
        return [replace(block_id) for block_id in value]


class SingleBlockType(_BlocksValue):
    code = "single_block"
    block_validator = "single_block_blocks"
    allowed_validators = frozenset({"required"})
    default_editor = "framed_single_block"

    def parse(self, value):
        check_block_shape(value)
        return value

    def json_schema(self, block):
        return block

    def collect(self, value, visitor):
        return visitor.block(value, self.block_validator)

    def map_blocks(self, value, replace):
        return replace(value)


class StructuredTextType(FieldType):
    code = "structured_text"
    # dast.collect_node checks a document's links and blocks with these.
    link_validator = "structured_text_links"
    block_validator = "structured_text_blocks"
    inline_block_validator = "structured_text_inline_blocks"
    allowed_validators = frozenset({inline_block_validator, "required", "length"})
    default_editor = "structured_text"
    default_editor_parameters = {
        "nodes": list(dast.OPTIONAL_NODES),
        "marks": list(dast.MARKS),
        "heading_levels": [1, 2, 3, 4, 5, 6],
        "blocks_start_collapsed": False,
        "show_links_target_blank": True,
        "show_links_meta_editor": False,
    }
    accepts_default_value = False
    content_link = True
    model_roles = frozenset({"excerpt_field"})
    #: matches reads its text (dast.filter_text), not its JSON.
    filter_kind = "structured_text"

    def parse(self, value):
        dast.check_value(value)
        return value

    def json_schema(self, block):
        return dast.json_schema(block)

    def collect(self, value, visitor):
        rules = dast.DastRules.of_field(visitor.field)
        document = dast.collect_node(value["document"], visitor, rules, "document", self)
        return {"schema": "dast", "document": document}

    def search_text(self, value):
        return dast.value_text(value, " ")

    def map_blocks(self, value, replace):
        return {"schema": "dast", "document": dast.map_nodes(value["document"], replace)}

    def without_link(self, value, record_id):
        return {"schema": "dast", "document": dast.drop_links(value["document"], record_id)}
