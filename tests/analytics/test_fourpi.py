"""4PI indicators on a small hand-built trust, every expectation worked out by hand in the comments.

The trust (as of 30 June 2025; payment limit 30 days, papers 7 days, earliest start 10:00, grace 30 days):

Activities  BRD board (high level, involves both), started 2024-01-01, purpose + outcomes recorded 2024-01-20
            OPS operational group (service users), started 2024-03-01, purpose but no intended outcomes
            CAR carers forum (carers), 2024-04-01 to 2024-12-31, recorded 2024-06-15 (75 days late)
            NEW project (both), started 2025-05-01, recorded 2025-05-31 (exactly 30 days: on time)

Meetings (su = service users attended, ca = carers attended, res = reserve)
  M0 BRD 2024-06-10 10:30 papers 9 days   su 2 ca 0 res 1   -> 2
  M7 CAR 2024-09-01 10:00 papers 12 days  su 0 ca 2         -> 2
  M1 BRD 2025-01-15 10:00 papers 7 days   su 2 ca 1 res 1   -> 3
  M5 OPS 2025-02-01 11:00 papers 12 days  su 1              -> 1 (alone)
  M2 BRD 2025-03-12 09:30 papers 3 days   su 1 (+ staff)    -> 1 (alone)
  M6 OPS 2025-04-01 13:00 papers 1 day    nobody            -> 0
  M3 BRD 2025-05-14 no time, no papers    su 1 ca 1 (+1 apologies) -> 2
  M8 NEW 2025-06-01 10:00 papers 12 days  su 2 ca 1         -> 3
  M4 BRD 2025-07-10 (after as_of: not held yet, never counted)
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date, time, timedelta
from pathlib import Path

import polars as pl
import pytest

from analytics import columns as c
from analytics import fourpi
from analytics.fourpi import (
    DETAIL_KEYS,
    INDICATOR_KEYS,
    ScorecardThresholds,
    activity_list,
    activity_summary,
    feedback_results,
    fix_first,
    impact_by_area,
    impact_latest,
    latest_period,
    lone_breaches,
    meeting_breaches,
    meeting_table,
    payment_summary,
    payment_table,
    presence_summary,
    purpose_missing,
    purpose_status,
    review_cycle_state,
    role_descriptions,
    scorecard,
    scorecard_detail,
    scorecard_headline,
    scorecard_history,
    scorecard_periods,
    support_summary,
)
from analytics.fourpi import tables as T
from analytics.fourpi.presence import BREACH_ALONE, BREACH_NO_RESERVE, BREACH_NONE, BREACH_NOT_BOTH
from analytics.fourpi.tables import frames_from_rows
from analytics.loader import Frames
from analytics.periods import parse_period, periods_between, previous_year_period
from models.settings import Settings

AS_OF = date(2025, 6, 30)


def _activity(i, ref, name, level, involves, high, start, purpose, outcomes, recorded, end=None):
    return dict(
        activity_id=i,
        activity_ref=ref,
        activity_name=name,
        kind="committee",
        involvement_area="D",
        involves=involves,
        purpose=purpose,
        intended_outcomes=outcomes,
        purpose_recorded_on=recorded,
        high_level=high,
        start_date=start,
        end_date=end,
        level_id=level,
    )


def _meeting(i, ref, activity, day, start, papers):
    return dict(
        meeting_id=i, meeting_ref=ref, activity_id=activity, date=day, start_time=start, papers_sent=papers
    )


def _att(meeting, person, capacity, status="attended"):
    return dict(meeting_id=meeting, person_id=person, capacity=capacity, attendance_status=status)


def _inv(i, person, activity, described, start, end=None):
    return dict(
        involvement_id=i,
        person_id=person,
        activity_id=activity,
        role="expert_by_experience",
        payment_basis="paid",
        has_role_description=described,
        start_date=start,
        end_date=end,
    )


def _feedback(ref, activity, day, valued, influence, informed):
    return dict(
        feedback_ref=ref,
        activity_id=activity,
        submitted_on=day,
        felt_valued=valued,
        could_influence=influence,
        informed_of_outcomes=informed,
    )


def trust() -> Frames:
    d = date
    return frames_from_rows(
        as_of=AS_OF,
        organisation=[dict(organisation_id=1, code="RX1", name="Test trust")],
        levels=[
            dict(level_id=1, level_rank=5, level_key="board", level_name="Board", decision_making=True),
            dict(
                level_id=2,
                level_rank=3,
                level_key="operational",
                level_name="Operational",
                decision_making=False,
            ),
        ],
        activities=[
            _activity(
                1,
                "BRD",
                "Trust board",
                1,
                "both",
                True,
                d(2024, 1, 1),
                "Shape strategy",
                "Two changes",
                d(2024, 1, 20),
            ),
            _activity(
                2, "OPS", "Ward group", 2, "service_user", False, d(2024, 3, 1), "Improve wards", "  ", None
            ),
            _activity(
                3,
                "CAR",
                "Carers forum",
                2,
                "carer",
                False,
                d(2024, 4, 1),
                "Carers' voice",
                "Leaflet",
                d(2024, 6, 15),
                end=d(2024, 12, 31),
            ),
            _activity(
                4,
                "NEW",
                "Crisis project",
                2,
                "both",
                False,
                d(2025, 5, 1),
                "New crisis line",
                "Co-design",
                d(2025, 5, 31),
            ),
        ],
        people=[dict(person_id=i, person_ref=f"P{i}", involvement_type="service_user") for i in range(1, 7)],
        involvements=[
            _inv(1, 1, 1, True, d(2024, 1, 1)),
            _inv(2, 2, 1, True, d(2024, 1, 1)),
            _inv(3, 3, 1, False, d(2024, 6, 1)),
            _inv(4, 2, 2, True, d(2024, 3, 1)),
            _inv(5, 3, 3, True, d(2024, 4, 1), d(2024, 12, 31)),
            _inv(6, 4, 3, False, d(2024, 4, 1), d(2024, 12, 31)),
            _inv(7, 1, 4, True, d(2025, 5, 1)),
            _inv(8, 5, 4, True, d(2025, 5, 1)),
        ],
        meetings=[
            _meeting(10, "M0", 1, d(2024, 6, 10), time(10, 30), d(2024, 6, 1)),
            _meeting(17, "M7", 3, d(2024, 9, 1), time(10, 0), d(2024, 8, 20)),
            _meeting(11, "M1", 1, d(2025, 1, 15), time(10, 0), d(2025, 1, 8)),
            _meeting(15, "M5", 2, d(2025, 2, 1), time(11, 0), d(2025, 1, 20)),
            _meeting(12, "M2", 1, d(2025, 3, 12), time(9, 30), d(2025, 3, 9)),
            _meeting(16, "M6", 2, d(2025, 4, 1), time(13, 0), d(2025, 3, 31)),
            _meeting(13, "M3", 1, d(2025, 5, 14), None, None),
            _meeting(18, "M8", 4, d(2025, 6, 1), time(10, 0), d(2025, 5, 20)),
            _meeting(14, "M4", 1, d(2025, 7, 10), time(10, 0), d(2025, 7, 1)),
        ],
        attendance=[
            _att(10, 1, "service_user"),
            _att(10, 2, "service_user"),
            _att(10, 5, "service_user", "reserve"),
            _att(17, 3, "carer"),
            _att(17, 4, "carer"),
            _att(11, 1, "service_user"),
            _att(11, 2, "service_user"),
            _att(11, 3, "carer"),
            _att(11, 4, "carer", "reserve"),
            _att(15, 2, "service_user"),
            _att(12, 1, "service_user"),
            _att(12, 6, "staff"),
            _att(12, 5, "staff", "reserve"),
            _att(13, 1, "service_user", "apologies"),
            _att(13, 2, "service_user"),
            _att(13, 3, "carer"),
            _att(18, 1, "service_user"),
            _att(18, 5, "service_user"),
            _att(18, 3, "carer"),
            _att(14, 1, "service_user"),
            _att(14, 2, "service_user"),
            _att(14, 3, "carer"),
        ],
        payments=[
            dict(
                payment_ref="X1",
                person_id=1,
                activity_id=1,
                payment_kind="fee",
                claim_date=d(2025, 1, 10),
                paid_date=d(2025, 2, 9),
                amount=60.0,
            ),  # 30 days: on time
            dict(
                payment_ref="X2",
                person_id=2,
                activity_id=1,
                payment_kind="travel",
                claim_date=d(2025, 1, 10),
                paid_date=d(2025, 2, 10),
                amount=12.5,
            ),  # 31 days: late
            dict(
                payment_ref="X3",
                person_id=2,
                activity_id=2,
                payment_kind="expense",
                claim_date=d(2025, 4, 1),
                paid_date=None,
                amount=8.0,
            ),  # unpaid, 90 days by 30 June: overdue
            dict(
                payment_ref="X4",
                person_id=1,
                activity_id=1,
                payment_kind="fee",
                claim_date=d(2025, 6, 10),
                paid_date=None,
                amount=60.0,
            ),  # unpaid, 20 days: pending
            dict(
                payment_ref="X5",
                person_id=3,
                activity_id=3,
                payment_kind="childcare",
                claim_date=d(2024, 11, 1),
                paid_date=d(2024, 11, 5),
                amount=30.0,
            ),  # 4 days: on time
        ],
        support_offers=[
            dict(person_id=1, support_kind="training", offered_on=d(2024, 2, 1), taken_up=True),
            dict(person_id=4, support_kind="training", offered_on=d(2024, 5, 1), taken_up=False),
            dict(person_id=2, support_kind="emotional", offered_on=d(2025, 3, 1), taken_up=False),
            dict(person_id=3, support_kind="supervision", offered_on=d(2025, 6, 1), taken_up=True),
        ],
        impact_log=[
            dict(
                impact_ref="E1",
                activity_id=1,
                recorded_on=d(2025, 2, 1),
                impact_area="policy_planning",
                what_changed="Involvement policy rewritten",
                evidence="Board minutes",
            ),
            dict(
                impact_ref="E2",
                activity_id=1,
                recorded_on=d(2025, 5, 1),
                impact_area="delivery",
                what_changed="Complaints leaflet changed",
                evidence=None,
            ),
            dict(
                impact_ref="E3",
                activity_id=2,
                recorded_on=d(2024, 10, 1),
                impact_area="experience",
                what_changed="Ward rounds later in the day",
                evidence=None,
            ),
        ],
        feedback=[
            _feedback("F1", 1, d(2025, 3, 1), "strongly_agree", "agree", "not_stated"),
            _feedback("F2", 1, d(2025, 3, 2), "agree", "disagree", "agree"),
            _feedback("F3", 2, d(2025, 4, 1), "disagree", "neutral", "not_known"),
            _feedback("F4", 2, d(2024, 12, 1), "agree", "agree", "agree"),
        ],
        review_steps=[
            dict(activity_id=1, cycle=1, review_stage="act", completed_on=d(2024, 3, 1)),
            dict(activity_id=1, cycle=1, review_stage="evaluate", completed_on=d(2024, 6, 1)),
            dict(activity_id=1, cycle=1, review_stage="reflect", completed_on=d(2024, 9, 1)),
            dict(activity_id=1, cycle=1, review_stage="learn", completed_on=d(2024, 12, 1)),
            dict(activity_id=1, cycle=2, review_stage="act", completed_on=d(2025, 3, 1)),
            dict(activity_id=2, cycle=1, review_stage="act", completed_on=d(2024, 4, 1)),
        ],
    )


@pytest.fixture
def frames() -> Frames:
    return trust()


def _by(frame: pl.DataFrame, key: str, value) -> dict:
    rows = frame.filter(pl.col(key) == value)
    assert rows.height == 1, f"expected one row with {key}={value}, got {rows.height}"
    return rows.row(0, named=True)


# --- Periods -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label,kind,first,last,previous",
    [
        ("2025", "year", date(2025, 1, 1), date(2025, 12, 31), "2024"),
        ("2025-Q1", "quarter", date(2025, 1, 1), date(2025, 3, 31), "2024-Q1"),
        ("2024-Q4", "quarter", date(2024, 10, 1), date(2024, 12, 31), "2023-Q4"),
    ],
)
def test_periods_parse_and_step_back_a_year(label, kind, first, last, previous):
    assert parse_period(label) == (kind, first, last)
    assert previous_year_period(label) == previous


@pytest.mark.parametrize("bad", ["25", "2025-Q5", "Q1-2025", ""])
def test_bad_period_label_is_one_clear_sentence(bad):
    with pytest.raises(ValueError, match="neither a year"):
        parse_period(bad)


def test_periods_between_covers_first_to_last():
    periods = periods_between(date(2024, 11, 5), date(2025, 4, 1), "quarter").collect()
    assert periods.get_column(c.PERIOD).to_list() == ["2024-Q4", "2025-Q1", "2025-Q2"]
    assert periods.get_column(c.PERIOD_END).to_list() == [
        date(2024, 12, 31),
        date(2025, 3, 31),
        date(2025, 6, 30),
    ]


# --- Presence -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ref,su,ca,n,band,minimum,ideal,alone,reserve,both",
    [
        ("M0", 2, 0, 2, "2", True, False, False, True, False),  # the reserve is not counted as attending
        ("M7", 0, 2, 2, "2", True, False, False, False, False),
        ("M1", 2, 1, 3, "3+", True, True, False, True, True),
        ("M5", 1, 0, 1, "1", False, False, True, False, False),
        (
            "M2",
            1,
            0,
            1,
            "1",
            False,
            False,
            True,
            False,
            False,
        ),  # staff attending and a staff "reserve" not counted
        ("M6", 0, 0, 0, "0", False, False, False, False, False),  # no attendance rows at all
        ("M3", 1, 1, 2, "2", True, False, False, False, True),  # apologies are not attendance
        ("M8", 2, 1, 3, "3+", True, True, False, False, True),
    ],
)
def test_meeting_table_counts_each_meeting(
    frames, ref, su, ca, n, band, minimum, ideal, alone, reserve, both
):
    row = _by(meeting_table(frames), c.MEETING_REF, ref)
    assert (row[c.SERVICE_USERS], row[c.CARERS], row[c.SU_CARERS]) == (su, ca, n)
    assert row[c.PRESENCE_BAND] == band
    assert (row[c.MEETS_MINIMUM], row[c.MEETS_IDEAL], row[c.ALONE]) == (minimum, ideal, alone)
    assert (row[c.HAS_RESERVE], row[c.BOTH_PRESENT]) == (reserve, both)


def test_meetings_after_as_of_are_not_counted(frames):
    assert "M4" not in meeting_table(frames).get_column(c.MEETING_REF).to_list()
    assert meeting_table(frames).height == 8


@pytest.mark.parametrize(
    "ref,days,on_time,starts_ok",
    [
        ("M1", 7, True, True),  # 15 Jan - 8 Jan = 7 days: exactly the minimum counts; 10:00 is not too early
        ("M2", 3, False, False),  # 12 Mar - 9 Mar = 3; 09:30 is before 10:00
        ("M3", None, None, None),  # nothing recorded: unknown, not a failure
        ("M6", 1, False, True),
    ],
)
def test_meeting_table_process_facts(frames, ref, days, on_time, starts_ok):
    row = _by(meeting_table(frames), c.MEETING_REF, ref)
    assert (row[c.PAPERS_DAYS], row[c.PAPERS_ON_TIME], row[c.STARTS_OK]) == (days, on_time, starts_ok)


def test_presence_summary_by_organisation_and_year(frames):
    summary = presence_summary(frames, by="organisation", period="year")
    y25 = _by(summary, c.PERIOD, "2025")
    # 2025 meetings: M1 3, M5 1, M2 1, M6 0, M3 2, M8 3
    assert (
        y25[c.MEETINGS],
        y25[c.MEETINGS_0],
        y25[c.MEETINGS_1],
        y25[c.MEETINGS_2],
        y25[c.MEETINGS_3_PLUS],
    ) == (6, 1, 2, 1, 2)
    assert y25[c.SHARE_MINIMUM] == pytest.approx(3 / 6)  # M1, M3, M8
    assert y25[c.SHARE_IDEAL] == pytest.approx(2 / 6)  # M1, M8
    assert y25[c.AVERAGE_SU_CARERS] == pytest.approx(10 / 6)  # (3+1+1+0+2+3) / 6
    assert (y25[c.HIGH_LEVEL_MEETINGS], y25[c.HIGH_LEVEL_WITHOUT_RESERVE]) == (
        3,
        2,
    )  # M1 M2 M3; M2 M3 lack one
    assert (y25[c.BOTH_NEEDED_MEETINGS], y25[c.BOTH_PRESENT_MEETINGS]) == (
        4,
        3,
    )  # BRD x3 + NEW; M2 lacks carers
    y24 = _by(summary, c.PERIOD, "2024")
    assert (y24[c.MEETINGS], y24[c.SHARE_MINIMUM], y24[c.SHARE_IDEAL]) == (2, 1.0, 0.0)


def test_presence_summary_by_activity_and_level_all_time(frames):
    by_activity = presence_summary(frames, by="activity", period=None)
    ops = _by(by_activity, c.ACTIVITY_REF, "OPS")
    assert (ops[c.MEETINGS], ops[c.MEETINGS_0], ops[c.MEETINGS_1], ops[c.SHARE_MINIMUM]) == (2, 1, 1, 0.0)
    by_level = presence_summary(frames, by="level", period="quarter")
    board_q1 = by_level.filter((pl.col(c.LEVEL_KEY) == "board") & (pl.col(c.PERIOD) == "2025-Q1")).row(
        0, named=True
    )
    assert (board_q1[c.MEETINGS], board_q1[c.MEETINGS_1], board_q1[c.MEETINGS_3_PLUS]) == (2, 1, 1)  # M1, M2
    with pytest.raises(ValueError, match="'activity', 'level' or 'organisation'"):
        presence_summary(frames, by="ward")


def test_breaches_list_every_rule_broken(frames):
    breaches = meeting_breaches(frames)
    got = set(zip(breaches.get_column(c.MEETING_REF), breaches.get_column(c.BREACH), strict=True))
    assert got == {
        ("M5", BREACH_ALONE),
        ("M2", BREACH_ALONE),
        ("M6", BREACH_NONE),
        ("M2", BREACH_NO_RESERVE),
        ("M3", BREACH_NO_RESERVE),
        ("M0", BREACH_NOT_BOTH),
        ("M2", BREACH_NOT_BOTH),  # BRD involves both; M0 had no carer, M2 none
    }
    lone = lone_breaches(frames)
    assert lone.columns[:3] == [c.ACTIVITY_NAME, c.LEVEL_NAME, c.DATE]
    assert lone.select(c.ACTIVITY_NAME, c.LEVEL_NAME, c.DATE).rows() == [
        ("Ward group", "Operational", date(2025, 2, 1)),
        ("Trust board", "Board", date(2025, 3, 12)),
    ]


def test_presence_follows_the_meeting_settings(frames):
    settings = Settings(meeting_minimum=3, meeting_ideal=4)
    summary = presence_summary(frames, by="organisation", period="year", settings=settings)
    y25 = _by(summary, c.PERIOD, "2025")
    assert (y25[c.SHARE_MINIMUM], y25[c.SHARE_IDEAL]) == (pytest.approx(2 / 6), 0.0)  # M1, M8 have 3


# --- Purpose ------------------------------------------------------------------------------------------------


def test_purpose_recorded_at_the_start(frames):
    status = purpose_status(frames)
    assert status.select(c.ACTIVITY_REF, c.PURPOSE_OK).rows() == [
        ("BRD", True),
        ("CAR", False),
        ("NEW", True),
        ("OPS", False),  # NEW: 30 days after start is still on time
    ]
    missing = purpose_missing(frames)
    assert missing.select(c.ACTIVITY_REF, c.REASON).rows() == [
        ("CAR", "Recorded 75 days after the start (more than 30)"),  # 1 Apr -> 15 Jun = 75 days
        ("OPS", "No intended outcomes recorded"),  # blank text counts as missing
    ]


def test_purpose_grace_days_come_from_settings(frames):
    class Strict(Settings):
        purpose_grace_days: int = 0

    status = purpose_status(frames, Strict())
    assert _by(status, c.ACTIVITY_REF, "NEW")[c.PURPOSE_OK] is False  # 30 days > 0
    assert _by(status, c.ACTIVITY_REF, "BRD")[c.PURPOSE_OK] is False  # 19 days > 0


# --- Process ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ref,days,status",
    [
        ("X1", 30, c.PAYMENT_ON_TIME),  # 10 Jan -> 9 Feb = 30 days: within the limit
        ("X2", 31, c.PAYMENT_LATE),
        ("X3", 90, c.PAYMENT_OVERDUE),  # unpaid, 1 Apr -> 30 Jun = 90 days waiting
        ("X4", 20, c.PAYMENT_PENDING),  # unpaid, 10 Jun -> 30 Jun = 20 days: not late yet
        ("X5", 4, c.PAYMENT_ON_TIME),
    ],
)
def test_payment_status(frames, ref, days, status):
    row = _by(payment_table(frames), c.PAYMENT_REF, ref)
    assert (row[c.DAYS_TO_PAY], row[c.PAYMENT_STATUS]) == (days, status)


def test_payment_summary_leaves_pending_out(frames):
    y25 = _by(payment_summary(frames, period="year"), c.PERIOD, "2025")
    assert (
        y25["claims"],
        y25[c.PAYMENT_ON_TIME],
        y25[c.PAYMENT_LATE],
        y25[c.PAYMENT_OVERDUE],
        y25[c.PAYMENT_PENDING],
    ) == (4, 1, 1, 1, 1)
    assert y25["share_on_time"] == pytest.approx(1 / 3)  # 1 on time / (1 + 1 late + 1 overdue)
    assert y25["average_days_to_pay"] == pytest.approx(30.5)  # paid only: (30 + 31) / 2
    assert y25[c.AMOUNT] == pytest.approx(140.5)
    kinds = payment_summary(frames, by="kind")
    assert _by(kinds, c.PAYMENT_KIND, "fee")["share_on_time"] == 1.0  # X1 on time, X4 pending
    with pytest.raises(ValueError, match="Payment summaries"):
        payment_summary(frames, by="person")


def test_role_descriptions_per_activity(frames):
    table = role_descriptions(frames)
    assert table.select(c.ACTIVITY_REF, c.INVOLVEMENTS, c.WITH_DESCRIPTION, c.ALL_DESCRIBED).rows() == [
        ("BRD", 3, 2, False),
        ("CAR", 2, 1, False),
        ("NEW", 2, 2, True),
        ("OPS", 1, 1, True),
    ]


def test_support_offered_by_the_end_of_each_year(frames):
    table = support_summary(frames, period="year")
    y25 = table.filter(pl.col(c.PERIOD) == "2025")
    # involved in 2025: P1, P2, P3 (BRD), P5 (NEW); P4 only in CAR, which ended in 2024
    assert set(y25.get_column(c.PEOPLE).to_list()) == {4}
    assert _by(y25, c.SUPPORT_KIND, "any")[c.OFFERED] == 3  # P1 training, P2 emotional, P3 supervision
    assert _by(y25, c.SUPPORT_KIND, "any")[c.TAKEN] == 2  # P1, P3 took it up
    assert _by(y25, c.SUPPORT_KIND, "training")[c.OFFERED] == 1
    assert _by(y25, c.SUPPORT_KIND, "peer")[c.OFFERED] == 0
    y24 = table.filter(pl.col(c.PERIOD) == "2024")
    assert _by(y24, c.SUPPORT_KIND, "any")[c.OFFERED] == 2  # P1 and P4 (training) of P1-P4
    assert _by(y24, c.SUPPORT_KIND, "any")[c.PEOPLE] == 4
    current = support_summary(frames)
    assert _by(current, c.SUPPORT_KIND, "any")[c.PEOPLE] == 4  # open involvements on 30 June 2025


# --- Impact -------------------------------------------------------------------------------------------------


def test_impact_log_per_activity(frames):
    latest = impact_latest(frames)
    brd = _by(latest, c.ACTIVITY_REF, "BRD")
    assert (brd[c.ENTRIES], brd["areas_covered"], brd[c.LATEST_ON]) == (2, 2, date(2025, 5, 1))
    assert (brd[c.IMPACT_AREA_LABEL], brd[c.WHAT_CHANGED]) == ("Delivery", "Complaints leaflet changed")
    assert _by(latest, c.ACTIVITY_REF, "NEW")[c.ENTRIES] == 0
    areas = impact_by_area(frames)
    assert areas.height == 4 * 6  # every activity x every area
    assert areas.filter(pl.col(c.ACTIVITY_REF) == "BRD").get_column(c.ENTRIES).sum() == 2


def test_feedback_results_count_not_stated_separately(frames):
    results = feedback_results(frames, by="organisation", period="year")
    y25 = results.filter(pl.col(c.PERIOD) == "2025")
    valued = _by(y25, c.QUESTION, c.FELT_VALUED)
    assert (valued[c.ANSWERS], valued[c.STATED], valued[c.AGREE], valued[c.DISAGREE]) == (3, 3, 2, 1)
    assert valued[c.SHARE_AGREE] == pytest.approx(2 / 3)  # strongly agree + agree over stated answers
    informed = _by(y25, c.QUESTION, c.INFORMED_OF_OUTCOMES)
    assert (informed[c.STATED], informed[c.AGREE], informed[c.NOT_STATED], informed[c.NOT_KNOWN]) == (
        1,
        1,
        1,
        1,
    )
    assert informed[c.SHARE_AGREE] == 1.0
    influence = _by(y25, c.QUESTION, c.COULD_INFLUENCE)
    assert (influence[c.AGREE], influence[c.NEUTRAL], influence[c.DISAGREE]) == (1, 1, 1)
    by_activity = feedback_results(frames)
    ops_valued = by_activity.filter((pl.col(c.ACTIVITY_REF) == "OPS") & (pl.col(c.QUESTION) == c.FELT_VALUED))
    assert ops_valued.get_column(c.SHARE_AGREE).to_list() == [0.5]  # F3 disagree, F4 agree


def test_review_cycle_state(frames):
    state = review_cycle_state(frames)
    brd = _by(state, c.ACTIVITY_REF, "BRD")
    assert (brd[c.LATEST_CYCLE], brd[c.STAGES_DONE], brd[c.STAGES_DONE_N]) == (2, "Act", 1)
    assert (brd[c.NEXT_STAGE], brd[c.NEXT_DUE], brd[c.OVERDUE]) == (
        "evaluate",
        date(2025, 5, 31),
        True,
    )  # 1 Mar+91
    new = _by(state, c.ACTIVITY_REF, "NEW")
    assert (new[c.LATEST_CYCLE], new[c.NEXT_STAGE], new["next_cycle"]) == (None, "act", 1)
    assert (new[c.NEXT_DUE], new[c.OVERDUE]) == (date(2025, 7, 31), False)  # 1 May + 91 days


def test_a_finished_cycle_starts_the_next_and_an_ended_one_stops():
    rows = [
        dict(activity_id=1, cycle=1, review_stage=s, completed_on=date(2024, m, 1))
        for s, m in (("act", 1), ("evaluate", 4), ("reflect", 7), ("learn", 10))
    ]
    activity = _activity(1, "A", "A", 1, "both", False, date(2024, 1, 1), "p", "o", date(2024, 1, 1))
    going = review_cycle_state(frames_from_rows(as_of=AS_OF, activities=[activity], review_steps=rows))
    assert going.select(c.STAGES_DONE, c.NEXT_STAGE, "next_cycle").row(0) == (
        "Act, Evaluate, Reflect, Learn",
        "act",
        2,
    )
    ended = review_cycle_state(
        frames_from_rows(
            as_of=AS_OF, activities=[activity | {c.END_DATE: date(2024, 12, 31)}], review_steps=rows
        )
    )
    assert ended.select(c.NEXT_STAGE, c.NEXT_DUE, c.OVERDUE).row(0) == (None, None, False)


# --- Scorecard ----------------------------------------------------------------------------------------------

SCORECARD_2025 = [
    # indicator, numerator, denominator, left out, rag
    ("felt_valued", 2, 3, 0, "amber"),  # F1, F2 agree of F1-F3: 0.667 in [0.6, 0.8)
    ("could_influence", 1, 3, 0, "red"),  # F1 only: 0.333 < 0.5
    ("role_clarity", 2, 3, 0, "red"),  # OPS, NEW fully described; BRD not (P3): 0.667 < 0.7
    ("purpose_recorded", 2, 3, 0, "red"),  # BRD, NEW of BRD, OPS, NEW (CAR ended 2024): 0.667 < 0.7
    ("presence_minimum", 3, 6, 0, "red"),  # M1, M3, M8 of 6
    ("presence_ideal", 2, 6, 0, "red"),  # M1, M8
    ("never_alone", 4, 6, 0, "red"),  # M5, M2 alone: 4/6 = 0.667 < 0.9
    ("reserve", 1, 3, 0, "red"),  # high level M1, M2, M3: reserve at M1 only
    ("both_present", 3, 4, 0, "amber"),  # M1, M3, M8 of M1, M2, M3, M8: 0.75 in [0.6, 0.8)
    ("papers_on_time", 3, 5, 1, "red"),  # M1 (7), M5, M8 of 5 recorded; M3 not recorded: 0.6
    ("start_time", 4, 5, 1, "amber"),  # M2 09:30 too early; M3 not recorded: 0.8 in [0.75, 0.9)
    ("payments_on_time", 1, 3, 1, "red"),  # X1 on time, X2 late, X3 overdue; X4 pending left out
    ("role_descriptions", 5, 6, 0, "amber"),  # involvements open in 2025: 1,2,3,4,7,8; 3 lacks one: 0.833
    ("support_offered", 3, 4, 0, "amber"),  # P1, P2, P3 of P1, P2, P3, P5: exactly 0.75
    ("training_offered", 1, 4, 0, "red"),  # P1
    ("impact_logged", 1, 3, 0, "red"),  # BRD logged; OPS and NEW did not
    ("informed_of_outcomes", 1, 1, 2, "green"),  # F2 agrees; F1 not stated and F3 not known left out
    ("review_step", 1, 3, 0, "red"),  # BRD act in March; OPS and NEW none
]


def test_scorecard_2025_by_hand(frames):
    card = scorecard(frames, "2025")
    assert card.columns == list(c.SCORECARD_COLUMNS)
    assert card.get_column(c.INDICATOR).to_list() == list(INDICATOR_KEYS)
    got = card.select(c.INDICATOR, c.NUMERATOR, c.DENOMINATOR, c.LEFT_OUT, c.RAG).rows()
    assert got == SCORECARD_2025
    for indicator, numerator, denominator, _, _ in SCORECARD_2025:
        assert _by(card, c.INDICATOR, indicator)[c.VALUE] == pytest.approx(numerator / denominator)
    assert card.get_column(c.STANDARD).unique(maintain_order=True).to_list() == list(c.STANDARDS)


@pytest.mark.parametrize(
    "indicator,previous,change,words",
    [
        ("presence_minimum", 1.0, -50.0, "Down 50 points on 2024 (was 100%)"),  # 2024: M0, M7 both had 2
        ("both_present", 0.0, 75.0, "Up 75 points on 2024 (was 0%)"),  # 2024: M0 had no carer
        ("payments_on_time", 1.0, -66.6667, "Down 67 points on 2024 (was 100%)"),  # 2024: X5 on time
        ("purpose_recorded", 1 / 3, 33.3333, "Up 33 points on 2024 (was 33%)"),  # 2024: BRD of BRD, OPS, CAR
        ("review_step", 2 / 3, -33.3333, "Down 33 points on 2024 (was 67%)"),  # 2024: BRD, OPS of 3
        ("start_time", 1.0, -20.0, "Down 20 points on 2024 (was 100%)"),
        ("support_offered", 0.5, 25.0, "Up 25 points on 2024 (was 50%)"),
    ],
)
def test_scorecard_trend_against_the_year_before(frames, indicator, previous, change, words):
    row = _by(scorecard(frames, "2025"), c.INDICATOR, indicator)
    assert row[c.PREVIOUS_PERIOD] == "2024"
    assert row[c.PREVIOUS_VALUE] == pytest.approx(previous)
    assert row[c.CHANGE_PP] == pytest.approx(change, abs=1e-3)
    assert row[c.TREND] == words


def test_scorecard_trend_words_for_same_and_missing(frames):
    card = scorecard(frames, "2025")
    assert (
        _by(card, c.INDICATOR, "informed_of_outcomes")[c.TREND] == "Same as 2024 (100%)"
    )  # F4 agreed in 2024
    quarter = scorecard(frames, "2025-Q1")
    row = _by(quarter, c.INDICATOR, "presence_minimum")
    assert (row[c.NUMERATOR], row[c.DENOMINATOR]) == (1, 3)  # M1 of M1, M5, M2
    assert row[c.TREND] == "No figure for 2024-Q1 to compare with"


def test_thresholds_can_be_overridden_and_are_checked(frames):
    card = scorecard(frames, "2025", thresholds=ScorecardThresholds(presence_minimum=(0.5, 0.25)))
    assert _by(card, c.INDICATOR, "presence_minimum")[c.RAG] == "green"  # 0.5 >= 0.5
    with pytest.raises(ValueError, match="presence_ideal thresholds"):
        ScorecardThresholds(presence_ideal=(0.5, 0.9))
    with pytest.raises(FrozenInstanceError):
        ScorecardThresholds().reserve = (0.1, 0.0)  # type: ignore[misc]


def test_scorecard_default_period_is_the_year_of_the_latest_meeting(frames):
    assert latest_period(frames) == "2025"
    assert scorecard(frames).get_column(c.PERIOD).unique().to_list() == ["2025"]
    assert scorecard_periods(frames) == ["2025", "2024"]


def test_scorecard_history_has_every_period(frames):
    history = scorecard_history(frames, period="year")
    minimum = history.filter(pl.col(c.INDICATOR) == "presence_minimum")
    assert minimum.select(c.PERIOD, c.VALUE).rows() == [("2024", 1.0), ("2025", 0.5)]


def test_empty_organisation_gives_no_data_everywhere():
    empty = frames_from_rows(as_of=AS_OF)
    card = scorecard(empty)
    assert card.height == len(INDICATOR_KEYS)
    assert set(card.get_column(c.RAG)) == {c.RAG_NO_DATA}
    assert set(card.get_column(c.DENOMINATOR)) == {0}
    assert card.get_column(c.TREND).to_list()[0] == "Nothing to count in 2025"
    assert meeting_table(empty).height == 0
    assert presence_summary(empty, by="organisation", period=None).row(0, named=True)[c.MEETINGS] == 0
    assert meeting_breaches(empty).height == 0
    assert payment_summary(empty, period="year").height == 0
    for key in DETAIL_KEYS:
        assert scorecard_detail(empty, key, period="2025").height == 0


def test_no_payments_and_no_start_times_are_no_data_not_zero(frames):
    no_payments = frames_from_rows(
        as_of=AS_OF,
        activities=T.activities(trust()).collect().to_dicts(),
        meetings=[_meeting(1, "Z", 1, date(2025, 1, 1), None, None)],
    )
    card = scorecard(no_payments, "2025")
    assert _by(card, c.INDICATOR, "payments_on_time")[c.RAG] == c.RAG_NO_DATA
    start = _by(card, c.INDICATOR, "start_time")
    assert (start[c.NUMERATOR], start[c.DENOMINATOR], start[c.LEFT_OUT], start[c.RAG]) == (
        0,
        0,
        1,
        c.RAG_NO_DATA,
    )
    assert _by(card, c.INDICATOR, "presence_minimum")[c.RAG] == c.RAG_RED  # one meeting, nobody there: 0/1


def test_scorecard_detail_tables(frames):
    assert scorecard_detail(frames, "meetings", period="2025").height == 6
    assert scorecard_detail(frames, "payments", period="2024").get_column(c.PAYMENT_REF).to_list() == ["X5"]
    assert scorecard_detail(frames, "breaches", period="2024-Q2").get_column(c.MEETING_REF).to_list() == [
        "M0"
    ]
    with pytest.raises(ValueError, match="no 4PI detail table called 'x'"):
        scorecard_detail(frames, "x")


# --- The chair's view ---------------------------------------------------------------------------------------


def test_activity_summary_for_the_board_chair(frames):
    summary = activity_summary(frames, "BRD")
    # last 4 held: M0, M1, M2, M3 (M4 is in the future)
    assert summary.meetings.get_column(c.MEETING_REF).to_list() == ["M0", "M1", "M2", "M3"]
    sentences = summary.sentences
    assert sentences[0] == (
        "Your last 4 meetings: 1 had only one service user or carer; "
        "3 of 4 had the minimum of 2 and 1 the ideal of 3 or more."
    )
    assert "This is a high-level activity: 2 of 4 meetings had no reserve service user or carer." in sentences
    assert "Service users and carers were both present at 2 of 4." in sentences  # M1, M3
    # papers: M0 9, M1 7, M2 3 days; M3 not recorded: (9 + 7 + 3) / 3 = 6.33 -> 6
    assert (
        "Papers went out 6 days before on average (the standard is at least 7); 2 of 3 went out in time, "
        "and 1 has no date recorded."
    ) in sentences
    assert "2 of 3 meetings started at 10:00 or later (1 with no start time recorded)." in sentences
    assert "Purpose and intended outcomes: recorded at the start." in sentences
    # BRD claims: X1 on time, X2 late, X4 pending
    assert (
        "Fees and expenses: of 3 claims, 1 paid within 30 days, 1 paid late, 1 waiting, still within 30 days."
        in sentences
    )
    assert "Review cycle 2: Act done; next is Evaluate of cycle 2, due 31 May 2025 (overdue)." in sentences
    assert any(s.startswith("2 changes logged, the latest on 1 May 2025 (Delivery)") for s in sentences)
    assert (
        "Feedback: 2 of 2 agreed 'I felt valued and listened to'; 1 of 2 agreed 'I could influence what "
        "happened'; 1 of 1 agreed 'I was told what changed as a result'."
    ) in sentences
    assert summary.breaches.get_column(c.MEETING_REF).to_list() == [
        "M3",
        "M2",
        "M2",
        "M2",
        "M0",
    ]  # newest first;
    # M3 no reserve; M2 alone, no reserve, no carer; M0 no carer
    assert (summary.level_name, summary.high_level, summary.involves) == ("Board", True, "both")


def test_activity_summary_last_two_and_errors(frames):
    summary = activity_summary(frames, "BRD", last_n=2)
    assert summary.meetings.get_column(c.MEETING_REF).to_list() == ["M2", "M3"]
    assert summary.sentences[0] == (
        "Your last 2 meetings: 1 had only one service user or carer; "
        "1 of 2 had the minimum of 2 and 0 the ideal of 3 or more."
    )
    ops = activity_summary(frames, "OPS")
    assert ops.sentences[0] == (
        "Your 2 meetings so far: 1 had only one service user or carer; 1 had none at all; "
        "0 of 2 had the minimum of 2 and 0 the ideal of 3 or more."
    )
    with pytest.raises(ValueError, match="no activity with the reference 'NOPE'"):
        activity_summary(frames, "NOPE")
    with pytest.raises(ValueError, match="last_n"):
        activity_summary(frames, "BRD", last_n=0)


def test_activity_without_meetings():
    frames = trust()
    no_meetings = frames_from_rows(
        as_of=AS_OF, activities=T.activities(frames).collect().to_dicts(), levels=T.levels(frames).collect().to_dicts()
    )
    summary = activity_summary(no_meetings, "NEW")
    assert summary.sentences[0] == "No meetings of this activity have been held yet."
    assert summary.meetings.height == 0
    assert "No changes have been logged yet: what difference has involvement made?" in summary.sentences


def test_trend_words_say_point_for_one_and_same_when_rounding_to_zero():
    board = _activity(1, "A", "A", 1, "both", True, date(2024, 1, 1), "p", "o", date(2024, 1, 1))
    # 100 meetings in 2024 (50 with two people) and 100 in 2025 (51 with two people): 50% -> 51%, up 1 point
    days = [date(2024, 1, 1) + timedelta(days=i) for i in range(100)]
    days += [date(2025, 1, 1) + timedelta(days=i) for i in range(100)]
    meetings = [_meeting(i, f"M{i}", 1, day, None, None) for i, day in enumerate(days)]
    pairs = [*range(50), *range(100, 151)]
    attendance = [_att(i, p, "service_user") for i in pairs for p in (1, 2)]
    frames = frames_from_rows(as_of=AS_OF, activities=[board], meetings=meetings, attendance=attendance)
    row = _by(scorecard(frames, "2025"), c.INDICATOR, "presence_minimum")
    assert (row[c.NUMERATOR], row[c.DENOMINATOR]) == (51, 100)
    assert row[c.TREND] == "Up 1 point on 2024 (was 50%)"
    # 50 of 100 again in 2025 after moving one pair out: the same share, in words
    same = frames_from_rows(as_of=AS_OF, activities=[board], meetings=meetings, attendance=attendance[:-2])
    assert _by(scorecard(same, "2025"), c.INDICATOR, "presence_minimum")[c.TREND] == "Same as 2024 (50%)"


def test_what_to_fix_first_and_the_headline(frames):
    card = scorecard(frames, "2025")
    # red ones by distance below green: payments 0.95 - 1/3 = 0.617, reserve 0.9 - 1/3 = 0.567,
    # training 0.8 - 0.25 = 0.55, then ideal / impact / review 0.417 ...
    assert fix_first(card).get_column(c.INDICATOR).to_list() == [
        "payments_on_time",
        "reserve",
        "training_offered",
    ]
    assert scorecard_headline(card) == (
        "1 of 18 indicators meet the standard, 5 are close and 12 fall short; furthest behind: fees and "
        "expenses paid within 30 days, 33% (1 of 3)."
    )
    assert scorecard_headline(scorecard(frames_from_rows(as_of=AS_OF))).startswith("There is nothing to count yet")
    all_green = ScorecardThresholds(**{key: (0.0, 0.0) for key in INDICATOR_KEYS})
    assert fix_first(scorecard(frames, "2025", thresholds=all_green)).height == 0


def test_activity_list_puts_running_activities_first(frames):
    listed = activity_list(frames)
    assert listed.select(c.ACTIVITY_REF, "ended", c.MEETINGS).rows() == [
        ("BRD", False, 4),  # board level first; M4 is after as_of
        ("NEW", False, 1),
        ("OPS", False, 2),
        ("CAR", True, 1),  # ended in 2024: last
    ]


def test_methods_explain_every_4pi_indicator_and_public_function():
    root = Path(__file__).resolve().parents[2]
    text = (root / "METHODS.md").read_text(encoding="utf-8")
    functions = [name for name in fourpi.__all__ if name[0].islower()]
    assert [name for name in functions if f"`{name}`" not in text] == []
    assert [key for key in INDICATOR_KEYS if f"`{key}`" not in text] == []
