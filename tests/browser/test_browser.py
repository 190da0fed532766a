"""The dashboard in a real browser: every page of `streamlit run dashboard/app.py` on the demo trust, with
headings, a known number from the demo data, no exception element, and a screenshot of each page.

Screenshots go to test-artifacts/screenshots/<page>.png; with UPDATE_SCREENSHOTS=1 the Overview,
Representation and Decision-making ones are also copied to docs/screenshots/ for the README.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl
import pytest

from analytics import columns as c
from analytics.baselines import BaselineSpec
from analytics.loader import load_frames
from analytics.representation import latest_period, representation_table
from models.db import get_engine

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]

# url path -> (screenshot name, heading)
PAGES = {
    "": ("overview", "Overview"),
    "representation": ("representation", "Representation"),
    "decision_making": ("decision_making", "Decision-making: the board view"),
    "trends": ("trends", "Trends"),
    "outreach": ("outreach", "Outreach"),
    "board_pack": ("board_pack", "Board pack"),
    "network": ("network", "Network: organisations compared"),
    "data_quality": ("data_quality", "Data quality"),
    "methods": ("methods", "Methods and glossary"),
    "scorecard": ("scorecard", "4PI scorecard"),
    "activity_view": ("activity_view", "Activity view"),
    "import_data": ("import_data", "Import data"),
    "records": ("records", "Records"),
    "corrections": ("corrections", "Corrections and erasure"),
    "setup": ("setup", "Set up"),
    "admin": ("admin", "Admin: users, roles and the audit trail"),
}
NAV_LINK = '[data-testid="stPageLink-NavLink"]'  # the sidebar menu (st.page_link)
EXACT_MARK = "NOT FOR PUBLICATION"  # the local user is a data steward: exact figures, marked
README_PAGES = ("overview", "representation", "decision_making")
RUN_TIMEOUT_MS = 90_000
VIEWPORT = {"width": 1440, "height": 1000}
FINISHED = '[data-testid="stApp"][data-test-script-state="notRunning"]'  # the script has run to the end


def _demo_facts(path) -> dict[str, str]:
    """Numbers the pages must show, worked out here from the same database with the analytics engine."""
    engine = get_engine(f"sqlite:///{path}")
    frames = load_frames(engine, organisation_id=1)
    rep = representation_table(frames, "ethnicity_broad", period="quarter",
                               baseline=BaselineSpec(kind="census"))
    period = latest_period(rep.rows)
    board = rep.tables.filter((pl.col(c.PERIOD) == period) & (pl.col(c.LEVEL_KEY) == "board"))
    return {"period": period, "board_people": f"{board.get_column(c.PEOPLE).item():,}",
            "organisation": frames.organisation_name}


def _wait_for_run(page) -> None:
    """Until the script has run to the end (Streamlit marks the app root) and charts have drawn."""
    page.wait_for_selector(FINISHED, timeout=RUN_TIMEOUT_MS)
    page.wait_for_selector("h1", timeout=RUN_TIMEOUT_MS)
    page.wait_for_timeout(1500)  # let plotly finish drawing before the screenshot


def _screenshot(page, path) -> None:
    """The whole page: Streamlit scrolls inside its main block, so grow the viewport to its height first."""
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    height = min(max(height, VIEWPORT["height"]), 12_000)
    page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
    page.wait_for_timeout(1000)
    page.screenshot(path=str(path))
    page.set_viewport_size(VIEWPORT)


def test_every_page_in_a_real_browser(browser, streamlit_server, browser_demo_db, screenshots):
    facts = _demo_facts(browser_demo_db)
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    problems: list[str] = []
    page.goto(streamlit_server, wait_until="domcontentloaded")
    _wait_for_run(page)
    page.wait_for_selector(NAV_LINK, timeout=RUN_TIMEOUT_MS)
    menu = {href.rstrip("/").rsplit("/", 1)[-1] if href.rstrip("/") != streamlit_server else ""
            for href in page.locator(NAV_LINK).evaluate_all("links => links.map(a => a.href)")}
    menu = {"" if path in ("", "overview") else path for path in menu}
    if menu != set(PAGES):
        problems.append(f"the menu offers {sorted(menu)}, the test visits {sorted(PAGES)}")
    for path, (name, heading) in PAGES.items():
        page.goto(f"{streamlit_server}/{path}", wait_until="domcontentloaded")
        _wait_for_run(page)
        _screenshot(page, screenshots / f"{name}.png")
        headings = page.locator("h1").all_inner_texts()
        if not any(heading in h for h in headings):
            problems.append(f"{name}: heading {heading!r} not in {headings}")
        exceptions = page.locator('[data-testid="stException"]').count()
        if exceptions:
            problems.append(f"{name}: {exceptions} exception element(s) on the page")
        if name == "overview":
            values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
            if facts["board_people"] not in values:
                problems.append(f"overview: board people {facts['board_people']} not among metrics {values}")
            if facts["organisation"] not in page.locator('[data-testid="stMain"]').inner_text():
                problems.append(f"overview: organisation {facts['organisation']!r} is not named")
        if name in ("overview", "representation", "decision_making", "scorecard", "activity_view"):
            if EXACT_MARK not in page.locator('[data-testid="stMain"]').inner_text():
                problems.append(f"{name}: exact figures are not marked {EXACT_MARK!r}")
        if name in ("overview", "representation", "decision_making"):
            body = page.locator('[data-testid="stMain"]').inner_text()
            if facts["period"] not in body:
                problems.append(f"{name}: the latest period {facts['period']} is not shown")
        charted = page.locator(".js-plotly-plot").count()
        if name in ("representation", "decision_making", "trends") and not charted:
            problems.append(f"{name}: no chart was drawn")
    context.close()
    if os.environ.get("UPDATE_SCREENSHOTS"):
        target = ROOT / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        for name in README_PAGES:
            shutil.copy(screenshots / f"{name}.png", target / f"{name}.png")
    assert not problems, "\n".join(problems)
