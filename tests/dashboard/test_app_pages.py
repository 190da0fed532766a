"""The dashboard in Streamlit's AppTest: every page renders on the demo trust, filters change the numbers,
empty states help, and the small view helpers say what they should.

One seeded SQLite demo database is built per test session and copied for each test (seeding takes seconds).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics import columns as c
from analytics import selections
from analytics.roles import Viewer
from dashboard import auth, cache, charts, display, filters
from dashboard.cache import _core as cache_core  # where the change counters are read
from models.crud import create_organisation
from models.db import get_engine, session_scope, upgrade_schema
from models.settings import get_settings
from models.tables import Activity, Baseline, Involvement, OrganisationCreate, Person

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
# AppTest resets Streamlit's "pages/ folder beside the main script" (old multipage) detection before every
# run, so running dashboard/app.py itself would lose the sidebar on reruns; a one-line main script elsewhere
# runs it as `streamlit run` does after its first st.navigation call.
ENTRY = f"import runpy\nrunpy.run_path({str(DASHBOARD / 'app.py')!r}, run_name='__main__')"
TIMEOUT = 120
PAGES = {
    "overview": "Overview",
    "representation": "Representation",
    "decision_making": "Decision-making: the board view",
    "trends": "Trends",
    "outreach": "Outreach",
    "board_pack": "Board pack",
    "data_quality": "Data quality",
    "methods": "Methods and glossary",
}


def _load_reference_baselines(engine) -> None:
    try:
        from models.seeding import load_reference_baselines
    except ImportError:  # the shipped baselines are optional for these tests' fixture databases
        return
    load_reference_baselines(engine)


def _copy_database(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{target}{suffix}")


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory) -> Path:
    """The demo trust (scale 1) in a SQLite file, built once per session."""
    from models.seeding import seed_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    engine = get_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    _load_reference_baselines(engine)
    seed_demo(engine=engine, scale=1)
    engine.dispose()
    return path


def _use_database(monkeypatch, path: Path) -> None:
    monkeypatch.setenv("PRESENCE_DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def demo_db(demo_file, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "demo.db"
    _copy_database(demo_file, path)
    _use_database(monkeypatch, path)
    return path


@pytest.fixture
def empty_db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "empty.db"
    upgrade_schema(get_engine(f"sqlite:///{path}"))
    _use_database(monkeypatch, path)
    return path


@pytest.fixture
def tiny_db(tmp_path, monkeypatch) -> Path:
    """One organisation with four service users on its board and nobody anywhere else."""
    path = tmp_path / "tiny.db"
    engine = get_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    _load_reference_baselines(engine)
    with session_scope(engine) as session:
        organisation = create_organisation(session=session, organisation=OrganisationCreate(
            code="TINY", name="Tiny Trust", catchment=["E09000022"]))
        board = next(lv for lv in organisation_levels(session, organisation.id) if lv.key == "board")
        activity = Activity(organisation_id=organisation.id, level_id=board.id, ref="BRD", name="Board",
                            involvement_area="D", start_date=date(2024, 1, 1))
        session.add(activity)
        session.flush()
        for i, ethnicity in enumerate(["A", "A", "N", "H"]):
            person = Person(organisation_id=organisation.id, ref=f"P{i}", involvement_type="service_user",
                            ethnicity=ethnicity, sex="female" if i % 2 else "male")
            session.add(person)
            session.flush()
            session.add(Involvement(organisation_id=organisation.id, ref=f"I{i}", person_id=person.id,
                                    activity_id=activity.id, start_date=date(2024, 1, 1),
                                    end_date=date(2024, 12, 31)))
    _use_database(monkeypatch, path)
    return path


def organisation_levels(session, organisation_id: int):
    from sqlmodel import select

    from models.tables import Level

    return session.exec(select(Level).where(Level.organisation_id == organisation_id)).all()


def page_path(page: str) -> str:
    return str(DASHBOARD / "views" / f"{page}.py")


def open_page(page: str) -> AppTest:
    at = AppTest.from_string(ENTRY, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(page_path(page))
    at.run()
    return at


def texts(at: AppTest) -> str:
    """Every piece of text on the page, joined (for 'does the page say ...' checks)."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                                   "success", "error") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


# --- Every page on the demo trust ---------------------------------------------------------------------------

@pytest.mark.parametrize("page,heading", PAGES.items())
def test_every_page_renders_on_the_demo_trust(demo_db, page, heading):
    at = open_page(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == heading
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("page", [p for p in PAGES if p != "outreach"] + ["scorecard", "activity_view"])
def test_every_page_renders_for_a_board_member(demo_db, monkeypatch, page):
    """Board members see suppressed, rounded figures: every page must cope with hidden (null) counts."""
    if not Path(page_path(page)).exists():
        pytest.skip(f"dashboard/views/{page}.py is not there yet")
    board = Viewer(email="board@example.invalid", roles={1: "board_member"})
    monkeypatch.setattr(filters, "current_viewer", lambda: board)
    monkeypatch.setattr(auth, "current_viewer", lambda: board)
    at = open_page(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == PAGES.get(page, at.title[0].value)


@pytest.mark.postgres
def test_the_dashboard_runs_on_postgresql(pg_engine, monkeypatch):
    from models.seeding import seed_demo

    _load_reference_baselines(pg_engine)
    seed_demo(engine=pg_engine, scale=1)
    monkeypatch.setenv("PRESENCE_DATABASE_URL", pg_engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    at = open_page("overview")
    assert not at.exception, [e.value for e in at.exception]
    assert _metric(at, "People involved") != "0"
    at.switch_page(page_path("representation")).run()
    assert not at.exception and at.dataframe


def test_overview_shows_headlines_and_key_numbers(demo_db):
    at = open_page("overview")
    assert any(s.value.startswith("In 20") for s in at.subheader)
    assert any(m.value.startswith("- At ") for m in at.markdown)  # headline sentences
    assert [m.label for m in at.metric][:3] == ["People involved", "Ethnicity recorded", "Groups missing"]
    assert "Board and governance" in texts(at)  # the board's numbers come first
    assert all(int(m.value.replace(",", "")) >= 0 for m in at.metric if m.label == "People involved")


def test_representation_offers_both_downloads(demo_db):
    at = open_page("representation")
    assert [b.proto.label for b in at.get("download_button")] == ["Download CSV", "Download Excel"]
    assert at.dataframe  # the full table


@pytest.mark.parametrize("page", ["scorecard", "activity_view", "import_data"])
def test_pages_of_other_parts_render_with_the_shared_filters(demo_db, page):
    if not Path(page_path(page)).exists():
        pytest.skip(f"dashboard/views/{page}.py is not there yet")
    at = open_page(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title


# --- Filters change what is shown ---------------------------------------------------------------------------

def _metric(at: AppTest, label: str) -> str:
    """The first metric with this label (the board's: the board comes first)."""
    return next(m.value for m in at.metric if m.label == label)


def test_who_is_counted_filter_changes_the_numbers(demo_db):
    at = open_page("overview")
    everyone = _metric(at, "People involved")
    at.radio(key="f_involvement").set_value("carer").run()
    assert not at.exception
    carers = _metric(at, "People involved")
    assert int(carers.replace(",", "")) < int(everyone.replace(",", ""))


def test_characteristic_filter_changes_the_groups(demo_db):
    at = open_page("representation")
    before = set(at.dataframe[-1].value["Group"])
    at.selectbox(key="f_characteristic").set_value("sex").run()
    assert not at.exception
    after = set(at.dataframe[-1].value["Group"])
    assert after == {"Female", "Male"}
    assert before != after


def test_gender_identity_can_be_chosen_and_says_it_has_no_census_baseline(demo_db):
    """Added as one registry entry (data/characteristics.py): offered, counted, and honest about its baseline."""
    at = open_page("representation")
    box = at.selectbox(key="f_characteristic")
    assert "Gender identity same as sex registered at birth" in box.options
    box.set_value("gender_same_as_birth").run()
    assert not at.exception
    assert set(at.dataframe[-1].value["Group"]) == {"Yes", "No"}
    assert "Presence ships no Census 2021 gender identity figures" in texts(at)


def test_crossing_two_characteristics_shows_intersectional_groups(demo_db):
    at = open_page("representation")
    at.selectbox(key="f_characteristic").set_value("ethnicity_binary").run()
    at.selectbox(key="f_cross_with").set_value("sex").run()
    assert not at.exception
    groups = set(at.dataframe[-1].value["Group"])
    # White / Ethnic minority crossed with Female / Male: four groups, each named by both parts
    assert groups == {"White × Female", "White × Male", "Ethnic minority × Female", "Ethnic minority × Male"}
    assert "Ethnicity (White / ethnic minority) × sex" in texts(at)


def test_filters_hold_across_pages(demo_db):
    at = open_page("overview")
    at.selectbox(key="f_characteristic").set_value("age_band").run()
    at.switch_page(page_path("representation")).run()
    assert at.selectbox(key="f_characteristic").value == "age_band"
    assert "Age band" in texts(at)


def test_a_baseline_of_your_own_can_be_chosen(demo_db):
    engine = get_engine(f"sqlite:///{demo_db}")
    with session_scope(engine) as session:
        for group, count in {"A": 500, "N": 300, "M": 200}.items():
            session.add(Baseline(organisation_id=1, source="caseload", year=2025, geography_code="TRUST",
                                 geography_name="Trust caseload", characteristic="ethnicity", group=group,
                                 count=count))
    at = open_page("representation")
    assert display.BASELINE_KINDS["user"] in at.radio(key="f_baseline").options
    at.radio(key="f_baseline").set_value("user").run()
    assert "caseload" in at.selectbox(key="f_baseline_source").options
    at.selectbox(key="f_baseline_source").set_value("caseload").run()
    assert not at.exception
    assert "Supplied baseline 'caseload'" in texts(at)


def test_new_records_show_up_without_a_restart(demo_db):
    at = open_page("overview")
    before = int(_metric(at, "People involved").replace(",", ""))
    engine = get_engine(f"sqlite:///{demo_db}")
    with session_scope(engine) as session:
        board = next(lv for lv in organisation_levels(session, 1) if lv.key == "board")
        activity = Activity(organisation_id=1, level_id=board.id, ref="NEW-BOARD", name="New board group",
                            involvement_area="D", start_date=date(2020, 1, 1))
        session.add(activity)
        session.flush()
        for i in range(3):
            person = Person(organisation_id=1, ref=f"NEW{i}", involvement_type="service_user", ethnicity="N")
            session.add(person)
            session.flush()
            session.add(Involvement(organisation_id=1, ref=f"NEWI{i}", person_id=person.id,
                                    activity_id=activity.id, start_date=date(2020, 1, 1)))
    at.run()
    assert int(_metric(at, "People involved").replace(",", "")) == before + 3  # three new board members


# --- Empty states -------------------------------------------------------------------------------------------

def test_empty_database_shows_how_to_start(empty_db):
    at = open_page("overview")
    assert not at.exception
    assert any(filters.NO_ORGANISATION in i.value for i in at.info)
    at.switch_page(page_path("methods")).run()  # the methods page needs no data
    assert not at.exception and at.title[0].value == PAGES["methods"]


def test_empty_database_offers_only_the_pages_that_can_help(empty_db):
    at = open_page("overview")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(page_path("representation"))


def test_a_filter_that_leaves_nothing_says_so(tiny_db):
    at = open_page("overview")
    at.radio(key="f_involvement").set_value("carer").run()
    assert not at.exception
    assert "No one is recorded as involved" in texts(at)


def test_a_level_too_small_for_statistics_shows_counts_and_shortfall(tiny_db):
    at = open_page("representation")
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "too few for the statistics" in warning
    small = next(d.value for d in at.dataframe if "People missing (whole people)" in d.value.columns)
    assert sum(int(v) for v in small["People"]) == 4  # A, A, N, H: the board's four with a known answer


def test_a_signed_in_user_without_a_role_sees_nothing(demo_db, monkeypatch):
    stranger = Viewer(email="stranger@example.invalid")
    monkeypatch.setattr(filters, "current_viewer", lambda: stranger)
    monkeypatch.setattr(auth, "current_viewer", lambda: stranger)
    at = AppTest.from_string(ENTRY, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert at.info  # a sentence saying there is nothing to show
    assert not at.metric and not at.dataframe and not at.sidebar.selectbox


def test_a_viewer_with_a_role_elsewhere_does_not_see_this_organisation(demo_db, monkeypatch):
    other = Viewer(email="lead@example.invalid", roles={999: "equality_lead"})
    monkeypatch.setattr(filters, "current_viewer", lambda: other)
    monkeypatch.setattr(auth, "current_viewer", lambda: other)
    at = AppTest.from_string(ENTRY, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert not at.metric and not at.dataframe


def test_a_board_member_gets_no_outreach_page(demo_db, monkeypatch):
    board = Viewer(email="board@example.invalid", roles={1: "board_member"})
    monkeypatch.setattr(filters, "current_viewer", lambda: board)
    monkeypatch.setattr(auth, "current_viewer", lambda: board)
    at = open_page("overview")
    assert not at.exception and at.metric
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(page_path("outreach"))  # not in the menu
    with pytest.raises(PermissionError):  # and the data layer refuses it too
        cache.outreach(at.session_state[filters.STATE_KEY], board)


# --- View helpers (the arithmetic written down) ----------------------------------------------------------

@pytest.mark.parametrize("period,expected", [
    ("2024-Q3", "2023-Q3"), ("2024", "2023"), ("2000-Q1", "1999-Q1"),
])
def test_year_before(period, expected):
    assert selections.year_before(period) == expected


def _rows(**overrides) -> pl.DataFrame:
    base = {
        c.LEVEL_RANK: [5, 5, 1], c.LEVEL_KEY: ["board", "board", "individual"],
        c.LEVEL_NAME: ["Board and governance", "Board and governance", "Individual care and treatment"],
        c.DECISION_MAKING: [True, True, False], c.PERIOD: ["2024-Q1"] * 3,
        c.PERIOD_START: [date(2024, 1, 1)] * 3,
        c.CHARACTERISTIC: ["ethnicity_broad"] * 3,
        c.GROUP: ["Black or Black British", "White", "Black or Black British"],
        c.GROUP_LABEL: ["Black or Black British", "White", "Black or Black British"],
        c.INVOLVED: [1, 13, 30], c.TOTAL: [14, 14, 100], c.SHARE: [1 / 14, 13 / 14, 0.3],
        c.BASELINE_SHARE: [0.13, 0.60, 0.13], c.RATIO: [(1 / 14) / 0.13, (13 / 14) / 0.6, 0.3 / 0.13],
        c.SHORTFALL: [1, 0, 0], c.STATUS: [c.STATUS_UNDER, c.STATUS_OVER, c.STATUS_OVER],
        c.P_ADJUSTED: [0.004, 0.01, 0.0001],
    }
    return pl.DataFrame(base | overrides)


def test_heatmap_title_states_the_most_senior_gap():
    # 1 of 14 at board is Black or Black British (7%) against 13%: under-represented, shortfall 1 person
    assert charts.heatmap_finding(_rows()) == (
        "Black or Black British people are under-represented at board and governance level in 2024-Q1")


def test_heatmap_title_when_nobody_is_missing():
    rows = _rows(**{c.STATUS: [c.STATUS_WITHIN_RANGE] * 3})
    assert charts.heatmap_finding(rows) == "No group is clearly under-represented at any level in 2024-Q1"


def test_heatmap_writes_the_status_in_every_cell():
    figure = charts.heatmap(_rows())
    cells = [t for row in figure.data[0].text for t in row]
    assert "▼ Under<br>0.55×" in cells  # (1/14) / 0.13 = 0.549
    assert figure.layout.xaxis.title.text and figure.layout.yaxis.title.text


def test_missing_at_decision_levels_selects_under_and_absent_only():
    missing = selections.missing_at_decision_levels(_rows())
    assert missing.get_column(c.GROUP).to_list() == ["Black or Black British"]


@pytest.mark.parametrize("status,p,words", [
    (c.STATUS_ABSENT, None, "No one from this group, though some expected"),
    (c.STATUS_UNDER, 0.0004, "Very strong evidence (adjusted p < 0.001)"),
    (c.STATUS_UNDER, 0.004, "Strong evidence (adjusted p < 0.01)"),
    (c.STATUS_UNDER, 0.0312, "Evidence (adjusted p = 0.031)"),
])
def test_evidence_words(status, p, words):
    frame = pl.DataFrame({c.STATUS: [status], c.P_ADJUSTED: [p]},
                         schema={c.STATUS: pl.String, c.P_ADJUSTED: pl.Float64})
    assert frame.select(display.evidence_words()).item() == words


def test_excel_download_reads_back():
    frame = pl.DataFrame({"Group": ["White", "Asian"], "People": [3, 1]})
    assert pl.read_excel(display.to_excel(frame), sheet_name="Presence").equals(frame)


def test_the_change_counters_are_read_once_per_run(demo_db, monkeypatch):
    at = open_page("overview")
    calls = []
    real = cache_core.read_all_data_versions
    monkeypatch.setattr(cache_core, "read_all_data_versions", lambda connection: calls.append(1) or real(connection))
    at.sidebar.selectbox(key="f_characteristic").select("sex").run()
    assert not at.exception
    assert len(calls) == 1  # the organisation list, the sidebar and the page share one read


def test_the_board_pack_page_previews_and_offers_every_download(demo_db):
    at = open_page("board_pack")
    assert not at.exception, [e.value for e in at.exception]
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Board pack (PDF)", "Board pack (Word)", "Board pack (web page)", "Public summary (PDF)"]
    shown = texts(at)
    for heading in ("In plain words", "Presence where decisions are made", "The 4PI scorecard", "Data quality"):
        assert heading in shown
    assert "NOT FOR PUBLICATION" not in shown  # published figures unless the steward asks for exact ones
    at.toggle(key="pack_exact").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "NOT FOR PUBLICATION" in texts(at)
