"""WCAG 2.2 AA in a real browser: axe-core (through axe-playwright-python) on every page, in the local mode and
in the production sign-in mode, fails on any serious or critical violation; and "View as" seen as a visitor
sees it: a steward previewing as a board member gets the board member's menu and suppressed figures.

The counts per page (every impact) are written to test-artifacts/accessibility.json for the README.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from servers import running_streamlit
from test_browser import FINISHED, PAGES, RUN_TIMEOUT_MS, VIEWPORT

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "test-artifacts" / "accessibility.json"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")
MENU_LINK = '[data-testid="stPageLink-NavLink"]'


def _axe():
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:  # pragma: no cover - the test extra installs it
        from servers import unavailable

        unavailable("axe-playwright-python is not installed (pip install -e '.[test]')")
    return Axe()


def _open(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(FINISHED, timeout=RUN_TIMEOUT_MS)
    page.wait_for_selector("h1, [data-testid=stAlert]", timeout=RUN_TIMEOUT_MS)
    page.wait_for_timeout(1500)  # plotly draws after the script has finished


def _violations(axe, page) -> list[dict]:
    result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return result.response["violations"]


def _record(mode: str, counts: dict[str, dict[str, int]]) -> None:
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    report = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    report[mode] = counts
    REPORT.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")


def _check_every_page(browser, url: str, mode: str) -> None:
    axe = _axe()
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    counts: dict[str, dict[str, int]] = {}
    blocking: list[str] = []
    try:
        for path, (name, _) in PAGES.items():
            _open(page, f"{url}/{path}")
            found = _violations(axe, page)
            counts[name] = {impact: sum(len(v["nodes"]) for v in found if v["impact"] == impact)
                            for impact in ("minor", "moderate", "serious", "critical")}
            blocking += [f"{mode} {name}: {v['id']} ({v['impact']}) on {len(v['nodes'])} element(s): "
                         f"{v['help']}; first at {v['nodes'][0]['target']}"
                         for v in found if v["impact"] in BLOCKING]
    finally:
        context.close()
    _record(mode, counts)
    assert not blocking, "\n".join(blocking)


def test_every_page_meets_wcag_in_the_local_mode(browser, streamlit_server):
    _check_every_page(browser, streamlit_server, "local")


def test_every_page_meets_wcag_in_the_production_sign_in_mode(browser, browser_demo_db, pg_database_url,
                                                              tmp_path):
    # production refuses SQLite: an empty PostgreSQL database; every page URL shows the sign-in page
    with running_streamlit(browser_demo_db, tmp_path, env="production", database_url=pg_database_url) as url:
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        try:
            _open(page, f"{url}/representation")
            body = page.locator('[data-testid="stApp"]').inner_text()
            assert "Sign in with your organisation account" in body
            assert page.locator(MENU_LINK).count() == 0  # no menu before sign-in
        finally:
            context.close()
        _check_every_page(browser, url, "production sign-in")


def _menu(page) -> set[str]:
    """The sidebar menu's page names (the icon's ligature text comes first in each link)."""
    page.wait_for_selector(MENU_LINK, timeout=RUN_TIMEOUT_MS)
    return {text.strip().split("\n")[-1].strip() for text in page.locator(MENU_LINK).all_inner_texts()}


def _choose_view_as(page, option: str) -> None:
    page.locator('[data-testid="stSelectbox"]').filter(has_text="View as").locator("input").click()
    page.get_by_role("option", name=option).click()
    page.wait_for_selector(f"text=You are viewing the dashboard as {option.lower()}", timeout=RUN_TIMEOUT_MS)
    page.wait_for_selector(FINISHED, timeout=RUN_TIMEOUT_MS)
    page.wait_for_timeout(1000)


def test_view_as_a_board_member_shows_what_the_role_sees(browser, streamlit_server, screenshots):
    axe = _axe()
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        _open(page, streamlit_server)
        assert {"Outreach", "Import data", "Admin"} <= _menu(page)
        _choose_view_as(page, "A board member")
        menu = _menu(page)
        assert not {"Outreach", "Import data", "Admin"} & menu, menu
        assert {"Overview", "Representation", "Decision-making"} <= menu
        main = page.locator('[data-testid="stMain"]').inner_text()
        assert "Suppressed for publication" in main and "NOT FOR PUBLICATION" not in main
        assert "In 20" in main  # the headlines are there, as the board member gets them
        page.screenshot(path=str(screenshots / "view_as_board_member.png"))
        blocking = [v["id"] for v in _violations(axe, page) if v["impact"] in BLOCKING]
        assert not blocking, blocking
        page.locator(MENU_LINK).filter(has_text="Representation").click()  # the preview holds across pages
        page.wait_for_selector("h1:has-text('Representation')", timeout=RUN_TIMEOUT_MS)
        page.wait_for_selector(FINISHED, timeout=RUN_TIMEOUT_MS)
        main = page.locator('[data-testid="stMain"]').inner_text()
        assert "You are viewing the dashboard as a board member" in main and "NOT FOR PUBLICATION" not in main
    finally:
        context.close()


def test_the_keyboard_reaches_the_menu_and_the_filters_with_a_visible_focus(browser, streamlit_server):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        _open(page, streamlit_server)
        _menu(page)
        reached, outlines = set(), []
        for _ in range(40):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                """() => { const e = document.activeElement; const s = getComputedStyle(e);
                   return [e.getAttribute('data-testid') || e.tagName, e.innerText || e.getAttribute('aria-label')
                           || '', s.outlineStyle, parseFloat(s.outlineWidth) || 0]; }""")
            reached.add(focused[0])
            if focused[0] == "stPageLink-NavLink":
                outlines.append((focused[1].split("\\n")[-1], focused[2], focused[3]))
        assert "stSkipToContent" in reached or "A" in reached  # the skip link comes first
        assert len(outlines) >= 5, reached  # Tab walks through the menu
        assert all(style == "solid" and width >= 2 for _, style, width in outlines), outlines
        assert "INPUT" in reached  # and on into the filters (select boxes)
    finally:
        context.close()
