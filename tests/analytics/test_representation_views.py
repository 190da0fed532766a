"""Decision-making presence, pipeline, trends, data quality, headlines and the outreach list."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
import pytest
from representation_fixtures import (
    fake_reference,  # noqa: F401 - a fixture, used through pytestmark
    frames_with,
    involvements_frame,
    people_frame,
    settings,
)

from analytics import columns as C
from analytics.decision import LIKELIHOOD_COLUMNS, pipeline, relative_likelihood
from analytics.headlines import headlines, level_phrase
from analytics.outreach import OUTREACH_COLUMNS, committee_findings, outreach_list
from analytics.quality import data_quality, missing_fields
from analytics.representation import representation_table
from analytics.stats import trend_test
from analytics.trends import trend_table

pytestmark = pytest.mark.usefixtures("fake_reference")

S = settings()
Q1 = (date(2024, 1, 1), date(2024, 3, 31))


def _decision_frames():
    """10 White British: 4 also at board, 6 only at individual care. 10 Black Caribbean: 1 at board, 9 only at
    individual care. Two people of unknown ethnicity at board."""
    ethnicities = ["A"] * 10 + ["M"] * 10 + ["Z", "99"]
    people = people_frame(ethnicities)
    rows = [(i, 10, *Q1) for i in range(1, 21)]  # everyone at individual care
    rows += [
        (i, 30, *Q1) for i in (1, 2, 3, 4, 11, 21, 22)
    ]  # 4 White British, 1 Caribbean, 2 unknown at board
    return frames_with(people, involvements_frame(rows))


def test_relative_likelihood_by_hand():
    out = relative_likelihood(_decision_frames(), "ethnicity", period="year", settings=S)
    assert tuple(out.columns) == LIKELIHOOD_COLUMNS
    white = out.filter(pl.col(C.GROUP) == "A").row(0, named=True)
    black = out.filter(pl.col(C.GROUP) == "M").row(0, named=True)
    assert (white["decision_making_n"], white["other_only_n"]) == (4, 6)
    assert (black["decision_making_n"], black["other_only_n"]) == (1, 9)
    # likelihoods 4/10 = 0.4 and 1/10 = 0.1; WRES orientation: reference / group = 0.4 / 0.1 = 4
    # (disadvantaged)
    assert black["likelihood"] == pytest.approx(0.1)
    assert black["relative_likelihood"] == pytest.approx(4.0)
    se = math.sqrt(1 / 4 - 1 / 10 + 1 / 1 - 1 / 10)  # = sqrt(1.05) = 1.0247
    assert black[C.CI_LOW] == pytest.approx(math.exp(math.log(4) - 1.959963984540054 * se))
    assert black[C.CI_HIGH] == pytest.approx(math.exp(math.log(4) + 1.959963984540054 * se))
    assert white["relative_likelihood"] == 1.0 and white[C.CI_LOW] is None
    assert set(out["reference_group"]) == {"A"}
    # groups with nobody involved have no likelihood
    assert out.filter(pl.col(C.GROUP) == "H")["likelihood"][0] is None


def test_relative_likelihood_broad_reference_and_errors():
    out = relative_likelihood(_decision_frames(), "ethnicity_broad", period="quarter", settings=S)
    assert set(out["reference_group"]) == {"White"}
    with pytest.raises(ValueError, match="reference group 'Martian'"):
        relative_likelihood(_decision_frames(), "ethnicity", reference="Martian", settings=S)
    sex = relative_likelihood(_decision_frames(), "sex", settings=S)
    assert set(sex["reference_group"]) == {"female"}  # the largest group when there is no natural reference


def test_pipeline_is_a_selection_of_the_rows():
    rep = representation_table(_decision_frames(), "ethnicity", settings=S)
    pipe = pipeline(rep)
    black = pipe.filter(pl.col(C.GROUP) == "M")
    assert black[C.LEVEL_RANK].to_list() == [1, 4, 5]
    # individual care: 10 of 20 known; board: 1 of 5 known (2 unknown left out)
    assert black[C.SHARE].to_list()[0] == pytest.approx(0.5)
    assert black[C.SHARE].to_list()[2] == pytest.approx(0.2)
    assert pipe.filter(pl.col(C.GROUP) == "A")[C.SHARE].to_list()[2] == pytest.approx(0.8)


def _trend_frames():
    """Caribbean people at individual care: 1, 2, 3, 4 of 10 in four quarters (the rest White British)."""
    people, rows, pid = [], [], 1
    for quarter, black in enumerate([1, 2, 3, 4]):
        start = date(2024, 1 + 3 * quarter, 1)
        end = date(2024, 3 + 3 * quarter, 28)
        for i in range(10):
            people.append("M" if i < black else "A")
            rows.append((pid, 10, start, end))
            pid += 1
    return frames_with(people_frame(people), involvements_frame(rows))


def test_trend_table():
    rep = representation_table(_trend_frames(), "ethnicity", settings=S)
    trend = trend_table(rep)
    series = trend.series.filter((pl.col(C.GROUP) == "M") & (pl.col(C.LEVEL_KEY) == "individual"))
    assert series[C.SHARE].to_list() == pytest.approx([0.1, 0.2, 0.3, 0.4])
    # change since previous: null, +10, +10, +10 percentage points; no quarter a year earlier
    assert series["change_since_previous_pp"].to_list()[1:] == pytest.approx([10.0, 10.0, 10.0])
    assert series["change_since_previous_pp"][0] is None
    assert series["change_since_year_ago_pp"].null_count() == 4
    summary = trend.summary.filter((pl.col(C.GROUP) == "M") & (pl.col(C.LEVEL_KEY) == "individual")).row(
        0, named=True
    )
    # every quarter brings 10 new people; the first quarter is left out of the test (who was there may have
    # joined long before), so the test sees 2, 3, 4 Caribbean of 10 joiners in quarters 2-4
    z, p = trend_test([2, 3, 4], [10, 10, 10])
    assert summary["cochran_armitage_z"] == pytest.approx(z[0])
    assert summary["cochran_armitage_p"] == pytest.approx(p[0])
    assert summary["periods_with_data"] == 4
    assert summary["trend_words"].startswith("No clear trend" if summary["trend_p_adjusted"] >= 0.05 else "Rising")
    assert "from 10% to 40% over 4 quarters" in summary["trend_words"]
    board = trend.summary.filter(pl.col(C.LEVEL_KEY) == "board")
    assert board.height == 0  # nobody at board in any quarter: no series to summarise


def test_trend_series_carries_the_derived_ratio():
    """The trend chart picks its groups by ratio: the series carries the one derived in the representation
    (``compare_with_baseline``), so no chart divides share by baseline share again."""
    rep = representation_table(_trend_frames(), "ethnicity", settings=S)
    keys = [C.LEVEL_KEY, C.GROUP, C.PERIOD]
    both = trend_table(rep).series.join(rep.rows, on=keys, suffix="_rows")
    assert both.height == rep.rows.height
    assert both[C.RATIO].to_list() == both[C.RATIO + "_rows"].to_list()
    caribbean = both.filter((pl.col(C.GROUP) == "M") & (pl.col(C.LEVEL_KEY) == "individual")).sort(C.PERIOD)
    # shares 0.1 .. 0.4 over the quarters, divided by the same baseline share each quarter
    baseline = caribbean[C.BASELINE_SHARE][0]
    assert caribbean[C.RATIO].to_list() == pytest.approx([s / baseline for s in (0.1, 0.2, 0.3, 0.4)])


def test_trend_year_ago_and_status_changes():
    people = people_frame(["M"] * 2 + ["A"] * 8 + ["M"] * 6 + ["A"] * 4)
    rows = [(i, 10, date(2023, 2, 1), date(2023, 2, 2)) for i in range(1, 11)]
    rows += [(i, 10, date(2024, 2, 1), date(2024, 2, 2)) for i in range(11, 21)]
    rep = representation_table(frames_with(people, involvements_frame(rows)), "ethnicity", settings=S)
    series = trend_table(rep).series.filter((pl.col(C.GROUP) == "M") & (pl.col(C.LEVEL_KEY) == "individual"))
    latest = series.filter(pl.col(C.PERIOD) == "2024-Q1").row(0, named=True)
    # 2023-Q1 share 2/10 = 0.2, 2024-Q1 share 6/10 = 0.6: +40 pp since a year ago
    assert latest["change_since_year_ago_pp"] == pytest.approx(40.0)
    statuses = series[C.STATUS].to_list()
    changed = series["status_changed"].to_list()
    assert changed[0] is False
    assert changed[1:] == [a != b for a, b in zip(statuses, statuses[1:], strict=False)]


def test_data_quality_and_missing_fields():
    frames = _decision_frames()
    quality = data_quality(frames, "quarter", settings=S)
    board = quality.filter((pl.col(C.CHARACTERISTIC) == "ethnicity") & (pl.col(C.LEVEL_KEY) == "board")).row(
        0, named=True
    )
    # board: 7 people, 5 declared, 1 not stated (Z), 1 not known (99)
    assert (board[C.PEOPLE], board[C.TOTAL], board[C.NOT_STATED], board[C.NOT_KNOWN]) == (7, 5, 1, 1)
    assert board[C.DECLARATION_RATE] == pytest.approx(5 / 7)
    # religion was never recorded in the fixture: all not known
    religion = quality.filter((pl.col(C.CHARACTERISTIC) == "religion") & (pl.col(C.LEVEL_KEY) == "board"))
    assert religion[C.DECLARATION_RATE][0] == 0.0
    missing = missing_fields(frames)
    assert set(missing.filter(pl.col("table") == "activities")["field"]) == {"purpose", "intended_outcomes"}
    assert missing.filter(pl.col("field") == "ethnicity")["ref"].to_list() == ["P22"]


def test_headlines_name_the_gap():
    # board: 0 of 14 known people are Black (census 25%): absent, about 5 people missing (14 x 0.25 = 3.5
    # expected; people to add = ceil(3.5 / 0.75) = ceil(4.67) = 5, as 5 of 19 = 26%)
    people = people_frame(["A"] * 14)
    rows = [(i, 30, *Q1) for i in range(1, 15)]
    rep = representation_table(frames_with(people, involvements_frame(rows)), "ethnicity_broad", settings=S)
    sentences = headlines(rep)
    assert (
        "At board and governance level, none of the 14 people involved is Black or Black British, "
        "against 25% "
        "of the people living in the area the organisation serves: about 5 people missing."
    ) in sentences
    # 14 of 14 White against 60%: over-represented
    assert any(
        s.startswith("At board and governance level, 14 of 14 people involved are White (100%)")
        for s in sentences
    )


def test_headlines_small_levels_and_nobody():
    people = people_frame(["A", "M", "Z"])
    rows = [(1, 30, *Q1), (2, 30, *Q1), (3, 30, *Q1)]
    rep = representation_table(frames_with(people, involvements_frame(rows)), "ethnicity_broad", settings=S)
    sentences = headlines(rep)
    assert (
        "At board and governance level, 2 people with a known ethnicity are too few for the statistics to "
        "tell a gap from chance; 1 person of 3 did not state their ethnicity" in " ".join(sentences)
    )
    assert any("1 person of 3 did not state" in s for s in sentences)
    empty = representation_table(frames_with(people_frame([]), involvements_frame([])), "sex", settings=S)
    assert headlines(empty) == ["There is nobody counted yet: add people and their involvement first."]
    assert level_phrase("Strategic (commissioning, policy)", "strategic") == "strategic level"


def test_outreach_list_ranks_by_shortfall():
    # individual care: 40 White British only (Black expected 40 x 0.25 = 10 -> people to add
    # ceil(10 / 0.75) = 14; Asian 5 -> ceil(5 / 0.875) = 6)
    # board: 8 White British only (Black expected 2 -> ceil(2 / 0.75) = 3)
    people = people_frame(["A"] * 40)
    rows = [(i, 10, *Q1) for i in range(1, 41)] + [(i, 30, *Q1) for i in range(1, 9)]
    frames = frames_with(people, involvements_frame(rows))
    rep = representation_table(frames, "ethnicity_broad", settings=S)
    out = outreach_list(rep)
    assert tuple(out.columns) == OUTREACH_COLUMNS
    first = out.row(0, named=True)
    assert (first[C.LEVEL_KEY], first[C.GROUP], first[C.SHORTFALL], first["priority"]) == (
        "individual",
        "Black or Black British",
        14,
        1,
    )
    assert out["priority"].to_list() == list(range(1, out.height + 1))
    assert out[C.SHORTFALL].to_list() == sorted(out[C.SHORTFALL].to_list(), reverse=True)
    assert set(out[C.STATUS]) <= {C.STATUS_UNDER, C.STATUS_ABSENT}
    with_activities = outreach_list(rep, frames)
    activity = with_activities.filter(pl.col("unit") == "activity")
    assert set(activity["activity_ref"]) == {"IND", "BRD"}
    ind = activity.filter((pl.col("activity_ref") == "IND") & (pl.col(C.GROUP) == "Black or Black British"))
    assert ind[C.SHORTFALL][0] == 14  # ceil(40 x 0.25 / 0.75)
    # the committee findings (Overview, Decision-making, board pack): the same rows, without the ranking
    findings = committee_findings(rep, frames)
    assert "priority" not in findings.columns
    assert findings.equals(with_activities.drop("priority"))
    assert findings.filter(pl.col("activity_ref") == "BRD").height > 0
