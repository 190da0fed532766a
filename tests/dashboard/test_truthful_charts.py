"""Charts and numbers a reader cannot misread: real values on log axes and a line at 1, colour-scale labels that
do not overlap, no reassurance without a baseline, group names keep their capitals, no change is neutral,
crowded views keep the largest gaps, and only status changes that matter are listed."""

from __future__ import annotations

import json
import math
from datetime import date

import polars as pl
import pytest
from test_app_pages import _rows, demo_db, demo_file, open_page, page_path  # noqa: F401 (fixtures)

from analytics import columns as c
from analytics import key_numbers, trends
from dashboard import charts


def test_likelihood_axis_is_labelled_with_real_values_and_a_line_at_equal():
    rl = pl.DataFrame({"group": ["A", "B", "W"], "group_label": ["Asian", "Black", "White"],
                       "relative_likelihood": [0.4, 2.5, 1.0], "ci_low": [0.3, 1.2, None],
                       "ci_high": [0.6, 5.0, None]})
    figure = charts.likelihood_chart(rl, "ethnicity_broad")
    axis = figure.layout.xaxis
    assert axis.type == "log"
    assert list(axis.ticktext) == ["0.25", "0.5", "1", "2", "4"]  # never "3 4 5 ... 1 2"
    assert list(axis.tickvals) == [0.25, 0.5, 1, 2, 4]
    line = figure.layout.shapes[0]
    assert (line.x0, line.x1) == (1, 1)  # shapes take data values on a log axis
    assert figure.layout.annotations[0].text == "1 = equal"


def test_heatmap_colour_scale_labels_are_evenly_spaced():
    bar = charts.heatmap(_rows()).data[0].colorbar
    gaps = [b - a for a, b in zip(bar.tickvals, bar.tickvals[1:], strict=False)]
    assert gaps == [1.0] * 4  # log2 of 0.25, 0.5, 1, 2, 4: one unit apart, so the labels cannot overlap
    assert list(bar.ticktext) == ["0.25×", "0.5×", "1× equal", "2×", "4×"]


def test_no_baseline_never_says_no_group_is_under_represented():
    rows = _rows(**{c.STATUS: [c.STATUS_NO_BASELINE] * 3, c.BASELINE_SHARE: [None] * 3, c.RATIO: [None] * 3})
    title = charts.heatmap_finding(rows)
    assert title.startswith("No baseline to compare with in 2024-Q1")
    assert "under-represented" not in title
    board = rows.filter(pl.col(c.LEVEL_KEY) == "board")
    assert "no baseline" in charts.share_finding(board)


def test_too_few_people_is_said_in_the_heatmap_title():
    rows = _rows(**{c.STATUS: [c.STATUS_TOO_FEW, c.STATUS_TOO_FEW, c.STATUS_WITHIN_RANGE]})
    assert charts.heatmap_finding(rows) == (
        "No group is clearly under-represented in 2024-Q1 where there are enough people to tell (1 level has "
        "too few)")


@pytest.mark.parametrize("group,label,characteristic,title_start", [
    ("White", "White", "ethnicity_broad", "No White people are involved"),
    ("female", "Female", "sex", "No women are involved"),
    ("18-24", "18 to 24", "age_band", "No people aged 18 to 24 are involved"),
])
def test_absent_groups_keep_their_capitals(group, label, characteristic, title_start):
    rows = _rows(**{c.GROUP: [group] * 3, c.GROUP_LABEL: [label] * 3, c.CHARACTERISTIC: [characteristic] * 3,
                    c.STATUS: [c.STATUS_ABSENT, c.STATUS_WITHIN_RANGE, c.STATUS_WITHIN_RANGE]})
    assert charts.heatmap_finding(rows).startswith(title_start)


@pytest.mark.parametrize("now,before,text", [
    (25, 25, key_numbers.NO_CHANGE), (44, 52, "-8 people since a year before"), (3, 1, "+2 people since a year before"),
])
def test_count_change(now, before, text):
    assert key_numbers._count_delta(now, before, "people") == text


@pytest.mark.parametrize("now,before,text", [
    (0.76, 0.762, key_numbers.NO_CHANGE), (0.82, 0.81, "+1 point since a year before"),
    (0.70, 0.80, "-10 points since a year before"),
])
def test_rate_change(now, before, text):
    assert key_numbers._pp_delta(now, before) == text


def test_no_change_is_neutral():
    assert key_numbers._neutral(key_numbers.NO_CHANGE) == {"delta_color": "off", "delta_arrow": "off"}
    assert key_numbers._neutral("+1 point since a year before") == {}


def test_a_crowded_view_keeps_the_groups_with_the_largest_gaps():
    labels = [f"G{i:02d}" for i in range(40)]
    rows = pl.DataFrame({c.PERIOD: ["2024-Q1"] * 40, c.GROUP_LABEL: labels,
                         c.SHORTFALL: list(range(40)), c.RATIO: [1.0] * 40})
    top = charts.top_groups(rows)
    assert len(top) == charts.MAX_GROUPS == 30
    assert set(top) == set(labels[10:])  # shortfalls 10..39 are the 30 largest
    assert charts.top_groups(rows.head(5)) == labels[:5]  # a small view keeps every group


def test_status_changes_only_across_missing_and_present():
    statuses = [c.STATUS_WITHIN_RANGE, c.STATUS_UNCERTAIN, c.STATUS_WITHIN_RANGE, c.STATUS_UNDER,
                c.STATUS_TOO_FEW, c.STATUS_UNDER, c.STATUS_OVER]
    series = pl.DataFrame({c.LEVEL_KEY: ["board"] * 7, c.GROUP: ["B"] * 7, c.STATUS: statuses,
                           c.PERIOD_START: [date(2024, m, 1) for m in range(1, 8)]})
    crossed = trends.with_status_crossings(series).get_column(trends.CROSSED).to_list()
    # within -> uncertain -> within: no change; within -> under: crossed; under -> too few -> under: no change;
    # under -> over: crossed
    assert crossed == [False, False, False, True, False, False, True]


def test_log2_of_the_ticks():
    assert [math.log2(t) for t in charts.RATIO_TICKS] == [-2, -1, 0, 1, 2]


@pytest.mark.usefixtures("demo_db")
def test_a_crossed_view_with_many_groups_charts_the_largest_gaps_and_tables_the_rest():
    at = open_page("representation")
    at.selectbox(key="f_characteristic").set_value("ethnicity").run()
    at.selectbox(key="f_cross_with").set_value("age_band").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("the chart shows the 30 with the largest gaps" in i.value for i in at.info)
    heat = next(e for e in at.get("plotly_chart"))
    assert len(json.loads(heat.proto.spec)["data"][0]["x"]) == charts.MAX_GROUPS
    at.switch_page(page_path("trends")).run()
    assert not at.exception
    assert at.multiselect, ([i.value for i in at.info], [e.value for e in at.error], [w.value for w in at.warning])
    assert len(at.multiselect[0].value) <= charts.MAX_LINES
