"""Real-browser fixtures: Debian's Chromium driven by Playwright, against `streamlit run` on a free port.

Without Chromium (or Playwright) the browser tests skip, except with CI=true, where they fail: CI must prove
the dashboard works in a real browser.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("PRESENCE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
STARTUP_SECONDS = 90


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _unavailable(message: str) -> None:
    if _in_ci():
        pytest.fail(message + " (CI=true: the browser tests must run; `make browser-deps` installs Chromium)")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except OSError:
        return False


@pytest.fixture(scope="session")
def browser_demo_db(tmp_path_factory) -> Path:
    """The demo trust (scale 1) with the shipped baselines, in a SQLite file of its own."""
    from data.demo import seed_demo
    from models.db import get_engine, upgrade_schema

    path = tmp_path_factory.mktemp("browser") / "demo.db"
    engine = get_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    try:
        from data.baselines import load_reference_baselines
    except ImportError:
        pass
    else:
        load_reference_baselines(engine)
    seed_demo(engine=engine, scale=1)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def streamlit_server(browser_demo_db, tmp_path_factory) -> Iterator[str]:
    """`streamlit run dashboard/app.py` on a free port; yields its base URL once /_stcore/health answers."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESENCE_")}
    env |= {"PRESENCE_DATABASE_URL": f"sqlite:///{browser_demo_db}", "PYTHONPATH": str(ROOT)}
    log = (tmp_path_factory.mktemp("streamlit") / "streamlit.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"streamlit run did not become healthy at {url}: see {log.name}")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, through Playwright."""
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        _unavailable(f"Chromium is not installed at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("The playwright Python package is not installed")
    executable = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def screenshots() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
