"""The schema editor in a real browser (headless Chromium, tests/browser.py) against
`manage.py serve` on a fresh database: a staff user adds a link field choosing its model
in the chooser and making it required, gives the title a length validator with a bad
range, sees the API's error next to the input and fixes it; on the model's page (fields
grouped by fieldset) moves a field up past a fieldset, drags another out of that fieldset,
and saves the order; the Content Management API answers the result.
Screenshots of each step go to the test's folder (and CMS_SCREENSHOTS_DIR when set)."""

from tests.browser import Screenshots, chromium, wait_for
from tests.serving import FAST_JOBS, serving

PASSWORD = "a schema editor's password 1"


def ok(answer, status=201) -> dict:
    assert answer[0] == status, answer
    return answer[1]["data"]


def create_model(served, api_key: str, **attributes) -> dict:
    body = {"data": {"type": "item_type", "attributes": {"name": api_key.title(), **attributes}}}
    body["data"]["attributes"]["api_key"] = api_key
    return ok(served.request("POST", "/item-types", body))


def create_field(served, model: dict, api_key: str, field_type: str) -> dict:
    attributes = {"label": api_key.title(), "api_key": api_key, "field_type": field_type}
    body = {"data": {"type": "field", "attributes": attributes}}
    return ok(served.request("POST", f"/item-types/{model['id']}/fields", body))


def test_a_staff_user_edits_validators_and_the_field_order_in_a_browser(tmp_path):
    data_dir = tmp_path / "data"
    with serving(data_dir, "schema_editor_browser", **FAST_JOBS) as served:
        served.create_superuser("schema-editor", PASSWORD)
        author = create_model(served, "author")
        create_model(served, "section", modular_block=True)  # a block model: not offered
        post = create_model(served, "post")
        create_field(served, post, "title", "string")
        body = create_field(served, post, "body", "text")
        details = in_a_fieldset(served, post, body, "Details")

        with chromium(tmp_path) as driver:
            shots = Screenshots(driver, tmp_path)
            try:
                _walk_through(driver, shots, served, post)
            finally:
                shots.publish()

        fields = ok(served.request("GET", f"/item-types/{post['id']}/fields"), 200)
        by_key = {f["attributes"]["api_key"]: f["attributes"] for f in fields}
        top = sorted((a["position"], k) for k, a in by_key.items())
        assert top == [(1, "title"), (2, "author"), (3, "body")]  # the body dragged out
        assert fields_fieldset(fields, "body") is None
        fieldset = ok(served.request("GET", f"/fieldsets/{details['id']}"), 200)
        assert fieldset["attributes"]["position"] == 4
        assert by_key["title"]["validators"] == {"required": {}, "length": {"min": 3, "max": 80}}
        assert by_key["author"]["field_type"] == "link"
        assert by_key["author"]["validators"] == {
            "required": {},
            "item_item_type": {
                "item_types": [author["id"]],
                "on_publish_with_unpublished_references_strategy": "fail",
                "on_reference_unpublish_strategy": "fail",
                "on_reference_delete_strategy": "delete_references",
            },
        }
        assert by_key["author"]["appearance"]["editor"] == "link_embed"


def in_a_fieldset(served, model: dict, field: dict, title: str) -> dict:
    body = {"data": {"type": "fieldset", "attributes": {"title": title}}}
    fieldset = ok(served.request("POST", f"/item-types/{model['id']}/fieldsets", body))
    relationship = {"fieldset": {"data": {"type": "fieldset", "id": fieldset["id"]}}}
    body = {"data": {"type": "field", "id": field["id"], "relationships": relationship}}
    ok(served.request("PUT", f"/fields/{field['id']}", body), 200)
    return fieldset


def fields_fieldset(fields: list, api_key: str) -> str | None:
    field = next(f for f in fields if f["attributes"]["api_key"] == api_key)
    return (field["relationships"]["fieldset"]["data"] or {}).get("id")


def top_level(driver) -> list[str]:
    """The model page's top-level entries: fields by api_key, fieldsets by title."""
    entries = driver.find_elements("css selector", ".cms-layout-top > .cms-layout-entry")
    return [
        e.get_attribute("data-api-key") or e.find_element("css selector", ".cms-layout-title").text
        for e in entries
    ]


# HTML5 drag and drop as the page's script sees it (WebDriver's own drag doesn't fire
# these events): dragstart on the row, dragover the lower half of the target, dragend.
DRAG = """
const [source, target] = arguments;
const transfer = new DataTransfer();
const fire = (element, type, extra) => element.dispatchEvent(new DragEvent(type,
    {bubbles: true, cancelable: true, dataTransfer: transfer, ...extra}));
fire(source, "dragstart", {});
const box = target.getBoundingClientRect();
fire(target, "dragover", {clientX: box.left + 5, clientY: box.bottom - 3});
fire(source, "dragend", {});
"""


def css(driver, selector: str):
    return driver.find_element("css selector", selector)


def seen(driver, selector: str):
    """The element, scrolled to the middle of the window (for the screenshot)."""
    element = css(driver, selector)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    return element


def saved(driver, text: str) -> None:
    wait_for(driver, lambda d: text in d.page_source, f"the page saying {text!r}")


def _walk_through(driver, shots, served, post) -> None:
    from selenium.webdriver.support.ui import Select

    model_page = f"{served.url}/admin/item_types/itemtype/{post['id']}/change/"
    driver.get(f"{served.url}/admin/login/?next={model_page}")
    css(driver, "#id_username").send_keys("schema-editor")
    css(driver, "#id_password").send_keys(PASSWORD)
    css(driver, "input[type=submit]").click()
    wait_for(driver, lambda d: d.find_elements("css selector", ".cms-layout"), "the model page")
    assert top_level(driver) == ["title", "Details"]
    inside = driver.find_elements("css selector", ".cms-layout-inside > .cms-layout-field")
    assert [e.get_attribute("data-api-key") for e in inside] == ["body"]
    shots.take("model-page")

    # A link field: its type chosen first (the page reloads with that type's inputs).
    css(driver, ".cms-layout-actions a.addlink").click()
    wait_for(driver, lambda d: d.find_elements("id", "id_field_type"), "the field form")
    css(driver, "#id_label").send_keys("Author")
    css(driver, "#id_api_key").send_keys("author")
    Select(css(driver, "#id_field_type")).select_by_value("link")
    wait_for(
        driver,
        lambda d: d.find_elements("css selector", "fieldset.cms-validator-item_item_type"),
        "the link validator's inputs",
    )
    # The page came back with that type's inputs, and what was typed.
    assert css(driver, "#id_label").get_attribute("value") == "Author"
    assert css(driver, "#id_api_key").get_attribute("value") == "author"
    chooser = seen(driver, "fieldset.cms-validator-item_item_type")
    offered = [label.text for label in chooser.find_elements("css selector", "label")]
    assert "Author (author)" in offered and "Post (post)" in offered
    assert "Section (section)" not in offered  # a block model
    chooser.find_element("xpath", ".//label[contains(., 'Author (author)')]").click()
    css(driver, "#id_validator_required").click()
    Select(css(driver, "#id_editor")).select_by_value("link_embed")
    seen(driver, "fieldset.cms-validator-item_item_type")
    shots.take("link-field-chooser")
    css(driver, "input[name=_save]").click()
    saved(driver, "was added successfully")

    # The title: required, and a length whose range is wrong at first.
    driver.get(model_page)
    driver.find_element("link text", "Title").click()
    wait_for(driver, lambda d: d.find_elements("id", "id_validator_length__min"), "length inputs")
    css(driver, "#id_validator_required").click()
    css(driver, "#id_validator_length__min").send_keys("3")
    css(driver, "#id_validator_length__max").send_keys("2")
    assert css(driver, "#id_validator_length").is_selected()  # typing turned it on
    css(driver, "input[name=_save]").click()
    wait_for(driver, lambda d: "The minimum must not exceed" in d.page_source, "the range error")
    error = seen(driver, "fieldset.cms-validator-length .errorlist")
    assert "VALIDATION_INVALID_PARAMETERS" in error.text
    # Next to the input it is about: the minimum's row.
    row = css(driver, "fieldset.cms-validator-length .field-validator_length__min")
    assert "The minimum must not exceed the maximum." in row.text
    shots.take("length-range-error")
    maximum = css(driver, "#id_validator_length__max")
    maximum.clear()
    maximum.send_keys("80")
    css(driver, "input[name=_save]").click()
    saved(driver, "was changed successfully")

    # Author up one place, above the Details fieldset; then saved.
    driver.get(model_page)
    assert top_level(driver) == ["title", "Details", "author"]
    seen(driver, ".cms-layout-field[data-api-key=author] .cms-move-up").click()
    assert top_level(driver) == ["title", "author", "Details"]
    # The body dragged out of its fieldset, below the author.
    body = css(driver, ".cms-layout-field[data-api-key=body]")
    driver.execute_script(DRAG, body, css(driver, ".cms-layout-field[data-api-key=author] div"))
    assert top_level(driver) == ["title", "author", "body", "Details"]
    assert not driver.find_elements("css selector", ".cms-layout-inside > .cms-layout-entry")
    assert "Not saved yet." in css(driver, "#cms-order-note").text
    shots.take("reordered-unsaved")
    css(driver, "#cms-save-order").click()
    saved(driver, "The new order of the fields was saved.")
    assert top_level(driver) == ["title", "author", "body", "Details"]
    seen(driver, ".cms-layout")
    shots.take("reordered-saved")
