"""Reading and writing the spreadsheet files of the importer and the exporter, as plain text cells.

Reading never evaluates anything: CSV cells are text; an .xlsx is opened read-only with
``data_only=False``, so a formula is read as its formula text. Every cell comes back as a string (blank as
""), with row numbers as the user sees them in a spreadsheet (the header is row 1). Whole-file problems (not
text, not a workbook, too big, too many rows) raise ``ValueError`` with one sentence naming the file.

Writing escapes cells that a spreadsheet would run (``=``, ``+``, ``-``, ``@``, tab, carriage return) with a
leading apostrophe; ``unescape_cell`` takes it off again on read, so export -> import gives back the same
text.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from models import encoding, spreadsheet_limits

if TYPE_CHECKING:
    from openpyxl import Workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DELIMITERS = (",", ";", "\t")
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old binary .xls
# An .xlsx whose XML unpacks to more than this many times the size limit is refused (a "zip bomb").
MAX_UNPACK_RATIO = 20

NOT_TEXT = "{file} is not a CSV text file or an Excel .xlsx workbook."
BAD_ENCODING = "{file} could not be read as text: save it as CSV UTF-8 (or Windows-1252) and try again."
OLD_EXCEL = "{file} is an old-style Excel .xls file: save it as .xlsx or CSV and try again."
BAD_WORKBOOK = "{file} could not be opened as an Excel .xlsx workbook ({reason})."
TOO_BIG = "{file} is {size:,} bytes, over the limit of {limit:,} bytes: split it into smaller files."
TOO_MANY_ROWS = "{file} has more than {limit:,} rows: split it into smaller files."
BAD_CSV = "{file} could not be read as CSV near row {row}: {reason}."
NO_SHEET = "{file} has no sheet called '{sheet}'; its sheets are: {sheets}."
EMPTY_FILE = "{file} is empty."


@dataclass
class Sheet:
    """One table of text cells as read from a file: headers, data rows, and each data row's row number."""

    name: str | None
    headers: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    ragged: list[tuple[int, int]] = field(default_factory=list)  # (row number, cell count) of over-long rows


def escape_cell(value: str) -> str:
    """'=1+1' -> "'=1+1": a spreadsheet shows the text instead of running it."""
    if value and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """Undo ``escape_cell``: "'=1+1" -> '=1+1'; any other text is returned unchanged."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def cell_text(value: object) -> str:
    """An .xlsx cell value as text: dates as ISO, whole numbers without '.0', formulas as their text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


# --- Reading ------------------------------------------------------------------------------------------------


def check_size(size: int, *, file_name: str, limit: int) -> None:
    if size > limit:
        raise ValueError(TOO_BIG.format(file=file_name, size=size, limit=limit))


def is_workbook(data: bytes, file_name: str) -> bool:
    return data.startswith(XLSX_MAGIC) or file_name.lower().endswith((".xlsx", ".xlsm"))


def decode_text(data: bytes, *, file_name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or plausibly Windows-1252; anything else is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ValueError(BAD_ENCODING.format(file=file_name)) from error
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            if not encoding.plausibly_cp1252(data):
                raise ValueError(encoding.NOT_UTF8.format(file=file_name)) from None
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as error:
                raise ValueError(BAD_ENCODING.format(file=file_name)) from error
    if "\x00" in text:
        raise ValueError(NOT_TEXT.format(file=file_name))
    return text


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of comma, semicolon and tab outside quotes."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text[:65536]:
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            break
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(data: bytes, *, file_name: str, max_rows: int) -> Sheet:
    text = decode_text(data, file_name=file_name)
    if not text.strip():
        raise ValueError(EMPTY_FILE.format(file=file_name))
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(len(text), old_limit))
    limits = spreadsheet_limits.from_settings()
    try:
        rows = spreadsheet_limits.bounded_rows(reader, where=file_name, limits=limits)
        return _sheet_from_rows(rows, name=None, file_name=file_name, max_rows=max_rows)
    except csv.Error as error:
        raise ValueError(BAD_CSV.format(file=file_name, row=reader.line_num, reason=error)) from error
    finally:
        csv.field_size_limit(old_limit)


def _sheet_from_rows(
    rows: Iterable[Sequence[Any]],
    *,
    name: str | None,
    file_name: str,
    max_rows: int,
    as_text: Callable[[Any], str] | None = None,
) -> Sheet:
    """Headers = the first non-blank row; data rows after it, blank rows skipped (row numbers kept).

    ``as_text`` turns a cell into text (None when the rows are lists of strings already, as from CSV).
    """
    headers: list[str] | None = None
    body: list[list[str]] = []
    numbers: list[int] = []
    ragged: list[tuple[int, int]] = []
    for number, raw in enumerate(rows, start=1):
        cells = cast(list[str], raw) if as_text is None else [as_text(c) for c in raw]  # CSV: lists of str
        while cells and not cells[-1].strip():
            cells.pop()
        if not cells:
            continue
        if headers is None:
            headers = cells
            continue
        if len(body) >= max_rows:
            raise ValueError(TOO_MANY_ROWS.format(file=_label(file_name, name), limit=max_rows))
        if len(cells) > len(headers):
            ragged.append((number, len(cells)))
            cells = cells[: len(headers)]
        cells.extend([""] * (len(headers) - len(cells)))
        body.append(cells)
        numbers.append(number)
    return Sheet(name=name, headers=headers or [], rows=body, row_numbers=numbers, ragged=ragged)


def _label(file_name: str, sheet: str | None) -> str:
    return f"{file_name} (sheet '{sheet}')" if sheet else file_name


def _open_workbook(data: bytes, *, file_name: str, limit: int) -> Workbook:
    import openpyxl

    if data.startswith(OLE_MAGIC):
        raise ValueError(OLD_EXCEL.format(file=file_name))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise ValueError(
            BAD_WORKBOOK.format(file=file_name, reason="it is not a valid .xlsx file")
        ) from error
    if unpacked > MAX_UNPACK_RATIO * limit:
        raise ValueError(
            TOO_BIG.format(file=file_name + " (unpacked)", size=unpacked, limit=MAX_UNPACK_RATIO * limit)
        )
    spreadsheet_limits.check_workbook(data, file_name=file_name, limits=spreadsheet_limits.from_settings())
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        raise ValueError(BAD_WORKBOOK.format(file=file_name, reason=reason)) from error


def workbook_sheet_names(data: bytes, *, file_name: str, limit: int) -> list[str]:
    workbook = _open_workbook(data, file_name=file_name, limit=limit)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def read_workbook(
    data: bytes, *, file_name: str, sheets: Sequence[str] | None, max_rows: int, limit: int
) -> list[Sheet]:
    """The named sheets (all when None) of an .xlsx, as text cells; formulas come back as their text."""
    workbook = _open_workbook(data, file_name=file_name, limit=limit)
    try:
        names = list(workbook.sheetnames)
        wanted = names if sheets is None else list(sheets)
        out = []
        for name in wanted:
            if name not in names:
                raise ValueError(NO_SHEET.format(file=file_name, sheet=name, sheets=", ".join(names)))
            worksheet = workbook[name]
            declared = getattr(worksheet, "max_row", None)
            if isinstance(declared, int) and declared > max_rows + 1:
                raise ValueError(TOO_MANY_ROWS.format(file=_label(file_name, name), limit=max_rows))
            if (getattr(worksheet, "max_column", None) or 0) > spreadsheet_limits.MAX_COLUMNS:
                worksheet.reset_dimensions()  # a declared width is not trusted: read the cells there are
            try:
                rows = spreadsheet_limits.bounded_rows(
                    worksheet.iter_rows(values_only=True),
                    where=_label(file_name, name),
                    limits=spreadsheet_limits.from_settings(),
                )
                out.append(
                    _sheet_from_rows(
                        rows, name=name, file_name=file_name, max_rows=max_rows, as_text=cell_text
                    )
                )
            except ValueError:
                raise
            except Exception as error:  # noqa: BLE001 - a damaged sheet
                raise ValueError(
                    BAD_WORKBOOK.format(file=_label(file_name, name), reason=type(error).__name__)
                ) from error
        return out
    finally:
        workbook.close()


# --- Writing ------------------------------------------------------------------------------------------------


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """CSV in UTF-8 with a BOM (so Excel shows accents), every cell escaped."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([escape_cell(c) for c in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[str]]]]) -> bytes:
    """One workbook, a sheet per (name, headers, rows); every cell is escaped text, never a formula."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    for name, headers, rows in sheets:
        worksheet = workbook.add_worksheet(name[:31])
        for col, header in enumerate(headers):
            worksheet.write_string(0, col, header, bold)
            worksheet.set_column(col, col, max(12, min(40, len(header) + 4)))
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if value != "":
                    worksheet.write_string(r, col, escape_cell(value))
        worksheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()
