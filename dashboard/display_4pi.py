"""How the 4PI results are shown: the scorecard's rows and the tables of a chair's activity summary, hidden
counts as "*" and columns under readable names (the representation tables are :mod:`dashboard.display`)."""

from __future__ import annotations

import polars as pl

from analytics import columns as k
from analytics.fourpi.disclosure import CLAIMS, SCORECARD_COUNTS
from analytics.fourpi.scorecard import RAG_HIDDEN
from analytics.key_numbers import count_text
from analytics.wording import RAG_WORDS
from dashboard.display import NOTHING, SUPPRESSED_MARK, for_display, with_marks

HIDDEN_WORDS = "* Too few people to show"
YES_NO = {True: "Yes", False: "No"}
HEAD_LABELS = {k.SERVICE_USERS: "Service users", k.CARERS: "Carers", k.RESERVES: "Reserves"}
NOT_RECORDED = "not recorded"


def scorecard_table(rows: pl.DataFrame) -> pl.DataFrame:
    """The scorecard rows as shown: hidden counts and the shares and statuses withheld with them as "*"."""
    hidden = pl.col(k.RAG) == RAG_HIDDEN
    percent = (pl.col(k.VALUE) * 100).round(0).cast(pl.Int64).cast(pl.String) + "%"
    shown = with_marks(rows, SCORECARD_COUNTS)
    return shown.select(
        pl.when(hidden).then(pl.lit(HIDDEN_WORDS)).otherwise(pl.col(k.RAG).replace(RAG_WORDS)).alias("Status"),
        pl.col(k.INDICATOR_LABEL).alias("Indicator"),
        pl.when(hidden).then(pl.lit(SUPPRESSED_MARK)).otherwise(percent.fill_null(NOTHING)).alias("Value"),
        pl.format("{} of {}", k.NUMERATOR, k.DENOMINATOR).alias("Count"),
        pl.col(k.TREND).alias("Trend"),
        pl.col(k.LEFT_OUT).alias("Not counted"),
        pl.format(
            "{}% / {}%",
            (pl.col(k.GREEN_FROM) * 100).round(0).cast(pl.Int64),
            (pl.col(k.AMBER_FROM) * 100).round(0).cast(pl.Int64),
        ).alias("Meets / close from"),
    )


def fix_first_lines(first: pl.DataFrame) -> list[str]:
    """One line per indicator to fix first: its status mark, name and standard, value, counts, threshold and
    trend."""
    return [
        f"{RAG_WORDS[row[k.RAG]][0]} **{row[k.INDICATOR_LABEL]}** ({row[k.STANDARD]}): "
        f"{round(row[k.VALUE] * 100)}% "
        f"({count_text(row[k.NUMERATOR])} of {count_text(row[k.DENOMINATOR])}; meets the "
        f"standard from {round(row[k.GREEN_FROM] * 100)}%). {row[k.TREND]}."
        for row in first.iter_rows(named=True)
    ]


def _heads(frame: pl.DataFrame) -> list[pl.Expr]:
    """The head counts at a meeting a table still has (only exact roles get them)."""
    return [pl.col(name).alias(label) for name, label in HEAD_LABELS.items() if name in frame.columns]


def meetings_table(meetings: pl.DataFrame) -> pl.DataFrame:
    """An activity's meetings, newest first: date, start time, papers, head counts (exact roles), and whether
    each met the 4PI minimum and ideal and had a reserve."""
    shown = for_display(meetings)
    return shown.select(
        pl.col(k.DATE).alias("Date"),
        pl.col(k.START_TIME).cast(pl.String).str.slice(0, 5).fill_null(NOT_RECORDED).alias("Start time"),
        pl.col(k.PAPERS_DAYS).cast(pl.String).fill_null(NOT_RECORDED).alias("Papers sent (days before)"),
        *_heads(shown),
        pl.col(k.MEETS_MINIMUM).replace_strict(YES_NO).alias("Minimum met"),
        pl.col(k.MEETS_IDEAL).replace_strict(YES_NO).alias("Ideal met"),
        pl.col(k.HAS_RESERVE).replace_strict(YES_NO).alias("Reserve listed"),
    ).reverse()


def breaches_table(breaches: pl.DataFrame) -> pl.DataFrame:
    """The meetings that broke a presence rule: date, what happened, head counts (exact roles)."""
    shown = for_display(breaches)
    return shown.select(pl.col(k.DATE).alias("Date"), pl.col(k.BREACH).alias("What happened"), *_heads(shown))


def claims_by_status_table(claims: pl.DataFrame) -> pl.DataFrame:
    """An activity's claims counted by status (for roles without record-level lists), hidden counts "*"."""
    return for_display(claims).select(
        pl.col(CLAIMS).alias("Claims"),
        pl.col(k.PAYMENT_ON_TIME).alias("Paid on time"),
        pl.col(k.PAYMENT_LATE).alias("Paid late"),
        pl.col(k.PAYMENT_OVERDUE).alias("Unpaid, overdue"),
        pl.col(k.PAYMENT_PENDING).alias("Waiting, not yet due"),
    )


def no_claims(claims: pl.DataFrame) -> bool:
    """True when the claims counted by status say there are none."""
    return bool(for_display(claims).get_column(CLAIMS)[0] == "0")


def payments_table(payments: pl.DataFrame) -> pl.DataFrame:
    """Each claim (record-level roles only): claimed, kind, paid, days so far, status."""
    return payments.select(
        pl.col(k.CLAIM_DATE).alias("Claimed"),
        pl.col(k.PAYMENT_KIND).alias("Kind"),
        pl.col(k.PAID_DATE).alias("Paid"),
        pl.col(k.DAYS_TO_PAY).alias("Days (so far)"),
        pl.col(k.PAYMENT_STATUS).str.replace("_", " ").alias("Status"),
    )


def impact_table(impact: pl.DataFrame) -> pl.DataFrame:
    """The impact log: date, area, what changed, evidence."""
    return impact.select(
        pl.col(k.RECORDED_ON).alias("Date"),
        pl.col(k.IMPACT_AREA_LABEL).alias("Area"),
        pl.col(k.WHAT_CHANGED).alias("What changed"),
        pl.col(k.EVIDENCE).alias("Evidence"),
    )


def feedback_table(feedback: pl.DataFrame) -> pl.DataFrame:
    """End-of-involvement questionnaires by question: the answers, and the share who agreed (whole %)."""
    shown = for_display(feedback.with_columns((pl.col(k.SHARE_AGREE) * 100).round(0).alias(k.SHARE_AGREE)))
    return shown.select(
        pl.col(k.QUESTION_LABEL).alias("Question"),
        pl.col(k.ANSWERS).alias("Questionnaires"),
        pl.col(k.AGREE).alias("Agree"),
        pl.col(k.NEUTRAL).alias("Neither"),
        pl.col(k.DISAGREE).alias("Disagree"),
        pl.col(k.NOT_STATED).alias("Not stated"),
        pl.col(k.NOT_KNOWN).alias("Not known"),
        pl.col(k.SHARE_AGREE).alias("Agree % (of those who answered)"),
    )
