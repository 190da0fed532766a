"""Engine, schema migration and sessions.

``get_engine()`` returns one engine per database URL. ``upgrade_schema()`` runs the Alembic migrations to the
newest revision; the app and the CLI call it on start, so an existing database is brought up to date and a new
one is created.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from models.settings import get_settings

if TYPE_CHECKING:
    import polars as pl
    from adbc_driver_manager.dbapi import Connection as AdbcConnection
    from polars._typing import PolarsDataType, SchemaDict
    from sqlalchemy.engine import Connection
    from sqlalchemy.engine.interfaces import DBAPIConnection
    from sqlalchemy.orm import Session as OrmSession
    from sqlalchemy.pool import ConnectionPoolEntry
    from sqlalchemy.sql import Select
    from sqlalchemy.sql.elements import ClauseElement

    from models.child_read import ChildRead

    # ``read(statement, schema)``: what :func:`frame_reader` yields
    FrameRead = Callable[[Select[Any], SchemaDict], pl.DataFrame]

MIGRATIONS = Path(__file__).with_name("migrations")


def _normalise_url(url: str) -> str:
    """Accept the plain ``postgresql://`` form and use the psycopg 3 driver for it."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default: the database configured now). One engine per URL per process."""
    return _engine_for(_normalise_url(url or get_settings().database_url))


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(  # pragma: no cover - trivial
            dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry
        ) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade_schema(engine: Engine | None = None) -> None:
    """Create or migrate the database schema to the newest revision."""
    engine = engine or get_engine()
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


# --- Change detection ------------------------------------------------------------------------------------------
# The tables an organisation's records live in, as the importer names them.
RECORD_TABLES = ("organisations", "levels", "baselines", "people", "activities", "involvements", "meetings",
                 "attendance", "payments", "support", "impacts", "feedback", "reviews")
GLOBAL = 0  # the data_change row of things that belong to no organisation (the list of organisations)

# ``rewritten`` follows ``version`` unless the change only added rows (inserted with :r = 0: left as it was).
_BUMP = text(
    "INSERT INTO data_change (organisation_id, table_name, version, rewritten) VALUES (:o, :t, 1, :r) "
    "ON CONFLICT (organisation_id, table_name) DO UPDATE SET version = data_change.version + 1, "
    "rewritten = CASE WHEN excluded.rewritten = 0 THEN data_change.rewritten ELSE data_change.version + 1 END"
)
_VERSIONS = text("SELECT organisation_id, table_name, version, rewritten FROM data_change")
# A safety net for a writer that forgets to bump: the newest id of each record table (a primary-key index seek).
_NEWEST = {"people": "person", "activities": "activity", "involvements": "involvement", "meetings": "meeting",
           "attendance": "attendance", "baselines": "baseline", "levels": "level", "organisations": "organisation",
           "payments": "payment", "support": "support_offer", "impacts": "impact_log", "feedback": "feedback",
           "reviews": "review_step"}
_NEWEST_SQL = text(" UNION ALL ".join(f"SELECT '{name}', max(id) FROM {table}" for name, table in _NEWEST.items()))
NEWEST_ID = "#newest_id"  # suffix of the table names of the safety net's entries (organisation 0)
REWRITTEN = "#rewritten"  # suffix of the entries giving a counter's value at its last update or deletion


def bump_data_version(
    connection: Connection | OrmSession,
    organisation_id: int | None,
    tables: Iterable[str],
    *,
    added_only: Iterable[str] = (),
) -> None:
    """Record, in the caller's transaction (a ``Connection`` or a ``Session``), that these tables of this
    organisation changed (table names as the importer spells them: "people", "attendance", ...). Every writer
    of records the dashboard analyses calls this once, at the end of its transaction; the dashboard then
    reloads only those tables. ``organisations`` also bumps the global list of organisations.

    ``added_only``: those of ``tables`` that only gained rows (no row updated or deleted), whose new rows all
    have ids above the organisation's existing rows: the dashboard then reads only the rows with a higher id
    than the last it read. Only a writer that holds the organisation's lock until it commits (the importer)
    may say so, so that two such writers never interleave their ids."""
    names = sorted(set(tables))
    appended = set(added_only)
    rows = [{"o": organisation_id or GLOBAL, "t": name, "r": 0 if name in appended else 1} for name in names]
    if "organisations" in names and organisation_id:
        rows.append({"o": GLOBAL, "t": "organisations", "r": 1})
    if rows:
        connection.execute(_BUMP, rows)


def read_all_data_versions(connection: Connection) -> dict[tuple[int, str], int]:
    """{(organisation id or 0, table name): change counter} for every organisation, with the counter's value at
    its last update or deletion as ``(o, "people#rewritten")``, and the newest id of each record table as
    ``(0, "people#newest_id")`` (which also catches rows added by a writer that did not bump): one small read."""
    found: dict[tuple[int, str], int] = {}
    for o, t, v, r in connection.execute(_VERSIONS):
        found[(int(o), str(t))] = int(v)
        found[(int(o), str(t) + REWRITTEN)] = int(r)
    for name, newest in connection.execute(_NEWEST_SQL):
        found[(GLOBAL, str(name) + NEWEST_ID)] = int(newest or 0)
    return found


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# --- Fast reads into polars -----------------------------------------------------------------------------------
# The analytics read whole tables of one organisation. Turning hundreds of thousands of rows into SQLAlchemy rows
# and then into polars was most of the cost. Reads now take the shortest safe path (``read_path``):
# - PostgreSQL: Arrow-native through ADBC (adbc-driver-postgresql, binary COPY), columns straight into polars.
# - SQLite: the engine's own sqlite3 connection, plain tuples into polars in one call, text dates and JSON
#   converted column-wise. Not ADBC: adbc-driver-sqlite carries its own copy of SQLite, and two copies of SQLite
#   in one process do not see each other's POSIX locks; measured here, an ADBC read made while SQLAlchemy held a
#   connection returned the database as it was before a committed import (and SQLite documents the same bug as
#   a cause of corruption). ``bench/bench_load.py`` measures both.
# - a child process (``start_child_read``, ``models/child_read.py``): ADBC on either database, in another
#   process, where its SQLite is just another client; the dashboard's first load after a start reads this way,
#   in parallel with its imports (``dashboard/warm.py``).
# - anything else: SQLAlchemy rows, with the same conversions.
# The statements are SQLAlchemy Core, compiled for the engine's dialect: the models stay the one schema.


def read_path(engine: Engine) -> str:
    """How :func:`frame_reader` reads this engine's database: "adbc", "sqlite3" or "sqlalchemy"."""
    backend = engine.url.get_backend_name()
    if backend == "postgresql":
        return "adbc"
    return "sqlite3" if backend == "sqlite" else "sqlalchemy"


def _adbc_connect(engine: Engine) -> AdbcConnection:
    import adbc_driver_postgresql.dbapi

    connection: AdbcConnection = adbc_driver_postgresql.dbapi.connect(_adbc_uri(engine))
    return connection


def _adbc_uri(engine: Engine) -> str:
    """The engine's PostgreSQL URL as libpq takes it (password included: it goes to a driver, never a log)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _sql(engine: Engine, statement: ClauseElement) -> str:
    """The statement as SQL for this engine, with its (integer) parameters written in."""
    return str(statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))


def start_child_read(engine: Engine, statements: Mapping[str, Any]) -> ChildRead | None:
    """Start reading ``statements`` ({name: SQLAlchemy statement}) Arrow-native in a child process
    (``models.child_read``: ADBC, safe on SQLite because the child is another process); None when this
    database cannot be read that way (in-memory SQLite, another backend). The results are raw, like the
    in-process readers' before :func:`conform`."""
    from models import child_read

    backend = engine.url.get_backend_name()
    connect_to = child_read.target(backend, engine.url.database, _adbc_uri(engine))
    if connect_to is None:
        return None
    return child_read.start(connect_to, {name: _sql(engine, statement) for name, statement in statements.items()})


def conform(frame: pl.DataFrame, schema: SchemaDict) -> pl.DataFrame:
    """``frame``'s columns, in order, renamed and converted to ``schema``: what a database returns for a date,
    a time, a boolean or a JSON list (SQLite keeps text and integers) becomes the polars type asked for."""
    import polars as pl

    columns = []
    for series, (name, dtype) in zip(frame.get_columns(), schema.items(), strict=True):
        series = series.rename(name)
        if isinstance(series.dtype, pl.Extension):  # PostgreSQL's json arrives as the arrow.json extension
            series = series.ext.storage()
        if series.dtype == dtype:
            columns.append(series)
        elif series.null_count() == series.len():
            columns.append(pl.Series(name, [None] * series.len(), dtype=dtype))
        elif series.dtype == pl.String and dtype == pl.Date:
            columns.append(series.str.to_date("%Y-%m-%d"))
        elif series.dtype == pl.String and dtype == pl.Time:
            columns.append(series.str.to_time("%H:%M:%S%.f"))
        elif series.dtype == pl.String and isinstance(dtype, pl.List):
            columns.append(series.str.json_decode(dtype))
        else:
            columns.append(series.cast(dtype))
    return pl.DataFrame(columns)


def _raw_dtype(dtype: PolarsDataType) -> PolarsDataType:
    """The type SQLite hands back for a column read as ``dtype`` (text for dates, times and JSON lists)."""
    import polars as pl

    if dtype in (pl.Int64, pl.Boolean, pl.Int32):
        return pl.Int64
    return pl.Float64 if dtype == pl.Float64 else pl.String


SQLITE_BATCH_ROWS = 20_000  # rows turned into Python tuples at a time when reading SQLite


@contextmanager
def frame_reader(engine: Engine) -> Iterator[FrameRead]:
    """``read(statement, schema) -> polars.DataFrame`` on one connection, by the engine's :func:`read_path`;
    either way the frame has exactly ``schema``."""
    import polars as pl

    path = read_path(engine)
    if path == "adbc":
        connection = _adbc_connect(engine)

        def read(statement: Select[Any], schema: SchemaDict) -> pl.DataFrame:
            with connection.cursor() as cursor:
                cursor.execute(_sql(engine, statement))
                table = cursor.fetch_arrow_table()
            return conform(cast("pl.DataFrame", pl.from_arrow(table)), schema)  # a Table gives a DataFrame

        try:
            yield read
        finally:
            connection.close()
        return

    if path == "sqlite3":
        raw = engine.raw_connection()

        def read(statement: Select[Any], schema: SchemaDict) -> pl.DataFrame:
            names = [f"_{i}" for i in range(len(schema))]
            raw_schema = {n: _raw_dtype(dtype) for n, dtype in zip(names, schema.values(), strict=True)}
            # In batches: a whole table as Python tuples at once costs ~250 MiB at --scale 100 (bench_peer.py
            # --memory), and the allocator keeps what it took; a batch is a few MiB.
            chunks = []
            cursor = raw.cursor()
            try:
                cursor.execute(_sql(engine, statement))
                while rows := cursor.fetchmany(SQLITE_BATCH_ROWS):
                    chunks.append(pl.DataFrame(rows, schema=raw_schema, orient="row"))
            finally:
                cursor.close()
            if not chunks:
                return conform(pl.DataFrame(schema=raw_schema), schema)
            return conform(pl.concat(chunks, rechunk=True), schema)

        try:
            yield read
        finally:
            raw.close()  # back to the pool
        return

    with engine.connect() as sa_connection:
        def read(statement: Select[Any], schema: SchemaDict) -> pl.DataFrame:
            rows = sa_connection.execute(statement).all()
            columns = list(zip(*rows, strict=True)) if rows else [()] * len(schema)
            frame = pl.DataFrame(
                {
                    name: pl.Series(name, values, dtype=dtype)
                    for (name, dtype), values in zip(schema.items(), columns, strict=True)
                }
            )
            return conform(frame, schema)

        yield read
