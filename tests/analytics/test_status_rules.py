"""The status rules of issue 10, table by table, with the arithmetic beside each case.

Each case is one whole table (Holm's family is the table), as rows of (group, involved, total, baseline share);
the expected statuses are listed in the same order.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy import stats as sps

from analytics import columns as C
from analytics.stats import compare_with_baseline, holm_table, seats_words


def derive(rows):
    frame = pl.DataFrame(
        rows,
        schema={C.GROUP: pl.String, C.INVOLVED: pl.Int64, C.TOTAL: pl.Int64, C.BASELINE_SHARE: pl.Float64},
        orient="row",
    ).with_columns(pl.lit("board").alias(C.LEVEL_KEY))
    return compare_with_baseline(frame, table_keys=[C.LEVEL_KEY])


@pytest.mark.parametrize(
    "rows,statuses",
    [
        # Two groups are one test: 6 of 62 against 20% has exact p = 0.039, not doubled (Holm would give 0.079)
        # -> under; the other group, 56 of 62 against 80%: ratio 0.903 / 0.8 = 1.13, but the others' ratio
        # (1 - 0.903) / (1 - 0.8) = 0.48 < 0.8 and p = 0.039 -> over (it crowds the others out)
        ([("a", 6, 62, 0.2), ("b", 56, 62, 0.8)], [C.STATUS_UNDER, C.STATUS_OVER]),
        # 40 of 40 against 80%: ratio 1.25 (inside the range), others' ratio 0 / 0.2 = 0 < 0.8, p = 0.00022 ->
        # over; 0 of 40 against 20%: expected 8 >= 1 -> absent (a fact, no test)
        ([("a", 40, 40, 0.8), ("b", 0, 40, 0.2)], [C.STATUS_OVER, C.STATUS_ABSENT]),
        # A board of 12, all from the majority: 12 of 12 against 80%, ratio 1.25, others' ratio 0 -> above, p =
        # 0.141; even the most extreme count above (12 of 12) has p = 0.141 >= 0.05 -> too few to tell (the old
        # rule looked at 0 of 12 instead, p < 0.001, and said "uncertain"); 0 of 12 against 20%: expected 2.4
        # -> absent
        ([("a", 12, 12, 0.8), ("b", 0, 12, 0.2)], [C.STATUS_TOO_FEW, C.STATUS_ABSENT]),
        # 1 of 12 against 30%: ratio 0.28, p = 0.124, below; in a table of three groups the most extreme count
        # below, 0 of 12, has p = 0.0233 x 3 tests = 0.070 >= 0.05 -> too few. 6 of 12 against 40%: ratio 1.25,
        # others' ratio 0.5 / 0.6 = 0.83 -> within range; 5 of 12 against 30%: ratio 1.39, p = 0.35; 12 of 12
        # would have p = 5.3e-7 x 3 < 0.05 -> uncertain
        (
            [("a", 1, 12, 0.3), ("b", 6, 12, 0.4), ("c", 5, 12, 0.3)],
            [C.STATUS_TOO_FEW, C.STATUS_WITHIN_RANGE, C.STATUS_UNCERTAIN],
        ),
        # The same 1 of 12 against 30% in a table of two groups: 0 of 12 has p = 0.0233 x 1 test < 0.05 ->
        # uncertain (a larger gap would show); 11 of 12 against 70%: others' ratio 0.083 / 0.3 = 0.28 < 0.8,
        # p = 0.124 -> above, and 12 of 12 has p = 0.0233 -> uncertain
        ([("a", 1, 12, 0.3), ("b", 11, 12, 0.7)], [C.STATUS_UNCERTAIN, C.STATUS_UNCERTAIN]),
        # 9 of 12 against 50% (two groups): ratio 1.5, p = 0.146, above; 12 of 12 has p = 0.00049 -> uncertain.
        # 3 of 12 against 50%: ratio 0.5, p = 0.146; 0 of 12 has p = 0.00049 -> uncertain
        ([("a", 9, 12, 0.5), ("b", 3, 12, 0.5)], [C.STATUS_UNCERTAIN, C.STATUS_UNCERTAIN]),
        # No data, no baseline and absent come before any test: N = 0 -> no data; p = 0 -> no baseline;
        # 0 of 6 against 30%: expected 1.8 >= 1 -> absent; 3 of 6 against 50%: ratio 1, others' ratio 1
        ([("a", 0, 0, 0.3)], [C.STATUS_NO_DATA]),
        ([("a", 3, 6, 0.0), ("b", 0, 6, 0.3), ("c", 3, 6, 0.5)],
         [C.STATUS_NO_BASELINE, C.STATUS_ABSENT, C.STATUS_WITHIN_RANGE]),
        # 8 of 20 against 20% in three groups: ratio 2.0, p = 0.0437 x 3 -> not significant; 20 of 20 has p =
        # 1e-14 -> uncertain. 10 of 20 against 40%: ratio 1.25, others' 0.5/0.6 = 0.83 -> within range.
        # 2 of 20 against 40%: ratio 0.25, p = 0.0036 x 3 = 0.011 (Holm: smallest of three) -> under
        (
            [("a", 8, 20, 0.2), ("b", 10, 20, 0.4), ("c", 2, 20, 0.4)],
            [C.STATUS_UNCERTAIN, C.STATUS_WITHIN_RANGE, C.STATUS_UNDER],
        ),
    ],
)
def test_statuses_table_by_table(rows, statuses):
    assert derive(rows)[C.STATUS].to_list() == statuses


def test_two_groups_are_one_test_and_three_are_three():
    two = derive([("a", 6, 62, 0.2), ("b", 56, 62, 0.8)])
    p = sps.binomtest(6, 62, 0.2).pvalue  # 0.0394
    assert p == pytest.approx(0.0394, abs=1e-4)
    assert two[C.P_ADJUSTED].to_list() == pytest.approx([p, p])
    three = derive([("a", 6, 62, 0.2), ("b", 50, 62, 0.7), ("c", 6, 62, 0.1)])
    got = three[C.P_ADJUSTED].to_numpy()
    raw = three[C.P_VALUE].to_numpy()
    order = np.argsort(raw)
    expected = np.maximum.accumulate(np.minimum(1, raw[order] * np.array([3, 2, 1])))
    assert got[order] == pytest.approx(expected)


@pytest.mark.parametrize(
    "involved,total,p,shortfall",
    [
        (3, 10, 0.38, 2),  # ceil((3.8 - 3) / 0.62) = ceil(1.29) = 2: 4 of 11 = 36% < 38%, 5 of 12 = 42%
        (0, 10, 0.2, 3),  # ceil((2 - 0) / 0.8) = ceil(2.5) = 3: 3 of 13 = 23%; 2 of 12 = 17% is short
        (1, 12, 0.1, 1),  # ceil((1.2 - 1) / 0.9) = ceil(0.22) = 1: 2 of 13 = 15%
        (40, 400, 0.18, 40),  # ceil((72 - 40) / 0.82) = ceil(39.02) = 40: 80 of 440 = 18.2%
        (5, 20, 0.25, 0),  # expected 5 = n: nobody to add
        (9, 20, 0.25, 0),  # above its share: 0, never negative
        (6, 10, 0.6, 0),  # (6 - 6) / 0.4 = 0 exactly (floating-point 6.000000001 must not become 1)
        (1, 3, 1.0, None),  # p = 1: no number of additions gives a share of 1 while the 2 others stay
    ],
)
def test_shortfall_is_the_people_to_add(involved, total, p, shortfall):
    row = derive([("a", involved, total, p)]).row(0, named=True)
    assert row[C.SHORTFALL] == shortfall
    if shortfall:  # adding that many reaches the share, one fewer does not
        assert (involved + shortfall) / (total + shortfall) >= p - 1e-12
        assert (involved + shortfall - 1) / (total + shortfall - 1) < p


def test_a_hidden_count_gives_no_figure_and_still_counts_in_the_family():
    # the published board: "*" of 20 against 7.7%, 15 of 20 against 80%, "*" total for nothing else
    out = derive([("a", None, 20, 0.077), ("b", 15, 20, 0.8), ("c", 0, 20, 0.123)])
    hidden = out.row(0, named=True)
    assert hidden[C.STATUS] == C.STATUS_HIDDEN
    for figure in (C.SHARE, C.RATIO, C.CI_LOW, C.CI_HIGH, C.P_VALUE, C.P_ADJUSTED, C.SHORTFALL, C.Z):
        assert hidden[figure] is None
    # the hidden test counts as one of three in Holm (as p = 1): the others are adjusted over three tests
    raw = out[C.P_VALUE].to_numpy()[1:]
    assert out[C.P_ADJUSTED].to_numpy()[1:] == pytest.approx(
        holm_table(np.r_[np.nan, raw], [0, 0, 0], tested=[True, True, True])[0][1:]
    )
    assert min(out[C.P_ADJUSTED].to_numpy()[1:]) >= 2 * min(raw) - 1e-12


def test_holm_table_counts_tests_and_applies_the_two_group_rule():
    adjusted, tests = holm_table([0.01, 0.04, 0.2, 0.03, 0.5], [1, 1, 1, 2, 2])
    # table 1: sorted 0.01, 0.04, 0.2 -> 0.03, 0.08, 0.2; table 2 has two groups: unchanged, one test
    assert adjusted == pytest.approx([0.03, 0.08, 0.2, 0.03, 0.5])
    assert tests.tolist() == [3, 3, 3, 1, 1]


@pytest.mark.parametrize(
    "expected,total,words",
    [
        (0.924, 12, "about 0.9 of the 12 seats"),  # 12 x 7.7% = 0.924
        (2.4, 12, "about 2.4 of the 12 seats"),  # 12 x 20%
        (3.0, 1, "about 3 of the 1 seat"),
        (None, 12, None),
    ],
)
def test_seats_words(expected, total, words):
    assert seats_words(expected, total) == words


# --- Relative likelihood when nobody from a group reached a decision-making level ----------------------------


def test_nobody_at_a_decision_making_level_gets_a_sentence_and_a_corrected_interval():
    from analytics.stats import likelihood_figures, relative_risk

    # reference: 40 of 200 at a decision-making level; group: 0 of 30. The plain ratio (40/200) / (0/30) is
    # infinite; with 0.5 added to each count: (40.5 / 201) / (0.5 / 31) = 0.2015 / 0.01613 = 12.49
    got = likelihood_figures([0, 40], [30, 200], [40, 40], [200, 200], [False, True])
    assert got["relative_likelihood"][0] == pytest.approx((40.5 / 201) / (0.5 / 31))
    rr, low, high = relative_risk([40.5], [201], [0.5], [31])
    assert (got["ci_low"][0], got["ci_high"][0]) == pytest.approx((low[0], high[0]))
    assert got["words"][0].startswith("No one from this group is at a decision-making level")
    assert "12.49" in got["words"][0]
    assert got["relative_likelihood"][1] == 1.0 and np.isnan(got["ci_low"][1])
    # a hidden count (NaN) gives nothing but the words; a group with nobody involved has no ratio
    hidden = likelihood_figures([np.nan, 0], [np.nan, 0], [40, 40], [200, 200], [False, False])
    assert np.isnan(hidden["relative_likelihood"]).all()
    assert hidden["words"][0] == "Hidden (small numbers)."
    assert hidden["words"][1].startswith("Nobody from this group is involved")


def test_published_likelihood_says_no_one_from_published_zeros():
    from analytics import protection
    from models.settings import Settings

    made = pl.DataFrame(
        {
            C.PERIOD: ["2024"] * 3,
            C.GROUP: ["W", "B", "M"],
            "decision_making_n": [41, 0, 3],
            "other_only_n": [160, 22, 20],
            "reference_group": ["W"] * 3,
        }
    )
    out = protection.published_likelihood(made, Settings())
    # W published 40 of 200, B 0 of 20 (22 -> 20): (40.5 / 201) / (0.5 / 21) = 8.46; M has a hidden 3
    b = out.row(1, named=True)
    assert b["relative_likelihood"] == pytest.approx((40.5 / 201) / (0.5 / 21))
    assert b["likelihood_words"].startswith("No one from this group")
    assert out.row(2, named=True)["relative_likelihood"] is None
    assert out.row(2, named=True)["likelihood_words"] == "Hidden (small numbers)."
    assert out["decision_making_n"].null_count() == 3
