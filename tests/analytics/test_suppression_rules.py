"""The disclosure-control rules one at a time, with the arithmetic written down."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from scipy import stats

from analytics import columns as c
from analytics import suppression as s
from analytics.stats import binomial_test_p, holm
from models.settings import Settings


@pytest.fixture
def settings() -> Settings:
    return Settings()


def table(
    counts: dict[str, int],
    *,
    level: str = "board",
    period: str = "2024-Q1",
    not_stated: int = 0,
    not_known: int = 0,
    baseline: dict[str, float] | None = None,
    characteristic: str = "ethnicity_broad",
):
    """Representation rows and tables for one level x period, the way the engine shapes them."""
    total = sum(counts.values())
    baseline = baseline or {g: 1 / len(counts) for g in counts}
    rows = pl.DataFrame(
        {
            c.LEVEL_RANK: 5,
            c.LEVEL_KEY: level,
            c.PERIOD: period,
            c.CHARACTERISTIC: characteristic,
            c.INVOLVEMENT_FILTER: "all",
            c.GROUP: list(counts),
            c.GROUP_LABEL: list(counts),
            c.INVOLVED: list(counts.values()),
            c.TOTAL: total,
            c.SHARE: [n / total if total else None for n in counts.values()],
            c.BASELINE_SHARE: [baseline[g] for g in counts],
            c.RATIO: 0.0,
            c.GAP_PP: 0.0,
            c.EXPECTED: 0.0,
            c.SHORTFALL: 0,
            c.Z: 0.0,
            c.CI_LOW: 0.0,
            c.CI_HIGH: 0.0,
            c.P_VALUE: 0.0,
            c.P_ADJUSTED: 0.0,
            c.STATUS: c.STATUS_UNCERTAIN,
        },
        schema_overrides={c.SHORTFALL: pl.Int64, c.SHARE: pl.Float64},
    )
    tables = pl.DataFrame(
        {
            c.LEVEL_RANK: [5],
            c.LEVEL_KEY: [level],
            c.PERIOD: [period],
            c.CHARACTERISTIC: [characteristic],
            c.INVOLVEMENT_FILTER: ["all"],
            c.PEOPLE: [total + not_stated + not_known],
            c.TOTAL: [total],
            c.UNKNOWN: [not_stated + not_known],
            c.NOT_STATED: [not_stated],
            c.NOT_KNOWN: [not_known],
            c.DECLARATION_RATE: [
                total / (total + not_stated + not_known) if total + not_stated + not_known else None
            ],
        }
    )
    return rows, tables


@pytest.mark.parametrize(
    "value,shown",
    [
        (0, 0),  # zero is shown as it is
        (8, 10),  # 8 is the first count shown; nearest 5 is 10
        (12, 10),  # 12 -> 10
        (13, 15),  # 13 -> 15
        (17, 15),
        (18, 20),
        (102, 100),
        (103, 105),
    ],
)
def test_round_count_to_nearest_five(value, shown):
    assert s.round_count(value, 5) == shown


def test_round_count_halves_go_up_with_an_even_base():
    assert s.round_count(15, 10) == 20  # 15 is half way: up
    assert s.round_count(14, 10) == 10


@pytest.mark.parametrize("value,small", [(0, False), (1, True), (7, True), (8, False), (100, False)])
def test_small_means_one_to_seven(value, small, settings):
    assert s.is_small(value, settings) is small


def test_thresholds_are_settings():
    strict = Settings(suppress_below=11, rounding_base=10)
    rows, tables = table({"A": 10, "B": 30, "C": 0})
    out, _ = s.suppress_representation(rows, tables, strict)
    # 10 < 11 is hidden, so the next smallest non-zero group (30) is hidden too; 0 stays
    assert out[c.INVOLVED].to_list() == [None, None, 0]
    assert out[c.TOTAL].to_list() == [40, 40, 40]


def test_one_small_group_hides_the_next_smallest_too(settings):
    # A=3 is small; the next smallest non-zero is C=9, though 9 alone would be shown (as 10)
    rows, tables = table({"A": 3, "B": 40, "C": 9, "D": 0})
    out, tab = s.suppress_representation(rows, tables, settings)
    assert out[c.INVOLVED].to_list() == [None, 40, None, 0]
    assert out[s.suppressed_flag(c.INVOLVED)].to_list() == [True, False, True, False]
    assert out[c.TOTAL].to_list() == [50] * 4  # 52 unrounded -> 50: total from unrounded data
    assert tab[c.TOTAL].to_list() == [50]


def test_totals_are_rounded_from_unrounded_data(settings):
    # 12 + 12 + 12 = 36 -> 35, though the rounded cells add to 30
    rows, tables = table({"A": 12, "B": 12, "C": 12})
    out, tab = s.suppress_representation(rows, tables, settings)
    assert out[c.INVOLVED].to_list() == [10, 10, 10]
    assert tab[c.TOTAL].to_list() == [35]


def test_unknowns_are_part_of_the_totals(settings):
    # people 44 = known 35 + unknown 9 (stated 3, not known 6): both unknown parts are small
    rows, tables = table({"A": 20, "B": 15}, not_stated=3, not_known=6)
    _, tab = s.suppress_representation(rows, tables, settings)
    row = tab.row(0, named=True)
    assert row[c.NOT_STATED] is None and row[c.NOT_KNOWN] is None
    assert row[c.UNKNOWN] == 10 and row[c.TOTAL] == 35 and row[c.PEOPLE] == 45


def test_a_small_unknown_is_left_to_rounding_against_everyone(settings):
    # unknown 5 (all not stated) is small and hidden. Everyone counted (40) is the same for every
    # characteristic, so hiding it here would protect nothing: it stays, and so does the known total (35), the
    # denominator of every share. 40 (38-42) - 35 (33-37) leaves 1-9 for the hidden 5: rounding protects it.
    rows, tables = table({"A": 20, "B": 15}, not_stated=5)
    out, tab = s.suppress_representation(rows, tables, settings)
    row = tab.row(0, named=True)
    assert row[c.UNKNOWN] is None and row[c.NOT_STATED] is None and row[c.NOT_KNOWN] == 0
    assert row[c.PEOPLE] == 40 and row[c.TOTAL] == 35
    assert row[c.DECLARATION_RATE] == pytest.approx(35 / 40)
    assert out[c.SHARE].to_list() == pytest.approx([20 / 35, 15 / 35])


def test_a_star_never_stands_for_zero(settings):
    rows, tables = table({"A": 2, "B": 0, "C": 0, "D": 30})
    out, _ = s.suppress_representation(rows, tables, settings)
    assert out[c.INVOLVED].to_list() == [None, 0, 0, None]


def test_derived_figures_come_from_published_counts(settings):
    # A: 23 -> 25, total 40 (exact) -> 40; baseline 0.5
    rows, tables = table({"A": 23, "B": 17}, baseline={"A": 0.5, "B": 0.5})
    out, _ = s.suppress_representation(rows, tables, settings)
    a = out.row(0, named=True)
    assert a[c.INVOLVED] == 25 and a[c.TOTAL] == 40
    assert a[c.SHARE] == pytest.approx(25 / 40)
    assert a[c.RATIO] == pytest.approx((25 / 40) / 0.5)
    assert a[c.GAP_PP] == pytest.approx((25 / 40 - 0.5) * 100)
    assert a[c.EXPECTED] == pytest.approx(20.0)
    assert a[c.SHORTFALL] == 0
    assert a[c.Z] == pytest.approx((25 - 20) / math.sqrt(40 * 0.5 * 0.5))
    assert a[c.P_VALUE] == pytest.approx(stats.binomtest(25, 40, 0.5).pvalue)
    # Wilson 95%: centre (p + z^2/2n) / (1 + z^2/n), half-width z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n)
    z = stats.norm.ppf(0.975)
    p, n = 25 / 40, 40
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert a[c.CI_LOW] == pytest.approx(centre - half)
    assert a[c.CI_HIGH] == pytest.approx(centre + half)
    ci = stats.binomtest(25, 40).proportion_ci(confidence_level=0.95, method="wilson")
    assert (a[c.CI_LOW], a[c.CI_HIGH]) == pytest.approx((ci.low, ci.high))


def test_figures_of_a_hidden_count_are_null(settings):
    rows, tables = table({"A": 4, "B": 30, "C": 12})
    out, _ = s.suppress_representation(rows, tables, settings)
    hidden = out.filter(pl.col(s.SUPPRESSED))
    assert hidden.height == 2
    for column in (
        c.SHARE,
        c.RATIO,
        c.GAP_PP,
        c.SHORTFALL,
        c.Z,
        c.CI_LOW,
        c.CI_HIGH,
        c.P_VALUE,
        c.P_ADJUSTED,
    ):
        assert hidden[column].null_count() == 2, column
    assert hidden[c.EXPECTED].null_count() == 0  # expected = total x baseline: the total is shown


def test_shortfall_from_published_counts(settings):
    # total 100, baseline 0.3 -> expected 30; A published 10 (from 12) -> shortfall ceil((30 - 10) / 0.7) =
    # ceil(28.6) = 29 people to add (39 of 129 = 30.2%)
    rows, tables = table({"A": 12, "B": 88}, baseline={"A": 0.3, "B": 0.7})
    out, _ = s.suppress_representation(rows, tables, settings)
    assert out.row(0, named=True)[c.SHORTFALL] == 29


@pytest.mark.parametrize(
    "p_values,adjusted",
    [
        (
            [0.01, 0.04, 0.03],
            [0.03, 0.06, 0.06],
        ),  # sorted .01 .03 .04: x3 = .03, x2 = .06, x1 = .04 -> max .06
        ([0.5, np.nan, 0.01], [0.5, np.nan, 0.02]),  # the NaN is not in the family: m = 2
    ],
)
def test_holm(p_values, adjusted):
    assert holm(np.array(p_values)) == pytest.approx(np.array(adjusted), nan_ok=True)


def test_holm_within_each_table(settings):
    rows_a, tables_a = table({"A": 30, "B": 10}, level="board", baseline={"A": 0.5, "B": 0.5})
    rows_b, tables_b = table({"A": 30, "B": 10}, level="strategic", baseline={"A": 0.5, "B": 0.5})
    out, _ = s.suppress_representation(pl.concat([rows_a, rows_b]), pl.concat([tables_a, tables_b]), settings)
    p = stats.binomtest(30, 40, 0.5).pvalue  # both groups have the same two-sided p (symmetric at 0.5)
    # each table has two groups: one test, so no doubling (and the two tables are separate families)
    assert out[c.P_ADJUSTED].to_list() == pytest.approx([p] * 4)
    rows_c, tables_c = table({"A": 30, "B": 10, "C": 0}, level="board", baseline={"A": 0.4, "B": 0.4, "C": 0.2})
    three, _ = s.suppress_representation(rows_c, tables_c, settings)
    assert three[c.P_ADJUSTED].to_list() == pytest.approx(list(holm(three[c.P_VALUE].to_numpy())))


def test_applying_twice_changes_nothing(settings):
    rows, tables = table({"A": 3, "B": 40, "C": 9, "D": 0}, not_stated=2, not_known=20)
    once_rows, once_tables = s.suppress_representation(rows, tables, settings)
    twice_rows, twice_tables = s.suppress_representation(once_rows.drop(s.SUPPRESSED), once_tables, settings)
    assert twice_rows[c.INVOLVED].to_list() == once_rows[c.INVOLVED].to_list()
    assert twice_tables.select(s.TABLE_COUNTS).rows() == once_tables.select(s.TABLE_COUNTS).rows()


def test_display_counts_shows_stars(settings):
    rows, tables = table({"A": 3, "B": 40, "C": 9, "D": 0})
    out, _ = s.suppress_representation(rows, tables, settings)
    shown = s.display_counts(out)
    assert shown[c.INVOLVED].to_list() == ["*", "40", "*", "0"]
    assert shown[c.TOTAL].to_list() == ["50"] * 4
    assert s.suppressed_flag(c.INVOLVED) not in shown.columns


def test_describe_uses_the_settings():
    assert "1 to 7" in s.describe(Settings()) and "nearest 5" in s.describe(Settings())
    assert "1 to 10" in s.describe(Settings(suppress_below=11, rounding_base=10))


def test_mark_exact_keeps_figures_and_marks_them():
    rows, _ = table({"A": 3, "B": 40})
    out = s.mark_exact(rows, s.ROW_COUNTS)
    assert out[c.INVOLVED].to_list() == [3, 40]
    assert out[s.NOT_FOR_PUBLICATION].all() and not out[s.SUPPRESSED].any()


def test_suppress_frame_with_lines_and_recomputed_rate(settings):
    frame = pl.DataFrame(
        {
            "level": ["a", "b"],
            c.PEOPLE: [44, 30],
            c.TOTAL: [35, 30],
            c.UNKNOWN: [9, 0],
            c.NOT_STATED: [3, 0],
            c.NOT_KNOWN: [6, 0],
            c.DECLARATION_RATE: [35 / 44, 1.0],
        }
    )
    out = s.suppress_frame(
        frame,
        [c.PEOPLE, c.TOTAL, c.UNKNOWN, c.NOT_STATED, c.NOT_KNOWN],
        lines=[(c.PEOPLE, c.TOTAL, c.UNKNOWN), (c.UNKNOWN, c.NOT_STATED, c.NOT_KNOWN)],
        derived={c.DECLARATION_RATE: pl.col(c.TOTAL) / pl.col(c.PEOPLE)},
        settings=settings,
    )
    assert out.row(0, named=True)[c.NOT_STATED] is None and out.row(0, named=True)[c.NOT_KNOWN] is None
    assert out.row(0, named=True)[c.DECLARATION_RATE] == pytest.approx(35 / 45)
    assert out.row(1, named=True)[c.DECLARATION_RATE] == pytest.approx(1.0)


def test_suppress_frame_withholds_unrecomputable_figures(settings):
    frame = pl.DataFrame({"group": ["a", "b"], "n": [5, 40], "rate": [0.123456, 0.654321]})
    out = s.suppress_frame(frame, ["n"], derived={"rate": None}, settings=settings)
    assert out["n"].to_list() == [None, 40]
    assert out["rate"].to_list() == [None, pytest.approx(0.65)]


def test_missing_column_is_a_clear_error(settings):
    rows, _ = table({"A": 3})
    with pytest.raises(ValueError, match="no column 'involved'"):
        s.suppress_representation(rows.drop(c.INVOLVED), None, settings)


def test_negative_count_is_refused(settings):
    rows, tables = table({"A": 3, "B": 9})
    with pytest.raises(ValueError, match="negative count"):
        s.suppress_representation(rows.with_columns(pl.lit(-1).alias(c.INVOLVED)), tables, settings)


def test_looks_published(settings):
    assert s.looks_published(pl.DataFrame({c.INVOLVED: [0, 10, None, 105]}), [c.INVOLVED], settings)
    assert not s.looks_published(pl.DataFrame({c.INVOLVED: [0, 3]}), [c.INVOLVED], settings)
    assert not s.looks_published(pl.DataFrame({c.INVOLVED: [12]}), [c.INVOLVED], settings)
    assert not s.looks_published(pl.DataFrame({c.INVOLVED: [5]}), [c.INVOLVED], settings)


@pytest.mark.parametrize(
    "n,total,p",
    [
        (0, 10, 0.3),
        (3, 10, 0.3),
        (10, 10, 0.3),
        (25, 40, 0.5),
        (1, 200, 0.02),
        (4, 200, 0.02),
        (120, 250, 0.61),
    ],
)
def test_binomial_p_values_match_scipy(n, total, p):
    got = binomial_test_p(np.array([n]), np.array([total]), np.array([p]))[0]
    assert got == pytest.approx(stats.binomtest(n, total, p).pvalue, rel=1e-9)


def test_binomial_p_values_match_scipy_on_random_rows():
    rng = np.random.default_rng(3)
    total = rng.integers(1, 300, 400)
    p = rng.uniform(0.001, 0.999, 400)
    n = np.array([rng.integers(0, t + 1) for t in total])
    expected = [stats.binomtest(int(a), int(b), float(q)).pvalue for a, b, q in zip(n, total, p, strict=True)]
    assert binomial_test_p(n, total, p) == pytest.approx(
        expected, rel=1e-9, abs=1e-15
    )


DERIVED_FIGURES = (
    c.SHARE, c.RATIO, c.GAP_PP, c.EXPECTED, c.SHORTFALL, c.Z, c.CI_LOW, c.CI_HIGH, c.P_VALUE, c.P_ADJUSTED,
    c.STATUS,
)


@pytest.mark.parametrize("seed", range(6))
def test_exact_and_published_paths_agree_when_nothing_is_hidden(settings, seed):
    # every count is already a published value (0, or a multiple of 5 that is at least 8), so disclosure control
    # hides nothing and rounds nothing: the published figures must be the engine's, figure for figure
    from analytics.stats import compare_with_baseline

    rng = np.random.default_rng(seed)
    parts = []
    for level, groups in (("board", ["A", "B"]), ("strategic", ["A", "B", "C", "D", "E"])):
        counts = {g: int(rng.choice([0, 10, 15, 20, 40, 85])) for g in groups}
        counts[groups[0]] = max(counts[groups[0]], 10)
        shares = rng.dirichlet(np.ones(len(groups)))
        parts.append(table(counts, level=level, baseline=dict(zip(groups, shares.tolist(), strict=True))))
    rows = pl.concat([p[0] for p in parts]).with_columns(pl.col(c.LEVEL_RANK).cum_count())
    tables = pl.concat([p[1] for p in parts])
    published, _ = s.suppress_representation(rows, tables, settings)
    assert not published[s.SUPPRESSED].any()
    exact = compare_with_baseline(
        rows.drop(DERIVED_FIGURES).with_columns(pl.col(c.LEVEL_KEY).alias("_table")),
        table_keys=["_table"],
        alpha=settings.alpha,
        under_threshold=settings.under_threshold,
        confidence=settings.confidence,
    )
    for figure in DERIVED_FIGURES:
        assert published[figure].to_list() == pytest.approx(exact[figure].to_list(), nan_ok=True), figure


def test_the_board_csv_that_gave_a_count_away(settings):
    # the case: a Board cell "*", total 20, baseline 7.7%, with the status of the exact count beside it.
    # 1 of 20 (ratio 0.05 / 0.077 = 0.65), 2 of 20 (ratio 1.30) and 3-7 of 20 read differently, so the status
    # narrowed the "*" down. Now a hidden count's status is "hidden" and nothing derived from it is shown
    rows, tables = table({"A": 2, "B": 18}, baseline={"A": 0.077, "B": 0.923})
    out, _ = s.suppress_representation(rows, tables, settings)
    cell = out.row(0, named=True)
    assert cell[c.INVOLVED] is None and cell[c.STATUS] == c.STATUS_HIDDEN
    assert cell[c.CI_LOW] is None and cell[c.P_VALUE] is None and cell[c.P_ADJUSTED] is None
    # every status shown is the one the published counts give
    assert set(out[c.STATUS].to_list()) <= {c.STATUS_HIDDEN}
