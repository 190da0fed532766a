"""An outreach worker's morning in a real browser: open Outreach, start a plan from a gap with one click, add a
community partner and an action, then see the plan's progress move once an involvement is imported.

The test has a server and a copy of the demo database of its own, since it changes the data."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from servers import running_streamlit
from sqlalchemy import select

from models.db import get_engine
from models.importer import import_file
from models.tables import Activity, Level, OutreachPlan

pytestmark = pytest.mark.browser
RUN_TIMEOUT_MS = 90_000
FINISHED = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# An ethnic category code in each broad group, for the person the test imports.
CODE_IN = {"Black or Black British": "N", "Asian or Asian British": "H", "White": "A",
           "Mixed or Multiple ethnic groups": "D", "Other ethnic group": "S"}


@pytest.fixture
def own_server(browser_demo_db, tmp_path):
    database = tmp_path / "outreach.db"
    shutil.copy(browser_demo_db, database)
    with running_streamlit(database, tmp_path) as url:
        yield url, database


def _wait(page) -> None:
    page.wait_for_timeout(1000)  # the rerun a click starts must begin before "not running" means done
    page.wait_for_selector(FINISHED, timeout=RUN_TIMEOUT_MS)
    page.wait_for_selector("h1", timeout=RUN_TIMEOUT_MS)


def _plan(page, ref: str):
    return page.locator('[data-testid="stExpander"]').filter(has_text=ref).first


def _import(database, name: str, text: str) -> None:
    path = database.parent / name
    path.write_text(text, encoding="utf-8")
    report = import_file(engine=get_engine(f"sqlite:///{database}"), path_or_bytes=path, user="browser-test")
    assert report.committed, report.problems


def test_outreach_worker_plans_from_a_gap_and_sees_progress(browser, own_server, screenshots):
    url, database = own_server
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.goto(f"{url}/outreach", wait_until="domcontentloaded")
    _wait(page)
    assert "Outreach" in page.locator("h1").first.inner_text()
    page.get_by_role("button", name="Start a plan").first.click()
    _wait(page)
    plan = _plan(page, "OP-003")
    assert "0 of" in plan.inner_text(), plan.inner_text()

    plan.get_by_label("Partner organisation").fill("Peckham Community Forum (fictional)")
    plan.get_by_label("Contact role (no names or contact details)").fill("Coordinator")
    plan.get_by_role("button", name="Add partner").click()
    _wait(page)
    plan = _plan(page, "OP-003")
    assert "Peckham Community Forum (fictional)" in plan.inner_text()
    plan.get_by_label("Action", exact=True).fill("Visit the forum's open evening")
    plan.get_by_role("button", name="Add action").click()
    _wait(page)
    plan = _plan(page, "OP-003")
    assert "Visit the forum's open evening" in plan.inner_text()

    engine = get_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        row = connection.execute(
            select(OutreachPlan.group, OutreachPlan.target_people, Level.key, Activity.ref)
            .join(Level, Level.id == OutreachPlan.level_id)
            .outerjoin(Activity, Activity.id == OutreachPlan.activity_id)
            .where(OutreachPlan.ref == "OP-003")
        ).one()
        activity = row.ref or connection.execute(
            select(Activity.ref).join(Level, Level.id == Activity.level_id).where(Level.key == row.key)
        ).first()[0]
    before = f"0 of {row.target_people} more people (0 joined, 0 left)"
    assert before in plan.inner_text()
    today = date.today().isoformat()
    _import(database, "people.csv", f"ref,involvement_type,ethnicity\nNEW-1,both,{CODE_IN[row.group]}\n")
    _import(database, "involvements.csv",
            f"person_ref,activity_ref,start_date\nNEW-1,{activity},{today}\n")

    page.reload(wait_until="domcontentloaded")
    _wait(page)
    plan = _plan(page, "OP-003")
    plan.locator("summary").first.click()
    page.wait_for_timeout(1000)
    after = f"1 of {row.target_people} more people (1 joined, 0 left)"
    assert after in plan.inner_text(), plan.inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(screenshots / "outreach_plan.png"), full_page=True)
    context.close()
