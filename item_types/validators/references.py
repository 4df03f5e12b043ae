"""Validators naming the models a field may hold: blocks of block models, links to
records of models, with the strategies publishing follows for links."""

from typing import ClassVar

from item_types.validators.base import Validator, require


def _id_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


class _ItemTypesValidator(Validator):
    """Validators naming item types: each must exist and be of the right kind."""

    needs_block_models: ClassVar[bool]
    allow_empty: ClassVar[bool] = True
    parameters = {"item_types": (_id_list, "item_types must be a list of model ids.")}
    required_parameters = frozenset({"item_types"})

    def allows(self, item_type_id: str, params: dict) -> bool:
        return item_type_id in params["item_types"]

    def params_of(self, field) -> dict:
        """This validator's parameters on ``field`` (no model allowed when it has none)."""
        return (field.validators or {}).get(self.name) or {"item_types": []}

    def clean(self, params, context):
        ids = params["item_types"]
        require(self.allow_empty or ids, "Name at least one model.", "item_types")
        require(len(set(ids)) == len(ids), "A model is listed twice.", "item_types")
        kind = "block models" if self.needs_block_models else "models (not block models)"
        for item_type_id in ids:
            item_type = context.item_types_by_id.get(item_type_id)
            require(item_type is not None, f"No model has id {item_type_id}.", "item_types")
            require(
                item_type.modular_block == self.needs_block_models,
                f"{item_type.api_key} is not allowed here: expected {kind}.",
                "item_types",
            )
        return params


class _BlocksValidator(_ItemTypesValidator):
    needs_block_models = True


class RichTextBlocksValidator(_BlocksValidator):
    name = "rich_text_blocks"


class SingleBlockBlocksValidator(_BlocksValidator):
    name = "single_block_blocks"


class StructuredTextBlocksValidator(_BlocksValidator):
    name = "structured_text_blocks"


class StructuredTextInlineBlocksValidator(_BlocksValidator):
    name = "structured_text_inline_blocks"


REFERENCE_STRATEGIES = {
    "on_publish_with_unpublished_references_strategy": ("fail", "publish_references"),
    "on_reference_unpublish_strategy": ("fail", "unpublish", "delete_references"),
    "on_reference_delete_strategy": ("fail", "delete_references"),
}
# DatoCMS's defaults, filled in and echoed back when a field is saved.
DEFAULT_STRATEGIES = {
    "on_publish_with_unpublished_references_strategy": "fail",
    "on_reference_unpublish_strategy": "fail",
    "on_reference_delete_strategy": "delete_references",
}


class LinksValidator(_ItemTypesValidator):
    """Links to records: the parameters also hold the strategies publishing follows."""

    needs_block_models = False
    parameters = {
        **_ItemTypesValidator.parameters,
        **{
            name: (
                lambda v, choices=choices: v in choices,
                f"{name} must be one of {', '.join(choices)}.",
            )
            for name, choices in REFERENCE_STRATEGIES.items()
        },
    }

    def clean(self, params, context):
        params = super().clean(params, context)
        for name, default in DEFAULT_STRATEGIES.items():
            if params.get(name) is None:
                params[name] = default
        return params


class ItemItemTypeValidator(LinksValidator):
    name = "item_item_type"
    allow_empty = False


class ItemsItemTypeValidator(LinksValidator):
    name = "items_item_type"
    allow_empty = False


class StructuredTextLinksValidator(LinksValidator):
    name = "structured_text_links"
