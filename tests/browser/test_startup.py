"""Start-up cannot crash: a fresh server for each page, with that page's URL as the very first request (a
bookmark opened after a restart), and a configuration error shown as the project's own sentence.

Streamlit treats a ``pages/`` folder beside the main script as an old-style multipage app; a deep link then ran
the page without ``app.py`` and crashed on a circular import. Pages now live in ``dashboard/views``.
"""

from __future__ import annotations

import pytest
from servers import running_streamlit
from test_browser import FINISHED, PAGES, RUN_TIMEOUT_MS

pytestmark = pytest.mark.browser
REDACTED = "This app has encountered an error"
RAW_FILE_NAMES = ("activity view", "import data", "data quality", "app")


def _first_visit(browser, url: str):
    context = browser.new_context()
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(FINISHED, timeout=RUN_TIMEOUT_MS)
    page.wait_for_selector("h1, [data-testid=stAlert]", timeout=RUN_TIMEOUT_MS)
    return context, page


@pytest.mark.parametrize("path", [p for p in PAGES if p])
def test_a_deep_link_is_the_first_request_after_a_start(browser, browser_demo_db, tmp_path, path):
    name, heading = PAGES[path]
    with running_streamlit(browser_demo_db, tmp_path) as url:
        context, page = _first_visit(browser, f"{url}/{path}")
        try:
            main = page.locator('[data-testid="stMain"]').inner_text()
            assert page.locator('[data-testid="stException"]').count() == 0, main
            assert REDACTED not in main
            assert any(heading in h for h in page.locator("h1").all_inner_texts()), main
            links = {t.strip().lower() for t in page.locator('[data-testid="stSidebarNavLink"]').all_inner_texts()}
            assert not links & set(RAW_FILE_NAMES), f"{name}: the menu lists file names {sorted(links)}"
        finally:
            context.close()


def test_a_configuration_error_is_shown_as_its_sentence(browser, browser_demo_db, tmp_path):
    # Production refuses the embedded SQLite file; the visitor reads why, not Streamlit's redacted error.
    with running_streamlit(browser_demo_db, tmp_path, env="production") as url:
        context, page = _first_visit(browser, f"{url}/representation")
        try:
            body = page.locator('[data-testid="stApp"]').inner_text()
            assert "PRESENCE_ENV=production needs PRESENCE_DATABASE_URL set to a PostgreSQL database" in body
            assert REDACTED not in body
            assert page.locator('[data-testid="stException"]').count() == 0
            assert page.locator('[data-testid="stSidebarNavLink"]').count() == 0  # no file names before sign-in
        finally:
            context.close()
