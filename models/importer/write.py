"""The database side of an import, inside its one transaction: lock, look up what exists, work out what is
new or changed, and write it (bulk inserts through ``models.bulk``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import polars as pl
from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection
from sqlmodel import Session

from data import vocabulary
from models import crud
from models.bulk import insert_frame
from models.importer.messages import (
    CHUNK,
    OTHER_ORGANISATION_FILE,
    SEVERAL_IN_FILE,
)
from models.importer.report import ImportReport
from models.importer.specs import LINK_MODEL, OWNER_TABLE, TableSpec
from models.importer.validate import Lookups, Validated
from models.tables import ImportLog, Level, Organisation, OrganisationCreate, table_of


def begin(connection: Connection, tables: Sequence[str]) -> None:
    """Serialise imports: SQLite takes the write lock now (BEGIN IMMEDIATE); on PostgreSQL a file that
    carries its organisation locks the organisation table, so two imports creating it take turns."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql" and OWNER_TABLE in tables:
        connection.exec_driver_sql("LOCK TABLE organisation IN SHARE ROW EXCLUSIVE MODE")


@dataclass(frozen=True)
class Target:
    id: int | None  # None only while the organisation the file describes has not been written (rejected)
    code: str | None


def lock_organisation(
    connection: Connection, organisation_code: str | None, *, missing_ok: bool = False
) -> Target:
    """The organisation row, locked for this transaction (PostgreSQL: FOR UPDATE; SQLite: BEGIN IMMEDIATE)."""
    table = table_of(Organisation)
    query = select(table.c.id, table.c.code).order_by(table.c.id)
    if organisation_code is not None:
        query = query.where(table.c.code == organisation_code)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    rows = connection.execute(query).all()
    if organisation_code is not None and not rows:
        if missing_ok:
            return Target(id=None, code=organisation_code)
        raise ValueError(f"There is no organisation with the code '{organisation_code}'.")
    if not rows:
        raise ValueError("There is no organisation yet: run 'presence demo' or create one before importing.")
    if len(rows) > 1:
        raise ValueError(
            f"There are several organisations ({', '.join(r.code for r in rows)}): "
            "name one with --organisation."
        )
    return Target(id=rows[0].id, code=rows[0].code)


def file_organisation(validated: Validated, organisation_code: str | None, file_name: str) -> str | None:
    """The organisation a file's organisations sheet names; it must be the one chosen, when one was."""
    found = sorted(set(validated.frame.get_column("code").drop_nulls().to_list()))
    if len(found) > 1:
        shown = ", ".join(found[:5]) + (", ..." if len(found) > 5 else "")
        raise ValueError(SEVERAL_IN_FILE.format(file=file_name, codes=shown))
    if found and organisation_code is not None and found[0] != organisation_code:
        raise ValueError(
            OTHER_ORGANISATION_FILE.format(file=file_name, found=found[0], code=organisation_code)
        )
    return found[0] if found else organisation_code


def _ref_frame(connection: Connection, target: str, organisation_id: int) -> pl.DataFrame:
    table = table_of(LINK_MODEL[target])
    rows = connection.execute(
        select(table.c.ref, table.c.id).where(table.c.organisation_id == organisation_id)
    )
    return pl.DataFrame(rows.all(), schema={"ref": pl.String, "id": pl.Int64}, orient="row")


def load_lookups(
    connection: Connection, organisation_id: int | None, organisation_code: str | None
) -> Lookups:
    """What the organisation has in the database (nothing when it does not exist yet)."""
    lookups = Lookups(
        refs={target: _ref_frame(connection, target, organisation_id or 0) for target in LINK_MODEL},
        levels={},
        organisation_code=organisation_code,
    )
    _load_levels(connection, lookups, organisation_id or 0)
    return lookups


def _load_levels(connection: Connection, lookups: Lookups, organisation_id: int) -> None:
    level = table_of(Level)
    rows = connection.execute(
        select(level.c.id, level.c.key, level.c.name, level.c.rank)
        .where(level.c.organisation_id == organisation_id)
        .order_by(level.c.rank)
    ).all()
    lookups.level_ids = {r.key: r.id for r in rows}
    lookups.level_ranks = {r.key: r.rank for r in rows}
    for row in rows:
        lookups.levels.setdefault(vocabulary.key(row.key), row.key)
        lookups.levels.setdefault(vocabulary.key(row.name), row.key)


def add_incoming_levels(lookups: Lookups, pairs: Iterable[tuple[str, str]]) -> None:
    """Levels arriving in this import can be named by the activities that follow them."""
    pairs = list(pairs)
    for key, _name in pairs:
        lookups.levels[vocabulary.key(key)] = key
    for key, name in pairs:
        lookups.levels.setdefault(vocabulary.key(name), key)


def db_frame(validated: Validated, lookups: Lookups) -> pl.DataFrame:
    """The parsed rows with links resolved to ids, named by database column."""
    frame = validated.frame
    for column in validated.spec.columns:
        if column.kind == "link":
            ids = lookups.refs[column.link or "people"].rename({"ref": column.name, "id": column.db})
            frame = frame.join(ids, on=column.name, how="left", nulls_equal=False, maintain_order="left")
        elif column.kind == "level":
            frame = frame.with_columns(
                pl.col(column.name)
                .replace_strict(lookups.level_ids, default=None, return_dtype=pl.Int64)
                .alias(column.db)
            )
        elif column.db != column.name:
            frame = frame.rename({column.name: column.db})
    names = [c.db for c in validated.spec.columns if c.kind != "organisation"]
    return frame.select(names)


def key_fields(spec: TableSpec) -> list[str]:
    return [spec.column(k).db for k in spec.key]


def _existing(
    connection: Connection, spec: TableSpec, organisation_id: int, schema: pl.Schema
) -> pl.DataFrame:
    table = table_of(spec.model)
    fields = list(schema)
    rows: list[tuple[object, ...]] = [
        tuple(r)
        for r in connection.execute(
            select(table.c.id, *(table.c[f] for f in fields)).where(table.c.organisation_id == organisation_id)
        )
    ]
    money = [c.db for c in spec.columns if c.kind == "money"]
    if money:
        position = {f: i + 1 for i, f in enumerate(fields)}
        rows = [
            tuple(
                _money_text(v) if i in {position[m] for m in money} and v is not None else v
                for i, v in enumerate(r)
            )
            for r in rows
        ]
    return pl.DataFrame(rows, schema={"_id": pl.Int64, **dict(schema)}, orient="row")


def _money_text(value: object) -> str:
    """A stored amount as the validated text of a cell ("12.50"), so that an unchanged amount compares equal."""
    assert isinstance(value, Decimal | int | float | str), f"an amount, not {value!r}"
    return str(Decimal(value).quantize(Decimal("0.01")))


def _diff(
    connection: Connection, validated: Validated, lookups: Lookups, organisation_id: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows to add, and the rows to update (with their database ``_id``); counts go into the report."""
    spec = validated.spec
    frame = db_frame(validated, lookups)
    key = key_fields(spec)
    values = [f for f in frame.columns if f not in key]
    existing = _existing(connection, spec, organisation_id, frame.schema)
    joined = frame.join(existing, on=key, how="left", suffix="_db", nulls_equal=True)
    changed = pl.any_horizontal([~pl.col(f).eq_missing(pl.col(f + "_db")) for f in values])
    added = joined.filter(pl.col("_id").is_null()).select(frame.columns)
    updated = joined.filter(pl.col("_id").is_not_null() & changed).select("_id", *values)
    counts = validated.counts
    counts.added, counts.updated = added.height, updated.height
    counts.unchanged = frame.height - added.height - updated.height
    return added, updated


def write_table(connection: Connection, validated: Validated, lookups: Lookups, organisation_id: int) -> None:
    spec = validated.spec
    added, updated = _diff(connection, validated, lookups, organisation_id)
    table = table_of(spec.model)
    money = [c.db for c in spec.columns if c.kind == "money"]
    stamp: dict[str, object] = {"updated_at": datetime.now(UTC)} if "updated_at" in table.c else {}
    if spec.model is Level and updated.height:
        # Ranks are unique per organisation: move the changing levels out of the way first, so that two
        # levels can swap ranks and a new level can take a rank that an updated level gives up.
        moving = updated.get_column("_id").to_list()
        connection.execute(update(table).where(table.c.id.in_(moving)).values(rank=table.c.rank + 1000))
    insert_frame(connection, table, _with_money(added, money), {"organisation_id": organisation_id} | stamp)
    if updated.height:
        values = [c for c in updated.columns if c != "_id"]
        statement = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({f: bindparam("v_" + f) for f in [*values, *stamp]})
        )
        for chunk in updated.iter_slices(CHUNK):
            rows = [
                {"_id": row["_id"]}
                | {"v_" + f: row[f] for f in values}
                | {"v_" + k: v for k, v in stamp.items()}
                for row in _with_money(chunk, money).iter_rows(named=True)
            ]
            connection.execute(statement, rows)
    target = next((t for t, model in LINK_MODEL.items() if model is spec.model), None)
    if target is not None:
        lookups.refs[target] = _ref_frame(connection, target, organisation_id)
    if spec.model is Level:
        _load_levels(connection, lookups, organisation_id)


def write_organisation(
    connection: Connection, validated: Validated, *, with_levels_from_file: bool
) -> None:
    """Upsert the file's organisation on its code. A new one gets the file's levels (written next) or, when
    the file has none, the five default levels."""
    counts = validated.counts
    rows = validated.frame.select("code", "name", "catchment").to_dicts()
    counts.added = counts.updated = counts.unchanged = 0
    table = table_of(Organisation)
    for row in rows:
        catchment = [c for c in (row["catchment"] or "").split(";") if c]
        found = connection.execute(
            select(table.c.id, table.c.name, table.c.catchment).where(table.c.code == row["code"])
        ).first()
        if found is None:
            counts.added += 1
            if with_levels_from_file:
                connection.execute(
                    table.insert().values(
                        code=row["code"], name=row["name"], catchment=catchment, created_at=datetime.now(UTC)
                    )
                )
                continue
            with Session(bind=connection) as session:
                crud.create_organisation(
                    session=session,
                    organisation=OrganisationCreate(code=row["code"], name=row["name"], catchment=catchment),
                )
        elif (found.name, list(found.catchment or [])) != (row["name"], catchment):
            counts.updated += 1
            connection.execute(
                update(table).where(table.c.id == found.id).values(name=row["name"], catchment=catchment)
            )
        else:
            counts.unchanged += 1


def _with_money(frame: pl.DataFrame, money: list[str]) -> pl.DataFrame:
    """Money is validated text ("12.50"); the database takes a Decimal."""
    if not money:
        return frame
    return frame.with_columns(pl.col(m).cast(pl.Decimal(12, 2)) for m in money)


def log_import(connection: Connection, report: ImportReport, organisation_id: int, user: str) -> None:
    now = datetime.now(UTC)
    rows = [
        dict(
            at=now,
            user=user[:254],
            organisation_id=organisation_id,
            file_name=report.file_name[:400],
            table_name=t.table,
            rows_read=t.rows_read,
            added=t.added,
            updated=t.updated,
            unchanged=t.unchanged,
            rejected=t.rejected,
            committed=True,
        )
        for t in report.tables
        if t.rows_read or t is report.tables[0]
    ]
    connection.execute(table_of(ImportLog).insert(), rows)
