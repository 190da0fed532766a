"""The synthetic demo trust: reproducible, the right size, realistic fields and the deliberate patterns.

Pattern tests read the raw tables back from a database seeded once per seed (SQLite, scale 1, seeds 2021, 11);
the writer itself (``models.seeding``) is tested in tests/models/test_seeding.py.
"""

from __future__ import annotations

from datetime import date, time

import polars as pl
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from data import codes
from data.demo import (
    BLACK_CARER_ABSENT_COMMITTEES,
    BLACK_CARER_CODES,
    CATCHMENT,
    LEVEL_AREA,
    SINGLE_MEMBER_COMMITTEE,
    SOUTH_ASIAN_CODES,
    WINDOW_END,
    WINDOW_START,
    build_demo,
)
from models.db import get_engine, upgrade_schema
from models.seeding import seed_demo
from models.tables import (
    Activity,
    Attendance,
    Baseline,
    Feedback,
    ImpactLog,
    Involvement,
    Level,
    Meeting,
    Organisation,
    Payment,
    Person,
    ReviewStep,
    SupportOffer,
)

SEEDED_TABLES = (Organisation, Level, Activity, Person, Involvement, Meeting, Attendance, Payment,
                 SupportOffer, ImpactLog, Feedback, ReviewStep)
PLAN_TABLES = {"activities": Activity, "people": Person, "involvements": Involvement, "meetings": Meeting,
               "attendance": Attendance, "payments": Payment, "support": SupportOffer, "impacts": ImpactLog,
               "feedback": Feedback, "reviews": ReviewStep, "caseload": Baseline}
QUARTER_STARTS = pl.date_range(WINDOW_START, WINDOW_END, "3mo", eager=True)


def _fresh_sqlite(directory) -> Engine:
    directory.mkdir(parents=True, exist_ok=True)
    engine = get_engine(f"sqlite:///{directory / 'demo.db'}")
    upgrade_schema(engine)
    return engine


def _table(engine: Engine, table) -> pl.DataFrame:
    """Every row of a table, typed by SQLAlchemy, ordered by id (as it is stored)."""
    sa_table = table.__table__
    with engine.connect() as connection:
        result = connection.execute(select(sa_table).order_by(sa_table.c.id))
        rows = [tuple(row) for row in result]
        names = list(result.keys())
    return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)


@pytest.fixture(scope="module", params=[2021, 11], ids=["seed2021", "seed11"])
def demo(request, tmp_path_factory) -> dict[str, pl.DataFrame]:
    """The raw tables of one demo trust seeded at scale 1 (the default seed, and one more: no lucky seed)."""
    engine = _fresh_sqlite(tmp_path_factory.mktemp("demo"))
    seed_demo(engine=engine, seed=request.param)
    tables = {t.__tablename__: _table(engine, t) for t in SEEDED_TABLES}
    engine.dispose()
    return tables


@pytest.fixture(scope="module")
def involved(demo) -> pl.DataFrame:
    """Involvements with the person's type and ethnicity, the activity name and the level key."""
    people = demo["person"].select(pl.col("id").alias("person_id"), "involvement_type", "ethnicity")
    activities = demo["activity"].select(pl.col("id").alias("activity_id"), pl.col("name").alias("activity"),
                                         "level_id", "high_level")
    levels = demo["level"].select(pl.col("id").alias("level_id"), pl.col("key").alias("level"))
    return (demo["involvement"].join(people, on="person_id").join(activities, on="activity_id")
            .join(levels, on="level_id"))


def _by_quarter(involved: pl.DataFrame) -> pl.DataFrame:
    """One row per involvement x quarter of the window in which it is active."""
    quarters = pl.DataFrame({"quarter": QUARTER_STARTS}).with_columns(
        quarter_end=pl.col("quarter").dt.offset_by("3mo") - pl.duration(days=1))
    return involved.join(quarters, how="cross").filter(
        (pl.col("start_date") <= pl.col("quarter_end"))
        & (pl.col("end_date").is_null() | (pl.col("end_date") >= pl.col("quarter"))))


# --- Reproducible and sized ------------------------------------------------------------------------------

def test_another_seed_gives_other_people():
    assert not build_demo(seed=1).people.equals(build_demo(seed=2).people)


def test_scale_one_has_about_1500_people_and_scale_two_double():
    one, two = build_demo(scale=1).counts(), build_demo(scale=2).counts()
    assert 1_350 <= one["people"] <= 1_650
    assert two["activities"] == 2 * one["activities"]
    for name in ("people", "involvements", "meetings", "attendance", "payments"):
        assert 1.8 <= two[name] / one[name] <= 2.2, name


def test_caseload_baseline_over_represents_black_people_and_keeps_unknowns():
    caseload = build_demo().caseload
    total = caseload["count"].sum()
    black = caseload.filter(pl.col("group").is_in(["M", "N", "P"]))["count"].sum() / total
    # catchment shares of M, N, P: 0.085 + 0.115 + 0.035 = 0.235 of the known population
    assert black > 0.235 * 1.5
    assert set(caseload["group"]) >= {"Z", "99"}
    assert caseload["source"].unique().to_list() == ["caseload"]


def test_scale_below_one_is_refused():
    with pytest.raises(ValueError, match="whole number of 1 or more"):
        build_demo(scale=0)


def test_database_rows_are_the_plan(demo, request):
    plan = build_demo(seed=request.node.callspec.params["demo"])
    meetings = demo["meeting"].select("ref", "date", "start_time", "papers_sent")
    assert meetings.equals(plan.meetings.select(meetings.columns))
    involvements = demo["involvement"].select("ref", "role", "payment_basis", "start_date", "end_date")
    assert involvements.equals(plan.involvements.select(involvements.columns))


def test_the_organisation_serves_four_real_boroughs(demo):
    organisation = demo["organisation"].row(0, named=True)
    assert organisation["code"] == "DEMO"
    assert organisation["catchment"] == ["E09000022", "E09000028", "E09000023", "E09000008"]
    assert demo["level"]["key"].to_list() == [key for _, key, _, _ in codes.DEFAULT_LEVELS]


def test_refs_are_pseudonymous_and_numbered(demo):
    assert demo["person"]["ref"].str.contains(r"^P\d{6}$").all()
    assert demo["activity"]["ref"].to_list()[:2] == ["ACT-001", "ACT-002"]
    assert demo["involvement"]["ref"].str.starts_with("INV-").all()
    assert demo["meeting"]["ref"].str.starts_with("MTG-").all()


# --- Realistic fields ------------------------------------------------------------------------------------

def test_about_15_percent_of_ethnicity_is_not_stated_or_not_known(demo):
    ethnicity = demo["person"]["ethnicity"]
    unknown = ethnicity.is_in(list(codes.ETHNICITY_UNKNOWN_CODES)).mean()
    assert 0.11 <= unknown <= 0.19
    assert set(ethnicity) >= {"A", "C", "M", "N", "H", "Z", "99"}


def test_equality_fields_use_the_code_lists(demo):
    people = demo["person"]
    for column, allowed in codes.CHARACTERISTIC_CODES.items():
        assert set(people[column]) <= set(allowed), column
        assert people[column].n_unique() >= 3, column
    assert set(people["local_authority"]) == set(CATCHMENT) | {codes.NOT_STATED, codes.NOT_KNOWN}
    births = people["year_of_birth"]
    assert 0.2 < births.is_not_null().mean() < 0.6
    assert births.drop_nulls().is_between(1920, 2010).all()


def test_activities_record_area_purpose_and_high_level(demo):
    activities = demo["activity"].join(
        demo["level"].select(pl.col("id").alias("level_id"), pl.col("key").alias("level")), on="level_id")
    expected_area = pl.col("level").replace_strict(LEVEL_AREA)
    assert activities.select(pl.col("involvement_area") == expected_area).to_series().all()
    assert set(activities["kind"]) == {"committee", "project", "programme"}
    assert set(activities["involves"]) == set(codes.INVOLVEMENT_TYPES)
    high = activities.filter("high_level")
    assert set(high["level"]) == {"strategic", "board"} and set(high["kind"]) == {"committee"}
    purpose_missing = activities["purpose"].is_null().sum()
    assert 0 < purpose_missing < activities.height / 2
    assert activities["intended_outcomes"].is_null().sum() > purpose_missing
    assert activities.filter(pl.col("purpose").is_null())["purpose_recorded_on"].is_null().all()
    assert activities["end_date"].is_not_null().sum() >= 3


def test_involvements_have_roles_payment_and_dates(involved):
    assert set(involved["role"]) <= set(codes.INVOLVEMENT_ROLES)
    assert set(involved["payment_basis"]) == {"paid", "voluntary"}
    assert 0.75 <= involved["has_role_description"].mean() < 1.0
    ended = involved.filter(pl.col("end_date").is_not_null())
    assert 0 < ended.height < involved.height  # people move in and out
    assert involved["start_date"].max() <= WINDOW_END
    multiple = involved.group_by("person_id").len().filter(pl.col("len") > 1).height
    assert multiple > 100  # some people are involved at more than one level


def test_every_level_has_people_in_every_quarter(involved):
    counts = _by_quarter(involved).group_by("level", "quarter").agg(pl.col("person_id").n_unique())
    assert counts.height == 5 * 12
    assert counts["person_id"].min() >= 10


def test_meetings_and_attendance(demo):
    meetings, attendance = demo["meeting"], demo["attendance"]
    assert meetings["date"].is_between(WINDOW_START, WINDOW_END).all()
    assert (meetings["date"].dt.weekday() <= 5).all()
    assert set(attendance["capacity"]) == set(codes.ATTENDANCE_CAPACITIES)
    assert set(attendance["status"]) == set(codes.ATTENDANCE_STATUSES)
    involves = meetings.select(pl.col("id").alias("meeting_id"), "activity_id").join(
        demo["activity"].select(pl.col("id").alias("activity_id"), "involves"), on="activity_id")
    capacity = attendance.join(involves, on="meeting_id")
    crossed = capacity.filter(pl.col("involves").is_in(["service_user", "carer"])
                              & pl.col("capacity").is_in(["service_user", "carer"])
                              & (pl.col("involves") != pl.col("capacity")))
    assert crossed.height == 0  # a carers' group has no service-user seats, and the other way round
    per_activity = meetings.group_by("activity_id").len()["len"]
    assert per_activity.max() <= 36 and per_activity.min() >= 6  # monthly or bi-monthly, some part-window


# --- The deliberate patterns -------------------------------------------------------------------------------

def test_a_black_carers_are_rarer_at_board_and_absent_from_some_committees(involved):
    carers = involved.filter(pl.col("involvement_type").is_in(["carer", "both"]))
    black = pl.col("ethnicity").is_in(list(BLACK_CARER_CODES))
    share = carers.unique(["person_id", "level"]).group_by("level").agg(black.mean())
    by_level = dict(share.iter_rows())
    assert by_level["individual"] > 0.10
    assert by_level["board"] < by_level["individual"] / 2
    absent = carers.filter(pl.col("activity").is_in(list(BLACK_CARER_ABSENT_COMMITTEES)))
    assert absent.height > 0
    assert not absent["ethnicity"].is_in(list(BLACK_CARER_CODES)).any()


def test_b_south_asian_service_users_rise_at_strategic_level(involved):
    quarters = _by_quarter(involved.filter(
        (pl.col("level") == "strategic") & pl.col("involvement_type").is_in(["service_user", "both"])))
    people = quarters.unique(["person_id", "quarter"]).with_columns(
        south_asian=pl.col("ethnicity").is_in(list(SOUTH_ASIAN_CODES)))
    first = people.filter(pl.col("quarter") < QUARTER_STARTS[4])["south_asian"].mean()
    last = people.filter(pl.col("quarter") >= QUARTER_STARTS[8])["south_asian"].mean()
    assert last > first + 0.05


def test_c_one_committee_often_meets_with_a_single_service_user_or_carer(demo):
    committee = demo["activity"].filter(pl.col("name") == SINGLE_MEMBER_COMMITTEE)["id"]
    meetings = demo["meeting"].filter(pl.col("activity_id").is_in(committee.implode()))
    present = demo["attendance"].filter(
        (pl.col("status") == "attended") & pl.col("capacity").is_in(["service_user", "carer"]),
    ).group_by("meeting_id").len()
    counts = meetings.join(present, left_on="id", right_on="meeting_id", how="left")["len"].fill_null(0)
    assert meetings.height >= 30
    assert (counts == 1).mean() >= 0.3


def test_d_4pi_meeting_gaps(demo):
    meetings = demo["meeting"]
    lead = (meetings["date"] - meetings["papers_sent"]).dt.total_days()
    assert 0.1 <= (lead < 7).mean() <= 0.3
    assert meetings["papers_sent"].is_null().any()
    early = (meetings["start_time"] < time(10, 0)).mean()
    assert 0.08 <= early <= 0.25
    reserves = demo["attendance"].filter(pl.col("status") == "reserve")["meeting_id"]
    high_level = demo["activity"].filter("high_level")["id"]
    high = meetings.filter(pl.col("activity_id").is_in(high_level.implode()))
    high = high.with_columns(has_reserve=pl.col("id").is_in(reserves.implode()))
    assert 0.15 <= 1 - high["has_reserve"].mean() <= 0.45


def test_d_payments_are_mostly_timely(demo):
    payments = demo["payment"]
    paid = payments.filter(pl.col("paid_date").is_not_null())
    late = ((paid["paid_date"] - paid["claim_date"]).dt.total_days() > 30).mean()
    assert 0.10 <= late <= 0.20
    assert 0 < payments["paid_date"].is_null().sum() < payments.height * 0.1
    assert set(payments["kind"]) <= set(codes.PAYMENT_KINDS)
    assert (payments["claim_date"] <= WINDOW_END).all()


# --- The other 4PI tables -----------------------------------------------------------------------------------

def test_support_offers_reach_many_but_not_everyone(demo):
    support = demo["support_offer"]
    assert set(support["kind"]) == set(codes.SUPPORT_KINDS)
    offered = support["person_id"].n_unique() / demo["person"].height
    assert 0.7 < offered < 1.0
    assert 0.4 < support["taken_up"].mean() < 0.8


def test_impact_log_feedback_and_review_cycles(demo):
    impacts, feedback, reviews = demo["impact_log"], demo["feedback"], demo["review_step"]
    assert set(impacts["area"]) == set(codes.IMPACT_AREAS)
    assert impacts["what_changed"].str.len_chars().min() > 20
    for column in ("felt_valued", "could_influence", "informed_of_outcomes"):
        assert set(feedback[column]) <= set(codes.FEEDBACK_ANSWERS), column
    informed = feedback["informed_of_outcomes"].is_in(["agree", "strongly_agree"]).mean()
    valued = feedback["felt_valued"].is_in(["agree", "strongly_agree"]).mean()
    assert informed < valued
    assert set(reviews["stage"]) == set(codes.REVIEW_STAGES)
    stages = reviews.group_by("activity_id", "cycle").len()["len"]
    assert (stages == 4).any() and (stages < 4).any()  # complete and incomplete cycles
    assert reviews["completed_on"].max() <= WINDOW_END
    assert feedback["submitted_on"].is_between(WINDOW_START, WINDOW_END).all()


def test_no_date_is_after_the_window(demo):
    for table, column in (("involvement", "start_date"), ("meeting", "papers_sent"),
                          ("support_offer", "offered_on"), ("impact_log", "recorded_on"),
                          ("activity", "purpose_recorded_on")):
        assert demo[table][column].drop_nulls().max() <= WINDOW_END, (table, column)
    assert date(2026, 9, 30) == WINDOW_END
