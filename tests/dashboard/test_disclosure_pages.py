"""Disclosure control on every dashboard page and download, played as the people it protects against.

Two organisations share one database: A is the fictional demo trust (about 1,500 people), B the small 4PI
test trust (a handful of people, meetings and claims, so nearly every count of people is 1 to 7). Users get
roles with ``models.users.set_role`` and sign in through ``dashboard.auth.current_user`` (monkeypatched), so
the app resolves their roles from the database exactly as in production.

For every page a board member and an outreach worker may open, every number in a place that counts people
(metrics, count columns of every table, "x of y" cells, "n of m people" sentences, and every cell of the CSV
and Excel files the page offers) must be 0, 8 or more, or "*". Derived figures (shares, shortfalls) are
recomputed from the published counts and are not counts; counts of meetings and activities are not counts
of people (see the 4PI decisions in ``dashboard/cache/_fourpi.py``).
"""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
from pathlib import Path

import polars as pl
import pytest
import streamlit as st
from sqlalchemy import text
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from analytics import fourpi
from analytics.fourpi import disclosure as fourpi_disclosure
from analytics.roles import Viewer
from dashboard import auth, cache, display
from models import audit, users
from models.db import get_engine, session_scope, upgrade_schema
from models.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "dashboard"
ENTRY = f"import runpy\nrunpy.run_path({str(DASHBOARD / 'app.py')!r}, run_name='__main__')"
TIMEOUT = 120
A, B = 1, 2
B_NAME = "Test trust"

USERS = {
    "board@a.org": (A, "board_member"),
    "outreach@a.org": (A, "outreach_worker"),
    "lead@a.org": (A, "equality_lead"),
    "board@b.org": (B, "board_member"),
    "outreach@b.org": (B, "outreach_worker"),
}
# The pages each restricted role may open, and their headings.
HEADINGS = {
    "overview": "Overview",
    "representation": "Representation",
    "decision_making": "Decision-making: the board view",
    "trends": "Trends",
    "outreach": "Outreach",
    "data_quality": "Data quality",
    "methods": "Methods and glossary",
    "scorecard": "4PI scorecard",
    "activity_view": "Activity view",
}
BOARD_PAGES = [p for p in HEADINGS if p != "outreach"]
OUTREACH_PAGES = list(HEADINGS)

# Columns that count people (display names and the raw names of the 4PI detail tables).
COUNT_COLUMNS = frozenset({
    "People in group", "People with a known answer", "Not stated (level)", "Not known (level)", "People",
    "Known answers", "At decision-making levels", "Only at other levels", "Ethnicity recorded", "Not stated",
    "Not known", "Declared", "People in group now", "Records",
    "Service users", "Carers", "Reserves", "Questionnaires", "Agree", "Neither", "Disagree",
    "Claims", "Paid on time", "Paid late", "Unpaid, overdue", "Waiting, not yet due",
    "service_users", "carers", "su_carers", "reserves", "involvements", "with_description",
    "without_description", "people", "offered", "taken", "not_offered", "not_taken", "answers", "stated",
    "agree", "neutral", "disagree", "not_stated", "not_known",
})
PEOPLE_METRICS = frozenset({"People involved"})
PEOPLE_SENTENCE = re.compile(r"\b(\d[\d,]*) of (\d[\d,]*) (?:people|service users|carers)\b")
REPRESENTATION_PAGES = ("overview", "representation", "decision_making", "trends", "outreach", "data_quality")


def _seed_fourpi():
    spec = importlib.util.spec_from_file_location(
        "fourpi_loader_seed_disclosure", ROOT / "tests" / "analytics" / "test_fourpi_loader.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.seed_fourpi


@pytest.fixture(scope="session")
def two_trusts_file(tmp_path_factory) -> Path:
    """Organisation A (the demo trust) and B (the small 4PI test trust), with one user per role."""
    from models.seeding import load_reference_baselines, seed_demo

    path = tmp_path_factory.mktemp("two") / "two.db"
    engine = get_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    load_reference_baselines(engine)
    assert seed_demo(engine=engine, scale=1).organisation_id == A
    assert _seed_fourpi()(engine, code="RT1", name=B_NAME) == B
    with engine.begin() as connection:  # B serves Camden, so its Census baseline exists
        connection.execute(text("UPDATE organisation SET catchment = :c WHERE id = :o"),
                           {"c": '["E09000007"]', "o": B})
    with session_scope(engine) as session:
        for email, (organisation, role) in USERS.items():
            users.set_role(session=session, email=email, organisation_id=organisation, role=role,
                           actor="setup")
    engine.dispose()
    return path


@pytest.fixture
def two_trusts(two_trusts_file, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "two.db"
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{two_trusts_file}{suffix}").exists():
            shutil.copy(f"{two_trusts_file}{suffix}", f"{path}{suffix}")
    monkeypatch.setenv("PRESENCE_DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    return path


@pytest.fixture
def offered(monkeypatch) -> list[dict]:
    """Every download button the pages draw: its label, file name, data callable and audit callback."""
    found: list[dict] = []
    original = DeltaGenerator.download_button

    def spy(self, label, data=None, *args, **kwargs):
        found.append({"label": label, "data": data, **kwargs})
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", spy)
    return found


def sign_in(monkeypatch, email: str | None) -> None:
    """Production-style sign-in as ``email`` (None: not signed in); roles come from the database."""
    monkeypatch.setattr(auth, "is_local_mode", lambda settings=None: False)
    monkeypatch.setattr(auth, "current_user", lambda: email)


def open_page(page: str, **state) -> AppTest:
    at = AppTest.from_string(ENTRY, default_timeout=TIMEOUT)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if page != "overview":
        at.switch_page(str(DASHBOARD / "views" / f"{page}.py"))
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                                   "success", "error") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


# --- Reading what a page shows ------------------------------------------------------------------------------

PEOPLE_INDICATOR_LABELS = frozenset(
    fourpi.indicator_catalogue().filter(pl.col("indicator").is_in(fourpi_disclosure.PEOPLE_INDICATORS))
    .get_column("indicator_label").to_list()
)


def _cell_counts(value) -> list[str]:
    """The counts in one table cell: '12', '*', '* of 15' -> each part."""
    if value is None:
        return ["<blank>"]
    return [part.strip() for part in str(value).replace(",", "").split(" of ")]


def frame_counts(frame: pl.DataFrame, where: str) -> list[tuple[str, str]]:
    """(where, shown text) for every count-of-people cell of a table."""
    found = []
    people_rows = frame
    if "Indicator" in frame.columns and "Count" in frame.columns:  # a scorecard: rows that count people
        people_rows = frame.filter(pl.col("Indicator").is_in(PEOPLE_INDICATOR_LABELS))
        for column in ("Count", "Not counted"):
            for v in people_rows.get_column(column).to_list():
                found += [(f"{where}:{column}", part) for part in _cell_counts(v)]
        return found
    for column in frame.columns:
        if column in COUNT_COLUMNS:
            for v in frame.get_column(column).cast(pl.String).to_list():
                found += [(f"{where}:{column}", part) for part in _cell_counts(v)]
    return found


def shown_counts(at: AppTest, page: str) -> list[tuple[str, str]]:
    """Every count of people on the page: people metrics, count columns and 'n of m people' sentences."""
    found = [(f"{page}:metric:{m.label}", m.value.replace(",", "")) for m in at.metric
             if m.label in PEOPLE_METRICS]
    for i, table in enumerate(at.dataframe):
        found += frame_counts(pl.from_pandas(table.value.astype(object).where(table.value.notna(), None)),
                              f"{page}:table{i}")
    if page in REPRESENTATION_PAGES:
        for match in PEOPLE_SENTENCE.finditer(texts(at)):
            found += [(f"{page}:sentence", match.group(1)), (f"{page}:sentence", match.group(2))]
    return found


def downloaded(offer: dict) -> pl.DataFrame:
    """The file a download button would give, read back as text cells."""
    content = offer["data"]() if callable(offer["data"]) else offer["data"]
    if offer["file_name"].endswith(".csv"):  # the context comes first, as "# " lines
        return pl.read_csv(io.BytesIO(content), infer_schema=False, comment_prefix="#")
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    assert book.sheetnames[0] == "About this file"
    header, *rows = list(book.worksheets[1].iter_rows(values_only=True))  # the table, numbers as numbers

    def text(value):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return None if value is None else str(value)

    return pl.DataFrame([[text(v) for v in row] for row in rows], schema=[str(h) for h in header],
                        orient="row")


def small(found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The shown counts that disclosure control should have hidden (1 to 7), or that are blank."""
    bad = []
    for where, value in found:
        if value == "*":
            continue
        if value == "<blank>" or not value.lstrip("-").isdigit() or 1 <= int(value) <= 7:
            bad.append((where, value))
    return bad


def visit(monkeypatch, email: str, pages: list[str], offered: list[dict], **state) -> dict[str, list]:
    """Open each page as ``email``; return every shown count per page, downloads included."""
    sign_in(monkeypatch, email)
    seen: dict[str, list] = {}
    for page in pages:
        offered.clear()
        at = open_page(page, **state)
        assert at.title[0].value == HEADINGS[page], page
        assert not at.error, (page, [e.value for e in at.error])
        found = shown_counts(at, page)
        for offer in offered:
            found += frame_counts(downloaded(offer), f"{page}:{offer['file_name']}")
        seen[page] = found
        seen[f"{page}:text"] = [texts(at)]
        seen[f"{page}:downloads"] = list(offered)
    return seen


# --- No small count anywhere, for a board member and an outreach worker ------------------------------------

@pytest.mark.parametrize("email,pages", [
    ("board@a.org", BOARD_PAGES),
    ("outreach@a.org", OUTREACH_PAGES),
])
@pytest.mark.parametrize("characteristic", ["ethnicity_broad", "ethnicity"])
def test_no_count_of_1_to_7_on_any_page_or_download(two_trusts, monkeypatch, offered, email, pages,
                                                    characteristic):
    seen = visit(monkeypatch, email, pages, offered, f_characteristic=characteristic)
    counts = [item for page in pages for item in seen[page]]
    assert len(counts) > 100  # the check looked at real tables, not at nothing
    assert small(counts) == []
    assert any(value == "*" for _, value in counts)  # something was hidden, and shown as *
    downloads = [o for page in pages for o in seen[f"{page}:downloads"]]
    assert {o["file_name"].rsplit(".", 1)[1] for o in downloads} == {"csv", "xlsx"}
    for page in ("overview", "representation", "decision_making", "trends", "data_quality"):
        assert "Suppressed for publication" in seen[f"{page}:text"][0], page
        assert "NOT FOR PUBLICATION" not in seen[f"{page}:text"][0], page


def test_crossed_tables_show_no_small_count_either(two_trusts, monkeypatch, offered):
    """Intersectional cells (ethnicity x sex) are protected like the rest."""
    pages = ["overview", "representation", "decision_making", "trends"]
    seen = visit(monkeypatch, "board@a.org", pages, offered, f_characteristic="ethnicity_broad",
                 f_cross_with="sex")
    counts = [item for page in pages for item in seen[page]]
    assert len(counts) > 100
    assert small(counts) == []
    assert any(value == "*" for _, value in counts)
    assert "Ethnicity (5 broad groups) × sex" in seen["representation:text"][0]


@pytest.mark.parametrize("email,pages", [
    ("board@b.org", BOARD_PAGES),
    ("outreach@b.org", OUTREACH_PAGES),
])
def test_a_small_trust_shows_stars_not_counts(two_trusts, monkeypatch, offered, email, pages):
    """Trust B has a handful of people, meetings and claims: every count of people is hidden or 0."""
    seen = visit(monkeypatch, email, pages, offered, f_period="year")
    counts = [item for page in pages for item in seen[page]]
    assert small(counts) == []
    for page in ("scorecard", "activity_view"):
        assert any(value == "*" for _, value in seen[page]), page
    scorecard = seen["scorecard:text"][0]
    assert "hidden (*)" in scorecard  # the headline says indicators about too few people are hidden
    activity = seen["activity_view:text"][0]
    assert "Fees and expenses: of * claims" in activity  # rebuilt from the protected counts
    assert "agreed 'I felt valued and listened to'" in activity and "1 of 1 agreed" not in activity


def test_the_representation_download_hides_what_the_table_hides(two_trusts, monkeypatch, offered):
    sign_in(monkeypatch, "board@a.org")
    at = open_page("representation", f_characteristic="ethnicity")
    table = pl.from_pandas(at.dataframe[-1].value)
    csv = next(downloaded(o) for o in offered if o["file_name"].endswith(".csv"))
    xlsx = next(downloaded(o) for o in offered if o["file_name"].endswith(".xlsx"))
    for file in (csv, xlsx):
        assert file.height == table.height
        assert sorted(file.get_column("People in group").to_list()) == sorted(
            table.get_column("People in group").cast(pl.String).to_list())
        assert "*" in file.get_column("People in group").to_list()
        assert "not_for_publication" not in file.columns  # the published version carries no mark


def test_every_download_is_audited_with_who_and_what(two_trusts, monkeypatch, offered):
    sign_in(monkeypatch, "outreach@a.org")
    open_page("outreach")
    assert offered, "the outreach page offers its working list"
    engine = get_engine(get_settings().database_url)
    for offer in offered:
        assert offer["on_click"] is auth.record_download
        viewer, organisation, stem = offer["args"]
        assert viewer.email == "outreach@a.org" and organisation == A
        assert offer["file_name"].startswith(stem)
        offer["on_click"](*offer["args"], **offer["kwargs"])  # what Streamlit does on a click
    events = audit.audit_frame(engine, A, user="outreach@a.org", action=audit.DOWNLOAD)
    assert events.height == len(offered)
    details = " ".join(str(d) for d in events.get_column("detail").to_list())
    for offer in offered:
        assert offer["args"][2] in details and offer["kwargs"]["file_format"] in details


def test_an_equality_lead_sees_exact_figures_marked_not_for_publication(two_trusts, monkeypatch, offered):
    sign_in(monkeypatch, "lead@a.org")
    at = open_page("representation", f_characteristic="ethnicity")
    assert any("NOT FOR PUBLICATION" in w.value for w in at.warning)
    counts = shown_counts(at, "representation")
    assert any(value not in ("*", "0") and 1 <= int(value) <= 7 for _, value in counts)  # exact small counts
    assert all(value != "*" for _, value in counts)
    csv = next(downloaded(o) for o in offered if o["file_name"].endswith(".csv"))
    assert set(csv.get_column("not_for_publication").to_list()) == {"true"}  # the file carries the mark


# --- Pages and lists a role does not include ----------------------------------------------------------------

def test_a_board_member_has_no_outreach_import_or_admin_page(two_trusts, monkeypatch):
    sign_in(monkeypatch, "board@a.org")
    at = open_page("overview")
    for page in ("outreach", "import_data", "admin"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(str(DASHBOARD / "views" / f"{page}.py"))


def test_record_level_lists_are_for_leads_and_stewards(two_trusts, monkeypatch, offered):
    sign_in(monkeypatch, "outreach@a.org")
    at = open_page("data_quality")
    assert "for equality leads and data stewards" in texts(at)
    assert not any("Records" in t.value.columns for t in at.dataframe)
    assert not any(o["file_name"].startswith("presence-missing-fields") for o in offered)
    board = Viewer(email="board@a.org", roles={A: "board_member"})
    f = cache.Filters(organisation_id=A, organisation_name="", data_version=cache.data_version(A))
    with pytest.raises(PermissionError):
        cache.missing_fields(f, board)
    assert cache.fourpi_detail(f, board, "payments", "2025") is None  # one row per person's claim


def test_an_equality_lead_gets_the_record_lists(two_trusts, monkeypatch):
    sign_in(monkeypatch, "lead@a.org")
    at = open_page("data_quality")
    assert "for equality leads and data stewards" not in texts(at)
    assert any("Records" in t.value.columns for t in at.dataframe)


# --- One organisation never sees another ------------------------------------------------------------------

@pytest.mark.parametrize("email,mine,other_name", [
    ("board@a.org", A, B_NAME),
    ("outreach@b.org", B, "Riverside"),
])
def test_a_user_of_one_organisation_never_sees_another(two_trusts, monkeypatch, email, mine, other_name):
    sign_in(monkeypatch, email)
    organisations = cache.all_organisations()
    other = next(o for o in organisations if o["id"] != mine)
    for page in ("overview", "representation", "scorecard", "activity_view"):
        at = open_page(page)
        assert at.sidebar.selectbox(key="f_organisation").options == [
            next(o["name"] for o in organisations if o["id"] == mine)]
        assert other["name"] not in texts(at)
    viewer = Viewer(email=email, roles={mine: USERS[email][1]})
    theirs = cache.Filters(organisation_id=other["id"], organisation_name="",
                          data_version=cache.data_version(other["id"]))
    for function, args in ((cache.representation, ()), (cache.data_quality, ()), (cache.fourpi_activities, ()),
                           (cache.fourpi_scorecard, ("2025",)), (cache.headlines, ())):
        with pytest.raises(PermissionError):
            function(theirs, viewer, *args)


def test_a_remembered_choice_of_another_organisation_is_ignored(two_trusts, monkeypatch):
    sign_in(monkeypatch, "board@a.org")
    at = open_page("overview", f_organisation=B)  # a tampered session state
    assert at.sidebar.selectbox(key="f_organisation").value == A
    assert B_NAME not in texts(at)


# --- Unknown users see nothing -----------------------------------------------------------------------------

@pytest.mark.parametrize("email", ["stranger@elsewhere.org", "x@y.org' OR '1'='1", None])
def test_an_unknown_user_sees_nothing(two_trusts, monkeypatch, offered, email):
    sign_in(monkeypatch, email)
    at = AppTest.from_string(ENTRY, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.metric and not at.dataframe and not offered
    assert not at.sidebar.selectbox  # no organisation picker
    shown = texts(at)
    assert "Riverside" not in shown and B_NAME not in shown
    try:  # a link straight to a page: not in any menu, or it runs and shows nothing
        at.switch_page(str(DASHBOARD / "views" / "representation.py"))
    except ValueError as error:
        assert "Could not find a navigation page" in str(error)
    else:
        at.run()
        assert not at.exception and not at.metric and not at.dataframe and not offered
        assert "Riverside" not in texts(at)


# --- The helpers behind the marks (the arithmetic written down) ------------------------------------------

def _protected_tables() -> pl.DataFrame:
    return pl.DataFrame({
        "people": [None, 15, 0], "people_suppressed": [True, False, False],
        "declaration_rate": [None, 0.8, None], "suppressed": [True, False, False],
    })


def test_with_marks_shows_hidden_counts_as_stars_before_renaming():
    shown = display.with_marks(_protected_tables())
    assert shown.get_column("people").to_list() == ["*", "15", "0"]
    assert "people_suppressed" not in shown.columns


@pytest.mark.parametrize("digits,expected", [
    (0, ["*", "80", "–"]),  # hidden row: *; 0.8 -> 80%; nobody at all: a dash, not a star
    (1, ["*", "80.0", "–"]),
])
def test_rate_text_marks_withheld_rates(digits, expected):
    frame = _protected_tables().select(display.rate_text("declaration_rate", digits))
    assert frame.get_column("declaration_rate").to_list() == expected


def test_part_of_whole_never_prints_none():
    frame = pl.DataFrame({"involved": [None, 10], "total": [15, 20], "involved_suppressed": [True, False],
                          "total_suppressed": [False, False]})
    assert frame.select(display.part_of_whole(frame)).to_series().to_list() == ["* of 15", "10 of 20"]


def test_key_numbers_show_a_star_for_a_hidden_count():
    assert display.count_text(None) == "*" and display.count_text(1234) == "1,234"


def _card(numerator: int, denominator: int, indicator: str = "support_offered") -> pl.DataFrame:
    card = fourpi.indicator_catalogue().drop("order").filter(pl.col("indicator") == indicator)
    return card.with_columns(
        pl.lit("2025").alias("period"), pl.lit("2024").alias("previous_period"),
        pl.lit(numerator / denominator if denominator else None, dtype=pl.Float64).alias("value"),
        pl.lit(numerator).alias("numerator"), pl.lit(denominator).alias("denominator"),
        pl.lit(0).alias("left_out"), pl.lit("red").alias("rag"), pl.lit(None, dtype=pl.Float64)
        .alias("previous_value"), pl.lit(None, dtype=pl.Float64).alias("change_pp"),
        pl.lit("").alias("trend"),
    )


BOARD = Viewer(email="board@a.org", roles={A: "board_member"})
LEAD = Viewer(email="lead@a.org", roles={A: "equality_lead"})


@pytest.mark.parametrize("numerator,denominator,shown,value,rag", [
    # 3 of 20 offered support: 3 is hidden; in the line 20 = 3 + 17 the smallest other count (17 not
    # offered, not shown itself) goes with it, so 20 stays; the share and status are withheld
    (3, 20, (None, 20), None, fourpi_disclosure.RAG_HIDDEN),
    (10, 20, (10, 20), 0.5, "red"),  # 10/20 = 50%, below amber
    (0, 9, (0, 10), 0.0, "red"),  # zero is shown as 0; 9 -> 10
])
def test_scorecard_counts_of_people_are_protected(numerator, denominator, shown, value, rag):
    card = _card(numerator, denominator)
    published = fourpi_disclosure.protect_scorecard(card, _card(0, 0), BOARD, A)
    row = published.row(0, named=True)
    assert (row["numerator"], row["denominator"]) == shown
    assert row["value"] == value
    assert row["rag"] == rag
    assert row["not_for_publication"] is False


def test_scorecard_counts_of_meetings_stay_exact_and_leads_see_exact_marked():
    meetings = _card(1, 3, "presence_minimum")
    published = fourpi_disclosure.protect_scorecard(meetings, _card(0, 0, "presence_minimum"), BOARD, A)
    assert published.select("numerator", "denominator").row(0) == (1, 3)  # meetings, not people
    exact = fourpi_disclosure.protect_scorecard(_card(3, 20), _card(0, 0), LEAD, A)
    assert exact.select("numerator", "denominator", "not_for_publication").row(0) == (3, 20, True)


def test_the_scorecard_trend_uses_the_published_share_a_year_before():
    published = fourpi_disclosure.protect_scorecard(_card(10, 20), _card(3, 20), BOARD, A)
    assert published.get_column("trend")[0] == "Hidden in 2024: too few people to show"
    published = fourpi_disclosure.protect_scorecard(_card(10, 20), _card(30, 40), BOARD, A)
    assert published.get_column("trend")[0] == "Down 25 points on 2024 (was 75%)"  # 50% - 75%
