"""How figures are shown on the pages and in their downloads: one declarative table of columns.

:data:`COLUMNS` says, for every column of representation-style rows (a representation and its level tables,
the outreach list, trends, the pipeline, relative likelihood, the network's figures, data quality), its
label, how it is shown and one sentence of help:

* ``count``: people; "*" where disclosure control hid the count (the published number otherwise);
* ``percent``: a 0-1 share times 100, rounded to ``digits``;
* ``figure``: a number rounded to ``digits``;
* ``p_value``: as it is, or three significant figures once protected;
* ``text``: as it is.

A figure ``derived`` from counts is withheld with them: in a protected frame it is text, "*" where its row
has a hidden count and "–" where there is nothing to show. A public figure (the baseline share) never is.
:func:`table` builds a page's table from the column keys it shows (:func:`pick` when the page names a column
in its own words or rounds it differently); :func:`help_config` gives ``st.dataframe`` each column's help.
Pages never scale, round or rename a figure themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl
import streamlit as st

from analytics import columns as c
from analytics import network, spreadsheet, stats, suppression
from analytics import outreach as outreach_columns
from analytics import trends as t
from analytics.key_numbers import HIDDEN_HELP, count_text  # noqa: F401 - shown by the pages
from analytics.loader import PlanFrames
from analytics.roles import Viewer
from analytics.wording import (  # noqa: F401 - the labels the pages show
    CHARACTERISTIC_LABELS,
    INVOLVEMENT_FILTERS,
    STATUS_MARKS,
    STATUS_WORDS,
)
from models.settings import get_settings

Kind = Literal["text", "count", "percent", "figure", "p_value"]

PERIOD_KINDS = {"quarter": "Quarter", "year": "Year"}
BASELINE_KINDS = {
    "census": "Census 2021: the area the organisation serves",
    "user": "A baseline you supplied",
    "need_weighted": "Need-weighted: Census x Mental Health Act detention rates",
}
SUPPRESSED_MARK = suppression.SUPPRESSED_MARK
NOTHING = "–"
SUPPRESSED_NOTE = (
    "Suppressed for publication: counts rounded to the nearest {base}; * = 1 to {last} people, hidden. "
)
EXACT_NOTE = "NOT FOR PUBLICATION. "

# Columns a display function adds before picking (text already worded).
STATUS_TEXT = "status_words"  # a mark and the status: '▼ Under-represented'
STATUS_PLAIN = "status_plain"  # the status without its mark
EVIDENCE = "evidence"
PART_OF_WHOLE = "part_of_whole"  # '3 of 14', '* of 15'
LIKELIHOOD = "likelihood"
RELATIVE_LIKELIHOOD = "relative_likelihood"
LIKELIHOOD_WORDS = "likelihood_words"
DECISION_MAKING_N = "decision_making_n"
OTHER_ONLY_N = "other_only_n"


@dataclass(frozen=True)
class Column:
    """How one column is shown: its label, kind (see the module text), decimals, whether it is withheld with
    a hidden count, and one sentence of help."""

    label: str
    kind: Kind = "text"
    digits: int | None = None
    derived: bool = False
    help: str = ""


@dataclass(frozen=True)
class Pick:
    """A column as one table shows it: its key in :data:`COLUMNS`, with this table's own label, decimals or
    kind where they differ. ``withheld=False`` keeps a derived figure a number (empty where withheld) in a
    protected frame, for a column people sort by (the people missing on the outreach list)."""

    key: str
    label: str | None = None
    digits: int | None = None
    kind: Kind | None = None
    withheld: bool = True


SHARE_HELP = "People in the group as a percentage of the people with a known answer."
INTERVAL_HELP = "The range the true share is likely to lie in (95% Wilson interval): the {end} end."
COLUMNS: dict[str, Column] = {
    c.PERIOD: Column("Period", help="The quarter or year."),
    c.LEVEL_NAME: Column("Level", help="Where people are involved, from individual care up to the board."),
    c.GROUP_LABEL: Column("Group"),
    outreach_columns.PRIORITY: Column("Priority", help="1 is the gap with the most people missing."),
    outreach_columns.ACTIVITY_NAME: Column("Activity", help="A committee, project or group within the level."),
    outreach_columns.UNIT: Column("Scope", help="A whole level, or one activity within it."),
    c.INVOLVED: Column(
        "People in group", "count", help="Different people from the group involved here. " + HIDDEN_HELP
    ),
    c.TOTAL: Column(
        "People with a known answer", "count",
        help="The denominator: people here whose answer is recorded (not 'not stated' or 'not known').",
    ),
    c.PEOPLE: Column("People", "count", help="Everyone counted here, whether their answer is known or not."),
    c.NOT_STATED: Column("Not stated", "count", help="Asked, but chose not to say."),
    c.NOT_KNOWN: Column("Not known", "count", help="Never asked, or not written down."),
    c.SHARE: Column("Share %", "percent", 1, derived=True, help=SHARE_HELP),
    c.BASELINE_SHARE: Column(
        "Baseline %", "percent", 1, help="The group's share of the population compared with (the baseline)."
    ),
    c.RATIO: Column(
        "Ratio", "figure", 2, derived=True,
        help="Share divided by the baseline share: 1 is a matching share, below 1 fewer, above 1 more.",
    ),
    c.CI_LOW: Column("Interval low %", "percent", 1, derived=True, help=INTERVAL_HELP.format(end="lower")),
    c.CI_HIGH: Column("Interval high %", "percent", 1, derived=True, help=INTERVAL_HELP.format(end="upper")),
    c.EXPECTED: Column(
        "Expected people", "figure", 1, derived=True, help="The people from the group a matching share would give."
    ),
    c.SHORTFALL: Column(
        "Shortfall (people)", "figure", 0, derived=True,
        help="How many more people from the group a matching share would need (whole people).",
    ),
    c.P_VALUE: Column(
        "p-value", "p_value", derived=True,
        help="Exact binomial test: how surprising a share this far from the baseline would be by chance.",
    ),
    c.P_ADJUSTED: Column(
        "Adjusted p-value", "p_value", derived=True,
        help="The p-value adjusted with Holm's method, for testing many groups at once.",
    ),
    c.DECLARATION_RATE: Column(
        "Declared %", "percent", 0, derived=True,
        help="The share of people whose answer is recorded; a low rate makes every other figure less certain.",
    ),
    STATUS_TEXT: Column("Status", help="What the share says against the baseline, allowing for chance."),
    STATUS_PLAIN: Column("Status", help="What the share says against the baseline, allowing for chance."),
    EVIDENCE: Column("Evidence", help="How sure the statistics are that the group is missing."),
    PART_OF_WHOLE: Column("People in group", help="People from the group, of the people with a known answer."),
    t.CHANGE_SINCE_YEAR_AGO_PP: Column(
        "Change since a year before (points)", "figure", 1,
        help="The share now less the share in the same period a year before, in percentage points.",
    ),
    DECISION_MAKING_N: Column("At decision-making levels", "count"),
    OTHER_ONLY_N: Column("Only at other levels", "count"),
    LIKELIHOOD: Column(
        "Chance of reaching decision-making %", "percent", 1, derived=True,
        help="Of the group's people involved anywhere, the share involved at a decision-making level.",
    ),
    RELATIVE_LIKELIHOOD: Column(
        "Relative likelihood", "figure", 2, derived=True,
        help="How much less likely than the reference group to be at a decision-making level (1: equally).",
    ),
    LIKELIHOOD_WORDS: Column("In words"),
    network.ORGANISATION_NAME: Column("Organisation"),
    network.LOW_95: Column("95% limits from", "figure", 2, help="The funnel's 95% limits at this size."),
    network.HIGH_95: Column("95% limits to", "figure", 2, help="The funnel's 95% limits at this size."),
    network.LOW_998: Column("99.8% limits from", "figure", 2, help="The funnel's 99.8% limits at this size."),
    network.HIGH_998: Column("99.8% limits to", "figure", 2, help="The funnel's 99.8% limits at this size."),
    network.RATIO_CI_LOW: Column("Ratio from", "figure", 2, help="The ratio's 95% interval: the lower end."),
    network.RATIO_CI_HIGH: Column("Ratio to", "figure", 2, help="The ratio's 95% interval: the upper end."),
    network.POSITION: Column("Where it sits", help="Within, below or above chance for its size."),
}

_HELP: dict[str, str] = {}  # label -> help, for every label a table here shows


def pick(key: str, label: str | None = None, *, digits: int | None = None, kind: Kind | None = None,
         withheld: bool = True) -> Pick:
    """A column of :data:`COLUMNS` as one table shows it (its own label, decimals or kind)."""
    column = COLUMNS[key]
    if column.help:
        _HELP.setdefault(label or column.label, column.help)
    return Pick(key, label, digits, kind, withheld)


for _key, _column in COLUMNS.items():
    if _column.help:
        _HELP.setdefault(_column.label, _column.help)


def _resolve(chosen: str | Pick) -> tuple[str, Column]:
    p = chosen if isinstance(chosen, Pick) else Pick(chosen)
    base = COLUMNS[p.key]
    return p.key, Column(
        label=p.label or base.label,
        kind=p.kind or base.kind,
        digits=base.digits if p.digits is None else p.digits,
        derived=base.derived and p.withheld,
        help=base.help,
    )


def _withheld(name: str, column: Column) -> pl.Expr:
    """A derived figure of a protected frame as text: "*" where its row has a hidden count."""
    if column.kind == "p_value":
        hidden = pl.col(suppression.SUPPRESSED).fill_null(False)
        return (
            pl.when(pl.col(name).is_not_null()).then(pl.col(name).round_sig_figs(3).cast(pl.String))
            .when(hidden).then(pl.lit(SUPPRESSED_MARK)).otherwise(pl.lit(NOTHING)).alias(name)
        )
    return rate_text(name, column.digits or 0, percent=column.kind == "percent")


def _shown(schema: pl.Schema, name: str, column: Column) -> pl.Expr:
    """The column as shown: text as it is, a share times 100, numbers rounded."""
    dtype = schema[name]
    if dtype == pl.String or column.digits is None:
        value = pl.col(name) * 100 if column.kind == "percent" and dtype != pl.String else pl.col(name)
    elif column.kind == "percent":
        value = (pl.col(name) * 100).round(column.digits)
    elif column.kind == "figure" and dtype.is_float():
        value = pl.col(name).round(column.digits)
    else:
        value = pl.col(name)
    return value.alias(column.label)


def table(frame: pl.DataFrame, columns: Sequence[str | Pick], *, marks: bool = True) -> pl.DataFrame:
    """The chosen columns of ``frame``, shown as :data:`COLUMNS` says, under their labels. With ``marks``
    (the default), counts that disclosure control hid are "*" and, in a protected frame, the figures derived
    from them are withheld with them; ``marks=False`` shows the numbers as they are (published figures that
    carry no flags of their own)."""
    chosen = [_resolve(item) for item in columns]
    if marks:
        frame = with_marks(frame, [name for name, column in chosen if column.kind == "count"])
        if suppression.SUPPRESSED in frame.columns:
            frame = frame.with_columns(
                _withheld(name, column) for name, column in chosen
                if column.derived and name in frame.columns and frame.schema[name] != pl.String
            )
    return frame.select(_shown(frame.schema, name, column) for name, column in chosen)


def help_config(frame: pl.DataFrame) -> dict[str, Any]:
    """``st.dataframe``'s ``column_config``: each shown column's one sentence of help."""
    return {name: st.column_config.Column(help=_HELP[name]) for name in frame.columns if name in _HELP}


# --- Marks: hidden counts and withheld figures -----------------------------------------------------------


def with_marks(frame: pl.DataFrame, counts: Sequence[str] | None = None) -> pl.DataFrame:
    """Counts that disclosure control hid shown as "*" (count columns become text: "*" or the published
    number), via ``suppression.display_counts``; ``counts`` defaults to every flagged column. A frame without
    flags (nothing was protected) comes back unchanged. Apply it before renaming columns."""
    flagged = [col for col in (counts if counts is not None else frame.columns)
               if col in frame.columns and suppression.suppressed_flag(col) in frame.columns]
    return suppression.display_counts(frame, flagged) if flagged else frame


def rate_text(rate: str, digits: int = 0, *, percent: bool = True) -> pl.Expr:
    """A rate (or any derived figure) as text: the number, or "*" where disclosure control withheld it
    (the row has a hidden count), or "–" where there is nothing to show."""
    value = (pl.col(rate) * 100 if percent else pl.col(rate)).round(digits)
    shown = (value.cast(pl.Int64) if digits == 0 else value).cast(pl.String)
    return (pl.when(pl.col(rate).is_not_null()).then(shown)
            .when(pl.col(suppression.SUPPRESSED).fill_null(False)).then(pl.lit(SUPPRESSED_MARK))
            .otherwise(pl.lit(NOTHING)).alias(rate))


def with_rate_marks(frame: pl.DataFrame, rates: Mapping[str, int], *, percent: bool = True) -> pl.DataFrame:
    """``frame`` with each rate column (name -> decimals) as text, "*" where withheld (see :func:`rate_text`);
    unchanged when the frame was not protected (no ``suppressed`` column)."""
    if suppression.SUPPRESSED not in frame.columns:
        return frame
    return frame.with_columns(rate_text(name, digits, percent=percent) for name, digits in rates.items()
                              if name in frame.columns)


def for_display(frame: pl.DataFrame) -> pl.DataFrame:
    """A protected frame for ``st.dataframe``: hidden counts as "*", the disclosure flags dropped."""
    shown = with_marks(frame)
    floats = {name: 2 for name, dtype in shown.schema.items() if dtype.is_float()}
    shown = with_rate_marks(shown, floats, percent=False)  # withheld figures as "*"
    return shown.drop([n for n in suppression.FLAG_COLUMNS if n in shown.columns])


def part_of_whole(frame: pl.DataFrame, part: str = c.INVOLVED, whole: str = c.TOTAL) -> pl.Expr:
    """'3 of 14' (or '* of 15' where a count is hidden) as an expression on ``frame`` (marked or not)."""
    def text(name: str) -> pl.Expr:
        column = pl.col(name).cast(pl.String)
        if suppression.suppressed_flag(name) in frame.columns:
            hidden = pl.col(suppression.suppressed_flag(name))
            return pl.when(hidden).then(pl.lit(SUPPRESSED_MARK)).otherwise(column)
        return column.fill_null(SUPPRESSED_MARK)
    return text(part) + pl.lit(" of ") + text(whole)


def with_status_words(rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` with a ``status_words`` column: a mark and the plain status, e.g. '▼ Under-represented'."""
    return rows.with_columns(stats.status_words().alias(STATUS_TEXT))


def evidence_words() -> pl.Expr:
    """Plain words for how sure the statistics are that a group is missing (from status and adjusted p)."""
    p = pl.col(c.P_ADJUSTED)
    return (
        pl.when(pl.col(c.STATUS) == c.STATUS_ABSENT)
        .then(pl.lit("No one from this group, though some expected"))
        .when(p < 0.001).then(pl.lit("Very strong evidence (adjusted p < 0.001)"))
        .when(p < 0.01).then(pl.lit("Strong evidence (adjusted p < 0.01)"))
        .when(p.is_not_null())
        .then(pl.lit("Evidence (adjusted p = ") + p.round(3).cast(pl.String) + pl.lit(")"))
        .otherwise(pl.lit("Not tested"))
        .alias(EVIDENCE)
    )


def disclosure_note(viewer: Viewer, organisation_id: int) -> str:
    """The sentence under every page about what was done to its figures: for roles that see exact figures,
    the "not for publication" mark; for the others, "suppressed for publication" and the rule."""
    if viewer.exact(organisation_id):
        return EXACT_NOTE + suppression.NOT_FOR_PUBLICATION_TEXT
    settings = get_settings()
    return (SUPPRESSED_NOTE.format(base=settings.rounding_base, last=settings.suppress_below - 1)
            + suppression.describe(settings))


def to_csv(frame: pl.DataFrame, context: spreadsheet.Context = ()) -> bytes:
    """UTF-8 CSV; the context (what the file shows) as "# " lines at the top (``analytics.spreadsheet``)."""
    return spreadsheet.csv_bytes(frame, context)


def to_excel(frame: pl.DataFrame, sheet: str = "Presence", context: spreadsheet.Context = ()) -> bytes:
    """An .xlsx workbook: "About this file" first, then the table with numbers kept as numbers."""
    return spreadsheet.excel_bytes(frame, sheet, context)


# --- The tables of the pages ---------------------------------------------------------------------------------

REPRESENTATION_COLUMNS = (
    c.PERIOD, c.LEVEL_NAME, c.GROUP_LABEL, c.INVOLVED, c.TOTAL,
    pick(c.NOT_STATED, "Not stated (level)"), pick(c.NOT_KNOWN, "Not known (level)"),
    c.SHARE, c.BASELINE_SHARE, c.RATIO, c.CI_LOW, c.CI_HIGH, c.EXPECTED, c.SHORTFALL, c.P_VALUE, c.P_ADJUSTED,
    STATUS_TEXT,
)


def display_table(rows: pl.DataFrame, tables: pl.DataFrame | None = None) -> pl.DataFrame:
    """The full representation table with readable column names (and, given the tables, the people whose
    answer is not stated or not known at each level), for showing and downloading. Hidden counts and the
    figures withheld with them are "*"."""
    if tables is not None:
        tables = with_marks(tables, (c.NOT_STATED, c.NOT_KNOWN))
        rows = rows.join(tables.select(c.LEVEL_KEY, c.PERIOD, c.NOT_STATED, c.NOT_KNOWN),
                         on=[c.LEVEL_KEY, c.PERIOD], how="left")
    else:
        rows = rows.with_columns(pl.lit(None, dtype=pl.String).alias(c.NOT_STATED),
                                 pl.lit(None, dtype=pl.String).alias(c.NOT_KNOWN))
    return table(with_status_words(rows), REPRESENTATION_COLUMNS).sort(
        ["Period", "Level", "Group"], descending=[True, False, False])


SMALL_LEVEL_COLUMNS = (
    c.GROUP_LABEL, pick(c.INVOLVED, "People"), pick(c.EXPECTED, "Expected with a matching share"),
    pick(c.SHORTFALL, "People missing (whole people)", withheld=False),
)


def small_level_table(rows: pl.DataFrame) -> pl.DataFrame:
    """A level too small for statistics: the counts, and how many more people a matching share would need."""
    return table(rows, SMALL_LEVEL_COLUMNS)


OUTREACH_COLUMNS = (
    outreach_columns.PRIORITY, pick(outreach_columns.UNIT, "Scope"), c.LEVEL_NAME, outreach_columns.ACTIVITY_NAME,
    c.GROUP_LABEL, pick(c.INVOLVED, "People in group now"), c.TOTAL, c.SHARE, c.BASELINE_SHARE,
    pick(c.SHORTFALL, "People missing", withheld=False), EVIDENCE, c.PERIOD,
)


def outreach_table(frame: pl.DataFrame) -> pl.DataFrame:
    """The outreach list with readable columns: where, who, how many are missing, and how sure we are
    (hidden counts and the figures withheld with them as "*")."""
    o = outreach_columns
    worded = frame.with_columns(
        evidence_words(),
        pl.when(pl.col(o.UNIT) == "activity").then(pl.lit("Activity")).otherwise(pl.lit("Whole level"))
        .alias(o.UNIT),
        pl.col(o.ACTIVITY_NAME).fill_null("(all activities)"),
    )
    return table(worded, OUTREACH_COLUMNS)


def outreach_working_list(frame: pl.DataFrame, plan_frames: PlanFrames, progress: pl.DataFrame | None,
                          characteristic: str) -> pl.DataFrame:
    """The working list (:func:`outreach_table`) with plan columns: the plan on each gap (same group, level and
    committee, and the characteristic shown), its status, target, date and owner."""
    from analytics.outreach_plans import plans_on_gaps

    plans = plans_on_gaps(frame, plan_frames, progress, characteristic).rename({
        "ref": "Plan", "status_words": "Plan status", "target_people": "Plan target (people)",
        "target_date": "Plan by", "owner": "Plan owner", outreach_columns.PRIORITY: "Priority",
    })
    return outreach_table(frame).join(plans, on="Priority", how="left")


GAP_COLUMNS = (
    c.LEVEL_NAME, pick(outreach_columns.ACTIVITY_NAME, "Where"), c.GROUP_LABEL, PART_OF_WHOLE,
    pick(c.SHARE, digits=0), pick(c.BASELINE_SHARE, digits=0), pick(c.SHORTFALL, "People missing", withheld=False),
    STATUS_TEXT,
)


def gaps_table(gaps: pl.DataFrame) -> pl.DataFrame:
    """The Overview's gaps at the decision-making levels and in their committees, whole percentages."""
    worded = with_status_words(gaps).with_columns(
        pl.col(c.LEVEL_NAME).str.split(" (").list.first(),
        pl.col(outreach_columns.ACTIVITY_NAME).fill_null("The level as a whole"),
        part_of_whole(gaps).alias(PART_OF_WHOLE),
    )
    return table(worded, GAP_COLUMNS)


PIPELINE_COLUMNS = (c.LEVEL_NAME, c.GROUP_LABEL, pick(c.INVOLVED, "People"), pick(c.TOTAL, "Known answers"), c.SHARE)


def pipeline_table(pipe: pl.DataFrame) -> pl.DataFrame:
    """Each group's share at each level, individual care to board."""
    return table(pipe, PIPELINE_COLUMNS)


LIKELIHOOD_COLUMNS = (
    c.GROUP_LABEL, DECISION_MAKING_N, OTHER_ONLY_N, LIKELIHOOD, RELATIVE_LIKELIHOOD,
    pick(c.CI_LOW, "Interval low", kind="figure", digits=2), pick(c.CI_HIGH, "Interval high", kind="figure", digits=2),
    LIKELIHOOD_WORDS,
)


def likelihood_table(likelihood: pl.DataFrame) -> pl.DataFrame:
    """Relative likelihood of reaching a decision-making level, group by group (its interval: ratios)."""
    return table(likelihood, LIKELIHOOD_COLUMNS)


def declaration_table(tables: pl.DataFrame, recorded: str) -> pl.DataFrame:
    """People at each level, how many have the characteristic recorded (``recorded`` names that column),
    and how many did not state it or were never asked."""
    return table(tables, (c.LEVEL_NAME, pick(c.PEOPLE, "People"), pick(c.TOTAL, recorded), c.NOT_STATED, c.NOT_KNOWN))


TREND_COLUMNS = (
    c.PERIOD, c.GROUP_LABEL, pick(c.INVOLVED, "People"), pick(c.TOTAL, "Known answers"), c.SHARE,
    c.BASELINE_SHARE, t.CHANGE_SINCE_YEAR_AGO_PP, STATUS_PLAIN,
)


def trend_table(series: pl.DataFrame) -> pl.DataFrame:
    """A level's trend series: each group's share period by period, the change and the status in words."""
    worded = series.with_columns(
        pl.col(c.STATUS).replace_strict(STATUS_WORDS, default=pl.col(c.STATUS)).alias(STATUS_PLAIN)
    )
    return table(worded, TREND_COLUMNS)


QUALITY_COLUMNS = (
    c.PERIOD, c.LEVEL_NAME, pick(c.PEOPLE, "People"), pick(c.TOTAL, "Declared"), c.NOT_STATED, c.NOT_KNOWN,
    pick(c.DECLARATION_RATE, digits=1),
)


def quality_table(quality: pl.DataFrame) -> pl.DataFrame:
    """One characteristic's declaration at each level, period by period."""
    return table(quality, QUALITY_COLUMNS)


def declared_grid(quality: pl.DataFrame, period: str, labels: Mapping[str, str]) -> pl.DataFrame:
    """Declared % by level (rows, board first) and characteristic (columns, named by ``labels``), "*" where
    withheld with a hidden count."""
    return (
        quality.filter(pl.col(c.PERIOD) == period)
        .with_columns(
            pl.col(c.CHARACTERISTIC).replace_strict(labels, default=pl.col(c.CHARACTERISTIC)),
            rate_text(c.DECLARATION_RATE).alias("rate"),
        )
        .sort(c.LEVEL_RANK, descending=True)
        .pivot(on=c.CHARACTERISTIC, index=c.LEVEL_NAME, values="rate", maintain_order=True)
        .rename({c.LEVEL_NAME: "Level (declared %)"})
    )


FUNNEL_COLUMNS = (
    network.ORGANISATION_NAME, c.TOTAL, pick(c.INVOLVED, "In the group"), pick(c.RATIO, "Ratio to own catchment"),
    network.LOW_95, network.HIGH_95, network.LOW_998, network.HIGH_998, network.POSITION,
)
BENCHMARK_COLUMNS = (
    network.ORGANISATION_NAME, pick(c.PEOPLE, "People at this level"), c.DECLARATION_RATE,
    pick(c.INVOLVED, "In the group"), c.SHARE, pick(c.CI_LOW, "Share from %"), pick(c.CI_HIGH, "Share to %"),
    pick(c.BASELINE_SHARE, "Catchment %"), c.RATIO, network.RATIO_CI_LOW, network.RATIO_CI_HIGH, STATUS_TEXT,
    pick(network.POSITION, "Funnel"),
)


def funnel_table(funnel: pl.DataFrame) -> pl.DataFrame:
    """The numbers behind the funnel plot (published figures, as they are)."""
    return table(funnel, FUNNEL_COLUMNS, marks=False)


def benchmark_table(funnel: pl.DataFrame) -> pl.DataFrame:
    """Every organisation's published figures for one level, group and period, lowest ratio first; a hidden
    count is "*"."""
    worded = with_status_words(funnel.with_columns(
        pl.col(c.STATUS).fill_null(c.STATUS_NO_DATA),
        pl.col(c.INVOLVED).cast(pl.String).fill_null(SUPPRESSED_MARK),
    ))
    return table(worded, BENCHMARK_COLUMNS, marks=False).sort("Ratio", nulls_last=True)


BURN_UP_LABELS = {"joined": "Joined", "left": "Left", "net": "Net added"}


def burn_up_table(series: pl.DataFrame) -> pl.DataFrame:
    """A plan's burn-up series day by day, a hidden small number as "*"."""
    return series.select(pl.col("day").alias("Date"), *(
        pl.col(name).cast(pl.String).fill_null(SUPPRESSED_MARK).alias(label) for name, label in BURN_UP_LABELS.items()
    ))
