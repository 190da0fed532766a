"""Gender identity same as sex registered at birth, a characteristic added as one registry entry: counted,
compared with a supplied baseline (no Census 2021 figures are shipped for it), and disclosure-controlled."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from analytics import columns as c
from analytics import protection, suppression
from analytics.baselines import NO_CENSUS_TABLE, BaselineSpec
from analytics.representation import representation_table
from analytics.roles import Viewer
from data import characteristics
from tests.analytics.representation_fixtures import frames_with, involvements_frame, settings

KEY = "gender_same_as_birth"
START = date(2024, 1, 1)


def _frames():
    """Board (activity 30): 20 people, 3 'no', 15 'yes', 2 not stated. Strategic (20): 10 people, all 'yes'."""
    answers = ["no"] * 3 + ["yes"] * 15 + ["not_stated"] * 2 + ["yes"] * 10
    people = pl.DataFrame(
        {
            "id": list(range(1, 31)),
            "ref": [f"P{i}" for i in range(1, 31)],
            "involvement_type": ["service_user"] * 30,
            "ethnicity": ["A"] * 30,
            "sex": ["female"] * 30,
            KEY: answers,
        }
    )
    involvements = involvements_frame(
        [(i, 30, START, date(2024, 3, 31)) for i in range(1, 21)]
        + [(i, 20, START, date(2024, 3, 31)) for i in range(21, 31)]
    )
    caseload = pl.DataFrame(
        {
            "source": ["caseload"] * 3,
            "year": [2025] * 3,
            "geography_code": ["TRUST"] * 3,
            "geography_name": ["Trust caseload"] * 3,
            "characteristic": [KEY] * 3,
            "group": ["yes", "no", "not_known"],
            "count": [900.0, 100.0, 500.0],
        }
    )
    return frames_with(people, involvements, baselines_table=caseload)


def _board(table: pl.DataFrame, group: str) -> dict:
    rows = table.filter((pl.col(c.LEVEL_KEY) == "board") & (pl.col(c.GROUP) == group))
    assert rows.height == 1
    return rows.row(0, named=True)


def test_it_is_one_entry_of_the_registry_with_no_census_table():
    entry = characteristics.get(KEY)
    assert (entry.column, entry.census, entry.baseline_kinds) == (KEY, None, ("user",))
    assert KEY in characteristics.LABELS and KEY in c.CHARACTERISTICS
    assert suppression.family(KEY) == (KEY,)


def test_it_is_counted_and_compared_with_the_caseload():
    rep = representation_table(
        _frames(), characteristic=KEY, period="quarter", settings=settings(),
        baseline=BaselineSpec(kind="user", source="caseload"),
    )
    no, yes = _board(rep.rows, "no"), _board(rep.rows, "yes")
    # 3 'no' and 15 'yes' of 18 with a known answer (2 not stated); caseload 100 / (900 + 100) = 0.10
    assert (no[c.INVOLVED], no[c.TOTAL], yes[c.INVOLVED]) == (3, 18, 15)
    assert no[c.SHARE] == pytest.approx(3 / 18)
    assert no[c.BASELINE_SHARE] == pytest.approx(0.10)
    assert no[c.RATIO] == pytest.approx((3 / 18) / 0.10)
    board = rep.tables.filter(pl.col(c.LEVEL_KEY) == "board").row(0, named=True)
    assert (board[c.PEOPLE], board[c.NOT_STATED]) == (20, 2)
    assert rep.baseline_description.startswith("Supplied baseline 'caseload'")


def test_the_census_baseline_says_none_is_shipped():
    rep = representation_table(_frames(), characteristic=KEY, period="quarter", settings=settings())
    assert rep.baseline_description == NO_CENSUS_TABLE.format(words="gender identity")
    assert set(rep.rows[c.STATUS].to_list()) <= {c.STATUS_NO_BASELINE, c.STATUS_NO_DATA}


@pytest.mark.parametrize("role", ["board_member", "outreach_worker", "viewer"])
def test_a_restricted_reader_never_sees_the_small_count(role):
    frames = _frames()

    def build(ch):
        return representation_table(frames, characteristic=ch, period="quarter", settings=settings(),
                                    baseline=BaselineSpec(kind="user", source="caseload"))

    reader = Viewer(email=f"{role}@example.org", roles={1: role})
    published = protection.build_protected(build, KEY, reader, 1, settings())
    no = _board(published.rows, "no")
    assert no[c.INVOLVED] is None  # 3 people: hidden
    assert no[c.SHARE] is None and no[c.STATUS] == c.STATUS_HIDDEN
    shown = [v for v in published.rows[c.INVOLVED].drop_nulls().to_list() if v]
    assert all(v >= 8 and v % 5 == 0 for v in shown)  # the others rounded to 5
    exact = protection.build_protected(build, KEY, Viewer(email="lead@example.org", roles={1: "equality_lead"}), 1,
                                   settings())
    assert _board(exact.rows, "no")[c.INVOLVED] == 3
