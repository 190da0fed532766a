"""Export and backup: every importable table as CSV, plus one workbook, in the format the importer reads.

Rows carry references (person_ref, activity_ref, meeting_ref, level key), never database ids, so an export can
be imported into another, empty database and give back the same data. Cells that a spreadsheet would run as a
formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) are written with a leading
apostrophe; the importer takes it off again.
"""

from __future__ import annotations

import argparse
from datetime import date, time
from decimal import Decimal
from pathlib import Path

import polars as pl
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from models import _tabular
from models.importer import LINK_MODEL, TABLE_ORDER, TABLES, TableSpec, template_headers
from models.tables import Level, Organisation

__all__ = ["WORKBOOK_NAME", "export_all", "export_frames", "format_value", "run_cli"]

WORKBOOK_NAME = "presence-export.xlsx"


def format_value(value: object) -> str:
    """A database value as the importer reads it: ISO dates, HH:MM times, yes/no, pounds with two decimals."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M" if value.second == 0 and value.microsecond == 0 else "%H:%M:%S")
    if isinstance(value, Decimal | float):
        return str(Decimal(str(value)).quantize(Decimal("0.01")))
    return str(value)


def _organisations(connection: Connection, organisation_code: str | None) -> list[tuple[int, str]]:
    table = Organisation.__table__
    query = select(table.c.id, table.c.code).order_by(table.c.code)
    if organisation_code is not None:
        query = query.where(table.c.code == organisation_code)
    rows = [(r.id, r.code) for r in connection.execute(query)]
    if organisation_code is not None and not rows:
        raise ValueError(f"There is no organisation with the code '{organisation_code}'.")
    if not rows:
        raise ValueError("There is no organisation to export yet.")
    return rows


def _id_to_ref(connection: Connection, organisation_id: int) -> dict[str, dict[int, str]]:
    maps = {}
    for target, model in LINK_MODEL.items():
        table = model.__table__
        rows = connection.execute(
            select(table.c.id, table.c.ref).where(table.c.organisation_id == organisation_id)
        )
        maps[target] = {r.id: r.ref for r in rows}
    level = Level.__table__
    maps["levels"] = {
        r.id: r.key
        for r in connection.execute(
            select(level.c.id, level.c.key).where(level.c.organisation_id == organisation_id)
        )
    }
    return maps


def _table_frame(
    connection: Connection, spec: TableSpec, organisation_id: int, maps: dict[str, dict[int, str]]
) -> pl.DataFrame:
    table = spec.model.__table__
    fields = [c.db for c in spec.columns]
    rows = connection.execute(
        select(*(table.c[f] for f in fields)).where(table.c.organisation_id == organisation_id)
    ).all()
    columns: dict[str, list[str]] = {}
    for index, column in enumerate(spec.columns):
        values = [r[index] for r in rows]
        if column.kind == "link":
            lookup = maps[column.link or "people"]
            columns[column.name] = [lookup.get(v, "") if v is not None else "" for v in values]
        elif column.kind == "level":
            columns[column.name] = [maps["levels"].get(v, "") for v in values]
        else:
            columns[column.name] = [format_value(v) for v in values]
    frame = pl.DataFrame(columns, schema={h: pl.String for h in template_headers(spec.name)})
    return frame.sort(list(spec.key))


def export_frames(*, engine: Engine, organisation_code: str) -> dict[str, pl.DataFrame]:
    """Every importable table of one organisation as text frames in the importer's format, in import order."""
    with engine.connect() as connection:
        [(organisation_id, _code)] = _organisations(connection, organisation_code)
        maps = _id_to_ref(connection, organisation_id)
        return {name: _table_frame(connection, TABLES[name], organisation_id, maps) for name in TABLE_ORDER}


def _write_folder(frames: dict[str, pl.DataFrame], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in frames.items():
        path = folder / f"{name}.csv"
        path.write_bytes(_tabular.csv_bytes(frame.columns, frame.iter_rows()))
        paths.append(path)
    workbook = folder / WORKBOOK_NAME
    workbook.write_bytes(_tabular.xlsx_bytes([(n, f.columns, f.iter_rows()) for n, f in frames.items()]))
    paths.append(workbook)
    return paths


def export_all(*, engine: Engine, directory: str | Path, organisation_code: str | None = None) -> list[Path]:
    """Write <table>.csv for every table and presence-export.xlsx (a sheet per table); returns the paths.

    With no organisation code and several organisations, each goes to its own sub-folder named by its code.
    """
    folder = Path(directory)
    with engine.connect() as connection:
        organisations = _organisations(connection, organisation_code)
    paths: list[Path] = []
    for _id, code in organisations:
        target = folder if len(organisations) == 1 else folder / _safe_folder(code)
        paths.extend(_write_folder(export_frames(engine=engine, organisation_code=code), target))
    return paths


def _safe_folder(code: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_" else "_" for c in code)
    return cleaned or "organisation"


def run_cli(args: argparse.Namespace) -> int:
    """``presence export DIR [--organisation CODE]``."""
    from models.db import get_engine, upgrade_schema

    engine = get_engine()
    upgrade_schema(engine)
    paths = export_all(
        engine=engine, directory=args.directory, organisation_code=getattr(args, "organisation", None)
    )
    print(
        f"Wrote {len(paths)} files to {Path(args.directory)}: "
        + ", ".join(str(p.relative_to(Path(args.directory))) for p in paths)
    )
    return 0
