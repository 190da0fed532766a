"""Export and backup: every importable table as CSV, plus one workbook, in the format the importer reads.

An export is one organisation: its ``organisations`` row (code, name, catchment), its ``levels``, its own
``baselines``, and every record table. Rows carry references (person_ref, activity_ref, meeting_ref, level
key, organisation code), never database ids, so the workbook imports into another, even empty, database and
gives back the same data. Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return) are written with a leading apostrophe; the importer takes it off again. Every
export writes an ``export`` audit event per organisation (who, folder, files, rows per table).
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from pathlib import Path

import polars as pl
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from models import _tabular, audit
from models.importer import (
    LINK_MODEL,
    OWNER_TABLE,
    TABLE_ORDER,
    TABLES,
    TableSpec,
    template_headers,
)
from models.tables import Level, Organisation, table_of

__all__ = ["WORKBOOK_NAME", "export_all", "export_frames", "format_number", "format_value"]

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


def format_number(value: float | int | None) -> str:
    """A count as the importer reads it back exactly: 1250.0 -> '1250', 12.5 -> '12.5'."""
    if value is None:
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def _organisations(connection: Connection, organisation_code: str | None) -> list[tuple[int, str]]:
    table = table_of(Organisation)
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
        table = table_of(model)
        rows = connection.execute(
            select(table.c.id, table.c.ref).where(table.c.organisation_id == organisation_id)
        )
        maps[target] = {r.id: r.ref for r in rows}
    level = table_of(Level)
    maps["levels"] = {
        r.id: r.key
        for r in connection.execute(
            select(level.c.id, level.c.key).where(level.c.organisation_id == organisation_id)
        )
    }
    return maps


def _table_frame(
    connection: Connection,
    spec: TableSpec,
    organisation: tuple[int, str],
    maps: dict[str, dict[int, str]],
) -> pl.DataFrame:
    organisation_id, code = organisation
    table = table_of(spec.model)
    stored = [c for c in spec.columns if c.kind != "organisation"]
    owner = table.c.id if spec.name == OWNER_TABLE else table.c.organisation_id
    rows = connection.execute(select(*(table.c[c.db] for c in stored)).where(owner == organisation_id)).all()
    values = {c.name: [r[i] for r in rows] for i, c in enumerate(stored)}
    columns: dict[str, list[str]] = {}
    for column in spec.columns:
        if column.kind == "organisation":
            columns[column.name] = [code] * len(rows)
        elif column.kind == "link":
            lookup = maps[column.link or "people"]
            columns[column.name] = [lookup.get(v, "") if v is not None else "" for v in values[column.name]]
        elif column.kind == "level":
            columns[column.name] = [maps["levels"].get(v, "") for v in values[column.name]]
        elif column.kind == "catchment":
            columns[column.name] = [";".join(v or []) for v in values[column.name]]
        elif column.kind == "number":
            columns[column.name] = [format_number(v) for v in values[column.name]]
        else:
            columns[column.name] = [format_value(v) for v in values[column.name]]
    frame = pl.DataFrame(columns, schema={h: pl.String for h in template_headers(spec.name)})
    return frame.sort(list(spec.key))


def export_frames(*, engine: Engine, organisation_code: str) -> dict[str, pl.DataFrame]:
    """Every importable table of one organisation as text frames in the importer's format, in import order:
    the organisation itself, its levels and baselines first."""
    with engine.connect() as connection:
        [organisation] = _organisations(connection, organisation_code)
        maps = _id_to_ref(connection, organisation[0])
        return {name: _table_frame(connection, TABLES[name], organisation, maps) for name in TABLE_ORDER}


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


def export_all(
    *,
    engine: Engine,
    directory: str | Path,
    organisation_code: str | None = None,
    user: str = "cli",
) -> list[Path]:
    """Write <table>.csv for every table and presence-export.xlsx (a sheet per table); returns the paths.

    With an organisation code, that organisation only, in ``directory``. Without one, every organisation:
    in ``directory`` when there is one, otherwise each in its own sub-folder named by its code. Each
    organisation written leaves one ``export`` audit event by ``user``.
    """
    folder = Path(directory)
    with engine.connect() as connection:
        organisations = _organisations(connection, organisation_code)
    paths: list[Path] = []
    for organisation_id, code in organisations:
        target = folder if len(organisations) == 1 else folder / _safe_folder(code)
        frames = export_frames(engine=engine, organisation_code=code)
        written = _write_folder(frames, target)
        audit.record_event(
            engine=engine,
            user=user,
            action=audit.EXPORT,
            organisation_id=organisation_id,
            detail={
                "organisation": code,
                "directory": str(target)[:300],
                "files": [p.name for p in written],
                "rows": {name: frame.height for name, frame in frames.items()},
            },
        )
        paths.extend(written)
    return paths


def _safe_folder(code: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_" else "_" for c in code)
    return cleaned or "organisation"
