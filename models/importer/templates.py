"""Blank templates: a CSV header row per table, and one workbook with a sheet per table and a Notes sheet of
what each column accepts."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from models import _tabular
from models.importer.parse import accepted_text
from models.importer.specs import TABLE_ORDER, TABLES


def template_headers(table: str) -> list[str]:
    return [c.name for c in TABLES[table].columns]


def notes_rows(tables: Iterable[str] = TABLE_ORDER) -> list[list[str]]:
    """table, column, required, what it accepts, other headings that are recognised."""
    rows = []
    for name in tables:
        spec = TABLES[name]
        for column in spec.columns:
            accepted = accepted_text(column, spec)
            if column.kind in {"code", "characteristic"}:
                accepted = "; ".join(f"{code} = {label}" for code, label in (column.code_list or {}).items())
                if column.kind == "characteristic":
                    accepted += "; blank = not known; 'Prefer not to say' = not stated"
            rows.append(
                [
                    name,
                    column.name,
                    "yes" if column.required else "no",
                    (column.help + " " if column.help else "")
                    + accepted
                    + (f" Default: {column.default}." if column.default not in (None, False) else ""),
                    ", ".join(column.aliases),
                ]
            )
    return rows


NOTES_HEADERS = ["table", "column", "required", "what it accepts", "other headings recognised"]


def template_bytes(table: str, kind: str = "csv") -> bytes:
    """A blank template for one table: a CSV header row, or an .xlsx with its sheet and a Notes sheet."""
    if table not in TABLES:
        raise ValueError(f"'{table}' is not a table Presence imports; use one of: {', '.join(TABLES)}.")
    if kind == "csv":
        return _tabular.csv_bytes(template_headers(table), [])
    if kind == "xlsx":
        return _tabular.xlsx_bytes(
            [(table, template_headers(table), []), ("Notes", NOTES_HEADERS, notes_rows([table]))]
        )
    raise ValueError(f"A template is a 'csv' or an 'xlsx', not '{kind}'.")


def workbook_template_bytes() -> bytes:
    """One .xlsx with a blank sheet per table, in import order, and a Notes sheet of the allowed values."""
    sheets: list[tuple[str, list[str], list[list[str]]]] = [(t, template_headers(t), []) for t in TABLE_ORDER]
    return _tabular.xlsx_bytes([*sheets, ("Notes", NOTES_HEADERS, notes_rows())])


def write_templates(directory: str | Path) -> list[Path]:
    """Write <table>.csv for every table and presence-template.xlsx into ``directory``; returns the paths."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in TABLE_ORDER:
        path = folder / f"{table}.csv"
        path.write_bytes(template_bytes(table, "csv"))
        paths.append(path)
    path = folder / "presence-template.xlsx"
    path.write_bytes(workbook_template_bytes())
    paths.append(path)
    return paths
