"""Downloads keep numbers as numbers, with formats, and say what they show (issue 12, item 5)."""

from __future__ import annotations

import io

import openpyxl
import polars as pl

from analytics import columns as c
from analytics import protection
from analytics.spreadsheet import ABOUT_SHEET, csv_bytes, excel_bytes

CONTEXT = [("Organisation", "Test trust"), ("Baseline", "Census 2021, residents aged 18 and over"),
           ("Publication", "Suppressed for publication")]


def _published() -> pl.DataFrame:
    # a published table: counts are text ("25", "*" where hidden), shares and ratios are numbers
    return pl.DataFrame({
        c.GROUP_LABEL: ["White", "Black", "=cmd()"],
        c.INVOLVED: ["25", "*", "10"],
        c.TOTAL: ["40", "40", "40"],
        c.SHARE: [0.625, None, 0.25],
        c.RATIO: [0.8125, None, 1.5],
        c.P_VALUE: [0.0312, None, 0.5],
    })


def test_excel_keeps_numbers_as_numbers_with_formats():
    book = openpyxl.load_workbook(io.BytesIO(excel_bytes(protection.safe_for_spreadsheet(_published()), "Table",
                                                         CONTEXT)))
    assert book.sheetnames == [ABOUT_SHEET, "Table"]  # the context comes first
    about = book[ABOUT_SHEET]
    assert [(r[0].value, r[1].value) for r in about.iter_rows()] == CONTEXT
    table = book["Table"]
    header = [cell.value for cell in table[1]]
    row = {name: cell for name, cell in zip(header, table[2], strict=True)}
    assert row[c.INVOLVED].value == 25 and row[c.INVOLVED].data_type == "n"  # a count is a number
    assert row[c.SHARE].value == 0.625 and row[c.SHARE].number_format == "0.0%"
    assert row[c.RATIO].number_format == "0.000" and row[c.P_VALUE].number_format == "0.000"
    hidden = {name: cell for name, cell in zip(header, table[3], strict=True)}
    assert hidden[c.INVOLVED].value == "*" and hidden[c.INVOLVED].data_type == "s"  # hidden stays hidden
    assert hidden[c.SHARE].value is None
    defused = {name: cell for name, cell in zip(header, table[4], strict=True)}
    assert defused[c.GROUP_LABEL].value == "'=cmd()" and defused[c.GROUP_LABEL].data_type == "s"  # no formula


def test_csv_carries_the_context_as_comment_lines():
    text = csv_bytes(_published(), CONTEXT).decode("utf-8")
    assert text.splitlines()[:3] == ["# Organisation: Test trust",
                                     "# Baseline: Census 2021, residents aged 18 and over",
                                     "# Publication: Suppressed for publication"]
    back = pl.read_csv(io.BytesIO(text.encode()), comment_prefix="#", infer_schema=False)
    assert back.columns == _published().columns and back.height == 3
    assert back.get_column(c.INVOLVED).to_list() == ["25", "*", "10"]
