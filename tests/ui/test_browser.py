"""The catalog in a real headless Chromium (one browser for the run): pages load without console
errors and without a request leaving 127.0.0.1, search works as you type, clicks reach a source
column, access is enforced, the diff shows a changed type, Tab reaches the search box. Each page
is photographed into the screenshots folder (``$VIRTUALFS_UI_SCREENSHOTS`` or a temporary one)."""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import WebDriverWait

from tests.ui.shop import IAN, MIA

WAIT = 10  # seconds a step may take before the test fails (a bound, not a timing assertion)
PAGES = {"home": "/ui", "catalog": "/ui/catalog", "search": "/ui/search?q=customer",
         "entity": "/ui/entities/customer", "source": "/ui/sources/customer_profiles",
         "view": "/ui/views/customer_orders", "feature": "/ui/features/customer_orders:amount",
         "service": "/ui/services/churn", "datasets": "/ui/datasets", "dataset": "/ui/datasets/churn_train",
         "versions": "/ui/versions", "diff": "/ui/diff?old=1&new=2",
         "lineage": "/ui/lineage/customer_orders:amount", "column": "/ui/lineage/customers.email",
         "audit": "/ui/audit", "not_found": "/ui/views/customer_order", "on_demand": "/ui/on-demand/basket"}


def console_errors(browser) -> list[dict]:
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def requested_hosts(browser) -> set[str]:
    """Every host the page asked for anything (from the network log since the last read)."""
    hosts = set()
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if not url.startswith(("data:", "about:")):
                hosts.add(urlparse(url).hostname)
    return hosts


def photograph(browser, path) -> None:
    """A picture of the whole page, not only what fits the window."""
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, max(900, min(height, 4000)))
    browser.save_screenshot(str(path))
    browser.set_window_size(1280, 900)


def visit(browser, url: str) -> None:
    browser.get(url)
    WebDriverWait(browser, WAIT).until(lambda b: b.execute_script("return document.readyState") == "complete")


def test_home_loads_without_console_errors_and_nothing_leaves_loopback(browser, live_open, screenshots):
    browser.get_log("browser"), browser.get_log("performance")  # start from a clean log
    visit(browser, live_open.url + "/ui")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("uishop")
    assert console_errors(browser) == []
    assert requested_hosts(browser) == {"127.0.0.1"}
    photograph(browser, screenshots / "home.png")


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_page_is_photographed_without_console_errors(browser, live_open, screenshots, name):
    browser.get_log("browser"), browser.get_log("performance")
    visit(browser, live_open.url + PAGES[name])
    photograph(browser, screenshots / f"{name}.png")
    errors = console_errors(browser)
    if name == "not_found":  # the browser reports the 404 response itself, nothing else
        assert all("404" in entry["message"] for entry in errors)
    else:
        assert errors == []
    assert requested_hosts(browser) <= {"127.0.0.1"}


def test_search_finds_a_feature_by_a_word_of_its_description_as_you_type(browser, live_open, screenshots):
    visit(browser, live_open.url + "/ui")
    box = browser.find_element(By.ID, "search")
    box.send_keys("eur")  # the start of "euros", from "Money spent on the order, in euros."
    box.send_keys("os")
    results = WebDriverWait(browser, WAIT).until(seen.visibility_of_element_located((By.ID, "search-results")))
    WebDriverWait(browser, WAIT).until(lambda b: "customer_orders:amount" in results.text)
    photograph(browser, screenshots / "search_as_you_type.png")
    assert browser.current_url.endswith("/ui")  # nothing was submitted: the list came as typed
    results.find_element(By.PARTIAL_LINK_TEXT, "customer_orders:amount").click()
    WebDriverWait(browser, WAIT).until(seen.url_contains("/ui/features/customer_orders:amount"))


def test_clicking_view_feature_and_lineage_node_reaches_the_source_column(browser, live_open, screenshots):
    visit(browser, live_open.url + "/ui/views/customer_orders")
    browser.find_element(By.LINK_TEXT, "amount").click()
    WebDriverWait(browser, WAIT).until(seen.url_contains("/ui/features/customer_orders:amount"))
    node = browser.find_element(By.CSS_SELECTOR, 'svg.lineage g[data-node="orders.amount"]')
    node.click()
    WebDriverWait(browser, WAIT).until(seen.url_contains("/ui/lineage/orders.amount"))
    focused = browser.find_element(By.CSS_SELECTOR, "svg.lineage g.focus")
    assert focused.get_attribute("data-node") == "orders.amount"
    assert "node-column" in focused.get_attribute("class")
    drawn = {g.get_attribute("data-node") for g in browser.find_elements(By.CSS_SELECTOR, "svg.lineage g")}
    assert {"source/orders", "customer_orders:amount", "customer_orders:spend_7d"} <= drawn
    photograph(browser, screenshots / "column_lineage.png")


def sign_in(browser, base: str, token: str, target: str) -> None:
    browser.delete_all_cookies()
    visit(browser, f"{base}/ui/login?next={target}")
    browser.find_element(By.NAME, "token").send_keys(token + Keys.ENTER)
    # the login page's own address names the target too: wait until the browser is there
    WebDriverWait(browser, WAIT).until(lambda b: urlparse(b.current_url).path == target)


def test_a_masked_principal_sees_the_pii_label_and_no_values(browser, live_guarded, screenshots):
    sign_in(browser, live_guarded.url, MIA, "/ui/features/customer_profile:email")
    assert browser.find_element(By.CSS_SELECTOR, "h1 .pii").text == "PII"
    notice = browser.find_element(By.CSS_SELECTOR, ".notice.masked").text
    assert "masked" in notice
    assert browser.find_elements(By.CSS_SELECTOR, ".chart svg") == []
    assert "@mail.example" not in browser.page_source
    photograph(browser, screenshots / "masked_feature.png")


def test_a_refused_principal_gets_403(browser, live_guarded, screenshots):
    sign_in(browser, live_guarded.url, IAN, "/ui/views/customer_orders")
    visit(browser, live_guarded.url + "/ui/views/customer_profile")
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert "Not allowed" in heading and "403" in heading
    photograph(browser, screenshots / "refused.png")
    browser.delete_all_cookies()


def test_the_version_diff_shows_a_changed_type(browser, live_open, screenshots):
    visit(browser, live_open.url + "/ui/versions")
    browser.find_element(By.LINK_TEXT, "diff with 1").click()
    WebDriverWait(browser, WAIT).until(seen.url_contains("/ui/diff"))
    changes = browser.find_element(By.CSS_SELECTOR, ".change-update").text
    assert "customer_orders.items: int64 -> float64" in changes
    photograph(browser, screenshots / "version_diff.png")


def test_keyboard_navigation_reaches_the_search_box(browser, live_open):
    visit(browser, live_open.url + "/ui/views/customer_orders")
    body = browser.find_element(By.TAG_NAME, "body")
    body.click()
    for _ in range(12):  # the brand link and the four menu links come first
        browser.switch_to.active_element.send_keys(Keys.TAB)
        if browser.switch_to.active_element.get_attribute("id") == "search":
            break
    assert browser.switch_to.active_element.get_attribute("id") == "search"
    visit(browser, live_open.url + "/ui/catalog")
    browser.find_element(By.TAG_NAME, "body").send_keys("/")  # the shortcut, from anywhere
    assert browser.switch_to.active_element.get_attribute("id") == "search"
