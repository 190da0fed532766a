"""Plan progress measured from the records: joined, left and net people of the group at the plan's level or
committee since its start, the status rules, and what a restricted reader sees."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from analytics import columns as C
from analytics.loader import make_frames, make_plan_frames
from analytics.outreach_plans import (
    MET_SMALL_WORDS,
    PLAN_PROGRESS_COLUMNS,
    measure_plans,
    period_end,
    plan_draft,
    plan_members,
    plan_progress,
    plan_progress_rows,
    plan_series,
    progress_words,
    publish_progress,
    status_words,
)
from models.settings import Settings

START = date(2025, 1, 1)
AS_OF = date(2025, 7, 1)  # 181 days into a 365-day plan: elapsed 0.4959
TARGET_DATE = date(2026, 1, 1)

LEVELS = pl.DataFrame({"id": [1, 2], "rank": [4, 5], "key": ["strategic", "board"],
                       "name": ["Strategic", "Board"], "decision_making": [True, True]})
ACTIVITIES = pl.DataFrame({"id": [10, 11, 20], "level_id": [1, 1, 2], "ref": ["SB", "QC", "BD"],
                           "name": ["Strategy Board", "Quality Committee", "Board"], "kind": "committee",
                           "start_date": date(2020, 1, 1)})
# People 1-6 and 9 are Black African (N), 7 White British (A), 8 Black Caribbean but a carer.
PEOPLE = pl.DataFrame({"id": list(range(1, 10)), "ref": [f"P{i}" for i in range(1, 10)],
                       "involvement_type": ["service_user"] * 7 + ["carer", "service_user"],
                       "ethnicity": ["N"] * 6 + ["A", "M", "N"]})
INVOLVEMENTS = pl.DataFrame(
    [
        # person, activity, start, end
        (1, 10, date(2024, 1, 1), None),               # there at the start and still: neither joined nor left
        (2, 10, date(2024, 1, 1), date(2025, 3, 31)),  # there at the start, left in March: 1 left
        (3, 10, date(2025, 2, 1), None),               # joined in February: 1 joined
        (4, 11, date(2025, 5, 1), None),               # joined another committee of the level: 1 joined
        (5, 10, date(2025, 2, 1), date(2025, 4, 30)),  # joined and left again: counts neither on 1 July
        (6, 20, date(2025, 2, 1), None),               # board, not the plan's level
        (7, 10, date(2025, 2, 1), None),               # not in the group
        (8, 10, date(2025, 2, 1), None),               # Black, but a carer: counted only when carers are
        (2, 11, date(2025, 6, 1), None),               # the leaver comes back on another committee: not left
    ],
    schema={"person_id": pl.Int64, "activity_id": pl.Int64, "start_date": pl.Date, "end_date": pl.Date},
    orient="row",
)
FRAMES = make_frames(levels=LEVELS, activities=ACTIVITIES, people=PEOPLE, involvements=INVOLVEMENTS)


def plans(**changes) -> pl.DataFrame:
    row = {"ref": "OP-001", "title": "t", "characteristic": "ethnicity_broad", "group": "Black or Black British",
           "involvement": "service_user", "level_id": 1, "level_key": "strategic", "level_name": "Strategic",
           "activity_id": None, "activity_ref": None, "target_people": 3, "started_on": START,
           "target_date": TARGET_DATE, "status": "open"} | changes
    return make_plan_frames(pl.DataFrame([row])).plans


@pytest.mark.parametrize("changes,joined,left,net", [
    # level-wide: joined 3 and 4 (5 left again, 6 is at board, 7 not Black, 8 a carer), nobody left (2 is back)
    ({}, 2, 0, 2),
    # the Strategy Board only: joined 3; left 2 (back on another committee, not this one): 1 - 1 = 0
    ({"activity_id": 10, "activity_ref": "SB"}, 1, 1, 0),
    # service users and carers: person 8 joins as well: 3 joined
    ({"involvement": "all"}, 3, 0, 3),
    # the board: joined 6
    ({"level_id": 2, "level_key": "board"}, 1, 0, 1),
])
def test_progress_counts_joiners_minus_leavers_since_the_start(changes, joined, left, net):
    row = measure_plans(plans(**changes), FRAMES, as_of=AS_OF).row(0, named=True)
    assert (row["joined"], row["left"], row["net"]) == (joined, left, net)


def test_someone_who_starts_on_the_plans_first_day_has_joined():
    frames = make_frames(levels=LEVELS, activities=ACTIVITIES, people=PEOPLE, involvements=pl.DataFrame(
        {"person_id": [3], "activity_id": [10], "start_date": [START]}))
    row = measure_plans(plans(), frames, as_of=START).row(0, named=True)
    assert (row["joined"], row["left"], row["net"]) == (1, 0, 1)


def test_progress_on_a_day_in_between_counts_the_leaver():
    # 1 April: 2 has left (back only in June), 3 and 5 have joined: joined 2, left 1, net 1
    row = measure_plans(plans(), FRAMES, as_of=date(2025, 4, 1)).row(0, named=True)
    assert (row["joined"], row["left"], row["net"]) == (2, 1, 1)


def test_members_are_the_groups_involvements_at_the_plans_level():
    members = plan_members(plans(), FRAMES)
    assert sorted(set(members.get_column("person_id").to_list())) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("changes,as_of,expected,status", [
    # net 2, target 3, elapsed 181/365 = 0.496: floor(3 x 0.496) = 1 expected by now, 2 >= 1: on track
    ({}, AS_OF, 1, "on_track"),
    # target 5: floor(5 x 0.496) = 2, net 2 >= 2: on track
    ({"target_people": 5}, AS_OF, 2, "on_track"),
    # target 7: floor(7 x 0.496) = 3, net 2 < 3: behind
    ({"target_people": 7}, AS_OF, 3, "behind"),
    # target 2: net 2 >= 2: met
    ({"target_people": 2}, AS_OF, 0, "met"),
    # past the target date with net 2 of 3: floor(3 x 1) = 3: behind
    ({}, date(2026, 2, 1), 3, "behind"),
    # before the start: open
    ({"started_on": date(2025, 8, 1), "target_date": date(2026, 8, 1)}, AS_OF, 0, "open"),
    # dropped by its owner stays dropped
    ({"status": "dropped"}, AS_OF, 1, "dropped"),
])
def test_status_rules(changes, as_of, expected, status):
    row = measure_plans(plans(**changes), FRAMES, as_of=as_of).row(0, named=True)
    assert row["expected_by_now"] == expected
    assert row["measured_status"] == status


@pytest.mark.parametrize("cell,status", [
    (C.STATUS_WITHIN_RANGE, "met"),  # the published status left under-represented: met automatically
    (C.STATUS_OVER, "met"),
    (C.STATUS_UNDER, "behind"),
    (C.STATUS_UNCERTAIN, "behind"),  # not a judgement that the gap is closed
])
def test_met_when_the_published_status_leaves_under(cell, status):
    cells = pl.DataFrame({"characteristic": ["ethnicity_broad"], "involvement": ["service_user"],
                          "level_key": ["strategic"], "activity_ref": [None], "group": ["Black or Black British"],
                          C.STATUS: [cell]}, schema_overrides={"activity_ref": pl.String})
    row = measure_plans(plans(target_people=7), FRAMES, as_of=AS_OF, cell_status=cells).row(0, named=True)
    assert row["measured_status"] == status


def test_burn_up_starts_at_zero_and_ends_at_the_progress():
    series = plan_series(plans(), FRAMES, as_of=AS_OF)
    first = series.row(0, named=True)
    assert (first["day"], first["net"]) == (date(2024, 12, 31), 0)  # the day before the start
    last = series.row(-1, named=True)
    assert (last["day"], last["joined"], last["left"], last["net"]) == (AS_OF, 2, 0, 2)
    # the straight line to the target: 3 x 181 / 365 = 1.488 on 1 July
    assert last["on_track_line"] == pytest.approx(3 * 181 / 365)
    assert series.get_column("day").is_sorted()


SETTINGS = Settings(suppress_below=8, rounding_base=5)


@pytest.mark.parametrize("net,shown", [(0, 0), (2, None), (7, None), (8, 10), (12, 10), (13, 15), (-3, None)])
def test_published_progress_hides_small_counts_and_rounds_the_rest(net, shown):
    frame = pl.DataFrame({"ref": ["x"], "joined": [max(net, 0)], "left": [0], "net": [net],
                          "target_people": [20], "measured_status": ["on_track"]})
    assert publish_progress(frame, SETTINGS).item(0, "net") == shown


def test_a_target_met_by_few_people_reads_met_small_numbers_without_the_count():
    progress = publish_progress(measure_plans(plans(target_people=2), FRAMES, as_of=AS_OF), SETTINGS)
    words = progress.select(progress_words(progress), status_words(progress)).row(0)
    assert words == (MET_SMALL_WORDS, MET_SMALL_WORDS)
    assert "2" not in words[0]


def test_exact_progress_words_give_the_counts():
    progress = measure_plans(plans(), FRAMES, as_of=AS_OF)
    assert progress.select(progress_words(progress)).item() == "2 of 3 more people (2 joined, 0 left)"


def test_board_pack_rows_are_published_and_skip_dropped_plans():
    two = pl.concat([plans(), plans(ref="OP-002", status="dropped")])
    frames = make_plan_frames(two, actions=pl.DataFrame({"plan_ref": ["OP-001"], "action": ["Open day"],
                                                        "due_date": [date(2025, 9, 1)]}))
    rows = plan_progress_rows(frames, FRAMES, as_of=AS_OF, settings=SETTINGS)
    assert tuple(rows.columns) == PLAN_PROGRESS_COLUMNS
    assert rows.get_column("plan").to_list() == ["OP-001"]
    row = rows.row(0, named=True)
    assert row["progress"] == "Too few people to publish, of 3 more people · On track"  # net 2 is hidden
    assert (row["target"], row["status"], row["where"]) == ("3 more by 2026-01-01", "On track", "Strategic")
    assert row["next_action"] == "Open day (due 2025-09-01)"
    exact = plan_progress_rows(frames, FRAMES, as_of=AS_OF, publish=False, settings=SETTINGS)
    assert exact.item(0, "progress") == "2 of 3 more people (2 joined, 0 left) · On track"


@pytest.mark.parametrize("period,end", [("2026-Q3", date(2026, 9, 30)), ("2026-Q4", date(2026, 12, 31)),
                                        ("2025-Q1", date(2025, 3, 31)), ("2026", date(2026, 12, 31))])
def test_period_end(period, end):
    assert period_end(period) == end


def test_the_board_pack_hook_reads_the_demo_trust(tmp_path):
    from models.db import get_engine, upgrade_schema
    from models.seeding import seed_demo

    engine = get_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade_schema(engine)
    try:
        from models.seeding import load_reference_baselines
    except ImportError:
        pass
    else:
        load_reference_baselines(engine)
    seed_demo(engine=engine, scale=1)
    rows = plan_progress(engine, organisation_id=1, period="2026-Q3")
    assert rows.get_column("plan").str.slice(0, 6).to_list() == ["OP-001", "OP-002"]
    # OP-001 (3 more Asian people at strategic level from July 2025): at 30 September 2026, 457 of 914 days,
    # floor(3 x 0.5) = 1 expected; OP-002 (2 more Black people on the Strategy Board): none joined.
    assert rows.get_column("status").to_list() == ["On track", "Behind"]
    assert "*" not in rows.get_column("target").to_list()


def test_a_draft_from_a_gap_targets_its_shortfall():
    gap = {C.SHORTFALL: 2, C.GROUP: "Black or Black British", C.GROUP_LABEL: "Black or Black British",
           C.LEVEL_KEY: "strategic", C.LEVEL_NAME: "Strategic", "activity_ref": "SB",
           "activity_name": "Mental Health Strategy Board"}
    draft = plan_draft(gap, today=date(2026, 5, 10), characteristic="ethnicity_broad")
    assert draft["target_people"] == 2 and draft["activity_ref"] == "SB" and draft["started_on"] == date(2026, 5, 10)
    assert draft["target_date"] == date(2027, 6, 30)
    assert draft["title"] == "2 more people from Black or Black British on the Mental Health Strategy Board by 2027-Q2"
