"""Statistics of representation, vectorised over the rows of an aggregated table.

Metrics are polars expressions (``share()``, ``ratio()``, ...) so one ``with_columns`` computes them all; the
tests that need a distribution (Wilson interval, exact binomial test, Holm, Cochran-Armitage, relative
likelihood) work on whole numpy arrays with scipy. Nothing here ever sees a person row.

Divide-by-zero is decided once, here: a statistic that would divide by zero is null, and ``status`` says why
(``no_data`` when nobody with a known value is counted, ``no_baseline`` when the baseline share is missing or
0).

Why one module of about 650 lines: this is the one derivation every figure in Presence comes from (share,
interval, test, Holm, status, shortfall, relative likelihood, trend test, and their words), called on exact and
on published counts alike. Keeping the formulas and the status rules that combine them side by side is what
stops a second copy appearing elsewhere; splitting it would put the rules in one file and their inputs in another.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypedDict

import numpy as np
import polars as pl
from numpy.typing import ArrayLike
from scipy.special import bdtr, bdtrc, gammaln, ndtr, ndtri, xlog1py, xlogy

from analytics import columns as C

RELATIVE_ERROR = 1 + 1e-7  # scipy.stats.binomtest's tolerance for "as likely as the observed count"
SHORTFALL_TOLERANCE = 1e-9  # keeps floating-point noise from turning 0 people into 1


# --- Metric expressions ------------------------------------------------------------------------------------


def share(involved: str = C.INVOLVED, total: str = C.TOTAL) -> pl.Expr:
    """n / N; null when N = 0."""
    return pl.when(pl.col(total) > 0).then(pl.col(involved) / pl.col(total)).otherwise(None)


def _has_baseline(baseline: str = C.BASELINE_SHARE) -> pl.Expr:
    return pl.col(baseline).is_not_null() & (pl.col(baseline) > 0)


def _comparable(total: str = C.TOTAL, baseline: str = C.BASELINE_SHARE) -> pl.Expr:
    return (pl.col(total) > 0) & _has_baseline(baseline)


def ratio(share_col: str = C.SHARE, baseline: str = C.BASELINE_SHARE, total: str = C.TOTAL) -> pl.Expr:
    """share / p; null without data or without a baseline."""
    return pl.when(_comparable(total, baseline)).then(pl.col(share_col) / pl.col(baseline)).otherwise(None)


def gap_pp(share_col: str = C.SHARE, baseline: str = C.BASELINE_SHARE, total: str = C.TOTAL) -> pl.Expr:
    """(share - p) x 100 percentage points."""
    return (
        pl.when(_comparable(total, baseline))
        .then((pl.col(share_col) - pl.col(baseline)) * 100)
        .otherwise(None)
    )


def expected(total: str = C.TOTAL, baseline: str = C.BASELINE_SHARE) -> pl.Expr:
    """N p: how many people of the group the level would have if it matched the baseline."""
    return pl.when(_comparable(total, baseline)).then(pl.col(total) * pl.col(baseline)).otherwise(None)


def shortfall(
    expected_col: str = C.EXPECTED, involved: str = C.INVOLVED, baseline: str = C.BASELINE_SHARE
) -> pl.Expr:
    """The people of the group to *add*, keeping everyone who is there, for the share to reach p:
    max(0, ceil((N p - n) / (1 - p))). Adding k people gives (n + k) / (N + k) >= p exactly when
    k >= (N p - n) / (1 - p). Null when expected is null, or when p = 1 and the group is not everyone (no number
    of additions reaches a share of 1)."""
    n, p = pl.col(involved), pl.col(baseline)
    deficit = pl.col(expected_col) - n
    needed = (deficit / (1 - p) - SHORTFALL_TOLERANCE).ceil()
    return (
        pl.when(pl.col(expected_col).is_null() | n.is_null())
        .then(None)
        .when(deficit <= SHORTFALL_TOLERANCE)
        .then(pl.lit(0, dtype=pl.Int64))
        .when(p >= 1)
        .then(None)
        .otherwise(pl.max_horizontal(needed, pl.lit(0.0)).cast(pl.Int64))
    )


def ratio_rest(share_col: str = C.SHARE, baseline: str = C.BASELINE_SHARE, total: str = C.TOTAL) -> pl.Expr:
    """The others' ratio (1 - share) / (1 - p): below 0.8 the group crowds everyone else out. Null where the
    ratio is, and where p = 1 (nobody else is expected)."""
    return (
        pl.when(_comparable(total, baseline) & (pl.col(baseline) < 1))
        .then((1 - pl.col(share_col)) / (1 - pl.col(baseline)))
        .otherwise(None)
    )


def z_score(involved: str = C.INVOLVED, total: str = C.TOTAL, baseline: str = C.BASELINE_SHARE) -> pl.Expr:
    """(n - N p) / sqrt(N p (1 - p)); null when the variance is 0 (N = 0, p = 0 or p = 1)."""
    n, big_n, p = pl.col(involved), pl.col(total), pl.col(baseline)
    variance = big_n * p * (1 - p)
    return (
        pl.when(_comparable(total, baseline) & (variance > 0))
        .then((n - big_n * p) / variance.sqrt())
        .otherwise(None)
    )


# --- The binomial distribution without scipy.stats (its import is slow; scipy.special is enough) --------------


def _pmf(k: ArrayLike, n: ArrayLike, p: ArrayLike) -> np.ndarray:
    """P(X = k) for X ~ Binomial(n, p), elementwise; 0 outside 0..n."""
    k, n, p = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (k, n, p)))
    inside = (k >= 0) & (k <= n)
    kk = np.where(inside, k, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        log = gammaln(n + 1) - gammaln(kk + 1) - gammaln(n - kk + 1) + xlogy(kk, p) + xlog1py(n - kk, -p)
    return np.where(inside, np.exp(log), 0.0)


def _cdf(k: ArrayLike, n: ArrayLike, p: ArrayLike) -> np.ndarray:
    """P(X <= k), elementwise (0 below 0, 1 at or above n)."""
    k, n, p = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (k, n, p)))
    inside = (k >= 0) & (k < n)
    with np.errstate(invalid="ignore"):
        value = bdtr(np.where(inside, k, 0).astype(np.int64), n.astype(np.int64), p)
    return np.where(inside, value, np.where(k < 0, 0.0, 1.0))


def _upper(k: ArrayLike, n: ArrayLike, p: ArrayLike) -> np.ndarray:
    """P(X > k), elementwise (1 below 0, 0 at or above n)."""
    k, n, p = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (k, n, p)))
    inside = (k >= 0) & (k < n)
    with np.errstate(invalid="ignore"):
        value = bdtrc(np.where(inside, k, 0).astype(np.int64), n.astype(np.int64), p)
    return np.where(inside, value, np.where(k < 0, 1.0, 0.0))


# --- Distributions on numpy arrays --------------------------------------------------------------------------


def _z_two_sided(confidence: float) -> float:
    return float(ndtri(0.5 + 0.5 * confidence))


def wilson_interval(k: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for k successes out of n (arrays); NaN where n = 0."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    z = _z_two_sided(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z / denominator * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
    low = np.where(k == 0, 0.0, low)  # exact ends: no rounding noise at 0 and 1
    high = np.where(k == n, 1.0, high)
    bad = ~(n > 0)
    low[bad] = np.nan
    high[bad] = np.nan
    return low, high


def _search(
    values: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
    target: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    n: np.ndarray,
    p: np.ndarray,
) -> np.ndarray:
    """Vectorised ``scipy.stats._binomtest._binary_search_for_binom_tst`` (same steps, every row at once).

    ``values(x, n, p)`` is ascending on [lo, hi]; returns i with values(i) <= target < values(i + 1).
    """
    lo = lo.astype(np.int64).copy()
    hi = hi.astype(np.int64).copy()
    found = np.full(lo.shape, -1, dtype=np.int64)
    active = lo < hi
    while active.any():
        mid = lo + (hi - lo) // 2
        mid_value = values(mid, n, p)
        below = active & (mid_value < target)
        above = active & (mid_value > target)
        equal = active & ~below & ~above
        lo = np.where(below, mid + 1, lo)
        hi = np.where(above, mid - 1, hi)
        found = np.where(equal, mid, found)
        active = active & ~equal & (lo < hi)
    at_lo = values(lo, n, p)
    result = np.where(at_lo <= target, lo, lo - 1)
    return np.where(found >= 0, found, result)


def binomial_test_p(k: ArrayLike, n: ArrayLike, p: ArrayLike) -> np.ndarray:
    """Exact two-sided binomial p-value of k out of n against p, as ``scipy.stats.binomtest`` computes it.

    Vectorised over arrays; NaN where n = 0 or p is missing.
    """
    k = np.asarray(k, dtype=np.int64)
    n = np.asarray(n, dtype=np.int64)
    p = np.asarray(p, dtype=float)
    out = np.full(k.shape, np.nan)
    valid = (n > 0) & np.isfinite(p) & (p >= 0) & (p <= 1) & (k >= 0) & (k <= n)
    if not valid.any():
        return out
    kv, nv, pv = k[valid], n[valid], p[valid]
    d = _pmf(kv, nv, pv)
    mean = pv * nv
    result = np.ones(kv.shape)

    low = kv < mean
    if low.any():
        kl, nl, pl_, dl = kv[low], nv[low], pv[low], d[low]
        ix = _search(
            lambda x, nn, pp: -_pmf(x, nn, pp), -dl * RELATIVE_ERROR, np.ceil(pl_ * nl), nl, nl, pl_
        )
        y = nl - ix + (dl * RELATIVE_ERROR == _pmf(ix, nl, pl_)).astype(np.int64)
        result[low] = _cdf(kl, nl, pl_) + _upper(nl - y, nl, pl_)

    high = kv > mean
    if high.any():
        kh, nh, ph, dh = kv[high], nv[high], pv[high], d[high]
        ix = _search(
            lambda x, nn, pp: _pmf(x, nn, pp),
            dh * RELATIVE_ERROR,
            np.zeros_like(kh),
            np.floor(ph * nh),
            nh,
            ph,
        )
        y = ix + 1
        result[high] = _cdf(y - 1, nh, ph) + _upper(kh - 1, nh, ph)

    out[valid] = np.minimum(1.0, result)
    return out


def holm(p_values: ArrayLike) -> np.ndarray:
    """Holm step-down adjusted p-values of one family (NaN entries are left out and stay NaN)."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    keep = np.flatnonzero(~np.isnan(p))
    m = keep.size
    if m == 0:
        return out
    order = keep[np.argsort(p[keep], kind="stable")]
    scaled = (m - np.arange(m)) * p[order]
    out[order] = np.minimum(1.0, np.maximum.accumulate(scaled))
    return out


def holm_by(p_values: ArrayLike, family: ArrayLike) -> np.ndarray:
    """Holm step-down within each family (``family`` labels every entry); NaN entries are left out and stay
    NaN.

    Vectorised over all families at once: entries are sorted by (family, p), scaled by (m - rank + 1), clipped
    to 1, and the running maximum is taken within each family.
    """
    p = np.asarray(p_values, dtype=float)
    _, fam = np.unique(np.asarray(family), return_inverse=True)
    out = np.full(p.shape, np.nan)
    keep = np.flatnonzero(~np.isnan(p))
    if keep.size == 0:
        return out
    order = keep[np.lexsort((p[keep], fam[keep]))]
    fam_sorted = fam[order]
    m = np.bincount(fam_sorted, minlength=fam.max() + 1)[fam_sorted]
    first = np.r_[0, np.flatnonzero(np.diff(fam_sorted)) + 1]
    starts = np.repeat(first, np.diff(np.r_[first, fam_sorted.size]))
    rank = np.arange(fam_sorted.size) - starts  # 0 = smallest p in its family
    scaled = pl.DataFrame({"family": fam_sorted, "scaled": np.minimum(1.0, (m - rank) * p[order])})
    out[order] = scaled.select(pl.col("scaled").cum_max().over("family"))["scaled"].to_numpy()
    return out


def cochran_armitage(successes: ArrayLike, totals: ArrayLike, scores: ArrayLike | None = None) -> tuple[float, float]:
    """Cochran-Armitage test for a linear trend in a proportion: (z, two-sided p). NaN when undefined."""
    n = np.asarray(successes, dtype=float)
    big_n = np.asarray(totals, dtype=float)
    t = np.arange(n.size, dtype=float) if scores is None else np.asarray(scores, dtype=float)
    keep = big_n > 0
    n, big_n, t = n[keep], big_n[keep], t[keep]
    total = big_n.sum()
    if n.size < 2 or total == 0:
        return math.nan, math.nan
    p_bar = n.sum() / total
    statistic = float(np.sum(t * (n - big_n * p_bar)))
    variance = p_bar * (1 - p_bar) * (np.sum(big_n * t * t) - np.sum(big_n * t) ** 2 / total)
    if not variance > 0:
        return math.nan, math.nan
    z = statistic / math.sqrt(variance)
    return z, float(2 * ndtr(-abs(z)))


def relative_risk(
    a: ArrayLike, n1: ArrayLike, c: ArrayLike, n2: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a/n1) / (c/n2) with the log-method interval exp(log RR +- z sqrt(1/a - 1/n1 + 1/c - 1/n2)).

    NaN where any count is 0 (the ratio or its interval is undefined).
    """
    a, n1, c, n2 = (np.asarray(x, dtype=float) for x in (a, n1, c, n2))
    z = _z_two_sided(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        rr = (a / n1) / (c / n2)
        se = np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
        low = np.exp(np.log(rr) - z * se)
        high = np.exp(np.log(rr) + z * se)
    ok = (a > 0) & (c > 0) & (n1 > 0) & (n2 > 0)
    for x in (rr, low, high):
        x[~ok] = np.nan
    return rr, low, high


# --- The comparison table: one derivation for exact and published counts ---------------------------------


def _null_nan(values: np.ndarray) -> pl.Series:
    return pl.Series(values, dtype=pl.Float64, nan_to_null=True)


def _families(frame: pl.DataFrame, table_keys: list[str]) -> np.ndarray:
    keys = [k for k in table_keys if k in frame.columns]
    if not keys:
        return np.zeros(frame.height, dtype=np.int64)
    return frame.select(pl.struct(keys).rank("dense")).to_series().to_numpy().astype(np.int64)


def holm_table(
    p_values: ArrayLike, family: ArrayLike, tested: ArrayLike | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Holm within each table, with the two-group rule: (adjusted p-values, the number of tests per entry).

    ``tested`` marks the entries that are tests of the table (default: the non-NaN p-values); a test whose
    p-value is not known to the reader (a hidden count) still counts in its table, as p = 1, so hiding a
    count never makes the others' correction smaller. A table of exactly two groups is one test (each group's
    test is the other's), so its p-values are not adjusted and its number of tests is 1.
    """
    p = np.asarray(p_values, dtype=float)
    fam = np.asarray(family)
    tested = ~np.isnan(p) if tested is None else np.asarray(tested, dtype=bool)
    _, fam = np.unique(fam, return_inverse=True)
    groups = np.bincount(fam)[fam]
    tests = np.bincount(fam, weights=tested.astype(float))[fam].astype(np.int64)
    filled = np.where(tested & np.isnan(p), 1.0, p)
    filled = np.where(tested, filled, np.nan)
    adjusted = holm_by(filled, fam)
    two = groups == 2
    adjusted = np.where(two, filled, adjusted)
    adjusted = np.where(np.isnan(p), np.nan, adjusted)
    return adjusted, np.where(two, np.minimum(tests, 1), tests)


def _status(alpha: float, under_threshold: float) -> pl.Expr:
    """The status, decided in the order of ``analytics.columns.STATUSES`` (see METHODS.md, ``status``)."""
    r, r_rest = pl.col(C.RATIO), pl.col("_ratio_rest")
    significant = pl.col("_p_adjusted") < alpha
    below = r < under_threshold
    above = (r > 1 / under_threshold) | (r_rest < under_threshold).fill_null(False)
    return (
        pl.when(pl.col(C.INVOLVED).is_null() | pl.col(C.TOTAL).is_null())
        .then(pl.lit(C.STATUS_HIDDEN))
        .when(pl.col(C.TOTAL) == 0)
        .then(pl.lit(C.STATUS_NO_DATA))
        .when(~_has_baseline())
        .then(pl.lit(C.STATUS_NO_BASELINE))
        .when((pl.col(C.INVOLVED) == 0) & (pl.col(C.EXPECTED) >= 1))
        .then(pl.lit(C.STATUS_ABSENT))
        .when(~below & ~above)
        .then(pl.lit(C.STATUS_WITHIN_RANGE))
        .when(below & significant)
        .then(pl.lit(C.STATUS_UNDER))
        .when(above & significant)
        .then(pl.lit(C.STATUS_OVER))
        .when(pl.col("_p_extreme") >= alpha)
        .then(pl.lit(C.STATUS_TOO_FEW))
        .otherwise(pl.lit(C.STATUS_UNCERTAIN))
    )


def compare_with_baseline(
    counts: pl.DataFrame,
    *,
    table_keys: list[str],
    alpha: float = 0.05,
    under_threshold: float = 0.8,
    confidence: float = 0.95,
    adjust: bool = True,
) -> pl.DataFrame:
    """Every per-group figure from the counts: share, ratio, gap, expected, shortfall, z, Wilson interval,
    exact p-value, Holm-adjusted p-value and the status. The one derivation of these figures: the engine calls
    it on exact counts, disclosure control on published counts.

    ``counts`` has one row per table x group with ``involved`` (n), ``total`` (N) and ``baseline_share`` (p,
    null when the baseline has no figure for the group); ``table_keys`` name the columns that identify one
    table (Holm's family). A null ``involved`` or ``total`` is a hidden count: that row's status is ``hidden``
    and every figure derived from it is null. With ``adjust=False`` (a frame holding only some groups of each
    table) the adjusted p-values are withheld (null); the status still uses Holm over the rows given.
    """
    frame = counts.with_columns(
        pl.col(C.INVOLVED).cast(pl.Int64),
        pl.col(C.TOTAL).cast(pl.Int64),
        (pl.col(C.BASELINE_SHARE) if C.BASELINE_SHARE in counts.columns else pl.lit(None))
        .cast(pl.Float64)
        .alias(C.BASELINE_SHARE),
    )
    frame = (
        frame.with_columns(share().alias(C.SHARE))
        .with_columns(
            ratio().alias(C.RATIO),
            ratio_rest().alias("_ratio_rest"),
            gap_pp().alias(C.GAP_PP),
            expected().alias(C.EXPECTED),
            z_score().alias(C.Z),
        )
        .with_columns(shortfall().alias(C.SHORTFALL))
    )
    hidden = (frame[C.INVOLVED].is_null() | frame[C.TOTAL].is_null()).to_numpy()
    n = frame[C.INVOLVED].fill_null(0).to_numpy()
    big_n = frame[C.TOTAL].fill_null(0).to_numpy()
    p = frame[C.BASELINE_SHARE].fill_null(np.nan).to_numpy()
    has_p = np.isfinite(p) & (p > 0)
    comparable = ~hidden & (big_n > 0) & has_p
    low, high = wilson_interval(n, big_n, confidence)
    low[hidden], high[hidden] = np.nan, np.nan
    p_test = np.where(comparable, p, np.nan)
    p_value = binomial_test_p(n, big_n, p_test)
    adjusted, tests = holm_table(p_value, _families(frame, table_keys), tested=comparable | (hidden & has_p))
    # the most extreme count in the direction of the gap (0 below, N above), corrected like the others
    below = comparable & (n < big_n * np.where(comparable, p, 0))
    p_extreme = binomial_test_p(np.where(below, 0, big_n), big_n, p_test) * np.maximum(tests, 1)
    frame = frame.with_columns(
        _null_nan(low).alias(C.CI_LOW),
        _null_nan(high).alias(C.CI_HIGH),
        _null_nan(p_value).alias(C.P_VALUE),
        _null_nan(adjusted).alias("_p_adjusted"),
        _null_nan(p_extreme).alias("_p_extreme"),
    )
    frame = frame.with_columns(
        _status(alpha, under_threshold).alias(C.STATUS),
        (pl.col("_p_adjusted") if adjust else pl.lit(None, dtype=pl.Float64)).alias(C.P_ADJUSTED),
    )
    return frame.drop("_ratio_rest", "_p_adjusted", "_p_extreme")


def seats_words(expected_people: float | None, total: int | None) -> str | None:
    """A board's fair share in seats: "about 2.3 of the 12 seats" (N p of N); None without both figures."""
    if expected_people is None or total is None or total <= 0:
        return None
    amount = f"{expected_people:.1f}".rstrip("0").rstrip(".")
    return f"about {amount} of the {total} seat{'' if total == 1 else 's'}"


# --- Relative likelihood: one derivation for exact and published counts ----------------------------------

LIKELIHOOD_HIDDEN = "Hidden (small numbers)."
LIKELIHOOD_NOBODY = "Nobody from this group is involved in this period."
LIKELIHOOD_REFERENCE = "The reference group: the others are compared with it."
LIKELIHOOD_NO_REFERENCE = "No relative likelihood: the reference group has nobody involved, or it is hidden."
LIKELIHOOD_NONE_AT_TOP = (
    "No one from this group is at a decision-making level (relative likelihood with 0.5 added to each count: "
    "{rl}, 95% interval {low} to {high})."
)
LIKELIHOOD_REFERENCE_NONE_AT_TOP = (
    "No one from the reference group is at a decision-making level (relative likelihood with 0.5 added to each "
    "count: {rl}, 95% interval {low} to {high})."
)
LIKELIHOOD_SENTENCE = (
    "Relative likelihood {rl} (95% interval {low} to {high}): above 1, this group is less likely than the "
    "reference group to be at a decision-making level."
)


def _figure(value: float) -> str:
    return f"{value:.2f}" if np.isfinite(value) else "not known"


class LikelihoodFigures(TypedDict):
    """What :func:`likelihood_figures` returns: one array entry (or sentence) per group."""

    likelihood: np.ndarray
    relative_likelihood: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    words: list[str]


def likelihood_figures(
    d: ArrayLike,
    n: ArrayLike,
    ref_d: ArrayLike,
    ref_n: ArrayLike,
    is_reference: ArrayLike,
    confidence: float = 0.95,
) -> LikelihoodFigures:
    """Likelihood, relative likelihood (WRES orientation: the reference group's likelihood over the group's),
    its interval and a sentence, from counts (arrays; NaN = a hidden count).

    ``d`` people of the group at a decision-making level out of ``n`` involved at any level; ``ref_d``,
    ``ref_n`` the same for the reference group. When nobody from the group (or the reference group) is at a
    decision-making level the ratio is infinite (or 0): 0.5 is added to each of the four counts (the
    Haldane-Anscombe correction) so that an estimate and an interval can still be given, and the sentence says
    "no one from this group is at a decision-making level". The reference group itself has 1 (no interval).
    """
    d, n, ref_d, ref_n = (np.asarray(x, dtype=float) for x in (d, n, ref_d, ref_n))
    is_reference = np.asarray(is_reference, dtype=bool)
    hidden = ~(np.isfinite(d) & np.isfinite(n))
    ref_ok = np.isfinite(ref_d) & np.isfinite(ref_n) & (ref_n > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        likelihood = np.where(~hidden & (n > 0), d / n, np.nan)
    comparable = ~hidden & (n > 0) & ref_ok & ~is_reference
    zero = comparable & ((d == 0) | (ref_d == 0))
    shift = np.where(zero, 0.5, 0.0)
    rr, low, high = relative_risk(ref_d + shift, ref_n + 2 * shift, d + shift, n + 2 * shift, confidence)
    reference_value = np.where(~hidden & is_reference & (n > 0) & (d > 0), 1.0, np.nan)
    rr = np.where(comparable, rr, reference_value)
    low = np.where(comparable, low, np.nan)
    high = np.where(comparable, high, np.nan)
    words: list[str] = []
    for i in range(d.size):
        shown = {"rl": _figure(rr[i]), "low": _figure(low[i]), "high": _figure(high[i])}
        if hidden[i]:
            words.append(LIKELIHOOD_HIDDEN)
        elif n[i] == 0:
            words.append(LIKELIHOOD_NOBODY)
        elif is_reference[i]:
            words.append(LIKELIHOOD_REFERENCE)
        elif not ref_ok[i]:
            words.append(LIKELIHOOD_NO_REFERENCE)
        elif d[i] == 0:
            words.append(LIKELIHOOD_NONE_AT_TOP.format(**shown))
        elif ref_d[i] == 0:
            words.append(LIKELIHOOD_REFERENCE_NONE_AT_TOP.format(**shown))
        else:
            words.append(LIKELIHOOD_SENTENCE.format(**shown))
    return {"likelihood": likelihood, "relative_likelihood": rr, "ci_low": low, "ci_high": high, "words": words}


# --- Status words ------------------------------------------------------------------------------------------

STATUS_WORDS = {
    C.STATUS_HIDDEN: "Hidden (small numbers)",
    C.STATUS_ABSENT: "Absent",
    C.STATUS_UNDER: "Under-represented",
    C.STATUS_WITHIN_RANGE: "Within range",
    C.STATUS_OVER: "Over-represented",
    C.STATUS_UNCERTAIN: "Uncertain",
    C.STATUS_TOO_FEW: "Too few to tell",
    C.STATUS_NO_BASELINE: "No baseline",
    C.STATUS_NO_DATA: "No data",
}
STATUS_MARKS = {
    C.STATUS_HIDDEN: "*",
    C.STATUS_ABSENT: "✕",
    C.STATUS_UNDER: "▼",
    C.STATUS_WITHIN_RANGE: "●",
    C.STATUS_OVER: "▲",
    C.STATUS_UNCERTAIN: "?",
    C.STATUS_TOO_FEW: "…",
    C.STATUS_NO_BASELINE: "–",
    C.STATUS_NO_DATA: "–",
}


def status_words(status: str = C.STATUS) -> pl.Expr:
    """The status as a mark and plain words, e.g. '▼ Under-represented' or '* Hidden (small numbers)'."""
    words = pl.col(status).replace_strict(STATUS_WORDS, default=pl.col(status))
    marks = pl.col(status).replace_strict(STATUS_MARKS, default=pl.lit(""))
    return marks + pl.lit(" ") + words


# --- Trend test on the people who joined ---------------------------------------------------------------------

EXACT_TREND_LIMIT = 10  # the exact test is used when the rarer outcome has at most this many people
_EXACT_CELLS = 4_000_000  # floats per batch of the exact test


def _choose(n: np.ndarray, k: int) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        value = np.exp(gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1))
    return np.where(k <= n, value, 0.0)


def _exact_trend_p(x: np.ndarray, big_n: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Exact two-sided p of the linear trend statistic S = sum t x given sum x (rows are series).

    Given how many people joined in each period and how many of them belong to the group, every way of
    spreading the group's joiners over the periods has probability prod C(N_t, x_t) / C(sum N, sum x) (the
    permutation distribution: labels shuffled among the joiners). ``t`` are whole, non-negative scores shared
    by every row; the distribution of S is built period by period (a polynomial product), for all rows at once.
    """
    k = x.sum(axis=1).astype(np.int64)
    s_obs = (x * t).sum(axis=1)
    k_max = int(k.max())
    s_max = int(k_max * t.max())
    dist = np.zeros((x.shape[0], k_max + 1, s_max + 1))
    dist[:, 0, 0] = 1.0
    new = np.zeros_like(dist)
    k_top = s_top = 0  # the largest k and s reached so far: the rest of the table is still 0
    for column, score in enumerate(t.astype(np.int64)):
        sizes = big_n[:, column]
        top = min(int(sizes.max()), k_max)
        if top == 0:
            continue
        k_next, s_next = min(k_max, k_top + top), min(s_max, s_top + score * top)
        new[:, : k_next + 1, : s_next + 1] = 0.0
        for j in range(top + 1):
            shift = score * j
            if shift > s_max:
                break
            kk, ss = min(k_top, k_max - j), min(s_top, s_max - shift)
            new[:, j : j + kk + 1, shift : shift + ss + 1] += (
                _choose(sizes, j)[:, None, None] * dist[:, : kk + 1, : ss + 1]
            )
        k_top, s_top = k_next, s_next
        scale = new[:, : k_top + 1, : s_top + 1].reshape(x.shape[0], -1).max(axis=1)
        dist, new = new, dist
        dist[:, : k_top + 1, : s_top + 1] /= scale[:, None, None]
    rows = dist[np.arange(x.shape[0]), k]  # the distribution of S for each row's own total
    s = np.arange(s_max + 1)
    total_n = big_n.sum(axis=1)
    mean = k * (big_n * t).sum(axis=1) / total_n
    extreme = np.abs(s[None, :] - mean[:, None]) >= np.abs(s_obs - mean)[:, None] - 1e-9
    p_values: np.ndarray = np.minimum(1.0, (rows * extreme).sum(axis=1) / rows.sum(axis=1))
    return p_values


def trend_test(
    successes: ArrayLike, totals: ArrayLike, scores: ArrayLike | None = None, exact_limit: int = EXACT_TREND_LIMIT
) -> tuple[np.ndarray, np.ndarray]:
    """Test for a steady rise or fall in a group's share over the periods: (z, two-sided p) per series.

    ``successes`` and ``totals`` are (series x periods) arrays (one series may be 1-D): the people of the group
    and all the people counted in each period; a period with total 0 is left out. The statistic is the
    Cochran-Armitage trend statistic S = sum t n_t against its distribution given the totals (the permutation
    distribution of the people's labels, so z uses the hypergeometric variance). The p-value is exact
    (:func:`_exact_trend_p`) when the rarer outcome has at most ``exact_limit`` people and scores are whole
    numbers, and from the normal approximation otherwise. NaN where fewer than two periods have people, or
    every person (or nobody) is of the group.

    Periods must hold different people (such as the people who *joined* in each period): the same people
    counted again period after period break the test's assumption and make it raise false alarms.
    """
    n = np.atleast_2d(np.asarray(successes, dtype=float))
    big_n = np.atleast_2d(np.asarray(totals, dtype=float))
    t = np.arange(n.shape[1], dtype=float) if scores is None else np.asarray(scores, dtype=float)
    keep = np.isfinite(n) & np.isfinite(big_n) & (big_n > 0)
    n, big_n = np.where(keep, n, 0.0), np.where(keep, big_n, 0.0)
    total = big_n.sum(axis=1)
    k = n.sum(axis=1)
    sum_t = (big_n * t).sum(axis=1)
    spread = total * (big_n * t * t).sum(axis=1) - sum_t**2
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = k * (total - k) * spread / (total * total * (total - 1))
        z = ((n * t).sum(axis=1) - k * sum_t / total) / np.sqrt(variance)
    valid = (keep.sum(axis=1) >= 2) & (k > 0) & (k < total) & (variance > 0)
    z = np.where(valid, z, np.nan)
    p = np.where(valid, 2 * ndtr(-np.abs(z)), np.nan)
    rare = np.minimum(k, total - k)
    whole = np.all(t == np.round(t))
    small = np.flatnonzero(valid & (rare <= exact_limit)) if whole else np.array([], dtype=np.int64)
    if small.size:
        t0 = t - t.min()
        order = small[np.argsort(rare[small], kind="stable")]
        flip = k[order] > total[order] - k[order]
        x = np.where(flip[:, None], big_n[order] - n[order], n[order])
        cells = (rare[order] + 1) * (rare[order] * t0.max() + 1)  # one series' distribution table
        first = 0
        while first < order.size:
            cost = np.arange(1, order.size - first + 1) * cells[first:]  # batch cost: count x the largest
            stop = first + max(1, int(np.searchsorted(cost, _EXACT_CELLS, side="right")))
            p[order[first:stop]] = _exact_trend_p(x[first:stop], big_n[order[first:stop]], t0)
            first = stop
    return z, p
