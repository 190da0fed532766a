"""Data quality: how much of the equality monitoring is declared, and which records miss key fields.

``data_quality`` gives, per level x characteristic x period, everyone counted, how many declared a value, how
many are "not stated" (asked, declined) and "not known" (not asked or not recorded), and the declaration rate.
``missing_fields`` lists records that lack what the 4PI standards expect to be written down.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import polars as pl

from analytics import columns as C
from analytics.counting import (
    LEVEL_ID,
    PERIOD_INDEX,
    PERSON_ID,
    count_runs,
    groups_from_raw,
    periods,
    presence_runs,
    source_column,
    table_counts,
)
from analytics.loader import Frames
from analytics.representation import _levels, _resolve_settings
from data import characteristics as registry

if TYPE_CHECKING:
    from models.settings import Settings

QUALITY_COLUMNS = (
    C.LEVEL_RANK,
    C.LEVEL_KEY,
    C.LEVEL_NAME,
    C.DECISION_MAKING,
    C.PERIOD,
    C.PERIOD_START,
    C.CHARACTERISTIC,
    C.PEOPLE,
    C.TOTAL,
    C.NOT_STATED,
    C.NOT_KNOWN,
    C.UNKNOWN,
    C.DECLARATION_RATE,
)
MISSING_COLUMNS = ("table", "ref", "field", "problem")

# Person characteristics as recorded (the ethnicity detail levels share one declaration, so only "ethnicity").
QUALITY_CHARACTERISTICS: tuple[str, ...] = tuple(registry.FIELDS)


def data_quality(
    frames: Frames,
    period: str = "quarter",
    *,
    involvement: str = "all",
    characteristics: Sequence[str] = QUALITY_CHARACTERISTICS,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """Declaration rates and not stated / not known counts per level x characteristic x period."""
    settings = _resolve_settings(settings)
    columns = list(dict.fromkeys(source_column(c) for c in characteristics))
    people = frames.people.lazy().select(pl.col("id").alias(PERSON_ID), *columns)
    runs, grid = pl.collect_all(
        [
            presence_runs(frames, period=period, involvement=involvement),
            _levels(frames).join(periods(frames, period), how="cross"),
        ]
    )
    plans = []
    for characteristic in characteristics:
        raw = count_runs(runs.lazy(), people, [source_column(characteristic)])
        counted = groups_from_raw(raw, (characteristic,), chinese_as_asian=settings.chinese_as_asian)
        plans.append(
            grid.lazy()
            .join(table_counts(counted), on=[LEVEL_ID, PERIOD_INDEX], how="left")
            .with_columns(
                pl.col(c).fill_null(0) for c in (C.PEOPLE, C.TOTAL, C.NOT_STATED, C.NOT_KNOWN, C.UNKNOWN)
            )
            .with_columns(
                pl.lit(characteristic).alias(C.CHARACTERISTIC),
                pl.when(pl.col(C.PEOPLE) > 0)
                .then(pl.col(C.TOTAL) / pl.col(C.PEOPLE))
                .otherwise(None)
                .alias(C.DECLARATION_RATE),
            )
        )
    if not plans:
        return pl.DataFrame(schema={c: pl.String for c in QUALITY_COLUMNS})
    return (
        pl.concat(pl.collect_all(plans))
        .sort(C.CHARACTERISTIC, C.PERIOD_START, C.LEVEL_RANK)
        .select(QUALITY_COLUMNS)
    )


def _missing(frame: pl.DataFrame, table: str, field: str, problem: str, condition: pl.Expr) -> pl.LazyFrame:
    return (
        frame.lazy()
        .filter(condition)
        .select(
            pl.lit(table).alias("table"),
            pl.col("ref").cast(pl.String),
            pl.lit(field).alias("field"),
            pl.lit(problem).alias("problem"),
        )
    )


def _blank(column: str) -> pl.Expr:
    return pl.col(column).is_null() | (pl.col(column).cast(pl.String).str.strip_chars() == "")


def missing_fields(frames: Frames) -> pl.DataFrame:
    """One row per record x missing key field: table, ref, field, problem (plain words)."""
    a, m, i, p = frames.activities, frames.meetings, frames.involvements, frames.people
    checks = [
        _missing(
            a, "activities", "purpose", "The activity's purpose is not written down.", _blank("purpose")
        ),
        _missing(
            a,
            "activities",
            "intended_outcomes",
            "The intended outcomes are not written down.",
            _blank("intended_outcomes"),
        ),
        _missing(
            a,
            "activities",
            "purpose_recorded_on",
            "The date the purpose was agreed is not recorded.",
            pl.col("purpose_recorded_on").is_null() & ~_blank("purpose"),
        ),
        _missing(
            m,
            "meetings",
            "start_time",
            "The meeting's start time is not recorded.",
            pl.col("start_time").is_null(),
        ),
        _missing(
            m,
            "meetings",
            "papers_sent",
            "The date papers were sent is not recorded.",
            pl.col("papers_sent").is_null(),
        ),
        _missing(
            i,
            "involvements",
            "has_role_description",
            "There is no role description for this involvement.",
            ~pl.col("has_role_description").fill_null(False),
        ),
        _missing(
            p,
            "people",
            "ethnicity",
            "Ethnicity is not known (never asked or not recorded).",
            _blank("ethnicity") | (pl.col("ethnicity") == "99"),
        ),
    ]
    return pl.concat(pl.collect_all(checks)).select(MISSING_COLUMNS)
