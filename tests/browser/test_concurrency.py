"""Many people use one server at once: eight browser sessions switch pages for a minute, then an Excel file is
imported and an Excel download is made on the same server.

A long-running server once lost ``openpyxl`` and ``xlsxwriter`` partway through a session: ``app.py`` rewrote the
global ``sys.path`` on every run while Streamlit added and removed paths in other sessions' threads. This test
holds the server to the rule that concurrent sessions leave Excel import and export working.
"""

from __future__ import annotations

import io
import shutil
import time

import pytest
import xlsxwriter
from servers import running_streamlit
from test_browser import FINISHED, PAGES, RUN_TIMEOUT_MS

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SESSIONS = 8
SWITCHING_SECONDS = 60
TIMEOUT_MS = 3 * RUN_TIMEOUT_MS  # eight sessions share two cores
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _people_workbook() -> bytes:
    """Two new, fictional people (pseudonymous references), as a team would type them into Excel."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("people")
    rows = [
        ("ref", "involvement_type", "ethnicity", "sex", "age_band", "disability"),
        ("CONC-0001", "service_user", "N", "female", "25-34", "yes"),
        ("CONC-0002", "carer", "A", "male", "45-54", "no"),
    ]
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    return buffer.getvalue()


def _switch_pages(pages, url: str) -> int:
    """Every session goes to its next page, all at once, until the minute is up; the number of page runs."""
    paths = [p for p in PAGES if p not in ("import_data", "admin")]
    runs, start, step = 0, time.monotonic(), 0
    while time.monotonic() - start < SWITCHING_SECONDS or step < 2:
        for i, page in enumerate(pages):
            page.goto(f"{url}/{paths[(i + step) % len(paths)]}", wait_until="commit")
        for page in pages:
            page.wait_for_selector("h1", timeout=TIMEOUT_MS)  # the page has started drawing...
            page.wait_for_selector(FINISHED, timeout=TIMEOUT_MS)  # ...and its script has run to the end
            errors = page.locator('[data-testid="stException"]')
            assert errors.count() == 0, f"{page.url}: {errors.all_inner_texts()}"
            runs += 1
        step += 1
    return runs


def test_concurrent_sessions_then_excel_import_and_download(browser, browser_demo_db, tmp_path):
    database = tmp_path / "demo.db"
    shutil.copy(browser_demo_db, database)  # this test writes: keep the shared demo database as it is
    with running_streamlit(database, tmp_path) as url:
        contexts = [browser.new_context() for _ in range(SESSIONS)]
        try:
            pages = [context.new_page() for context in contexts]
            runs = _switch_pages(pages, url)
            assert runs >= SESSIONS * 2

            page = pages[0]
            page.goto(f"{url}/import_data", wait_until="domcontentloaded")
            page.wait_for_selector(FINISHED, timeout=RUN_TIMEOUT_MS)
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
                {"name": "people.xlsx", "mimeType": XLSX, "buffer": _people_workbook()})
            page.wait_for_selector(FINISHED, timeout=RUN_TIMEOUT_MS)
            page.get_by_text("Check only (dry run)").click()  # write, not only check
            page.wait_for_selector(FINISHED, timeout=RUN_TIMEOUT_MS)
            page.get_by_role("button", name="Import file").click()
            page.get_by_text("Report: people.xlsx").wait_for(timeout=TIMEOUT_MS)  # the import has finished
            page.wait_for_selector(FINISHED, timeout=TIMEOUT_MS)
            report = page.locator('[data-testid="stMain"]').inner_text()
            assert "openpyxl" not in report and "xlsxwriter" not in report, report
            assert page.locator('[data-testid="stException"]').count() == 0, report
            assert "2 added" in report, report

            page.goto(f"{url}/representation", wait_until="domcontentloaded")
            page.wait_for_selector(FINISHED, timeout=RUN_TIMEOUT_MS)
            with page.expect_download(timeout=RUN_TIMEOUT_MS) as download:
                page.get_by_role("button", name="Download Excel").first.click()
            saved = tmp_path / download.value.suggested_filename
            download.value.save_as(saved)
            assert saved.suffix == ".xlsx" and saved.read_bytes()[:2] == b"PK"  # a real workbook (a zip file)
        finally:
            for context in contexts:
                context.close()
