"""The 4PI scorecard and activity view pages in Streamlit's AppTest, on a small seeded SQLite database
(PRESENCE_DATABASE_URL), through the app's navigation so the shared sidebar filters are set."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from models.db import get_engine, upgrade_schema
from models.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "dashboard" / "app.py")
TIMEOUT = 120


def _seed_function():
    """``seed_fourpi`` from the 4PI loader tests (one seeded organisation with every 4PI table filled)."""
    spec = importlib.util.spec_from_file_location(
        "fourpi_loader_seed", ROOT / "tests" / "analytics" / "test_fourpi_loader.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.seed_fourpi


def _use_database(monkeypatch, path: Path) -> None:
    monkeypatch.setenv("PRESENCE_DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def fourpi_db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "fourpi.db"
    engine = get_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    _seed_function()(engine)
    _use_database(monkeypatch, path)
    return path


@pytest.fixture
def empty_db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "empty.db"
    upgrade_schema(get_engine(f"sqlite:///{path}"))
    _use_database(monkeypatch, path)
    return path


def open_page(page: str, *, period: str | None = None) -> AppTest:
    """The app on its first page (where the sidebar filters are set), then on ``page``."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if period is not None:
        at.session_state["f_period"] = period  # the sidebar's Period control
    at.run()
    at.switch_page(f"views/{page}.py")
    at.run()
    return at


def texts(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "success", "error")
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def test_scorecard_renders_the_five_standards(fourpi_db):
    at = open_page("scorecard")
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == "4PI scorecard"
    subheaders = [s.value for s in at.subheader]
    assert subheaders[1:] == ["Principles", "Purpose", "Presence", "Process", "Impact"]
    # the sidebar's period is quarters: the latest meeting (14 May 2025) is in 2025-Q2
    assert at.selectbox(key="scorecard_period").value == "2025-Q2"
    statuses = {value for table in at.dataframe for value in table.value.get("Status", [])}
    assert statuses <= {"● Meets the standard", "▲ Close", "✕ Falls short", "– Nothing to count"}
    assert "✕ Falls short" in statuses  # 2025-Q2: the board met once (M3) without a reserve
    assert "indicators meet the standard" in texts(at)
    assert at.get("plotly_chart")


def test_scorecard_for_a_year_shows_what_to_fix_first(fourpi_db):
    at = open_page("scorecard", period="year")
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="scorecard_period").value == "2025"
    page = texts(at)
    assert "What to fix first" in page
    # 2025: the board met 3 times, with a reserve once
    assert "**High-level meetings with a reserve** (Presence): 33% (1 of 3" in page
    at.selectbox(key="scorecard_period").set_value("2024").run()
    assert not at.exception
    assert "There is nothing to count yet" not in texts(at)  # activities ran in 2024


def test_activity_view_gives_the_chair_sentences(fourpi_db):
    at = open_page("activity_view")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Activity view"
    assert at.selectbox(key="activity_ref").value == "BRD"  # the board comes first
    page = texts(at)
    assert (
        "Your 3 meetings so far: 1 had only one service user or carer; 2 of 3 had the minimum of 2 and 1 "
        "the ideal of 3 or more."
    ) in page
    assert "Only one service user or carer attended" in " ".join(
        str(v) for table in at.dataframe for v in table.value.get("What happened", [])
    )
    at.number_input(key="activity_last_n").set_value(1).run()
    assert "Your last meeting: 1 of 1 had the minimum of 2 and 0 the ideal of 3 or more." in texts(at)
    at.selectbox(key="activity_ref").set_value("OPS").run()
    assert not at.exception
    assert "Your last meeting: 1 of 1 had the minimum" in texts(at)


@pytest.mark.parametrize("page", ["scorecard", "activity_view"])
def test_empty_database_offers_the_start_page_not_the_4pi_pages(empty_db, page):
    # with no organisation yet, the first-run Set up page opens and the menu offers only the pages that can help
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Set up"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(f"views/{page}.py")
