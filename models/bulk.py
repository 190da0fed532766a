"""One bulk insert for every writer of many rows (the importer and the demo seeding): a polars frame in, rows out.

PostgreSQL gets COPY through psycopg, inside the caller's transaction (about ten times an executemany); every other
database gets one driver executemany per chunk. Values go through each column type's own bind processor, as
SQLAlchemy's ``insert()`` would, without building a dictionary per row. Nothing is committed here: the caller's
transaction decides.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
from sqlalchemy import Table
from sqlalchemy.engine import Connection

__all__ = ["CHUNK", "COPY_ABOVE", "insert_frame"]

COPY_ABOVE = 100  # rows: a smaller frame is not worth a COPY
CHUNK = 10_000  # rows per executemany


def insert_frame(
    connection: Connection, table: Table, frame: pl.DataFrame, constants: Mapping[str, object] | None = None
) -> int:
    """Insert every row of ``frame`` (its columns are ``table``'s columns, by name) with the same ``constants``
    (for example ``{"organisation_id": 3}``) in each row; returns the number of rows inserted."""
    if not frame.height:
        return 0
    fixed = dict(constants or {})
    names = [*frame.columns, *fixed]
    quoted = ", ".join(f'"{n}"' for n in names)
    if connection.dialect.name == "postgresql" and frame.height > COPY_ABOVE:
        _copy(connection, f'COPY "{table.name}" ({quoted}) FROM STDIN', frame, list(fixed.values()))
        return frame.height
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    statement = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join([marker] * len(names))})'
    for chunk in frame.iter_slices(CHUNK):
        connection.exec_driver_sql(statement, _bound_rows(connection, table, chunk, fixed))
    return frame.height


def _copy(connection: Connection, statement: str, frame: pl.DataFrame, fixed: list[object]) -> None:
    """PostgreSQL COPY through psycopg on the connection's own driver connection (so inside its transaction)."""
    driver = connection.connection.driver_connection
    assert driver is not None, "a PostgreSQL connection always has its driver connection"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in frame.iter_rows():
            copy.write_row([*row, *fixed])


def _bound_rows(
    connection: Connection, table: Table, frame: pl.DataFrame, fixed: Mapping[str, object]
) -> list[tuple[object, ...]]:
    """The frame's rows (plus the constants) as the driver takes them, column by column through the bind
    processor of each column's type."""
    dialect = connection.dialect
    columns: list[list[object]] = []
    for name in [*frame.columns, *fixed]:
        values: list[object] = (
            frame.get_column(name).to_list() if name in frame.columns else [fixed[name]] * frame.height
        )
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        columns.append([process(v) for v in values] if process else values)
    return list(zip(*columns, strict=True))
