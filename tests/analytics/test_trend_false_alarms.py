"""The trend test holds its 5% false-alarm rate when the same people stay across periods (issue 10, item 5).

A level whose make-up never changes: each quarter every member leaves with probability 25% and is replaced by
someone drawn from the same population, for 12 quarters. The old test (Cochran-Armitage on everyone present
each quarter) counts the same people again and again and calls such a level "rising" or "falling" far more
often than 5%; the test on the people who joined, exact for small numbers and Holm-adjusted across the groups
of a level, must stay at or below 6%.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats as sps

from analytics.stats import cochran_armitage, holm_table, trend_test

RUNS = 2_000
QUARTERS = 12
TURNOVER = 0.25
MAKE_UP = np.array([0.6, 0.25, 0.15])  # three groups: the population's shares, the same every quarter


def simulate(seats: int, runs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(present, joined): people of each group per run x group x quarter; joined has quarters 2..12."""
    rng = np.random.default_rng(seed)
    groups = len(MAKE_UP)
    members = rng.choice(groups, p=MAKE_UP, size=(runs, seats))
    present = np.zeros((runs, groups, QUARTERS))
    joined = np.zeros((runs, groups, QUARTERS - 1))
    for g in range(groups):
        present[:, g, 0] = (members == g).sum(axis=1)
    for quarter in range(1, QUARTERS):
        leaving = rng.random((runs, seats)) < TURNOVER
        newcomers = rng.choice(groups, p=MAKE_UP, size=(runs, seats))
        members = np.where(leaving, newcomers, members)
        for g in range(groups):
            present[:, g, quarter] = (members == g).sum(axis=1)
            joined[:, g, quarter - 1] = (leaving & (newcomers == g)).sum(axis=1)
    return present, joined


def false_alarms(counts: np.ndarray) -> tuple[np.ndarray, float]:
    """(the share of runs flagging each group before adjustment, the share of runs flagging any group after
    Holm across the level's groups)."""
    runs, groups, periods = counts.shape
    totals = np.repeat(counts.sum(axis=1, keepdims=True), groups, axis=1)
    _, p = trend_test(counts.reshape(-1, periods), totals.reshape(-1, periods))
    family = np.repeat(np.arange(runs), groups)
    adjusted, _ = holm_table(p, family)
    flagged = (adjusted < 0.05).reshape(runs, groups).any(axis=1)
    return (p.reshape(runs, groups) < 0.05).mean(axis=0), float(flagged.mean())


@pytest.mark.parametrize("seats,seed", [(12, 1), (60, 2)])
def test_a_level_whose_make_up_never_changes_rarely_raises_an_alarm(seats, seed):
    present, joined = simulate(seats, RUNS, seed)
    per_group, any_group = false_alarms(joined)
    # the level's false-alarm rate (any group called rising or falling, after Holm): at most 6%
    assert any_group <= 0.06, f"a level of {seats}: {any_group:.1%} of stable levels flagged"
    # each group's own test before adjustment holds 5% too, within simulation error (3 standard errors of a 5%
    # rate over 2,000 runs: 0.05 + 3 x sqrt(0.05 x 0.95 / 2000) = 0.065)
    assert (per_group <= 0.065).all(), per_group


def test_the_old_test_on_everyone_present_raises_too_many_alarms():
    # the check above can fail: on everyone present (the same people counted each quarter) the old
    # Cochran-Armitage test flags a stable level of 60 far more often than 5%
    present, _ = simulate(60, 500, 3)
    group = present[:, 1, :]
    totals = present.sum(axis=1)
    flagged = np.mean([cochran_armitage(n, t)[1] < 0.05 for n, t in zip(group, totals, strict=True)])
    assert flagged > 0.15


def test_a_real_trend_among_joiners_is_found():
    # power: the group's share of newcomers climbs from 10% to 50% over the quarters at a level of 60
    rng = np.random.default_rng(4)
    runs, periods = 400, QUARTERS - 1
    totals = rng.binomial(60, TURNOVER, size=(runs, periods))
    share = np.linspace(0.1, 0.5, periods)
    group = rng.binomial(totals, share)
    _, p = trend_test(group, totals)
    assert np.mean(p < 0.05) > 0.9


def brute_force_p(successes, totals, scores):
    """The permutation p-value by listing every way of choosing the group's people among all joiners."""
    labels = np.repeat(np.arange(len(totals)), totals)
    k = int(sum(successes))
    observed = sum(s * t for s, t in zip(successes, scores, strict=True))
    choices = itertools.combinations(range(len(labels)), k)
    values = np.array([sum(scores[labels[i]] for i in chosen) for chosen in choices])
    mean = values.mean()
    return float(np.mean(np.abs(values - mean) >= abs(observed - mean) - 1e-9))


@pytest.mark.parametrize(
    "successes,totals",
    [
        ([0, 1, 3], [3, 2, 4]),  # 4 of 9 joiners, rising late
        ([2, 0, 0, 1], [3, 1, 2, 4]),
        ([1, 1, 1], [2, 2, 2]),  # flat: p = 1
        ([3, 0, 0], [3, 3, 3]),  # all the group's joiners first
        ([4, 3, 0], [4, 3, 3]),  # 7 of 10: the rarer outcome (not the group) is tested, same p
    ],
)
def test_exact_p_values_against_listing_every_permutation(successes, totals):
    _, p = trend_test(successes, totals)
    assert p[0] == pytest.approx(brute_force_p(successes, totals, [0, 1, 2, 3][: len(totals)]))


def test_large_counts_use_the_normal_approximation_with_the_permutation_variance():
    # 200 of 400 joiners (more than the exact limit): z = T / sqrt(Var) with the permutation variance
    # Var = K (N - K) / (N^2 (N - 1)) x (N sum N t^2 - (sum N t)^2); the Cochran-Armitage z uses p (1 - p)
    # instead, so the two differ by sqrt(N / (N - 1))
    successes, totals = [40, 50, 50, 60], [100, 100, 100, 100]
    z, p = trend_test(successes, totals)
    z_ca, _ = cochran_armitage(successes, totals)
    assert z[0] == pytest.approx(z_ca * np.sqrt(399 / 400))
    assert p[0] == pytest.approx(2 * sps.norm.sf(abs(z[0])))


def test_undefined_series_are_nan():
    z, p = trend_test([[0, 0, 0], [1, 0, 0], [2, 2, 2]], [[5, 5, 5], [5, 0, 0], [2, 2, 2]])
    assert np.isnan(p).all() and np.isnan(z).all()  # nobody of the group; one period; everybody
