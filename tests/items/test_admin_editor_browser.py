"""The record editor in a real browser (headless Chromium, tests/browser.py) against
`manage.py serve` on a fresh database: an editor logs in, creates a record with a localized
title, a link chosen in the chooser, a file uploaded from the upload chooser and two blocks
(reordered), saves, sees the errors next to their field and locale, fixes them, publishes,
and restores an older version. The API then answers what the editor did. Screenshots of
each step go to the test's folder (printed; and CMS_SCREENSHOTS_DIR when set)."""

import re

from django.contrib.admin.utils import unquote

from tests.browser import Screenshots, chromium, wait_for
from tests.conftest import png_bytes
from tests.serving import FAST_JOBS, serving

PASSWORD = "an editor's password 1"


def ok(served, method, path, body=None, status=200) -> dict:
    answered, document = served.request(method, path, body)
    assert answered == status, (method, path, answered, document)
    return document


def model(served, api_key, **attributes) -> str:
    body = {
        "data": {
            "type": "item_type",
            "attributes": {"name": api_key.title(), "api_key": api_key, **attributes},
        }
    }
    return ok(served, "POST", "/item-types", body, 201)["data"]["id"]


def field(served, model_id, api_key, field_type, **attributes) -> str:
    body = {
        "data": {
            "type": "field",
            "attributes": {
                "label": api_key.replace("_", " ").title(),
                "api_key": api_key,
                "field_type": field_type,
                **attributes,
            },
        }
    }
    return ok(served, "POST", f"/item-types/{model_id}/fields", body, 201)["data"]["id"]


def content_model(served) -> dict:
    """article: every widget; author (linked); quote and callout (blocks)."""
    site = {"data": {"type": "site", "attributes": {"locales": ["en", "it"]}}}
    ok(served, "PUT", "/site", site)
    author = model(served, "author")
    field(served, author, "name", "string")
    quote = model(served, "quote", modular_block=True)
    field(served, quote, "text", "string", validators={"required": {}})
    callout = model(served, "callout", modular_block=True)
    field(served, callout, "heading", "string")
    field(served, callout, "tone", "color")
    article = model(served, "article", all_locales_required=True, draft_mode_active=True)
    title = field(served, article, "title", "string", localized=True, validators={"required": {}})
    slug_of_title = {"slug_title_field": {"title_field_id": title}}
    field(served, article, "slug", "slug", validators=slug_of_title)
    field(
        served, article, "author", "link", validators={"item_item_type": {"item_types": [author]}}
    )
    field(served, article, "cover", "file")
    field(
        served,
        article,
        "body",
        "rich_text",
        validators={"rich_text_blocks": {"item_types": [quote, callout]}},
    )
    field(served, article, "rating", "integer", validators={"number_range": {"min": 1, "max": 5}})
    field(
        served,
        article,
        "content",
        "structured_text",
        validators={
            "structured_text_blocks": {"item_types": [quote]},
            "structured_text_links": {"item_types": [author]},
        },
    )
    for api_key, field_type in [
        ("summary", "text"),
        ("featured", "boolean"),
        ("score", "float"),
        ("day", "date"),
        ("starts", "date_time"),
        ("accent", "color"),
        ("place", "lat_lon"),
        ("extra", "json"),
        ("seo", "seo"),
        ("video", "video"),
    ]:
        field(served, article, api_key, field_type)
    return {"article": article, "author": author, "quote": quote, "callout": callout}


def test_an_editor_writes_a_record_in_the_record_editor(tmp_path):
    with serving(tmp_path / "data", "record_editor", **FAST_JOBS) as served:
        served.create_superuser("editor", PASSWORD)
        models = content_model(served)
        body = {
            "data": {
                "type": "item",
                "attributes": {"name": "Ada Lovelace"},
                "relationships": {
                    "item_type": {"data": {"type": "item_type", "id": models["author"]}}
                },
            }
        }
        ada = ok(served, "POST", "/items", body, 201)["data"]["id"]
        picture = tmp_path / "cover.png"
        picture.write_bytes(png_bytes(120, 80, (30, 120, 200)))
        print(f"screenshots: {tmp_path}")
        with chromium(tmp_path) as driver:
            shots = Screenshots(driver, tmp_path)
            try:
                record_id = _walk_through(driver, shots, served, models, ada, picture)
            finally:
                shots.publish()

        record = ok(served, "GET", f"/items/{record_id}?nested=true")["data"]
        attributes = record["attributes"]
        assert attributes["title"] == {"en": "Hello", "it": "Ciao"}  # restored: not "Hello again"
        assert attributes["slug"] == "hello"
        assert attributes["author"] == ada
        assert attributes["cover"]["upload_id"]
        assert attributes["rating"] == 4
        blocks = attributes["body"]
        assert [b["relationships"]["item_type"]["data"]["id"] for b in blocks] == [
            models["callout"],
            models["quote"],
        ]  # reordered
        assert blocks[0]["attributes"]["heading"] == "Read this"
        assert blocks[1]["attributes"]["text"] == "To be or not to be"
        paragraphs = attributes["content"]["document"]["children"]
        assert paragraphs[0]["type"] == "heading"
        assert paragraphs[1]["children"][1] == {
            "type": "span",
            "value": "bold",
            "marks": ["strong"],
        }
        versions = ok(served, "GET", f"/items/{record_id}/versions")["data"]
        assert len(versions) == 3  # created, changed, restored


def by_css(driver, selector):
    return driver.find_element("css selector", selector)


def inside(element, selector):
    return element.find_element("css selector", selector)


def field_row(driver, api_key):
    return by_css(driver, f'.re-record > .re-fields > .re-field[data-field="{api_key}"]')


def full_page(shots, name):
    """A screenshot of the whole page (the window grown to its height)."""
    driver = shots.driver
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(height, 900), 6000))
    shots.take(name)
    driver.set_window_size(1280, 900)


def saved(driver, text):
    wait_for(driver, lambda d: text in d.page_source, repr(text))


def _walk_through(driver, shots, served, models, ada, picture) -> str:
    driver.get(f"{served.url}/admin/login/?next=/admin/items/item/")
    by_css(driver, "#id_username").send_keys("editor")
    by_css(driver, "#id_password").send_keys(PASSWORD)
    by_css(driver, "input[type=submit]").click()
    wait_for(
        driver,
        lambda d: "Select item to change" in d.page_source or "Select" in d.title,
        "the record list",
    )
    shots.take("logged-in")

    driver.get(f"{served.url}/admin/items/item/add/?item_type={models['article']}")
    wait_for(driver, lambda d: d.find_elements("css selector", ".re-record"), "the editor")
    full_page(shots, "empty-editor")

    title = field_row(driver, "title")
    title.find_element("css selector", '.re-panel[data-locale="en"] input').send_keys("Hello")
    slug = field_row(driver, "slug").find_element("css selector", "input")
    assert slug.get_attribute("value") == "hello"  # prefilled from the title

    field_row(driver, "author").find_element("css selector", ".re-choose-record").click()
    search = wait_for(
        driver, lambda d: d.find_element("css selector", "dialog .re-search"), "the record chooser"
    )
    search.send_keys("ada")
    found = f'dialog .re-results[data-query="ada"] [data-id="{ada}"]'  # the search's answer
    result = wait_for(driver, lambda d: inside(d, found), "Ada in the chooser")
    shots.take("record-chooser")
    result.click()
    assert "Ada Lovelace" in field_row(driver, "author").text

    field_row(driver, "cover").find_element("css selector", ".re-choose-upload").click()
    upload_input = wait_for(driver, lambda d: inside(d, "dialog .re-upload-input"), "the chooser")
    shots.take("upload-chooser")
    upload_input.send_keys(str(picture))
    wait_for(
        driver,
        lambda d: field_row(d, "cover").find_elements("css selector", "img.re-thumb"),
        "the upload's thumbnail",
    )

    body = field_row(driver, "body")
    from selenium.webdriver.support.ui import Select

    for block_model, text_key, text in [
        ("quote", "text", "To be or not to be"),
        ("callout", "heading", "Read this"),
    ]:
        Select(body.find_element("css selector", ".re-block-model")).select_by_visible_text(
            block_model.title()
        )
        body.find_element("css selector", ".re-add-block").click()
        block = body.find_elements("css selector", ".re-block")[-1]
        inside(block, f'.re-field[data-field="{text_key}"] input').send_keys(text)
    inside(body.find_elements("css selector", ".re-block")[1], ".re-up").click()
    kinds = [b.get_attribute("data-model") for b in body.find_elements("css selector", ".re-block")]
    assert kinds == ["callout", "quote"]

    content = field_row(driver, "content")
    content.find_element("css selector", '.re-add-node[data-kind="heading"]').click()
    content.find_elements("css selector", ".re-node-text")[-1].send_keys("A heading")
    content.find_element("css selector", '.re-add-node[data-kind="paragraph"]').click()
    content.find_elements("css selector", ".re-node-text")[-1].send_keys("Some **bold** words")
    field_row(driver, "rating").find_element("css selector", "input").send_keys("9")
    full_page(shots, "filled-in")

    by_css(driver, "input[name=_continue]").click()
    saved(driver, "Nothing was saved")
    it_title = inside(field_row(driver, "title"), '.re-panel[data-locale="it"]')
    assert it_title.is_displayed()  # the tab with the error is shown
    it_tab = inside(field_row(driver, "title"), '.re-tab[data-locale="it"]')
    assert "re-tab-invalid" in it_tab.get_attribute("class")
    assert it_title.find_element("css selector", ".errorlist").text
    assert inside(field_row(driver, "rating"), ".errorlist").text == "Number range: min 1, max 5."
    assert served.records("article") == []  # nothing written
    full_page(shots, "errors-shown")

    it_title.find_element("css selector", "input").send_keys("Ciao")
    rating = field_row(driver, "rating").find_element("css selector", "input")
    rating.clear()
    rating.send_keys("4")
    by_css(driver, "input[name=_continue]").click()
    saved(driver, "was added successfully")
    record_id = unquote(re.search(r"/item/([^/]+)/change/", driver.current_url).group(1))
    full_page(shots, "saved")

    by_css(driver, "#record-publish").click()
    saved(driver, "The record was published.")
    assert by_css(driver, "#record-status").text == "published"
    shots.take("published")

    title = inside(field_row(driver, "title"), '.re-panel[data-locale="en"] input')
    title.clear()
    title.send_keys("Hello again")
    by_css(driver, "input[name=_continue]").click()
    saved(driver, "was changed successfully")
    assert by_css(driver, "#record-status").text == "updated"
    rows = driver.find_elements("css selector", "#record-versions tbody tr")
    assert len(rows) == 2
    driver.execute_script("arguments[0].scrollIntoView()", rows[-1])
    shots.take("version-history")
    rows[-1].find_element("css selector", ".record-restore").click()
    saved(driver, "was restored")
    value = inside(field_row(driver, "title"), '.re-panel[data-locale="en"] input')
    assert value.get_attribute("value") == "Hello"
    full_page(shots, "restored")
    return record_id
