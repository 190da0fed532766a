"""Hostile .xlsx files from the security review, generated (never stored): small files that used to stall the
importer. Used by tests/models/test_spreadsheet_limits.py and bench/bench_hostile_files.py."""

from __future__ import annotations

import zipfile
from pathlib import Path

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="People" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_END = "</sheetData></worksheet>"
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>ref</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>involvement_type</t></is></c></row>'
)
FAR_ROW = 1_048_576_000
BLANK_ROWS = 19_500_000


def _workbook(path: Path, sheet_parts) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for part in sheet_parts:
                sheet.write(part)
    return path


def far_row_workbook(path: Path) -> Path:
    """About 1.6 KB: a header and one row numbered 1,048,576,000, and no <dimension>."""
    row = (
        f'<row r="{FAR_ROW}"><c r="A{FAR_ROW}" t="inlineStr"><is><t>P1</t></is></c>'
        f'<c r="B{FAR_ROW}" t="inlineStr"><is><t>carer</t></is></c></row>'
    )
    return _workbook(path, [(SHEET_START + HEADER_ROW + row + SHEET_END).encode()])


BLANK_ROW = '<row spans="1:2" ht="15" customHeight="1"></row>'  # 48 bytes; no r: rows count on by one


def blank_rows_workbook(path: Path, rows: int = BLANK_ROWS) -> Path:
    """A few MB holding ~936 MB of XML (under the 1 GB unpacked cap): a header, then 19.5 million blank
    rows."""
    batch = 100_000
    block = (BLANK_ROW * batch).encode()

    def parts():
        yield (SHEET_START + HEADER_ROW).encode()
        for _ in range(rows // batch):
            yield block
        yield (BLANK_ROW * (rows % batch)).encode()
        yield SHEET_END.encode()

    return _workbook(path, parts())
