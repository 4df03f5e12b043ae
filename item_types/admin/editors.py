"""The editors the admin offers for each field type (DatoCMS's built-in ones), each with
the inputs of its parameters: field type -> editor -> inputs. The first is the type's
default editor (the tests check it is the field type's ``default_editor``).

The schema services accept any editor name (a client may name a plugin's): a field whose
editor is not listed here keeps it, with its parameters, until another is chosen.
"""

from item_types.admin.inputs import Checkbox, Lines, NumberList, Options, ParamInput, Text

_PLACEHOLDER = Text("placeholder", "Placeholder")
_OPTIONS = (Options("options", "Options", "One a line: value | label | hint"),)
_START_COLLAPSED = (Checkbox("start_collapsed", "Blocks start collapsed"),)
_TOOLBAR = (Lines("toolbar", "Toolbar buttons", "One a line"),)

EDITORS: dict[str, dict[str, tuple[ParamInput, ...]]] = {
    "string": {
        "single_line": (Checkbox("heading", "Shown as a heading"), _PLACEHOLDER),
        "string_radio_group": (Options("radios", "Radios", "One a line: value | label | hint"),),
        "string_select": _OPTIONS,
    },
    "text": {"markdown": _TOOLBAR, "wysiwyg": _TOOLBAR, "textarea": (_PLACEHOLDER,)},
    "slug": {"slug": (Text("url_prefix", "URL prefix", keep_empty=True), _PLACEHOLDER)},
    "boolean": {"boolean": ()},
    "integer": {"integer": ()},
    "float": {"float": ()},
    "date": {"date_picker": ()},
    "date_time": {"date_time_picker": ()},
    "color": {
        "color_picker": (
            Checkbox("enable_alpha", "Transparency"),
            Lines("preset_colors", "Preset colours", "One a line: #ff0000"),
        )
    },
    "json": {"json": (), "string_multi_select": _OPTIONS, "string_checkbox_group": _OPTIONS},
    "lat_lon": {"map": ()},
    "seo": {"seo": (Lines("fields", "Fields shown", "title, description, image, twitter_card"),)},
    "video": {"video": ()},
    "file": {"file": ()},
    "gallery": {"gallery": ()},
    "link": {"link_select": (), "link_embed": ()},
    "links": {"links_select": (), "links_embed": ()},
    "rich_text": {"rich_text": _START_COLLAPSED},
    "single_block": {
        "framed_single_block": _START_COLLAPSED,
        "frameless_single_block": _START_COLLAPSED,
    },
    "structured_text": {
        "structured_text": (
            Lines("nodes", "Nodes", "One a line: heading, list, code, blockquote, ..."),
            Lines("marks", "Marks", "One a line: strong, emphasis, ..."),
            NumberList("heading_levels", "Heading levels", "For example 1, 2, 3"),
            Checkbox("blocks_start_collapsed", "Blocks start collapsed"),
            Checkbox("show_links_target_blank", "Offer links opening a new tab"),
            Checkbox("show_links_meta_editor", "Offer the links' meta editor"),
        )
    },
}
