"""Downloads a person can open in a spreadsheet and still read a month later: numbers stay numbers, with formats,
and every file says what it shows (organisation, filters, baseline, date, whether it may be published).

- **Excel**: a first sheet, "About this file", lists the context; the table follows on its own sheet. Counts
  are whole numbers (a hidden count stays the text "*"), shares and rates are percentages, ratios and p-values
  have three decimals.
- **CSV**: the same context as comment lines at the top, each starting with "# " (read them back with
  ``polars.read_csv(..., comment_prefix="#")`` or pandas' ``comment="#"``); then the table as it is.

The frame given is already published (``protection.publishable``): hidden counts are "*" and formula-like text is
defused. Nothing here changes a figure; it only chooses how each cell is written.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import polars as pl

from analytics import columns as c

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

Context = Sequence[tuple[str, str]]
PERCENT_COLUMNS = {c.SHARE, c.BASELINE_SHARE, c.CI_LOW, c.CI_HIGH, c.DECLARATION_RATE}
DECIMAL_COLUMNS = {c.RATIO, c.P_VALUE, c.P_ADJUSTED}
ABOUT_SHEET = "About this file"
_WHOLE = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")


def _kind(name: str) -> str:
    if name in PERCENT_COLUMNS or name.endswith(("_share", "_rate")):
        return "percent"
    if name in DECIMAL_COLUMNS or name.endswith(("ratio", "_p", "likelihood")) or name.startswith("p_"):
        return "decimal"
    return "plain"


def excel_bytes(frame: pl.DataFrame, sheet: str, context: Context) -> bytes:
    """An .xlsx workbook: "About this file" (the context), then the table with numbers kept as numbers."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    formats = {"percent": book.add_format({"num_format": "0.0%"}),
               "decimal": book.add_format({"num_format": "0.000"}),
               "plain": book.add_format({"num_format": "#,##0"}),
               "real": book.add_format({"num_format": "#,##0.###"})}
    about = book.add_worksheet(ABOUT_SHEET)
    about.set_column(0, 0, 28)
    about.set_column(1, 1, 90)
    for row, (label, value) in enumerate(context):
        about.write_string(row, 0, label, bold)
        about.write_string(row, 1, value)
    table = book.add_worksheet(sheet[:31] or "Presence")
    table.freeze_panes(1, 0)
    for col, name in enumerate(frame.columns):
        table.write_string(0, col, name, bold)
        kind = _kind(name)
        table.set_column(col, col, max(10, min(40, len(name) + 2)))
        for row, value in enumerate(frame.get_column(name).to_list(), start=1):
            _write(table, row, col, value, kind, formats)
    book.close()
    return buffer.getvalue()


def _write(sheet: Worksheet, row: int, col: int, value: object, kind: str, formats: dict[str, Format]) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        whole = isinstance(value, int) or float(value).is_integer()
        fmt = formats[kind] if kind != "plain" else formats["plain" if whole else "real"]
        sheet.write_number(row, col, value, fmt)
    elif isinstance(value, str) and _WHOLE.match(value):  # a published count written as text ("25")
        sheet.write_number(row, col, int(value), formats["plain"])
    elif isinstance(value, str) and _DECIMAL.match(value) and kind != "plain":
        sheet.write_number(row, col, float(value), formats[kind])
    else:
        sheet.write_string(row, col, str(value))


def csv_bytes(frame: pl.DataFrame, context: Context) -> bytes:
    """UTF-8 CSV with the context as "# " comment lines above the header row."""
    lines = "".join(f"# {label}: {' '.join(str(value).split())}\n" for label, value in context)
    return (lines + frame.write_csv()).encode("utf-8")
