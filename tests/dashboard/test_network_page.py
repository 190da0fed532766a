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
from data.demo_network import NETWORK
from models.db import get_engine, upgrade_schema
from models.seeding import seed_network
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
    people = [int(v) for v in benchmark["People at these levels"] if v == v]
    assert people and all(v % 5 == 0 for v in people)
    assert NAMES["NET01"] not in texts(at)


# --- A network viewer: the Network page, on published figures, and no other page -----------------------------

VIEWS = Path(__file__).resolve().parents[2] / "dashboard" / "views"
NETWORK_VIEWER = Viewer(email="icb@example.invalid", roles={1: "network_viewer", 2: "network_viewer"})


def test_a_network_viewer_sees_the_network_page_on_published_figures(network_db, monkeypatch):
    _as(monkeypatch, NETWORK_VIEWER)
    at = AppTest.from_string(ENTRY, default_timeout=TIMEOUT)
    at.run()
    at.session_state["f_characteristic"] = "ethnicity_binary"
    at.session_state["f_period"] = "year"
    at.run()  # the only page in the menu opens first
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Network: organisations compared"
    page = texts(at)
    assert NAMES["NET01"] in page.split("Outside the limits")[1]
    assert "not for publication" not in page.lower()
    benchmark = at.dataframe[1].value
    assert set(benchmark["Organisation"]) == {NAMES["NET01"], NAMES["NET03"]}
    counts = [int(v) for column in ("People at these levels",) for v in benchmark[column] if v == v]
    assert counts and all(v % 5 == 0 for v in counts)  # published: rounded to 5 (or hidden)
    shown = [v for v in benchmark["In the group"] if v != "*"]
    assert all(int(v) == 0 or int(v) >= 8 for v in shown)


@pytest.mark.parametrize("page", sorted(p.stem for p in VIEWS.glob("*.py") if p.stem != "network"))
def test_every_other_page_is_closed_to_a_network_viewer(network_db, monkeypatch, page):
    """Not in the menu, and the page itself, run directly, refuses: no figure, table, chart or record."""
    _as(monkeypatch, NETWORK_VIEWER)
    at = AppTest.from_string(ENTRY, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(page_path(page))
    direct = AppTest.from_file(str(VIEWS / f"{page}.py"), default_timeout=TIMEOUT)
    direct.session_state[filters.STATE_KEY] = at.session_state[filters.STATE_KEY]
    direct.session_state[filters.VIEWER_KEY] = NETWORK_VIEWER
    direct.run()
    assert not direct.exception, [e.value for e in direct.exception]
    assert not direct.metric and not direct.dataframe and not direct.get("plotly_chart")
    assert not direct.get("download_button") and not direct.get("data_editor")
    if page not in ("methods", "setup"):  # text only / a form to create one's own organisation
        refusals = [w.value for w in direct.warning] + [i.value for i in direct.info]
        assert refusals, f"{page} said nothing"


def test_the_data_layer_refuses_a_network_viewer_everything_but_published_network_figures(network_db,
                                                                                          monkeypatch):
    from dashboard import cache

    _as(monkeypatch, NETWORK_VIEWER)
    at = AppTest.from_string(ENTRY, default_timeout=TIMEOUT)
    at.run()
    f = at.session_state[filters.STATE_KEY]
    for function in (cache.representation, cache.headlines, cache.decision_gaps, cache.trends, cache.outreach,
                     cache.relative_likelihood, cache.data_quality, cache.missing_fields, cache.pipeline):
        with pytest.raises(PermissionError):
            function(f, NETWORK_VIEWER)
    members = cache.network_members(f, NETWORK_VIEWER)
    assert sorted(m.organisation_id for m in members) == [1, 2]
    for member in members:
        assert not member.representation.rows["not_for_publication"].any()


def test_decision_making_levels_together_benchmark_and_change_over_time(network_db, monkeypatch):
    _as(monkeypatch, Viewer(email="icb@example.invalid", roles={1: "board_member", 2: "board_member"}))
    at = open_page("network")
    level = next(s for s in at.selectbox if s.key == "network_level")
    assert level.options[1] == network.DECISION_MAKING_NAME and level.options[0].startswith("Board")  # then together
    at.session_state["network_level"] = network.DECISION_MAKING
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    page = texts(at)
    assert "Benchmark table" in page and "Over time" in page
    assert "decision-making levels together" in page.lower()
    funnel_table, benchmark, changes = (d.value for d in at.dataframe[:3])
    assert set(funnel_table["Organisation"]) == set(benchmark["Organisation"]) == set(changes["Organisation"])
    assert {"Share from %", "Share to %", "Ratio from", "Ratio to", "Could rank", "Declared from %",
            "Declared to %", "4PI scorecard", "Trend"} <= set(benchmark.columns)
    assert "Rank" not in benchmark.columns  # no bare rank: the ranks its interval allows
    assert set(changes["Change"]) <= {"improved", "worsened", "rose", "fell", "no significant change",
                                      "not tested"}
    at.session_state["network_sort"] = "share"  # Share, highest first
    at.run()
    shares = [v for v in at.dataframe[1].value["Share %"] if v == v]
    assert shares == sorted(shares, reverse=True)  # highest first, hidden last


def test_a_trust_sees_itself_against_its_peers_on_the_decision_making_page(network_db, monkeypatch):
    """A board member of NET01 (inner London) sees where NET01 sits in the funnel and its figure beside the
    totals of its ICB, its region and every organisation, all published; the other organisation is not named."""
    _as(monkeypatch, Viewer(email="board@example.invalid", roles={1: "board_member"}))
    at = open_page("decision_making")
    assert not at.exception, [e.value for e in at.exception]
    page = texts(at)
    assert "5. Against your peers" in page and "Among the 2 organisations compared" in page
    peers = next(d.value for d in at.dataframe if "Compared with" in d.value.columns)
    groups = list(peers["Compared with"])
    assert groups[0] == f"This organisation: {NAMES['NET01']}"
    assert any(g.startswith("Its ICB: NHS North East London") for g in groups)
    assert "Its region: London" in groups and groups[-1] == "Every organisation compared"
    assert list(peers["Organisations"])[-1] == 2
    assert NAMES["NET03"] not in page
    known = [int(v) for v in peers["People with a known answer"] if v == v]
    assert known and all(v % 5 == 0 for v in known)  # sums of published (rounded) counts
