"""The two rules on single values (primary suppression and rounding), the column names of the flags and the
plain-English sentences about them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import polars as pl

from analytics import columns as c

if TYPE_CHECKING:
    from models.settings import Settings

SUPPRESSED_MARK = "*"
SUPPRESSED = "suppressed"
ROUNDED = "rounded"
NOT_FOR_PUBLICATION = "not_for_publication"
FLAG_COLUMNS = (SUPPRESSED, ROUNDED, NOT_FOR_PUBLICATION)  # the row-level flags of a protected frame
CROSS_SEPARATOR = " × "

ROW_COUNTS = (c.INVOLVED, c.TOTAL)
TABLE_COUNTS = (c.PEOPLE, c.TOTAL, c.UNKNOWN, c.NOT_STATED, c.NOT_KNOWN)
TABLE_KEY = (c.LEVEL_KEY, c.PERIOD, c.CHARACTERISTIC, c.INVOLVEMENT_FILTER)
LEVEL_LINE_KEY = (c.PERIOD, c.CHARACTERISTIC, c.INVOLVEMENT_FILTER, c.GROUP)

NOT_FOR_PUBLICATION_TEXT = (
    "Exact figures, not for publication: they include small numbers that could identify people. "
    "Share only the suppressed version."
)
SUPPRESSION_TEXT = (
    "Counts of 1 to {last} are shown as *, other counts are rounded to the nearest {base}, and a second "
    "count is hidden wherever a * could otherwise be worked out. Percentages are calculated from the "
    "rounded counts."
)

ERROR_MISSING = "The {what} frame has no column '{column}', which disclosure control needs."
ERROR_NEGATIVE = "The {what} frame has a negative count in column '{column}'."


def current_settings() -> Settings:
    """The deployment's settings (imported late: ``import analytics`` stays free of the database code)."""
    from models.settings import get_settings

    return get_settings()


def suppressed_flag(column: str) -> str:
    """Name of the boolean column that says ``column`` is hidden."""
    return f"{column}_suppressed"


def describe(settings: Settings | None = None) -> str:
    """The plain-English rule, for a footnote under every restricted table or chart."""
    settings = settings or current_settings()
    return SUPPRESSION_TEXT.format(last=settings.suppress_below - 1, base=settings.rounding_base)


def is_small(value: int, settings: Settings) -> bool:
    """True for a count that primary suppression hides (1 .. suppress_below - 1)."""
    return 1 <= value < settings.suppress_below


def round_count(value: int, base: int) -> int:
    """Nearest multiple of ``base`` (halves go up: with base 10, 15 -> 20)."""
    return ((int(value) + base // 2) // base) * base


def round_expr(expr: pl.Expr, base: int) -> pl.Expr:
    """:func:`round_count` as a polars expression (integers in, integers out, nulls kept)."""
    return ((expr.cast(pl.Int64) + base // 2) // base * base).cast(pl.Int64)


def check_columns(frame: pl.DataFrame, what: str, required: Sequence[str]) -> None:
    for column in required:
        if column not in frame.columns:
            raise ValueError(ERROR_MISSING.format(what=what, column=column))
        if frame.height and frame[column].drop_nulls().lt(0).any():
            raise ValueError(ERROR_NEGATIVE.format(what=what, column=column))

