"""A new data steward runs Presence alone, in a real browser, on an EMPTY PostgreSQL database: creates the
organisation, imports the flat register the team keeps (mapping its unrecognised columns), records a meeting's
attendance in a form, corrects one person, erases another, and sees the Overview change after each step."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from servers import running_streamlit, unavailable
from sqlalchemy import create_engine, text
from test_browser import FINISHED, RUN_TIMEOUT_MS, VIEWPORT

from models.db import get_engine

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
REGISTER = Path(__file__).resolve().parents[1] / "fixtures" / "registers" / "committee_register.csv"
MAIN = '[data-testid="stMain"]'
PG_ADMIN_URL = os.environ.get("PRESENCE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def empty_pg_url() -> Iterator[str]:
    """A PostgreSQL database of its own, with nothing in it (not even the schema)."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"presence_first_run_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001
        admin.dispose()
        unavailable(f"PostgreSQL at {PG_ADMIN_URL} is unreachable: {error}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    get_engine(url).dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _wait(page) -> None:
    """Until the script has run to the end, twice over (a rerun can start just after the first check)."""
    for _ in range(2):
        page.wait_for_timeout(400)
        page.wait_for_selector(FINISHED, timeout=RUN_TIMEOUT_MS)


def _main(page) -> str:
    return page.locator(MAIN).inner_text()


def _no_exception(page, step: str) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, f"{step}: {_main(page)[:2000]}"


def _choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label``."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    box.fill(option)
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    _wait(page)


def _goto(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("h1", timeout=RUN_TIMEOUT_MS)
    _wait(page)


def _overview(page, url: str) -> str:
    _goto(page, url)
    page.wait_for_selector("h1", timeout=RUN_TIMEOUT_MS)
    _no_exception(page, "overview")
    return _main(page)


def _people(url: str) -> list[str]:
    engine = get_engine(url)
    with engine.connect() as connection:
        return [r[0] for r in connection.execute(text("SELECT ref FROM person ORDER BY ref"))]


def test_a_new_data_steward_sets_up_imports_records_corrects_and_erases(browser, empty_pg_url, tmp_path,
                                                                           screenshots):
    with running_streamlit(empty_pg_url, tmp_path) as url:
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()

        # First run: the empty database opens on the set-up screen, which also offers the demo trust.
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_role("button", name="Create organisation").wait_for(timeout=RUN_TIMEOUT_MS)
        _wait(page)
        assert "Set up" in page.locator("h1").first.inner_text()
        assert "Load the fictional demo trust" in _main(page)
        page.get_by_role("textbox", name="Name", exact=True).fill("South Thames Partnership NHS Trust")
        page.get_by_role("textbox", name="Code", exact=True).fill("STP")
        catchment = page.locator('[data-testid="stMultiSelect"]').first
        for borough in ("Lambeth", "Southwark", "Croydon"):
            catchment.locator("input").click()
            page.keyboard.type(borough)
            page.wait_for_timeout(400)
            page.keyboard.press("Enter")
            page.wait_for_timeout(400)
        page.keyboard.press("Escape")
        chosen = catchment.inner_text()
        assert all(f"{b} (E0" in chosen for b in ("Lambeth", "Southwark", "Croydon")), chosen
        page.get_by_role("button", name="Create organisation").click()
        page.get_by_text("Created South Thames Partnership NHS Trust (STP)").wait_for(timeout=RUN_TIMEOUT_MS)
        _wait(page)
        _no_exception(page, "create organisation")
        assert "Created South Thames Partnership NHS Trust (STP)" in _main(page)
        page.screenshot(path=str(screenshots / "first_run_setup.png"))

        empty = _overview(page, url)
        assert "No one is recorded as involved" in empty

        # The flat register, as the team keeps it: unrecognised columns must be mapped, committees confirmed.
        _goto(page, f"{url}/import_data")
        page.locator('input[type="file"]').set_input_files(str(REGISTER))
        _wait(page)
        page.get_by_role("button", name="Check file").click()
        page.get_by_text("Column mapping").wait_for(timeout=RUN_TIMEOUT_MS)
        _wait(page)
        report = _main(page)
        assert "Column mapping" in report and "Notes" in report and "Amount (£)" in report
        assert "New committees" in report
        _choose(page, "Column 'Notes'", "ignore")
        _choose(page, "Column 'Amount (£)'", "ignore")
        page.get_by_text("Create the new committees", exact=True).click()
        _wait(page)
        _choose(page, "Level of the new committees", "strategic")
        page.get_by_role("button", name="Check file").click()
        _wait(page)
        assert "problems found" not in _main(page), _main(page)[:3000]
        page.get_by_text("Check only (dry run)").click()
        _wait(page)
        page.get_by_role("button", name="Import file").click()
        page.get_by_text("Imported.").wait_for(timeout=RUN_TIMEOUT_MS)
        _wait(page)
        _no_exception(page, "import")
        assert "Imported." in _main(page), _main(page)[:3000]
        assert _people(empty_pg_url) == ["P001", "P002", "P003", "P004", "P005"]

        imported = _overview(page, url)
        assert imported != empty and "No one is recorded as involved" not in imported
        assert "2024-Q3" in imported  # the register's latest joining quarter is the latest period

        # A meeting today, with attendance ticked in the form: the Overview's latest period moves to today's.
        _goto(page, f"{url}/records")
        page.get_by_role("tab", name="Meeting and attendance").click()
        _wait(page)
        _choose(page, "Committee or activity", "Quality and Safety Committee")
        form = page.locator('[data-testid="stForm"]').filter(has_text="Attendance")
        form.get_by_role("textbox", name="Start time (optional)").fill("6pm")
        for person, status in (("P001", "Attended"), ("P002", "Apologies"), ("P005", "Reserve")):
            group = form.locator('[data-testid="stRadio"]').filter(has_text=person)
            group.get_by_text(status, exact=True).click()
        form.get_by_role("button", name="Save meeting").click()
        _wait(page)
        _no_exception(page, "meeting")
        assert "Meeting" in _main(page) and "added" in _main(page)
        engine = get_engine(empty_pg_url)
        with engine.connect() as connection:
            ticks = dict(connection.execute(text(
                "SELECT p.ref, a.status FROM attendance a JOIN person p ON p.id = a.person_id")).all())
            start = connection.execute(text("SELECT start_time FROM meeting")).scalar_one()
        assert ticks == {"P001": "attended", "P002": "apologies", "P005": "reserve"}
        assert start.hour == 18
        today = date.today()
        quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
        met = _overview(page, url)
        assert quarter in met and met != imported

        # Correct one person: P004's ethnicity was recorded as not stated by mistake; now everyone has an answer.
        _goto(page, f"{url}/records")
        assert "80%" in met  # one of the five did not state their ethnicity
        _choose(page, "Person to edit", "P004")
        _choose(page, "Ethnicity", "Arab")
        page.get_by_role("button", name="Save person").click()
        _wait(page)
        _no_exception(page, "correct person")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT ethnicity FROM person WHERE ref = 'P004'")).scalar_one() == "AR"
        corrected = _overview(page, url)
        assert corrected != met and "100%" in corrected and "did not state" not in corrected

        # Erase another: P003 asked for their data to be erased.
        _goto(page, f"{url}/corrections")
        _choose(page, "Person to erase", "P003")
        assert "This cannot be undone" in _main(page)
        page.get_by_role("textbox", name="Type P003 to confirm").fill("P003")
        page.get_by_role("button", name="Erase this person").click()
        _wait(page)
        _no_exception(page, "erase")
        receipt = _main(page)
        assert "Erasure receipt" in receipt and "involvements: 1 removed" in receipt
        assert _people(empty_pg_url) == ["P001", "P002", "P004", "P005"]
        with engine.connect() as connection:
            details = [str(r[0]) for r in connection.execute(text(
                "SELECT detail FROM audit_event WHERE action = 'person_erased'"))]
        assert len(details) == 1 and "P003" not in details[0]
        erased = _overview(page, url)
        assert erased != corrected
        key_numbers = erased.split("Strategic (commissioning", 1)[1]
        assert key_numbers.split("People involved", 1)[1].split()[0] == "4"  # five people, one erased
        page.screenshot(path=str(screenshots / "first_run_overview.png"))
        context.close()
