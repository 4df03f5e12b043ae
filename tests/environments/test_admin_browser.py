"""The admin's environments in a real browser (headless Chromium, tests/browser.py) against
`manage.py serve` (the server and its job worker) on a fresh database: log in, see the
primary in the header, switch to a sandbox forked through the API, see its badge, add a
record there, switch back and don't find it; maintenance mode's banner and refusal.
Screenshots of each step go to the test's folder (and CMS_SCREENSHOTS_DIR when set)."""

from tests.browser import Screenshots, chromium, wait_for
from tests.environments.test_forks import create_model, create_record, forked
from tests.serving import FAST_JOBS, serving

PASSWORD = "a browser's password 1"
SANDBOX_RECORD = "Written in the sandbox"
SANDBOX_ORANGE = "rgba(255, 146, 43, 1)"


def by_id(driver, element_id: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, element_id)


def header(driver) -> tuple[str, str]:
    """(name, "primary" or "sandbox") as the header shows them."""
    name = by_id(driver, "cms-environment-name").text
    kind = by_id(driver, "cms-environment-kind").get_attribute("textContent").strip()
    return name, kind


def showing(name: str):
    def condition(driver):
        elements = driver.find_elements("id", "cms-environment-name")
        return bool(elements) and elements[0].text == name

    return condition


def switch_to(driver, name: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(by_id(driver, "cms-environment-choice")).select_by_value(name)
    by_id(driver, "cms-environment-submit").click()
    wait_for(driver, showing(name), f"the header naming {name!r}")


def choose_model(driver, model_id: str) -> None:
    """The record editor is its model's: choosing the model loads it."""
    from selenium.webdriver.support.ui import Select

    Select(by_id(driver, "id_item_type")).select_by_value(model_id)
    wait_for(driver, lambda d: d.find_elements("css selector", ".re-record"), "the record editor")


def title_input(driver):
    return driver.find_element("css selector", '.re-field[data-field="title"] input')


def titles(served, environment=None) -> list[str]:
    return sorted(r["attributes"]["title"] for r in served.get("/items", environment)["data"])


def test_an_editor_switches_to_a_sandbox_and_back_in_a_browser(tmp_path):
    data_dir = tmp_path / "data"
    with serving(data_dir, "admin_browser", **FAST_JOBS) as served:
        served.create_superuser("editor", PASSWORD)
        post = create_model(served, "post")
        create_record(served, post, "Main's first post")
        assert forked(served, "main", "sandbox")["data"]["meta"]["status"] == "ready"

        with chromium(tmp_path) as driver:
            shots = Screenshots(driver, tmp_path)
            _walk_through(driver, shots, served, post)
            shots.publish()

        assert titles(served, "sandbox") == ["Main's first post", SANDBOX_RECORD]
        assert titles(served) == ["Main's first post"]


def _walk_through(driver, shots, served, post) -> None:
    driver.get(f"{served.url}/admin/login/?next=/admin/items/item/")
    shots.take("login")
    by_id(driver, "id_username").send_keys("editor")
    by_id(driver, "id_password").send_keys(PASSWORD)
    driver.find_element("css selector", "input[type=submit]").click()
    wait_for(driver, showing("main"), "the admin after logging in")
    assert header(driver) == ("main", "primary")
    assert "Main's first post" in driver.page_source
    shots.take("main")

    switch_to(driver, "sandbox")
    assert driver.current_url == f"{served.url}/admin/items/item/"  # the same page
    assert header(driver) == ("sandbox", "sandbox")
    badge = by_id(driver, "cms-environment-kind")
    assert badge.is_displayed() and badge.text == "SANDBOX"
    assert badge.value_of_css_property("background-color") == SANDBOX_ORANGE
    assert driver.title.startswith("[sandbox] ")
    shots.take("sandbox")

    driver.get(f"{served.url}/admin/items/item/add/")
    choose_model(driver, post["id"])
    title_input(driver).send_keys(SANDBOX_RECORD)
    shots.take("sandbox-new-record")
    driver.find_element("name", "_save").click()
    wait_for(
        driver, lambda d: "was added successfully" in d.page_source, "the record's success note"
    )
    assert header(driver) == ("sandbox", "sandbox")
    assert SANDBOX_RECORD in driver.page_source
    shots.take("sandbox-record-added")

    switch_to(driver, "main")
    assert driver.current_url == f"{served.url}/admin/items/item/"
    assert header(driver) == ("main", "primary")
    assert "Main's first post" in driver.page_source
    assert SANDBOX_RECORD not in driver.page_source
    shots.take("main-without-it")

    driver.get(f"{served.url}/admin/environments/environment/")
    rows = driver.find_elements("css selector", "#result_list tbody tr")
    assert [row.find_element("css selector", "th").text for row in rows] == ["main", "sandbox"]
    assert "Add environment" not in driver.page_source  # read-only: forks are the API's
    shots.take("environments")

    status, _ = served.request("PUT", "/maintenance-mode/activate")
    assert status == 200
    driver.get(f"{served.url}/admin/items/item/add/")
    banner = by_id(driver, "cms-environment-banner")
    assert banner.is_displayed() and "Maintenance mode is on" in banner.text
    choose_model(driver, post["id"])
    title_input(driver).send_keys("Not while in maintenance")
    driver.find_element("name", "_save").click()
    wait_for(driver, lambda d: "Nothing was saved" in d.page_source, "the refusal's page")
    assert "MAINTENANCE_MODE_ACTIVE" in driver.page_source
    shots.take("maintenance-refused")
    status, _ = served.request("PUT", "/maintenance-mode/deactivate")
    assert status == 200
