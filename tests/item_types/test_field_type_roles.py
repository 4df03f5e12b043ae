"""What each field type means for queries and for the schema: one line a type.

Filters (``GET /items`` and the record API), ordering, PostgreSQL's filter indexes,
record validation and the model's field relationships all read these attributes.
"""

import pytest

from item_types.field_types import FIELD_TYPES
from item_types.field_types.base import FILTER_KINDS, INDEX_KINDS

TITLE, PRESENTATION, EXCERPT = "title_field", "presentation_title_field", "excerpt_field"
IMAGES = {"image_preview_field", "presentation_image_field"}

# type: (filter_kind, sortable, index, text, free-form object, content link, model roles)
ROLES = {
    "string": ("text", True, "text_prefix", True, False, True, {TITLE, PRESENTATION, EXCERPT}),
    "text": ("text", True, None, True, False, True, {PRESENTATION, EXCERPT}),
    "slug": ("text", True, "text_prefix", True, False, False, {PRESENTATION}),
    "boolean": ("boolean", True, "json", False, False, False, set()),
    "integer": ("number", True, "json", False, False, False, set()),
    "float": ("number", True, "json", False, False, False, set()),
    "date": ("date", True, "text_prefix", True, False, False, set()),
    "date_time": ("date_time", True, "text_prefix", True, False, False, set()),
    "color": (None, False, None, False, False, False, set()),
    "json": (None, False, None, False, True, False, set()),
    "lat_lon": ("lat_lon", False, "lat_lon", False, False, False, set()),
    "seo": (None, False, None, False, False, False, set()),
    "video": (None, False, None, False, False, False, set()),
    "file": ("upload", False, None, False, False, False, IMAGES),
    "gallery": ("upload", False, None, False, False, False, IMAGES),
    "link": ("link", False, None, False, False, False, set()),
    "links": ("link", False, None, False, False, False, set()),
    "rich_text": (None, False, None, False, False, False, set()),
    "single_block": (None, False, None, False, False, False, set()),
    "structured_text": ("structured_text", False, None, False, False, True, {EXCERPT}),
}
# The validator naming the models a link may point at (its parameters: the strategies).
LINK_VALIDATORS = {
    "link": "item_item_type",
    "links": "items_item_type",
    "structured_text": "structured_text_links",
}
# The validator naming the block models a block may be of.
BLOCK_VALIDATORS = {
    "rich_text": "rich_text_blocks",
    "single_block": "single_block_blocks",
    "structured_text": "structured_text_blocks",
}
# The relationship a new field of the type fills while its model has none there.
AUTOMATIC_MODEL_ROLES = {"string": TITLE, "file": "image_preview_field"}


def test_every_type_has_a_line():
    assert set(ROLES) == set(FIELD_TYPES)


def test_the_link_validators_are_the_types_ones():
    from item_types.validators import LINK_VALIDATORS

    assert {t.link_validator for t in FIELD_TYPES.values()} - {None} == set(LINK_VALIDATORS)


def test_the_block_validators_name_block_models():
    from item_types.validators import VALIDATORS

    for name in BLOCK_VALIDATORS.values():
        assert VALIDATORS[name].needs_block_models


@pytest.mark.parametrize("code", sorted(ROLES))
def test_query_roles(code):
    field_type = FIELD_TYPES[code]
    kind, sortable, index, text, free_form, content_link, roles = ROLES[code]
    assert field_type.filter_kind == kind
    assert kind is None or kind in FILTER_KINDS
    assert field_type.sortable is sortable
    assert field_type.index == index
    assert index is None or index in INDEX_KINDS
    assert field_type.compared_as_text is text
    assert field_type.free_form_object is free_form
    assert field_type.content_link is content_link
    assert field_type.model_roles == roles
    assert field_type.link_validator == LINK_VALIDATORS.get(code)
    if field_type.link_validator:
        assert field_type.link_validator in field_type.mandatory_validators
    assert field_type.block_validator == BLOCK_VALIDATORS.get(code)
    if field_type.block_validator:
        assert field_type.block_validator in field_type.mandatory_validators
    assert field_type.automatic_model_role == AUTOMATIC_MODEL_ROLES.get(code)
    assert field_type.automatic_model_role in {None, *roles}


def test_list_filter_shapes():
    """Lists of references filter as sets; string and text take matches and the blank
    tests, slugs don't (SPEC-2 §4.3)."""
    assert {c for c, t in FIELD_TYPES.items() if t.filters_as_set} == {"links", "gallery"}
    assert {c for c, t in FIELD_TYPES.items() if t.matchable} == {"string", "text"}
