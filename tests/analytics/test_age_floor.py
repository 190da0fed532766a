"""Age bands and the baseline's age floor: the people compared are adults, so empty bands below the floor are not
rows to call absent (with the shipped Census 2021 figures of a real catchment, Lambeth)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from representation_fixtures import frames_with, involvements_frame, people_frame, settings

from analytics import columns as C
from analytics.representation import representation_table

LAMBETH = ("E09000022",)


def rows_of(rep, level="individual"):
    return rep.rows.filter(pl.col(C.LEVEL_KEY) == level)


@pytest.mark.parametrize("floor,absent_bands", [
    (18, set()),                  # adults only: no empty "Under 16" or "16 to 17" row to call absent
    (16, {"16-17"}),              # 16 and over: "16 to 17" is compared (and empty), "Under 16" is not there
    (0, {"0-15", "16-17"}),       # all ages: every band is there
])
def test_age_bands_below_the_floor_are_left_out_when_empty(floor, absent_bands):
    people = people_frame(["A"] * 3).with_columns(pl.Series("age_band", ["18-24", "25-34", "45-54"]))
    inv = involvements_frame([(1, 10, date(2024, 1, 1), None), (2, 10, date(2024, 1, 1), None),
                              (3, 10, date(2024, 1, 1), None)])
    frames = frames_with(people, inv, catchment=LAMBETH)
    rep = representation_table(frames, "age_band", settings=settings(baseline_min_age=floor))
    groups = set(rows_of(rep).get_column(C.GROUP).to_list())
    assert {"18-24", "25-34", "45-54", "85+"} <= groups
    assert groups & {"0-15", "16-17"} == absent_bands


def test_someone_recorded_below_the_floor_is_still_counted():
    people = people_frame(["A"] * 2).with_columns(pl.Series("age_band", ["16-17", "25-34"]))
    inv = involvements_frame([(1, 10, date(2024, 1, 1), None), (2, 10, date(2024, 1, 1), None)])
    frames = frames_with(people, inv, catchment=LAMBETH)
    rep = representation_table(frames, "age_band", settings=settings(baseline_min_age=18))
    rows = rows_of(rep)
    assert rows.filter(pl.col(C.GROUP) == "16-17").get_column(C.INVOLVED).max() == 1  # shown, never dropped
    assert "0-15" not in rows.get_column(C.GROUP).to_list()
