"""Comparing organisations: funnel plots and network totals built from each organisation's published figures.

The network view is computed from per-organisation aggregates, never from person rows joined across
organisations:

1. :func:`published_representation` builds one organisation's representation and protects it as a restricted
   role would receive it (``analytics.protection.build_protected`` with the ``viewer`` scope: small counts hidden,
   the others rounded, secondary suppression with the sibling ethnicity views). Every share, ratio, interval,
   p-value and status in the network comes from those published rows, which ``analytics.stats.
   compare_with_baseline`` derived; nothing is recomputed here. It adds the level **decision-making levels
   together** (``DECISION_MAKING``): the people at any decision-making level, each counted once per
   organisation, built by the same engine on the organisation's records with its decision-making levels
   merged into one (:func:`decision_making_frames`) and protected the same way.
2. :func:`organisation_figures` selects one level, period and group from each published representation: one
   row per organisation.
3. :func:`funnel_table` adds the funnel-plot limits (Spiegelhalter 2005): for an organisation with ``N`` people
   of known value and a baseline share ``p`` from its own catchment, the limits of the ratio ``share / p`` are
   the binomial(``N``, ``p``) quantiles at 2.5%/97.5% (95%) and 0.1%/99.9% (99.8%), interpolated between whole
   counts as in Spiegelhalter's appendix, divided by ``N p``. An organisation outside the limits differs from
   its own catchment more than chance would explain at that size. Each organisation's ratio stays against its
   own catchment.
4. :func:`network_total` sums people (never averages shares): a person involved in two organisations is
   counted once in each (``NETWORK_COUNT_NOTE``). Its baseline is the **union of the catchments**
   (:func:`union_catchment`: a local authority served by two organisations counts its population once), and
   its share, interval, test and status come from ``compare_with_baseline`` on the summed counts.

Disclosure control across organisations (the choice, and why). A network total is published **only as the sum
of published cells**: the rounded counts of the organisations whose figure is shown; an organisation whose
figure is hidden is left out of both the group and the people with a known value, and the total says how many
were left out. The network figures are then a function of what each organisation already publishes, so they
cannot narrow any hidden cell: "network total minus the others" gives back the sum of the shown cells, never
a hidden one. The alternative, suppressing complementary cells jointly across organisations around an exact
network total, would hide more figures on every organisation's own page whenever the network changed (a
trust's published figures would depend on who else is in its ICB) and would need the exact counts of every
organisation in one place; summing published cells keeps every organisation's page and the network view
consistent (the benchmark table equals each organisation's own published figures). The price is a total that
is rounded (to within 2 people per organisation) and leaves hidden organisations out, which it says.
``tests/analytics/test_network_attack.py`` gives an integer-programming attacker every organisation's
publication and the network totals and finds no hidden cell pinned; with exact network totals the same
attacker pins one (the check has teeth).

Decision-making levels together: a together figure is bounded by the same figure at each decision-making level
(at most their sum, at least the largest), so where a figure (a group's count, or a table column such as "not
stated") is hidden at any decision-making level of a period in the per-level publication, the together figure
is withheld too, and more of that period's together table is hidden so that it is not a difference of shown
figures (:func:`withhold_together`): "together minus the other levels" can then not narrow a hidden cell. The
joiners behind the trend test are treated the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from scipy import stats as scipy_stats

from analytics import columns as c
from analytics import protection, roles, suppression
from analytics.baselines import BaselineSpec, baseline_shares
from analytics.loader import Frames, make_frames
from analytics.representation import Representation, representation_table
from analytics.stats import compare_with_baseline
from models.settings import Settings, get_settings

__all__ = [
    "DECISION_MAKING",
    "NETWORK_COUNT_NOTE",
    "Member",
    "decision_making_frames",
    "funnel_limits",
    "funnel_sentence",
    "funnel_table",
    "network_total",
    "network_totals",
    "organisation_figures",
    "outside_limits",
    "published_representation",
    "union_baseline_share",
    "union_catchment",
    "withhold_together",
]

PUBLISHED_ROLE = "viewer"  # the restricted role whose published figures every organisation shows the network
COVERAGES = (0.95, 0.998)

DECISION_MAKING = "decision_making"  # level key: the decision-making levels together
DECISION_MAKING_NAME = "Decision-making levels together"
DECISION_MAKING_RANK = 0  # its own rank (below individual care's 1), so its trend test is its own family

ORGANISATION_CODE = "organisation_code"
ORGANISATION_NAME = "organisation_name"
LOW_95, HIGH_95 = "limit_95_low", "limit_95_high"
LOW_998, HIGH_998 = "limit_998_low", "limit_998_high"
POSITION = "funnel_position"
RATIO_CI_LOW, RATIO_CI_HIGH = "ratio_ci_low", "ratio_ci_high"
ORGANISATIONS = "organisations"
ORGANISATIONS_LEFT_OUT = "organisations_left_out"
CATCHMENT = "catchment"

POSITION_ABOVE_998 = "above the 99.8% limit"
POSITION_ABOVE_95 = "above the 95% limit"
POSITION_WITHIN = "within the limits"
POSITION_BELOW_95 = "below the 95% limit"
POSITION_BELOW_998 = "below the 99.8% limit"
POSITION_NONE = "not plotted"  # hidden count, nobody counted or no baseline
OUTSIDE = (POSITION_ABOVE_998, POSITION_ABOVE_95, POSITION_BELOW_95, POSITION_BELOW_998)

FIGURE_COLUMNS = (
    ORGANISATION_CODE, ORGANISATION_NAME, c.LEVEL_KEY, c.LEVEL_NAME, c.PERIOD, c.CHARACTERISTIC, c.GROUP,
    c.GROUP_LABEL, c.INVOLVED, c.TOTAL, c.SHARE, c.CI_LOW, c.CI_HIGH, c.BASELINE_SHARE, c.RATIO, c.P_VALUE,
    c.P_ADJUSTED, c.STATUS, c.PEOPLE, c.DECLARATION_RATE,
)
TOTAL_COLUMNS = (
    c.LEVEL_KEY, c.PERIOD, c.GROUP, ORGANISATIONS, ORGANISATIONS_LEFT_OUT, c.INVOLVED, c.TOTAL, c.PEOPLE, c.SHARE,
    c.CI_LOW, c.CI_HIGH, c.BASELINE_SHARE, c.RATIO, c.P_VALUE, c.STATUS, CATCHMENT, c.BASELINE_NAME,
)

NETWORK_COUNT_NOTE = (
    "Network totals add up people organisation by organisation: someone involved in two organisations is counted "
    "once in each. Only published (rounded) counts are added; hidden counts are left out, so a total never "
    "reveals a hidden figure. The network's baseline is the population of all the organisations' areas together, "
    "each area counted once."
)
ERROR_NO_ORGANISATIONS = "There are no organisations to compare."
ERROR_NO_LEVEL = "There is no level '{level}' in the published figures (levels: {found})."
NO_UNION_BASELINE = "No network baseline: {reason}"


@dataclass(frozen=True)
class Member:
    """One organisation of the network with its published representation (and, when built, its published 4PI
    scorecard and the trend tests of its recent periods: per-organisation aggregates, computed once)."""

    organisation_id: int
    code: str
    name: str
    representation: Representation
    catchment: tuple[str, ...] = ()
    scorecard: pl.DataFrame | None = None
    trends: pl.DataFrame | None = None  # analytics.network_benchmark.trend_summary, computed with the figures


# --- One organisation's published figures ---------------------------------------------------------------------


def decision_making_frames(frames: Frames) -> Frames:
    """The organisation's records with its decision-making levels merged into one level (``DECISION_MAKING``)
    and the other levels left out: the engine then counts each person once across those levels."""
    chosen = frames.levels.filter(pl.col("decision_making").fill_null(False))
    new_id = int(frames.levels["id"].max() or 0) + 1  # type: ignore[arg-type]
    levels = chosen.head(1).with_columns(
        pl.lit(new_id, dtype=chosen.schema["id"]).alias("id"),
        pl.lit(DECISION_MAKING_RANK, dtype=chosen.schema["rank"]).alias("rank"),
        pl.lit(DECISION_MAKING).alias("key"),
        pl.lit(DECISION_MAKING_NAME).alias("name"),
    )
    activities = frames.activities.filter(pl.col("level_id").is_in(chosen["id"].implode())).with_columns(
        pl.lit(new_id, dtype=frames.activities.schema["level_id"]).alias("level_id"))
    return dataclasses.replace(frames, levels=levels, activities=activities)


def _hidden_at_levels(rows: pl.DataFrame | None, tables: pl.DataFrame | None) -> set[tuple[str, str]]:
    """(period, figure) hidden at any decision-making level: a figure is a group (its count) or a table column
    (``total`` also when a row's known total is hidden)."""
    hidden: set[tuple[str, str]] = set()
    if rows is not None and rows.height:
        at = rows.filter(pl.col(c.DECISION_MAKING).fill_null(False))
        hidden |= {(str(p), str(g)) for p, g in at.filter(pl.col(c.INVOLVED).is_null())
                   .select(c.PERIOD, c.GROUP).iter_rows()}
        hidden |= {(str(p), c.TOTAL) for (p,) in at.filter(pl.col(c.TOTAL).is_null()).select(c.PERIOD).iter_rows()}
    if tables is not None and tables.height:
        at = tables.filter(pl.col(c.DECISION_MAKING).fill_null(False))
        for col in (col for col in suppression.TABLE_COUNTS if col in at.columns):
            hidden |= {(str(p), col) for (p,) in at.filter(pl.col(col).is_null()).select(c.PERIOD).iter_rows()}
    return hidden


def _table_hiding(rows: pl.DataFrame, tables: pl.DataFrame | None,
                  forced: set[tuple[str, str]]) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """Which (period, group) rows and (period, column) table figures of the together view to hide: the forced
    ones, and more by ``suppression.secondary_suppression`` on the lines of each period's table (groups add up
    to the known total; not stated and not known add up to the unknown), so none of them is a difference."""
    hide_rows: set[tuple[str, str]] = set()
    hide_tables: set[tuple[str, str]] = set()
    columns = [col for col in (c.TOTAL, c.UNKNOWN, c.NOT_STATED, c.NOT_KNOWN)
               if tables is not None and col in tables.columns] or [c.TOTAL]
    for period in sorted({p for p, _ in forced}):
        part = rows.filter(pl.col(c.PERIOD) == period)
        groups = [str(g) for g in part[c.GROUP].to_list()]
        values = [int(v or 0) for v in part[c.INVOLVED].to_list()]
        hidden = [v is None or (period, g) in forced for v, g in zip(part[c.INVOLVED].to_list(), groups, strict=True)]
        table = None if tables is None else tables.filter(pl.col(c.PERIOD) == period)
        for col in columns:
            value = (table[col][0] if table is not None and table.height
                     else part[c.TOTAL][0] if part.height else None)
            values.append(int(value or 0))
            hidden.append(value is None or (period, col) in forced)
        at = {name: len(groups) + i for i, name in enumerate(columns)}
        lines = [suppression.Line(parts=tuple(range(len(groups))), total=at[c.TOTAL])]
        if {c.UNKNOWN, c.NOT_STATED, c.NOT_KNOWN} <= set(at):
            lines.append(suppression.Line(parts=(at[c.NOT_STATED], at[c.NOT_KNOWN]), total=at[c.UNKNOWN]))
        final = suppression.secondary_suppression(values, hidden, lines)
        hide_rows |= {(period, g) for g, h in zip(groups, final, strict=False) if h}
        hide_tables |= {(period, col) for col, i in at.items() if final[i]}
    return hide_rows, hide_tables


def _hide(frame: pl.DataFrame, where: pl.Expr, columns: Sequence[str]) -> pl.DataFrame:
    """``columns`` of ``frame`` null where ``where`` holds, with their suppressed flags set."""
    present = [col for col in columns if col in frame.columns]
    flags = [f for f in (suppression.suppressed_flag(col) for col in present) if f in frame.columns]
    out = frame.with_columns(
        *[pl.when(where).then(None).otherwise(pl.col(col)).alias(col) for col in present],
        *[(pl.col(flag) | where).alias(flag) for flag in flags],
    )
    if suppression.SUPPRESSED in out.columns:
        out = out.with_columns((pl.col(suppression.SUPPRESSED) | where).alias(suppression.SUPPRESSED))
    return out


def _pairs(pairs: set[tuple[str, str]], first: str, second: str) -> pl.Expr:
    if not pairs:
        return pl.lit(False)
    return pl.concat_str(pl.col(first), pl.lit("\x1f"), pl.col(second)).is_in(
        sorted(f"{a}\x1f{b}" for a, b in pairs))


def _withhold_view(rows: pl.DataFrame, tables: pl.DataFrame | None,
                   forced: set[tuple[str, str]]) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    hide_rows, hide_tables = _table_hiding(rows, tables, forced)
    total_hidden = {p for p, col in hide_tables if col == c.TOTAL}
    rows = _hide(rows, _pairs(hide_rows, c.PERIOD, c.GROUP), [c.INVOLVED])
    rows = _hide(rows, pl.col(c.PERIOD).is_in(sorted(total_hidden)), [c.TOTAL])
    if tables is not None:
        for col in suppression.TABLE_COUNTS:
            periods = sorted(p for p, name in hide_tables if name == col)
            tables = _hide(tables, pl.col(c.PERIOD).is_in(periods), [col])
        if c.DECLARATION_RATE in tables.columns:
            tables = tables.with_columns(pl.when(pl.col(c.PEOPLE) > 0).then(pl.col(c.TOTAL) / pl.col(c.PEOPLE))
                                         .cast(pl.Float64).alias(c.DECLARATION_RATE))
    return rows, tables


def withhold_together(together: Representation, per_level: Representation,
                      settings: Settings | None = None) -> Representation:
    """``together`` (decision-making levels together, published) with each figure withheld where the same
    figure (group, or table column) of the same period is hidden at any decision-making level of
    ``per_level``, and more figures of that period's table hidden so that none is a difference of shown ones
    (see the module docstring); the joiners behind the trend test likewise. The derived figures are worked
    out again from what is left (``compare_with_baseline``)."""
    forced = _hidden_at_levels(per_level.rows, per_level.tables)
    rows, tables = _withhold_view(together.rows, together.tables, forced) if forced else (
        together.rows, together.tables)
    joiners = together.joiners
    if joiners is not None and per_level.joiners is not None:
        forced_joiners = _hidden_at_levels(per_level.joiners, None)
        if forced_joiners:
            joiners, _ = _withhold_view(joiners, None, forced_joiners)
    assert tables is not None
    rows = suppression.recompute_row_statistics(rows, settings or get_settings())
    return dataclasses.replace(together, rows=rows, tables=tables, joiners=joiners)


def _concat(frames: Sequence[pl.DataFrame | None]) -> pl.DataFrame | None:
    present = [f for f in frames if f is not None]
    return pl.concat(present, how="diagonal_relaxed") if present else None


def published_representation(
    frames: Frames,
    organisation_id: int,
    *,
    characteristic: str = "ethnicity_binary",
    period: str = "year",
    baseline: BaselineSpec | None = None,
    involvement: str = "all",
    settings: Settings | None = None,
    together: bool = True,
) -> Representation:
    """One organisation's representation as a restricted role receives it (suppressed and rounded), with the
    level ``DECISION_MAKING`` (people at any decision-making level, once each) added when ``together`` and
    the organisation has decision-making levels."""

    def builder(source: Frames) -> Callable[[Any], Representation]:
        def build(ch: Any) -> Representation:
            return representation_table(source, characteristic=ch, period=period, baseline=baseline,
                                        involvement=involvement, settings=settings)
        return build

    viewer = roles.scoped_viewer(f"{organisation_id}:{PUBLISHED_ROLE}")
    per_level: Representation = protection.build_protected(builder(frames), characteristic, viewer,
                                                           organisation_id, settings)
    has_levels = frames.levels.filter(pl.col("decision_making").fill_null(False)).height > 0
    if not together or not has_levels:
        return per_level
    merged = decision_making_frames(frames)
    joint: Representation = protection.build_protected(builder(merged), characteristic, viewer, organisation_id,
                                                       settings)
    joint = withhold_together(joint, per_level, settings)
    rows = _concat([per_level.rows, joint.rows])
    tables = _concat([per_level.tables, joint.tables])
    assert rows is not None and tables is not None
    return dataclasses.replace(per_level, rows=rows, tables=tables,
                               joiners=_concat([per_level.joiners, joint.joiners]))


def _latest(members: Sequence[Member]) -> str:
    periods = [p for m in members for p in m.representation.rows[c.PERIOD].unique().to_list()]
    return str(max(periods))


def organisation_figures(
    members: Sequence[Member], *, level: str = "board", group: str, period: str | None = None
) -> pl.DataFrame:
    """One row per organisation (``FIGURE_COLUMNS``): its published figures for ``group`` at ``level`` (a level
    key, or ``DECISION_MAKING``) in ``period`` (default: the latest period any organisation has). An
    organisation without that row (or without that level) gets nulls and status ``no_data``; ValueError when
    no organisation has the level."""
    if not members:
        raise ValueError(ERROR_NO_ORGANISATIONS)
    period = period or _latest(members)
    levels = {str(v) for m in members for v in m.representation.rows[c.LEVEL_KEY].unique().to_list()}
    if level not in levels:
        raise ValueError(ERROR_NO_LEVEL.format(level=level, found=", ".join(sorted(levels))))
    rows = []
    for m in members:
        rep = m.representation
        key = (pl.col(c.LEVEL_KEY) == level) & (pl.col(c.PERIOD) == period)
        row = rep.rows.filter(key & (pl.col(c.GROUP) == group))
        table = rep.tables.filter(key).select(c.LEVEL_KEY, c.PERIOD, c.PEOPLE, c.DECLARATION_RATE)
        if row.height:
            row = row.join(table, on=[c.LEVEL_KEY, c.PERIOD], how="left")
        else:
            row = pl.DataFrame({c.LEVEL_KEY: [level], c.PERIOD: [period], c.GROUP: [group],
                                c.STATUS: [c.STATUS_NO_DATA]})
        rows.append(row.with_columns(pl.lit(m.code).alias(ORGANISATION_CODE),
                                     pl.lit(m.name).alias(ORGANISATION_NAME)))
    frame = pl.concat(rows, how="diagonal_relaxed")
    missing = [pl.lit(None).alias(col) for col in FIGURE_COLUMNS if col not in frame.columns]
    return frame.with_columns(missing).select(FIGURE_COLUMNS)


# --- The funnel plot -------------------------------------------------------------------------------------------


def funnel_limits(total: Any, baseline_share: Any, coverage: float) -> tuple[np.ndarray, np.ndarray]:
    """The lower and upper funnel limits of the ratio (share / baseline share) for ``total`` people and a
    baseline share, at ``coverage`` (0.95 or 0.998): Spiegelhalter (2005)'s binomial limits, interpolated
    between whole counts, divided by ``total x baseline_share``. Null (NaN) where there is nobody or no
    baseline."""
    n = np.asarray(total, dtype=float)
    p = np.asarray(baseline_share, dtype=float)
    valid = np.isfinite(n) & np.isfinite(p) & (n > 0) & (p > 0) & (p < 1)
    n_safe, p_safe = np.where(valid, n, 1.0), np.where(valid, p, 0.5)
    limits = []
    for q in ((1 - coverage) / 2, (1 + coverage) / 2):
        r = scipy_stats.binom.ppf(q, n_safe, p_safe)
        at_r = scipy_stats.binom.cdf(r, n_safe, p_safe)
        below_r = scipy_stats.binom.cdf(r - 1, n_safe, p_safe)
        alpha = (at_r - q) / (at_r - below_r)
        proportion = np.clip((r - alpha) / n_safe, 0.0, 1.0)
        limits.append(np.where(valid, proportion / p_safe, np.nan))
    return limits[0], limits[1]


def _position() -> pl.Expr:
    ratio = pl.col(c.RATIO)
    return (
        pl.when(ratio.is_null() | pl.col(LOW_95).is_null()).then(pl.lit(POSITION_NONE))
        .when(ratio > pl.col(HIGH_998)).then(pl.lit(POSITION_ABOVE_998))
        .when(ratio > pl.col(HIGH_95)).then(pl.lit(POSITION_ABOVE_95))
        .when(ratio < pl.col(LOW_998)).then(pl.lit(POSITION_BELOW_998))
        .when(ratio < pl.col(LOW_95)).then(pl.lit(POSITION_BELOW_95))
        .otherwise(pl.lit(POSITION_WITHIN))
    )


def funnel_table(figures: pl.DataFrame) -> pl.DataFrame:
    """``figures`` with the ratio's interval (the share's Wilson interval over the baseline share), the 95% and
    99.8% funnel limits at each organisation's size and baseline, and where it sits (``funnel_position``)."""
    total = figures[c.TOTAL].cast(pl.Float64).fill_null(np.nan).to_numpy()
    baseline = figures[c.BASELINE_SHARE].cast(pl.Float64).fill_null(np.nan).to_numpy()
    low_95, high_95 = funnel_limits(total, baseline, COVERAGES[0])
    low_998, high_998 = funnel_limits(total, baseline, COVERAGES[1])

    def series(name: str, values: np.ndarray) -> pl.Series:
        return pl.Series(name, values, dtype=pl.Float64, nan_to_null=True)

    return figures.with_columns(
        (pl.col(c.CI_LOW) / pl.col(c.BASELINE_SHARE)).alias(RATIO_CI_LOW),
        (pl.col(c.CI_HIGH) / pl.col(c.BASELINE_SHARE)).alias(RATIO_CI_HIGH),
        series(LOW_95, low_95), series(HIGH_95, high_95), series(LOW_998, low_998), series(HIGH_998, high_998),
    ).with_columns(_position().alias(POSITION))


def outside_limits(funnel: pl.DataFrame) -> pl.DataFrame:
    """The organisations outside the 95% limits (and so possibly the 99.8% ones), furthest below first."""
    return funnel.filter(pl.col(POSITION).is_in(list(OUTSIDE))).sort(c.RATIO)


def funnel_sentence(funnel: pl.DataFrame) -> str:
    """One sentence naming the organisations outside the limits (or saying none is)."""
    outside = outside_limits(funnel)
    plotted = funnel.filter(pl.col(POSITION) != POSITION_NONE).height
    not_plotted = funnel.height - plotted
    tail = (f" {not_plotted} organisation{'s are' if not_plotted != 1 else ' is'} not plotted (hidden small "
            "numbers, nobody counted or no baseline)." if not_plotted else "")
    if plotted == 0:
        return ("No organisation can be plotted: every one has a hidden small number, nobody counted or no "
                "baseline for this group, level and period.")
    if outside.height == 0:
        return (f"All {plotted} organisations plotted are within the 95% limits: none differs from its own "
                f"catchment more than chance would explain.{tail}")
    parts = [f"{row[ORGANISATION_NAME]} ({row[POSITION]}, ratio {row[c.RATIO]:.2f})"
             for row in outside.iter_rows(named=True)]
    verb = "is" if outside.height == 1 else "are"
    return (f"Outside the limits {verb}: {'; '.join(parts)}. Each of these differs from its own catchment more "
            f"than chance would explain at its size.{tail}")


# --- Network totals ---------------------------------------------------------------------------------------------


def union_catchment(members: Sequence[Member]) -> tuple[str, ...]:
    """Every area any organisation serves, each once (sorted)."""
    return tuple(sorted({area for m in members for area in m.catchment}))


def union_baseline_share(members: Sequence[Member], characteristic: str, group: str,
                         settings: Settings | None = None) -> tuple[float | None, str]:
    """(the group's share of the population of the union of the catchments, description): the Census (or
    need-weighted) figures of every area any organisation serves, each area counted once. None with the reason
    when there is no such baseline (no catchments, or organisations compared with their own supplied
    baselines)."""
    areas = union_catchment(members)
    kinds = {m.representation.baseline.kind for m in members}
    if not areas:
        return None, NO_UNION_BASELINE.format(reason="no organisation has catchment areas recorded.")
    if kinds - {"census", "need_weighted"} or len(kinds) != 1:
        return None, NO_UNION_BASELINE.format(reason="the organisations are compared with different or supplied "
                                                     "baselines, which cannot be combined.")
    spec = dataclasses.replace(members[0].representation.baseline, areas=areas)
    shares, description = baseline_shares(make_frames(), (characteristic,), spec, settings or get_settings())
    row = shares.filter(pl.col(c.GROUP) == group)
    value = row[c.BASELINE_SHARE][0] if row.height else None
    return (None if value is None else float(value)), description


def network_total(figures: pl.DataFrame, members: Sequence[Member], settings: Settings | None = None) -> pl.DataFrame:
    """One row (``TOTAL_COLUMNS``): the network's group count and people with a known value, summed over the
    organisations whose published figure is shown (hidden ones left out of both, and counted in
    ``organisations_left_out``), against the union of the catchments; share, interval, p-value and status from
    ``compare_with_baseline`` on those sums. ``figures`` is :func:`organisation_figures` (one group, level and
    period)."""
    settings = settings or get_settings()
    shown = figures.filter(pl.col(c.INVOLVED).is_not_null() & pl.col(c.TOTAL).is_not_null())
    group = str(figures[c.GROUP][0])
    characteristic = next((m.representation.characteristic for m in members), "")
    share, description = union_baseline_share(members, characteristic, group, settings)
    counts = pl.DataFrame({
        c.LEVEL_KEY: [figures[c.LEVEL_KEY][0]], c.PERIOD: [figures[c.PERIOD][0]], c.GROUP: [group],
        ORGANISATIONS: [figures.height], ORGANISATIONS_LEFT_OUT: [figures.height - shown.height],
        c.INVOLVED: [int(shown[c.INVOLVED].sum() or 0)], c.TOTAL: [int(shown[c.TOTAL].sum() or 0)],
        c.PEOPLE: [int(figures[c.PEOPLE].drop_nulls().sum() or 0)], c.BASELINE_SHARE: [share],
        CATCHMENT: [", ".join(union_catchment(members))], c.BASELINE_NAME: [description],
    }, schema_overrides={c.BASELINE_SHARE: pl.Float64})
    derived = compare_with_baseline(counts, table_keys=[], alpha=settings.alpha,
                                    under_threshold=settings.under_threshold, confidence=settings.confidence)
    return derived.select(TOTAL_COLUMNS)


def network_totals(figures: pl.DataFrame, members: Sequence[Member] = (),
                   settings: Settings | None = None) -> dict[str, object]:
    """:func:`network_total` as a dictionary, with the note on people counted once per organisation. Without
    ``members`` there is no union baseline (share and people only)."""
    if members:
        row = network_total(figures, members, settings).row(0, named=True)
    else:
        shown = figures.filter(pl.col(c.INVOLVED).is_not_null() & pl.col(c.TOTAL).is_not_null())
        row = {ORGANISATIONS: figures.height, ORGANISATIONS_LEFT_OUT: figures.height - shown.height,
               c.INVOLVED: int(shown[c.INVOLVED].sum() or 0), c.TOTAL: int(shown[c.TOTAL].sum() or 0),
               c.PEOPLE: int(figures[c.PEOPLE].drop_nulls().sum() or 0)}
    return {**row, "organisations_hidden": row[ORGANISATIONS_LEFT_OUT], "note": NETWORK_COUNT_NOTE}
