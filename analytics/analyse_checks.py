"""Checks on the numbers and text ``presence analyse`` reads, so that a hostile or broken file ends in one
sentence and exit 2, never a traceback, an overflow or a silently wrong answer.

- A count is a whole number from 0 to 10^12 (``1e300`` overflowed, ``1e20`` broke polars' integers, and two
  counts of ``5e18`` added up to a negative total).
- A share is a finite number from 0 to 1, a percent from 0 to 100.
- The counts of one file add up to at most 10^12 too (baseline counts of ``1e308`` added up to infinity, and
  every group came out "no_baseline").
- A cell is at most ``MAX_CELL_CHARS`` characters, and a value echoed in a message is shortened and has its
  control characters escaped.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

MAX_COUNT = 10**12
MAX_CELL_CHARS = 1_000
SHOWN_CHARS = 40

ERROR_COUNT_WHOLE = "{file}, row {row}: count '{value}' is not a whole number."
ERROR_NOT_NUMBER = "{file}, row {row}: {column} '{value}' is not a number."
ERROR_NEGATIVE = "{file}, row {row}: {column} '{value}' must not be negative."
ERROR_COUNT_RANGE = (
    "{file}, row {row}: count '{value}' is more than 10^12 (1,000,000,000,000), the most Presence accepts."
)
ERROR_SHARE_RANGE = "{file}, row {row}: share '{value}' must be between 0 and 1."
ERROR_PERCENT_RANGE = "{file}, row {row}: percent '{value}' must be between 0 and 100."
ERROR_TOTAL = "{file}: the counts add up to more than 10^12 (1,000,000,000,000), the most Presence accepts."
ERROR_CELL_LONG = "{file}, row {row}: a cell is {length:,} characters long; the most is {limit:,}."
ERROR_CSV = "{file}, row {row}: the file could not be read as CSV ({reason})."


def shown(value: object, limit: int = SHOWN_CHARS) -> str:
    """A value as it may appear in a one-line message: control characters escaped (an ANSI escape cannot
    reach the terminal), at most ``limit`` characters."""
    text = str(value)
    escaped = "".join(
        c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii")
        for c in text[: limit * 2]
    )
    return escaped if len(escaped) <= limit and len(text) <= limit * 2 else escaped[: limit - 3] + "..."


def _decimal(file: str, row: int, column: str, value: str) -> Decimal:
    try:
        number = Decimal(value.replace(",", "").strip())
    except (InvalidOperation, ValueError):
        message = ERROR_NOT_NUMBER.format(file=file, row=row, column=column, value=shown(value))
        raise ValueError(message) from None
    if not number.is_finite():
        raise ValueError(ERROR_NOT_NUMBER.format(file=file, row=row, column=column, value=shown(value)))
    return number


def parse_count(file: str, row: int, value: str) -> int:
    """A count: a whole number from 0 to 10^12 ('1,234' and '1e3' are fine), else ValueError in a sentence."""
    try:
        number = _decimal(file, row, "count", value)
    except ValueError:
        raise ValueError(ERROR_COUNT_WHOLE.format(file=file, row=row, value=shown(value))) from None
    if number < 0:
        raise ValueError(ERROR_NEGATIVE.format(file=file, row=row, column="count", value=shown(value)))
    if number > MAX_COUNT:
        raise ValueError(ERROR_COUNT_RANGE.format(file=file, row=row, value=shown(value)))
    if number != number.to_integral_value():
        raise ValueError(ERROR_COUNT_WHOLE.format(file=file, row=row, value=shown(value)))
    return int(number)


def parse_baseline_figure(file: str, row: int, column: str, value: str) -> float:
    """A baseline figure: a count (0 to 10^12, whole), a share (0 to 1) or a percent (0 to 100)."""
    number = _decimal(file, row, column, value)
    if column == "count":
        return float(parse_count(file, row, value))
    if number < 0:
        raise ValueError(ERROR_NEGATIVE.format(file=file, row=row, column=column, value=shown(value)))
    if column == "share" and number > 1:
        raise ValueError(ERROR_SHARE_RANGE.format(file=file, row=row, value=shown(value)))
    if column == "percent" and number > 100:
        raise ValueError(ERROR_PERCENT_RANGE.format(file=file, row=row, value=shown(value)))
    return float(number)


def check_total(file: str, figures: list[float] | list[int]) -> None:
    """The figures of one file must add up to at most 10^12 (exact: Python integers do not overflow)."""
    if sum(Decimal(str(f)) for f in figures) > MAX_COUNT:
        raise ValueError(ERROR_TOTAL.format(file=file))


def check_cells(file: str, row: int, cells: list[str]) -> None:
    longest = max((len(c) for c in cells), default=0)
    if longest > MAX_CELL_CHARS:
        raise ValueError(ERROR_CELL_LONG.format(file=file, row=row, length=longest, limit=MAX_CELL_CHARS))
