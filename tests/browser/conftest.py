"""Real-browser fixtures: Debian's Chromium driven by Playwright, against `streamlit run` on a free port.

Without Chromium (or Playwright) the browser tests skip, except with CI=true, where they fail: CI must prove
the dashboard works in a real browser.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import running_streamlit, unavailable

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("PRESENCE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser_demo_db(tmp_path_factory) -> Path:
    """The demo trust (scale 1) with the shipped baselines, in a SQLite file of its own."""
    from models.db import get_engine, upgrade_schema
    from models.seeding import seed_demo

    path = tmp_path_factory.mktemp("browser") / "demo.db"
    engine = get_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    try:
        from models.seeding import load_reference_baselines
    except ImportError:
        pass
    else:
        load_reference_baselines(engine)
    seed_demo(engine=engine, scale=1)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def streamlit_server(browser_demo_db, tmp_path_factory) -> Iterator[str]:
    """One server on the demo trust for the whole session."""
    with running_streamlit(browser_demo_db, tmp_path_factory.mktemp("streamlit")) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, through Playwright."""
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        unavailable(f"Chromium is not installed at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("The playwright Python package is not installed")
    executable = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def screenshots() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
