"""Limits that keep a small hostile spreadsheet from stalling the importer.

An .xlsx is a zip of XML: 1.6 KB can describe a row numbered 1,048,576,000 (openpyxl then produces a billion
empty rows), and 2.7 MB can unpack to 19.5 million blank rows. Before openpyxl reads anything,
:func:`check_workbook` streams every worksheet's XML (never unpacking a whole part into memory) and stops at
the first limit crossed:

- a row number beyond Excel's last row (1,048,576) or a column beyond ``MAX_COLUMNS``;
- more row elements than Excel allows, blank rows included;
- more cells than ``max_import_cells`` (setting ``PRESENCE_MAX_IMPORT_CELLS``), blank cells included;
- more shared strings than that, or parsing past the deadline (setting ``PRESENCE_MAX_IMPORT_SECONDS``).

:func:`bounded_rows` then wraps the rows openpyxl (or the CSV reader) yields, counting every cell produced,
blank rows and the gaps openpyxl fills included, against the same cap and deadline. Every refusal is a
``ValueError`` with one sentence naming the file and sheet.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Iterator, Sized
from dataclasses import dataclass
from typing import TypeVar

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
MAX_COLUMNS = 1_000  # a register has tens of columns; far more is not a table Presence reads
CHUNK = 1 << 20
CHECK_EVERY = 1_024  # rows between deadline checks
MAX_INDEX_BYTES = 5 * 1024 * 1024  # workbook.xml and its relationships are a few KB

ROW_BEYOND_EXCEL = (
    "{where} has a row numbered {row:,}, beyond Excel's last row ({limit:,}), so it is damaged or was not "
    "saved by a spreadsheet program: open it in Excel and save it again, or save the sheet as CSV."
)
COLUMN_TOO_FAR = (
    "{where} has a cell in column {column:,}, beyond the {limit:,} columns Presence reads: delete the unused "
    "columns, or save the sheet as CSV."
)
TOO_MANY_ROW_ELEMENTS = (
    "{where} has more than {limit:,} rows, blank rows included, more than Excel allows: it is damaged or "
    "was not saved by a spreadsheet program."
)
TOO_MANY_CELLS = (
    "{where} has more than {limit:,} cells, blank cells included: delete the unused rows and columns or split "
    "it into smaller files."
)
TOO_MANY_STRINGS = "{where} has more than {limit:,} different text values: split it into smaller files."
TOO_SLOW = (
    "{where} took more than {seconds:g} seconds to read, so reading was stopped: split it into smaller files "
    "or save it as CSV."
)
BAD_INDEX = "{where} could not be opened as an Excel .xlsx workbook (its list of sheets is damaged)."
DAMAGED = "{where} could not be opened as an Excel .xlsx workbook (it is damaged: {reason})."

_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
# Row numbers of 1,000,000 and more, and columns of 703 (AAA) and more: the only ones worth a closer look.
_BIG_ROW = re.compile(rb' r="[A-Za-z]{0,3}(\d{7,})')
_WIDE_COLUMN = re.compile(rb' r="([A-Za-z]{3,})\d')
# The same, for the unusual spellings XML allows (r='..', r = "..", a tab or newline before r).
_ANY_BIG_ROW = re.compile(rb'\sr\s*=\s*["\'][A-Za-z]{0,3}(\d{7,})')
_ANY_WIDE_COLUMN = re.compile(rb'\sr\s*=\s*["\']([A-Za-z]{3,})\d')
_UNUSUAL = (b"r='", b"r =", b"r= ", b"\tr=", b"\nr=", b"\rr=")
_RELATIONSHIP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

_Row = TypeVar("_Row", bound=Sized)  # a CSV row (list of str) or a worksheet row (tuple of cell values)


@dataclass(frozen=True)
class Limits:
    max_cells: int
    seconds: float
    deadline: float

    @classmethod
    def start(cls, *, max_cells: int, seconds: float) -> Limits:
        return cls(max_cells=max_cells, seconds=seconds, deadline=time.monotonic() + seconds)

    def check_time(self, where: str) -> None:
        if time.monotonic() > self.deadline:
            raise ValueError(TOO_SLOW.format(where=where, seconds=self.seconds))


def from_settings() -> Limits:
    from models.settings import get_settings

    settings = get_settings()
    return Limits.start(max_cells=settings.max_import_cells, seconds=settings.max_import_seconds)


def column_number(letters: bytes | str) -> int:
    """'A' -> 1, 'Z' -> 26, 'AA' -> 27, 'XFD' -> 16,384."""
    number = 0
    for char in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        number = number * 26 + ord(char) - 64
    return number


def _sheet_parts(archive: zipfile.ZipFile, file_name: str) -> dict[str, str]:
    """Worksheet part -> the sheet's name, from workbook.xml and its relationships (parts not listed keep
    their path as the name)."""
    names = set(archive.namelist())
    labels = {n: n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    try:
        if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
            return labels
        for part in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            if archive.getinfo(part).file_size > MAX_INDEX_BYTES:
                raise ValueError(BAD_INDEX.format(where=file_name))
        targets = {
            rel.get("Id"): rel.get("Target", "")
            for rel in ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        }
        for sheet in ET.fromstring(archive.read("xl/workbook.xml")).iter():
            if not sheet.tag.endswith("}sheet"):
                continue
            target = targets.get(sheet.get(f"{{{_RELATIONSHIP_NS}}}id"), "")
            part = target.lstrip("/") if target.startswith("/") else "xl/" + target
            if part in labels:
                labels[part] = sheet.get("name") or part
    except ET.ParseError as error:
        raise ValueError(BAD_INDEX.format(where=file_name)) from error
    return labels


def _stream(archive: zipfile.ZipFile, part: str, limits: Limits, where: str) -> Iterator[bytes]:
    """The part's XML in chunks that end just before a '<', so that no tag is split between two chunks."""
    carry = b""
    with archive.open(part) as stream:
        while block := stream.read(CHUNK):
            limits.check_time(where)
            data = carry + block
            cut = data.rfind(b"<")
            if cut <= 0 and len(data) < 4 * CHUNK:
                carry = data
                continue
            if cut <= 0:
                cut = len(data)
            carry = data[cut:]
            yield data[:cut]
    if carry:
        yield carry


def _count(chunk: bytes, name: bytes, pattern: re.Pattern[bytes]) -> int:
    """Elements called ``name`` in the chunk: byte counts for plain tags (fast), the regex when a namespace
    prefix such as ``<x:row`` is used."""
    if b":" + name in chunk:
        return len(pattern.findall(chunk))
    return sum(chunk.count(b"<" + name + end) for end in (b" ", b">", b"/", b"\t", b"\n", b"\r"))


def _scan_sheet(archive: zipfile.ZipFile, part: str, where: str, limits: Limits) -> None:
    rows = cells = 0
    for chunk in _stream(archive, part, limits, where):
        rows += _count(chunk, b"row", _ROW)
        cells += _count(chunk, b"c", _CELL)
        if rows > EXCEL_MAX_ROWS:
            raise ValueError(TOO_MANY_ROW_ELEMENTS.format(where=where, limit=EXCEL_MAX_ROWS))
        if cells > limits.max_cells:
            raise ValueError(TOO_MANY_CELLS.format(where=where, limit=limits.max_cells))
        unusual = any(spelling in chunk for spelling in _UNUSUAL)
        for match in (_ANY_BIG_ROW if unusual else _BIG_ROW).finditer(chunk):
            if int(match.group(1)) > EXCEL_MAX_ROWS:
                raise ValueError(ROW_BEYOND_EXCEL.format(where=where, row=int(match.group(1)),
                                                         limit=EXCEL_MAX_ROWS))
        for match in (_ANY_WIDE_COLUMN if unusual else _WIDE_COLUMN).finditer(chunk):
            column = column_number(match.group(1)[:8])
            if column > MAX_COLUMNS:
                raise ValueError(COLUMN_TOO_FAR.format(where=where, column=min(column, 10**12),
                                                       limit=MAX_COLUMNS))


def _scan_strings(archive: zipfile.ZipFile, where: str, limits: Limits) -> None:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return
    strings = 0
    for chunk in _stream(archive, "xl/sharedStrings.xml", limits, where):
        strings += _count(chunk, b"si", _STRING)
        if strings > limits.max_cells:
            raise ValueError(TOO_MANY_STRINGS.format(where=where, limit=limits.max_cells))


def check_workbook(data: bytes, *, file_name: str, limits: Limits) -> None:
    """Refuse, in one sentence, an .xlsx whose sheets go beyond the limits, before anything reads it."""
    import io
    import zlib

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for part, sheet in sorted(_sheet_parts(archive, file_name).items()):
                _scan_sheet(archive, part, f"{file_name} (sheet '{sheet}')", limits)
            _scan_strings(archive, file_name, limits)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, NotImplementedError) as error:
        reason = " ".join(str(error).split())[:120] or type(error).__name__
        raise ValueError(DAMAGED.format(where=file_name, reason=reason)) from error


def bounded_rows(rows: Iterable[_Row], *, where: str, limits: Limits) -> Iterator[_Row]:
    """The rows, unchanged; refused once the cells produced (a blank row counts one) pass the cap, or the
    deadline passes."""
    cells = 0
    for number, row in enumerate(rows, start=1):
        cells += max(1, len(row))
        if cells > limits.max_cells:
            raise ValueError(TOO_MANY_CELLS.format(where=where, limit=limits.max_cells))
        if number % CHECK_EVERY == 0:
            limits.check_time(where)
        yield row
