"""The statistics of representation: hand-computed cases, scipy oracles, edge cases and properties."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from analytics import columns as C
from analytics.stats import (
    binomial_test_p,
    cochran_armitage,
    compare_with_baseline,
    holm,
    holm_by,
    relative_risk,
    wilson_interval,
)


def table(rows, keys=("t",)):
    """rows of (table, involved, total, baseline_share)."""
    return pl.DataFrame(
        rows,
        schema={"t": pl.Int64, C.INVOLVED: pl.Int64, C.TOTAL: pl.Int64, C.BASELINE_SHARE: pl.Float64},
        orient="row",
    )


def one(involved, total, p, **kwargs):
    return compare_with_baseline(table([(1, involved, total, p)]), table_keys=["t"], **kwargs).row(
        0, named=True
    )


@pytest.mark.parametrize(
    "involved,total,p,share,ratio,gap_pp,expected,shortfall,z",
    [
        # share = 1/12 = 0.08333; ratio = 0.08333 / 0.10 = 0.8333; gap = (0.08333 - 0.10) x 100 = -1.667 pp
        # expected = 12 x 0.10 = 1.2; shortfall = ceil((1.2 - 1) / 0.9) = ceil(0.222) = 1 (2 of 13 = 15%);
        # z = (1 - 1.2) / sqrt(12 x 0.1 x 0.9) = -0.1925
        (1, 12, 0.10, 0.083333, 0.833333, -1.666667, 1.2, 1, -0.192450),
        # share = 40/400 = 0.10; ratio = 0.10 / 0.18 = 0.5556; gap = -8 pp; expected = 72;
        # shortfall = ceil((72 - 40) / 0.82) = ceil(39.02) = 40 (80 of 440 = 18.2%; 79 of 439 = 17.99%)
        # z = (40 - 72) / sqrt(400 x 0.18 x 0.82) = -32 / sqrt(59.04) = -32 / 7.68375 = -4.16463
        (40, 400, 0.18, 0.10, 0.555556, -8.0, 72.0, 40, -4.164634),
        # share = 3/10; ratio = 0.3 / 0.38 = 0.789; expected = 3.8; shortfall = ceil((3.8 - 3) / 0.62) =
        # ceil(1.29) = 2 (4 of 11 = 36% is still short, 5 of 12 = 42% is not); z = -0.8 / sqrt(2.356) = -0.5212
        (3, 10, 0.38, 0.30, 0.789474, -8.0, 3.8, 2, -0.521198),
        # share = 30/100 = 0.30; ratio = 0.30 / 0.20 = 1.5; gap = +10 pp; expected = 20; shortfall = max(0,
        # -10) = 0
        # z = 10 / sqrt(100 x 0.2 x 0.8) = 10 / 4 = 2.5
        (30, 100, 0.20, 0.30, 1.5, 10.0, 20.0, 0, 2.5),
        # exactly matching: share 0.25 = p; ratio 1; gap 0; expected 5 = n; shortfall 0; z 0
        (5, 20, 0.25, 0.25, 1.0, 0.0, 5.0, 0, 0.0),
    ],
)
def test_hand_computed_metrics(involved, total, p, share, ratio, gap_pp, expected, shortfall, z):
    row = one(involved, total, p)
    assert row[C.SHARE] == pytest.approx(share, abs=1e-6)
    assert row[C.RATIO] == pytest.approx(ratio, abs=1e-6)
    assert row[C.GAP_PP] == pytest.approx(gap_pp, abs=1e-6)
    assert row[C.EXPECTED] == pytest.approx(expected, abs=1e-9)
    assert row[C.SHORTFALL] == shortfall
    assert row[C.Z] == pytest.approx(z, abs=1e-6)


@pytest.mark.parametrize(
    "involved,total,p,status",
    [
        (0, 0, 0.2, C.STATUS_NO_DATA),  # N = 0 comes first, whatever the baseline
        (3, 10, None, C.STATUS_NO_BASELINE),  # p missing
        (3, 10, 0.0, C.STATUS_NO_BASELINE),  # p = 0
        (0, 10, 0.2, C.STATUS_ABSENT),  # n = 0 and expected = 10 x 0.2 = 2 >= 1
        (9, 50, 0.2, C.STATUS_WITHIN_RANGE),  # ratio = 0.18 / 0.2 = 0.9, inside 0.8 .. 1.25
        (40, 400, 0.18, C.STATUS_UNDER),  # ratio 0.556, exact p = 1.16e-5 (one group: Holm x1)
        (130, 400, 0.18, C.STATUS_OVER),  # ratio = 0.325 / 0.18 = 1.81, p tiny
        (0, 4, 0.2, C.STATUS_TOO_FEW),  # expected 0.8 < 1; P(0 of 4 | 0.2) two-sided = 1.0 >= 0.05
        (1, 12, 0.1, C.STATUS_WITHIN_RANGE),  # ratio = 0.0833 / 0.1 = 0.833, inside the range despite n = 1
        (2, 30, 0.2, C.STATUS_UNCERTAIN),  # ratio 0.33, p = 0.070 not significant; P(0 of 30) = 0.0021 < 0.05
    ],
)
def test_status_order(involved, total, p, status):
    assert one(involved, total, p)[C.STATUS] == status


def test_too_few_uses_the_p_value_of_zero_people():
    # N = 5, p = 0.3, n = 0: expected 1.5 -> absent. N = 3, p = 0.3, n = 0: expected 0.9 < 1,
    # ratio 0 < 0.8, p-value of 0 of 3 = 0.343 + ... >= 0.05 -> too_few
    assert one(0, 5, 0.3)[C.STATUS] == C.STATUS_ABSENT
    assert one(0, 3, 0.3)[C.STATUS] == C.STATUS_TOO_FEW
    assert binomial_test_p([0], [3], [0.3])[0] == pytest.approx(sps.binomtest(0, 3, 0.3).pvalue)


def test_thresholds_come_from_the_arguments():
    # ratio 0.75: under at 0.8 (p small with N = 1000), within range at threshold 0.7 (0.7 .. 1.43)
    assert one(150, 1000, 0.2)[C.STATUS] == C.STATUS_UNDER
    assert one(150, 1000, 0.2, under_threshold=0.7)[C.STATUS] == C.STATUS_WITHIN_RANGE
    # with alpha 1e-9 the same gap is no longer significant: P(0 of 1000) is tiny, so uncertain
    assert one(150, 1000, 0.2, alpha=1e-9)[C.STATUS] == C.STATUS_UNCERTAIN


def test_divide_by_zero_is_null_with_a_status():
    no_data = one(0, 0, 0.2)
    assert [
        no_data[c] for c in (C.SHARE, C.RATIO, C.GAP_PP, C.EXPECTED, C.SHORTFALL, C.Z, C.CI_LOW, C.P_VALUE)
    ] == [None] * 8
    no_baseline = one(3, 10, 0.0)
    assert no_baseline[C.SHARE] == pytest.approx(0.3)
    assert [
        no_baseline[c] for c in (C.RATIO, C.GAP_PP, C.EXPECTED, C.SHORTFALL, C.Z, C.P_VALUE, C.P_ADJUSTED)
    ] == [None] * 7
    assert no_baseline[C.CI_LOW] is not None  # the interval of the share needs no baseline


def test_p_equal_to_one_has_no_z_but_a_status():
    row = one(10, 10, 1.0)
    assert row[C.Z] is None
    assert row[C.RATIO] == 1.0
    assert row[C.P_VALUE] == 1.0
    assert row[C.STATUS] == C.STATUS_WITHIN_RANGE


# --- Oracles -----------------------------------------------------------------------------------------------


def test_binomial_p_matches_scipy_binomtest():
    rng = np.random.default_rng(7)
    n = rng.integers(1, 400, 600)
    k = (rng.random(600) * (n + 1)).astype(int)
    p = np.concatenate([rng.random(500), np.array([0.5, 0.25, 0.1, 1 / 3, 0.0, 1.0] * 16 + [0.2] * 4)])
    ours = binomial_test_p(k, n, p)
    for i in range(600):
        assert ours[i] == pytest.approx(sps.binomtest(int(k[i]), int(n[i]), float(p[i])).pvalue, rel=1e-12)


def test_binomial_p_edge_cases():
    assert np.isnan(binomial_test_p([0], [0], [0.3])[0])
    assert np.isnan(binomial_test_p([1], [4], [np.nan])[0])
    assert binomial_test_p([0], [10], [0.0])[0] == pytest.approx(sps.binomtest(0, 10, 0.0).pvalue)
    assert binomial_test_p([10], [10], [1.0])[0] == pytest.approx(1.0)


@pytest.mark.parametrize("k,n", [(0, 5), (3, 10), (10, 10), (1, 1), (17, 250), (249, 250)])
def test_wilson_matches_scipy_and_the_formula(k, n):
    low, high = wilson_interval([k], [n], 0.95)
    ci = sps.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert low[0] == pytest.approx(ci.low, abs=1e-12)
    assert high[0] == pytest.approx(ci.high, abs=1e-12)
    # the textbook formula: (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert low[0] == pytest.approx(max(0.0, centre - half), abs=1e-12)
    assert high[0] == pytest.approx(min(1.0, centre + half), abs=1e-12)


def test_wilson_with_no_people_is_nan():
    low, high = wilson_interval([0], [0])
    assert np.isnan(low[0]) and np.isnan(high[0])


def test_holm_by_hand():
    # p = 0.01, 0.04, 0.03, 0.5 (m = 4): sorted 0.01, 0.03, 0.04, 0.5
    # scaled 4 x 0.01 = 0.04, 3 x 0.03 = 0.09, 2 x 0.04 = 0.08 -> running max 0.09, 1 x 0.5 = 0.5
    assert holm([0.01, 0.04, 0.03, 0.5]) == pytest.approx([0.04, 0.09, 0.09, 0.5])
    # a NaN is not part of the family (m = 2): 2 x 0.02 = 0.04, 1 x 0.3 = 0.3
    result = holm([0.3, np.nan, 0.02])
    assert result[0] == pytest.approx(0.3) and np.isnan(result[1]) and result[2] == pytest.approx(0.04)
    # capped at 1: 3 x 0.6 = 1.8 -> 1
    assert holm([0.6, 0.7, 0.8]) == pytest.approx([1.0, 1.0, 1.0])


def test_holm_by_keeps_families_apart():
    p = [0.01, 0.04, 0.03, 0.2, 0.01, 0.5]
    family = ["a", "a", "a", "b", "b", "b"]
    expected = np.concatenate([holm(p[:3]), holm(p[3:])])
    assert holm_by(p, family) == pytest.approx(expected)
    # family a: 3 x 0.01 = 0.03, 2 x 0.03 = 0.06, 1 x 0.04 -> 0.06; family b: 0.03, 2 x 0.2 = 0.4, 0.5
    assert holm_by(p, family) == pytest.approx([0.03, 0.06, 0.06, 0.4, 0.03, 0.5])


def test_compare_applies_holm_within_each_table():
    rows = table([(1, 40, 400, 0.18), (1, 130, 400, 0.25), (1, 230, 400, 0.57), (2, 40, 400, 0.18)])
    out = compare_with_baseline(rows, table_keys=["t"])
    p = out[C.P_VALUE].to_numpy()
    assert out[C.P_ADJUSTED].to_numpy() == pytest.approx(np.concatenate([holm(p[:3]), holm(p[3:])]))


def test_cochran_armitage_by_hand_and_against_pearson():
    # successes 2, 4, 6 of 10 each at scores 0, 1, 2: p_bar = 12/30 = 0.4
    # T = sum t (n - N p_bar) = 0 x (2-4) + 1 x (4-4) + 2 x (6-4) = 4
    # Var = 0.4 x 0.6 x (sum N t^2 - (sum N t)^2 / N) = 0.24 x (50 - 900/30) = 0.24 x 20 = 4.8
    # z = 4 / sqrt(4.8) = 1.8257
    z, p = cochran_armitage([2, 4, 6], [10, 10, 10])
    assert z == pytest.approx(4 / math.sqrt(4.8))
    assert p == pytest.approx(2 * sps.norm.sf(4 / math.sqrt(4.8)))
    # oracle: z^2 = N r^2 with r the Pearson correlation of score and outcome over the 30 individuals
    scores = np.repeat([0, 1, 2], 10)
    outcome = np.concatenate([np.r_[np.ones(k), np.zeros(10 - k)] for k in (2, 4, 6)])
    r = sps.pearsonr(scores, outcome).statistic
    assert z**2 == pytest.approx(30 * r**2)


def test_cochran_armitage_undefined_cases():
    assert all(math.isnan(x) for x in cochran_armitage([1], [10]))  # one period
    assert all(math.isnan(x) for x in cochran_armitage([0, 0, 0], [5, 5, 5]))  # p_bar = 0: no variance
    z, _ = cochran_armitage([1, 2, 0, 3], [5, 5, 0, 5])  # an empty period is left out
    assert z == pytest.approx(cochran_armitage([1, 2, 3], [5, 5, 5], [0, 1, 3])[0])


def test_relative_risk_log_method_by_hand():
    # reference 30 of 100 at decision-making levels, group 10 of 100: RR = 0.3 / 0.1 = 3
    # se = sqrt(1/30 - 1/100 + 1/10 - 1/100) = sqrt(0.11333) = 0.33665
    rr, low, high = relative_risk([30], [100], [10], [100])
    se = math.sqrt(1 / 30 - 1 / 100 + 1 / 10 - 1 / 100)
    assert rr[0] == pytest.approx(3.0)
    assert low[0] == pytest.approx(math.exp(math.log(3) - 1.959963984540054 * se))
    assert high[0] == pytest.approx(math.exp(math.log(3) + 1.959963984540054 * se))
    rr, low, high = relative_risk([0], [10], [5], [10])
    assert np.isnan(rr[0]) and np.isnan(low[0])


# --- Properties --------------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(0, 60), min_size=1, max_size=8),
    st.lists(st.floats(0.01, 1.0), min_size=8, max_size=8),
)
def test_properties(counts, weights):
    total = sum(counts)
    shares = np.array(weights[: len(counts)]) / sum(weights[: len(counts)])
    rows = table([(1, c, total, float(s)) for c, s in zip(counts, shares, strict=True)])
    out = compare_with_baseline(rows, table_keys=["t"])
    if total == 0:
        assert set(out[C.STATUS]) == {C.STATUS_NO_DATA}
        return
    # shares sum to 1 over the known groups
    assert out[C.SHARE].sum() == pytest.approx(1.0)
    # the Wilson interval contains the share
    assert (out[C.CI_LOW] <= out[C.SHARE] + 1e-12).all()
    assert (out[C.SHARE] <= out[C.CI_HIGH] + 1e-12).all()
    # no shortfall when the group has at least its share
    assert (out.filter(pl.col(C.RATIO) >= 1)[C.SHORTFALL] == 0).all()
    # Holm never lowers a p-value
    assert (out[C.P_ADJUSTED] >= out[C.P_VALUE] - 1e-15).all()
    assert set(out[C.STATUS]) <= set(C.STATUSES)
