"""The HTML report in a real browser: Debian's chromium, driven by Selenium.

One headless browser serves the whole module. Without a browser on the machine these
tests fail and say how to install one: a report nobody opened in a browser is not tested.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import resplan
import tasks
from resplan.report import render_report
from tests.test_report import HOSTILE, hostile_plan

INSTALL = (
    "install a browser and its driver: `apt-get install chromium chromium-driver` "
    "(Debian; .ci/run does this), then `pip install -e '.[dev]'` for Selenium; or set "
    "RESPLAN_CHROMIUM and RESPLAN_CHROMEDRIVER to a Chromium and its chromedriver"
)


def _find(variable: str, *names: str) -> str | None:
    if os.environ.get(variable):
        return shutil.which(os.environ[variable])
    return next((path for path in map(shutil.which, names) if path), None)


@pytest.fixture(scope="module")
def browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("Selenium is not installed: " + INSTALL, pytrace=False)
    chromium = _find("RESPLAN_CHROMIUM", "chromium", "chromium-browser", "google-chrome")
    driver_path = _find("RESPLAN_CHROMEDRIVER", "chromedriver")
    if not chromium or not driver_path:
        pytest.fail("No browser for the report tests: " + INSTALL, pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--hide-scrollbars",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_window_size(1280, 900)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def pages(host, example_profile, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    catalogs = [
        host.read_catalog(tasks.ROOT / path)
        for path in (*tasks.EXAMPLE_CATALOGS, tasks.SYNTHETIC_CATALOG)
    ]
    plan = resplan.plan(example_profile, resplan.merge_catalogs(catalogs), host=host)
    example, hostile = folder / "example.html", folder / "hostile.html"
    example.write_text(render_report(plan, "html"), encoding="utf-8")
    hostile.write_text(render_report(hostile_plan(host), "html"), encoding="utf-8")
    return {"plan": plan, "example": example, "hostile": hostile}


def _open(browser, path: Path, *, script: bool = True) -> None:
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": not script})
    browser.get(path.as_uri())
    browser.get_log("browser")  # leave earlier pages' messages behind
    browser.get_log("performance")
    browser.refresh()


def _visible_rows(browser) -> list:
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('table.programs tbody tr'))"
        ".filter(r => !r.closest('[hidden], details:not([open])'))"
        ".map(r => [r.dataset.state, r.dataset.verdict])"
    )


def test_no_console_error_and_no_network_request(browser, pages):
    _open(browser, pages["example"])
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert errors == []
    requests = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
    assert requests and all(url == pages["example"].as_uri() for url in requests), requests


def test_first_screen_shows_the_next_actions_and_the_headline_numbers(browser, pages):
    _open(browser, pages["example"])
    height = browser.execute_script("return window.innerHeight")
    actions = browser.find_elements("css selector", "ol.next li")
    assert 3 <= len(actions) <= 5
    assert all(a.is_displayed() and a.rect["y"] + a.rect["height"] <= height for a in actions)
    plan = pages["plan"]
    wanted = [a.title for a in plan.actions][: len(actions)]  # the plan lists them by when due
    assert [a.find_element("css selector", ".title").text for a in actions] == wanted
    numbers = browser.find_elements("css selector", "dl.stats div")
    assert all(n.rect["y"] + n.rect["height"] <= height for n in numbers)
    shown = {
        n.find_element("tag name", "dt").text: n.find_element("tag name", "dd").text.split("\n")[0]
        for n in numbers
    }
    s = plan.summary
    assert shown["Programs to apply to"] == f"{s.apply:,}"
    # The plan has a generated sample: the tiers count the real programs, the rest apart.
    real_tier1 = sum(1 for p in plan.programs if p.tier == 1 and not p.synthetic)
    assert 0 < real_tier1 < s.tier1
    assert shown["Tier 1 programs (real)"] == f"{real_tier1:,}"
    assert shown["Programs with facts to verify"] == f"{s.to_verify:,}"
    assert shown["Skipped programs"] == f"{s.skip:,}"


def test_filtering_the_program_list_by_state(browser, pages):
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.wait import WebDriverWait

    _open(browser, pages["example"])
    real = [p for p in pages["plan"].programs if not p.synthetic]
    assert len(_visible_rows(browser)) == len(real)
    Select(browser.find_element("name", "state")).select_by_value("NM")
    rows = _visible_rows(browser)
    assert rows and {state for state, _ in rows} == {"NM"}
    assert len(rows) == sum(p.state == "NM" for p in real)
    generated = [p for p in pages["plan"].programs if p.synthetic]
    status = browser.find_element("id", "filter-status").text
    assert status == (
        f"Showing {len(rows)} of {len(real)} real programs and "
        f"{sum(p.state == 'NM' for p in generated)} of {len(generated)} generated programs."
    )
    Select(browser.find_element("name", "verdict")).select_by_value("skip")
    assert all(v == "skip" for _, v in _visible_rows(browser))
    browser.find_element("css selector", "#program-filters button[type=reset]").click()
    # The form resets after its reset event; the script filters again just after that.
    WebDriverWait(browser, 10).until(lambda b: len(_visible_rows(b)) == len(real))


def test_the_filter_counts_generated_programs_apart_and_every_count_follows_it(browser, pages):
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.wait import WebDriverWait

    _open(browser, pages["example"])
    programs = pages["plan"].programs
    real = [p for p in programs if not p.synthetic]
    generated = [p for p in programs if p.synthetic]
    sample = browser.find_element("css selector", "details.synthetic-programs summary")

    def shown_rows(synthetic: bool) -> int:
        return browser.execute_script(
            "return Array.from(document.querySelectorAll('table.programs tbody tr'))"
            ".filter(r => r.hasAttribute('data-synthetic') === arguments[0]"
            " && !r.closest('[hidden]')).length",
            synthetic,
        )

    def group_counts() -> list:
        # Each shown group's heading against the rows it shows, and all its rows.
        return browser.execute_script(
            "return Array.from(document.querySelectorAll('.program-group:not([hidden])'))"
            ".map(g => [g.querySelector('.group-count').textContent,"
            " g.querySelectorAll('tbody tr:not([hidden])').length,"
            " g.querySelectorAll('tbody tr').length])"
        )

    assert sample.text == f"{len(generated)} programs from a generated sample (not real programs)"
    # A state only the generated sample has: no real program, some generated ones.
    state = sorted({p.state for p in generated} - {p.state for p in real})[0]
    matching = sum(p.state == state for p in generated)
    Select(browser.find_element("name", "state")).select_by_value(state)
    status = browser.find_element("id", "filter-status").text
    assert status == (
        f"Showing 0 of {len(real)} real programs and {matching} of {len(generated)} "
        "generated programs."
    )
    assert (shown_rows(False), shown_rows(True)) == (0, matching)
    assert sample.text.startswith(f"{matching} of {len(generated)} programs from a generated")
    counts = group_counts()
    assert counts and sum(shown for _, shown, _ in counts) == matching
    for text, shown, total in counts:
        noun = "program" if total == 1 else "programs"
        assert text == (f"({total} {noun})" if shown == total else f"({shown} of {total} {noun})")
    browser.find_element("css selector", "#program-filters button[type=reset]").click()
    WebDriverWait(browser, 10).until(lambda b: shown_rows(True) == len(generated))
    assert sample.text == f"{len(generated)} programs from a generated sample (not real programs)"
    assert all(shown == total for _, shown, total in group_counts())


def test_sorting_a_table_by_a_column(browser, pages):
    _open(browser, pages["example"])
    table = browser.find_element("css selector", "table.programs")
    header = table.find_element("css selector", "thead th button")
    # Each one-word header keeps its sort arrow on its own line ("Decision ↕", not "↕" below).
    tall = browser.execute_script(
        "return Array.from(arguments[0].querySelectorAll('thead th button'))"
        ".filter(b => b.textContent.trim().indexOf(' ') < 0 && b.getBoundingClientRect().height"
        " > 1.5 * parseFloat(getComputedStyle(b).lineHeight)).map(b => b.textContent)",
        table,
    )
    assert tall == []
    header.click()
    names = [c.text for c in table.find_elements("css selector", "tbody td.name")]
    assert names == sorted(names, key=str.lower)
    header.click()
    names = [c.text for c in table.find_elements("css selector", "tbody td.name")]
    assert names == sorted(names, key=str.lower, reverse=True)


def test_every_chart_has_a_text_alternative_and_headings_are_in_order(browser, pages):
    _open(browser, pages["example"])
    charts = browser.find_elements("css selector", "svg[role=img]")
    assert len(charts) >= 2
    for chart in charts:
        ids = chart.get_attribute("aria-labelledby").split()
        texts = [
            browser.execute_script("return document.getElementById(arguments[0]).textContent", i)
            for i in ids
        ]
        assert len(texts) == 2 and all(t.strip() for t in texts)
    levels = browser.execute_script(
        "return Array.from(document.querySelectorAll('h1,h2,h3,h4')).map(h => +h.tagName[1])"
    )
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:]))
    headers = browser.execute_script(
        "return Array.from(document.querySelectorAll('table')).every(t => t.querySelector('th'))"
    )
    assert headers


def test_a_hostile_program_name_stays_text(browser, pages):
    from selenium.common.exceptions import NoAlertPresentException

    _open(browser, pages["hostile"])
    names = [c.text for c in browser.find_elements("css selector", "td.name")]
    assert HOSTILE in names
    with pytest.raises(NoAlertPresentException):
        _ = browser.switch_to.alert.text
    assert browser.execute_script("return document.scripts.length") == 1
    assert browser.find_elements("css selector", "img") == []
    assert [h.text for h in browser.find_elements("tag name", "h1")] == [
        "Your residency application plan"
    ]


def test_the_page_is_complete_without_javascript(browser, pages):
    _open(browser, pages["example"], script=False)
    try:
        real = [p for p in pages["plan"].programs if not p.synthetic]
        assert len(_visible_rows(browser)) == len(real)
        assert not browser.find_element("id", "program-filters").is_displayed()
        assert browser.find_elements("css selector", "th button") == []
        assert browser.find_element("css selector", "ol.next li").is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def test_a_phone_reads_the_programs_as_cards(browser, pages):
    _open(browser, pages["example"])
    try:
        browser.set_window_size(390, 844)
        width = browser.execute_script("return document.documentElement.clientWidth")
        scroll = browser.execute_script("return document.documentElement.scrollWidth")
        assert scroll <= width  # nothing wider than the phone's screen
        display = browser.execute_script(
            "return getComputedStyle(document.querySelector('table.programs tr')).display"
        )
        assert display == "block"
    finally:
        browser.set_window_size(1280, 900)


# The words of table cells (outside long sources and code) that the browser drew over more
# than one line: a column squeezed below its longest word splits "2025" into 2/0/2/5.
# A break after a hyphen or a slash is an ordinary line break, so those split words.
SPLIT_WORDS = r"""
const split = [];
for (const cell of document.querySelectorAll('th, td')) {
  if (cell.closest('details:not([open]), [hidden], td.long, code')) continue;
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('code')) continue;
    for (const m of node.data.matchAll(/[^\s\-\u2013\/]+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const lines = new Set(Array.from(range.getClientRects())
        .filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (lines.size > 1) split.push(m[0]);
    }
  }
}
return split;
"""


def test_a_phone_keeps_numbers_and_words_whole_in_every_table(browser, pages):
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 375, "height": 800, "deviceScaleFactor": 1, "mobile": True},
    )
    try:
        _open(browser, pages["example"])
        width = browser.execute_script("return document.documentElement.clientWidth")
        assert width == 375
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width
        tables = browser.execute_script("return document.querySelectorAll('table').length")
        assert tables >= 8  # the example plan has figures, volumes, fees, signals, regions
        assert browser.execute_script(SPLIT_WORDS) == []
        # And each number cell is one line: its text takes a single line box.
        lines = browser.execute_script(
            "return Array.from(document.querySelectorAll('td.num')).filter(c =>"
            " !c.closest('details:not([open])') && c.firstChild && c.firstChild.nodeType === 3)"
            ".map(c => { const r = document.createRange(); r.selectNodeContents(c.firstChild);"
            " return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size; })"
        )
        assert lines and set(lines) == {1}
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_paper_keeps_tables_as_tables_with_whole_words(browser, pages):
    # US Letter less the page margins is about 725 CSS pixels wide: narrower than the
    # phone layout's breakpoint, which must not turn the printed program tables into cards.
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        browser.set_window_size(725, 1000)
        _open(browser, pages["example"])
        display = browser.execute_script(
            "return getComputedStyle(document.querySelector('table.programs tr')).display"
        )
        assert display == "table-row"
        assert browser.execute_script(SPLIT_WORDS) == []
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        browser.set_window_size(1280, 900)
