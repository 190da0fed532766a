"""Starting `streamlit run dashboard/app.py` for the browser tests (imported by conftest and by tests that need a
server of their own, e.g. a fresh one per page)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 90


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def unavailable(message: str) -> None:
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


@contextmanager
def running_streamlit(database: Path | str, log_dir: Path, **settings: str) -> Iterator[str]:
    """`streamlit run dashboard/app.py` on a free port, on ``database`` (a SQLite file, or a database URL such as
    ``postgresql+psycopg://...``) with extra ``PRESENCE_*`` settings; yields its base URL once /_stcore/health
    answers, and stops the server afterwards."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESENCE_")}
    url = database if isinstance(database, str) and "://" in database else f"sqlite:///{database}"
    env |= {"PRESENCE_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    env |= {f"PRESENCE_{name.upper()}": value for name, value in settings.items()}
    log = (log_dir / f"streamlit-{port}.log").open("w")
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
