"""The Network page in Streamlit's AppTest: the funnel names the board-gap organisation, and a viewer sees only
the organisations they have a role in, on published figures."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics import network
from analytics.roles import Viewer
from dashboard import auth, filters
from data.demo_network import NETWORK, seed_network
from models.db import get_engine, upgrade_schema
from models.settings import get_settings
from tests.dashboard.test_app_pages import (
    ENTRY,
    TIMEOUT,
    _copy_database,
    _load_reference_baselines,
    page_path,
    texts,
)

NAMES = {m.code: m.name for m in NETWORK}


@pytest.fixture(scope="module")
def network_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("network") / "network.db"
    engine = get_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    _load_reference_baselines(engine)
    seed_network(engine=engine, size=0.2, codes_wanted=("NET01", "NET03"))  # ids 1 and 2
    engine.dispose()
    return path


@pytest.fixture
def network_db(network_file, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "network.db"
    _copy_database(network_file, path)
    monkeypatch.setenv("PRESENCE_DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    return path


def open_page(page: str) -> AppTest:
    """The page with ethnicity as White / ethnic minority, counted per year (the sidebar's choices)."""
    at = AppTest.from_string(ENTRY, default_timeout=TIMEOUT)
    at.run()
    at.session_state["f_characteristic"] = "ethnicity_binary"
    at.session_state["f_period"] = "year"
    at.switch_page(page_path(page))
    at.run()
    return at


def _as(monkeypatch, viewer: Viewer) -> None:
    monkeypatch.setattr(filters, "current_viewer", lambda: viewer)
    monkeypatch.setattr(auth, "current_viewer", lambda: viewer)


def test_the_network_page_names_the_board_gap_organisation(network_db, monkeypatch):
    _as(monkeypatch, Viewer(email="icb@example.invalid", roles={1: "board_member", 2: "board_member"}))
    at = open_page("network")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Network: organisations compared"
    page = texts(at)
    assert "Outside the limits" in page and NAMES["NET01"] in page.split("Outside the limits")[1]
    assert "counted once in each" in page
    funnel_table, benchmark = at.dataframe[0].value, at.dataframe[1].value
    assert set(funnel_table["Organisation"]) == {NAMES["NET01"], NAMES["NET03"]}
    assert NAMES["NET01"] in set(funnel_table[funnel_table["Where it sits"] == network.POSITION_BELOW_998]
                                 ["Organisation"])
    assert {"Share from %", "Share to %", "Ratio from", "Ratio to"} <= set(benchmark.columns)


def test_a_viewer_sees_only_their_organisations_and_no_exact_counts(network_db, monkeypatch):
    """A data steward of one organisation sees only that organisation here, and its published counts (rounded
    to 5 or hidden), not the exact ones the steward sees on its own pages."""
    _as(monkeypatch, Viewer(email="steward@example.invalid", roles={2: "data_steward"}))
    at = open_page("network")
    assert not at.exception, [e.value for e in at.exception]
    benchmark = at.dataframe[1].value
    assert list(benchmark["Organisation"]) == [NAMES["NET03"]]
    people = [int(v) for v in benchmark["People at this level"] if v == v]
    assert people and all(v % 5 == 0 for v in people)
    assert NAMES["NET01"] not in texts(at)
