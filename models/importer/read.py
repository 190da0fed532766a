"""Reading a file into sheets, and working out which table each sheet holds (from its headings, its name, or
the caller's choice), in dependency order."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from data import vocabulary
from models import _tabular, register
from models.importer.messages import (
    AMBIGUOUS_TABLE,
    CHOOSE_SHEET,
    NO_TABLE_SHEETS,
    NOTES_SHEETS,
    SAME_TABLE_SHEETS,
    UNKNOWN_TABLE,
)
from models.importer.specs import HEADER_MAPS, REGISTER_MAP, TABLE_ORDER, TABLES
from models.settings import get_settings


def read_bytes(path_or_bytes: str | Path | bytes, file_name: str | None, limit: int) -> tuple[bytes, str]:
    if isinstance(path_or_bytes, bytes | bytearray | memoryview):
        data = bytes(path_or_bytes)
        name = file_name or "the uploaded file"
        _tabular.check_size(len(data), file_name=name, limit=limit)
        return data, name
    path = Path(path_or_bytes)
    name = file_name or path.name
    if not path.is_file():
        raise ValueError(f"{name} does not exist or is not a file.")
    _tabular.check_size(path.stat().st_size, file_name=name, limit=limit)
    return path.read_bytes(), name


def preview_rows(data: bytes, *, file_name: str, rows: int = 20) -> pl.DataFrame:
    """The first rows of a file's first sheet as read (text cells under their own headings), for a preview."""
    settings = get_settings()
    if _tabular.is_workbook(data, file_name):
        sheets = _tabular.read_workbook(data, file_name=file_name, sheets=None, max_rows=settings.max_import_rows,
                                        limit=settings.max_import_bytes)
        sheet = next((s for s in sheets if not is_notes(s)), None)
    else:
        sheet = _tabular.read_csv(data, file_name=file_name, max_rows=settings.max_import_rows)
    if sheet is None or not sheet.headers:
        raise ValueError(_tabular.EMPTY_FILE.format(file=file_name))
    headers = [h or f"column {i + 1}" for i, h in enumerate(sheet.headers)]
    unique = [h if headers.count(h) == 1 else f"{h} ({i + 1})" for i, h in enumerate(headers)]
    cells = [[(row[i] if i < len(row) else "") for i in range(len(unique))] for row in sheet.rows[:rows]]
    return pl.DataFrame(cells, schema={h: pl.String for h in unique}, orient="row")


def sheet_names(data: bytes, *, file_name: str) -> list[str]:
    """The sheets of an .xlsx (empty for a CSV), for the page's sheet chooser."""
    if not _tabular.is_workbook(data, file_name):
        return []
    return _tabular.workbook_sheet_names(data, file_name=file_name, limit=get_settings().max_import_bytes)


def _name_hint(name: str | None) -> str | None:
    """The table a file or sheet name points at ('People', 'attendance_2024.csv'), or None."""
    if not name:
        return None
    folded = vocabulary.key(Path(name).stem if "." in name else name)
    for table, spec in TABLES.items():
        variants = {vocabulary.key(v) for v in (table, *spec.aliases)}
        if folded in variants:
            return table
    tokens = set(folded.split())
    hits = [
        t
        for t, spec in TABLES.items()
        if tokens & {vocabulary.key(v) for v in (t, *spec.aliases) if " " not in vocabulary.key(v)}
    ]
    return hits[0] if len(hits) == 1 else None


def table_scores(headers: Sequence[str]) -> dict[str, int]:
    """Every table whose required columns the headings have (the one-sheet register too), scored by how many
    headings it recognises."""
    folded = {vocabulary.key(h) for h in headers}
    scores: dict[str, int] = {}
    for table, spec in TABLES.items():
        mapping = HEADER_MAPS[table]
        present = {mapping[h] for h in folded if h in mapping}
        if all(r in present for r in spec.required):
            scores[table] = len(present)
    flat = register.score(headers, REGISTER_MAP)
    if flat is not None:
        scores[register.REGISTER] = flat
    return scores


def _detect_table(headers: Sequence[str], *, label: str, hint_name: str | None) -> str:
    """The table the headings score best for; a file or sheet name settles it when it names a candidate.
    Two candidates that recognise the same number of headings are too close to call: the user chooses."""
    scores = table_scores(headers)
    hint = _name_hint(hint_name)
    if hint and (not scores or scores.get(hint) == max(scores.values())):
        return hint
    if not scores:
        shown = ", ".join(h for h in headers[:12] if h) or "none"
        raise ValueError(UNKNOWN_TABLE.format(file=label, headers=shown))
    best = max(scores.values())
    top = [t for t, s in scores.items() if s == best]
    if len(top) > 1:
        raise ValueError(AMBIGUOUS_TABLE.format(file=label, tables=" or ".join(top)))
    return top[0]


def is_notes(sheet: _tabular.Sheet) -> bool:
    return vocabulary.key(sheet.name) in NOTES_SHEETS or not sheet.headers


def plan_sheets(
    data: bytes, file_name: str, *, table: str | None, sheet: str | None, max_rows: int, limit: int
) -> tuple[list[tuple[str, _tabular.Sheet]], list[str]]:
    """Which table each sheet holds, in dependency order; plus the sheets left out."""
    if table is not None and table not in TABLES and table != register.REGISTER:
        raise ValueError(f"'{table}' is not a table Presence imports; use one of: {', '.join(TABLES)}.")
    if not _tabular.is_workbook(data, file_name):
        if data.startswith(_tabular.OLE_MAGIC):
            raise ValueError(_tabular.OLD_EXCEL.format(file=file_name))
        only = _tabular.read_csv(data, file_name=file_name, max_rows=max_rows)
        if not only.headers:
            raise ValueError(_tabular.EMPTY_FILE.format(file=file_name))
        chosen = table or _detect_table(only.headers, label=file_name, hint_name=file_name)
        return [(chosen, only)], []
    names = _tabular.workbook_sheet_names(data, file_name=file_name, limit=limit)
    if sheet is not None:
        read = _tabular.read_workbook(
            data, file_name=file_name, sheets=[sheet], max_rows=max_rows, limit=limit
        )
        only = read[0]
        if not only.headers:
            raise ValueError(f"Sheet '{sheet}' of {file_name} is empty.")
        label = f"sheet '{sheet}' of {file_name}"
        return [(table or _detect_table(only.headers, label=label, hint_name=sheet), only)], []
    sheets = _tabular.read_workbook(data, file_name=file_name, sheets=None, max_rows=max_rows, limit=limit)
    content = [s for s in sheets if not is_notes(s)]
    left_out = [f"sheet '{s.name}'" for s in sheets if is_notes(s)]
    if not content:
        raise ValueError(_tabular.EMPTY_FILE.format(file=file_name))
    if table is not None:
        if len(content) == 1:
            return [(table, content[0])], left_out
        named = [s for s in content if _name_hint(s.name) == table]
        if len(named) == 1:
            return [(table, named[0])], left_out + [f"sheet '{s.name}'" for s in content if s is not named[0]]
        raise ValueError(CHOOSE_SHEET.format(file=file_name, sheets=", ".join(names), table=table))
    if len(content) == 1:
        only = content[0]
        label = f"sheet '{only.name}' of {file_name}"
        return [(_detect_table(only.headers, label=label, hint_name=only.name), only)], left_out
    found: dict[str, _tabular.Sheet] = {}
    for s in content:
        try:
            t = _detect_table(s.headers, label=f"sheet '{s.name}' of {file_name}", hint_name=s.name)
        except ValueError:
            left_out.append(f"sheet '{s.name}'")
            continue
        if t in found:
            raise ValueError(SAME_TABLE_SHEETS.format(a=found[t].name, b=s.name, file=file_name, table=t))
        found[t] = s
    if not found:
        raise ValueError(NO_TABLE_SHEETS.format(file=file_name))
    return [(t, found[t]) for t in TABLE_ORDER if t in found], left_out
