"""The counting base as runs of periods (analytics.counting.presence_runs, count_runs) against the rules written
out the slow way: every involvement expanded into each period it overlaps, every attended meeting's period, one
row per person x level x period (what ``presence`` used to build), then counted per level x period x value.

Random records with the awkward cases on purpose: overlapping and touching involvements, open-ended ones, a
missing start date, an end before the start, meetings attended inside and outside an involvement, people
outside the involvement filter, quarters and years.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl
import pytest

from analytics import columns as C
from analytics.counting import (
    ACTIVITY_ID,
    FIRST,
    LAST,
    LEVEL_ID,
    PERIOD_INDEX,
    PERSON_ID,
    count_runs,
    joiner_runs,
    period_span,
    presence,
    presence_runs,
)
from analytics.loader import Frames, make_frames
from analytics.periods import index_of as period_index


def _random_frames(seed: int) -> Frames:
    rng = random.Random(seed)
    people = pl.DataFrame(
        {
            "id": list(range(1, 41)),
            "involvement_type": [rng.choice(["service_user", "carer", "both", "staff"]) for _ in range(40)],
            "sex": [rng.choice(["female", "male", "not_stated", None]) for _ in range(40)],
        }
    )
    levels = pl.DataFrame({"id": [1, 2, 3], "rank": [1, 2, 3], "key": ["a", "b", "c"], "name": ["A", "B", "C"]})
    activities = pl.DataFrame({"id": list(range(1, 7)), "level_id": [1, 1, 2, 2, 3, 3]})
    day0 = date(2022, 1, 1)

    def some_day() -> date:
        return day0 + timedelta(days=rng.randrange(0, 3 * 365))

    rows = []
    for i in range(120):
        start = some_day()
        end = start + timedelta(days=rng.randrange(-40, 400))
        kind = rng.random()
        rows.append(
            {
                "id": i + 1,
                "person_id": rng.randrange(1, 41),
                "activity_id": rng.randrange(1, 7),
                "start_date": None if kind < 0.05 else start,
                "end_date": None if kind > 0.8 else end,  # open-ended; some end before they start
            }
        )
    involvements = pl.DataFrame(rows, schema={"id": pl.Int64, "person_id": pl.Int64, "activity_id": pl.Int64,
                                              "start_date": pl.Date, "end_date": pl.Date})
    meetings = pl.DataFrame(
        {"id": list(range(1, 61)), "activity_id": [rng.randrange(1, 7) for _ in range(60)],
         "date": [some_day() for _ in range(60)]}
    )
    attendance = pl.DataFrame(
        {
            "id": list(range(1, 201)),
            "meeting_id": [rng.randrange(1, 61) for _ in range(200)],
            "person_id": [rng.randrange(1, 41) for _ in range(200)],
            "status": [rng.choice(["attended", "attended", "apologies"]) for _ in range(200)],
        }
    )
    return make_frames(people=people, levels=levels, activities=activities, involvements=involvements,
                       meetings=meetings, attendance=attendance)


def _expanded(frames: Frames, period: str, involvement: str, by_activity: bool) -> pl.DataFrame:
    """The old counting base: one row per person x unit x period, every period expanded, then de-duplicated."""
    unit = ACTIVITY_ID if by_activity else LEVEL_ID
    last = period_span(frames, period).collect()["_last"][0]
    held = frames.involvements.select(
        PERSON_ID,
        ACTIVITY_ID,
        pl.int_ranges(
            period_index(pl.col("start_date"), period),
            pl.coalesce(period_index(pl.col("end_date"), period), pl.lit(last)) + 1,
        ).alias(PERIOD_INDEX),
    ).explode(PERIOD_INDEX)
    attended = (
        frames.attendance.filter(pl.col("status") == "attended")
        .join(frames.meetings.select(pl.col("id").alias("meeting_id"), ACTIVITY_ID, "date"), on="meeting_id")
        .select(PERSON_ID, ACTIVITY_ID, period_index(pl.col("date"), period).alias(PERIOD_INDEX))
    )
    rows = pl.concat([held, attended]).filter(pl.col(PERIOD_INDEX).is_not_null())
    if not by_activity:
        rows = rows.join(frames.activities.select(pl.col("id").alias(ACTIVITY_ID), LEVEL_ID), on=ACTIVITY_ID)
    types = {"all": None, "service_user": ["service_user", "both"], "carer": ["carer", "both"]}[involvement]
    people = frames.people if types is None else frames.people.filter(pl.col("involvement_type").is_in(types))
    return rows.select(PERSON_ID, unit, PERIOD_INDEX).unique().join(
        people.select(pl.col("id").alias(PERSON_ID)), on=PERSON_ID, how="semi"
    )


CASES = [(seed, period, involvement, by_activity)
         for seed in range(6)
         for period, involvement, by_activity in [("quarter", "all", False), ("year", "all", False),
                                                  ("quarter", "carer", False), ("quarter", "all", True),
                                                  ("year", "service_user", True)]]  # fmt: skip


@pytest.mark.parametrize(("seed", "period", "involvement", "by_activity"), CASES)
def test_runs_cover_exactly_the_expanded_rows(seed: int, period: str, involvement: str, by_activity: bool) -> None:
    frames = _random_frames(seed)
    unit = ACTIVITY_ID if by_activity else LEVEL_ID
    keys = [PERSON_ID, unit, PERIOD_INDEX]
    expected = _expanded(frames, period, involvement, by_activity).sort(keys)
    assert expected.height > 50  # the case is not trivial
    got = presence(frames, period=period, involvement=involvement, by_activity=by_activity).collect()
    assert got.sort(keys).equals(expected)
    runs = presence_runs(frames, period=period, involvement=involvement, by_activity=by_activity).collect()
    # runs of one person at one unit neither overlap nor touch (else a person could be counted twice)
    gaps = runs.sort(PERSON_ID, unit, FIRST).with_columns(
        (pl.col(FIRST) - pl.col(LAST).shift().over(PERSON_ID, unit)).alias("gap")
    )
    assert gaps.filter(pl.col("gap") <= 1).height == 0
    assert runs.filter(pl.col(LAST) < pl.col(FIRST)).height == 0


@pytest.mark.parametrize(("seed", "period"), [(s, p) for s in range(6) for p in ("quarter", "year")])
def test_counts_from_runs_equal_counting_the_expanded_rows(seed: int, period: str) -> None:
    frames = _random_frames(seed)
    people = frames.people.lazy().select(pl.col("id").alias(PERSON_ID), "sex")
    expanded = _expanded(frames, period, "all", False)
    keys = [LEVEL_ID, PERIOD_INDEX, "sex"]
    expected = (
        expanded.join(people.collect(), on=PERSON_ID)
        .group_by(keys)
        .agg(pl.len().cast(pl.Int64).alias(C.INVOLVED))
        .sort(keys, nulls_last=True)
    )
    runs = presence_runs(frames, period=period).collect()
    got = count_runs(runs.lazy(), people, ["sex"]).collect()
    assert got.select(*keys, C.INVOLVED).sort(keys, nulls_last=True).equals(expected)

    # joiners: people in the first period they count at a level, after the records' first period
    first = int(expanded[PERIOD_INDEX].min())  # type: ignore[arg-type]
    joined = expanded.filter(
        (pl.col(PERIOD_INDEX) == pl.col(PERIOD_INDEX).min().over(PERSON_ID, LEVEL_ID)) & (pl.col(PERIOD_INDEX) > first)
    )
    expected_joiners = (
        joined.join(people.collect(), on=PERSON_ID).group_by(keys).agg(pl.len().cast(pl.Int64).alias(C.INVOLVED))
        .sort(keys, nulls_last=True)
    )
    got_joiners = count_runs(joiner_runs(runs.lazy(), first), people, ["sex"]).collect()
    assert got_joiners.select(*keys, C.INVOLVED).sort(keys, nulls_last=True).equals(expected_joiners)


def test_no_records_give_no_runs() -> None:
    frames = make_frames()
    assert presence_runs(frames, period="quarter").collect().height == 0
    assert presence(frames, period="quarter").collect().height == 0
    people = frames.people.lazy().select(pl.col("id").alias(PERSON_ID), "sex")
    assert count_runs(presence_runs(frames, period="quarter"), people, ["sex"]).collect().height == 0
