"""The record editor's form as a test posts and reads it (items/admin_editor/form.py): the
form values in one hidden field, the editor's configuration as JSON in the page."""

import json
import re

CONFIG = re.compile(
    r'<script type="application/json" id="record-editor-config">(.*?)</script>', re.S
)


def posted(values: dict, **fields) -> dict:
    """A POST of the editor's form: ``values`` by api_key, as the widgets hold them."""
    return {"values": json.dumps({"values": values}), **fields}


def editor_config(response) -> dict:
    page = response.content.decode()
    found = CONFIG.search(page)
    assert found, page[:2000]
    return json.loads(found.group(1).replace("<\\/", "</"))


def error_codes(response) -> list[tuple[str, str]]:
    """(path joined by /, code) of each error the editor shows next to a value."""
    return [("/".join(e["path"]), e["code"]) for e in editor_config(response)["errors"]]
