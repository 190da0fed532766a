"""Engine, schema migration and sessions.

``get_engine()`` returns one engine per database URL. ``upgrade_schema()`` runs the Alembic migrations to the
newest revision; the app and the CLI call it on start, so an existing database is brought up to date and a new
one is created.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from models.settings import get_settings

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
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
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


# --- Arrow-native reads ---------------------------------------------------------------------------------------
# The analytics read whole tables of one organisation. Turning hundreds of thousands of rows into Python objects
# (SQLAlchemy rows, then polars) is most of the cost, so reads go through ADBC instead: the driver hands Arrow
# columns straight to polars (SQLite: adbc-driver-sqlite; PostgreSQL: adbc-driver-postgresql, which uses COPY
# in binary). The statements are still SQLAlchemy Core, compiled for the engine's dialect, so the models stay
# the one description of the schema. Databases no ADBC driver serves (an in-memory SQLite database, other
# dialects) are read through SQLAlchemy with the same conversions.

SQLITE_BATCH_ROWS = 1 << 30  # one batch: the SQLite driver infers each column's type from its first batch


def arrow_native(engine: Engine) -> bool:
    """True when :func:`frame_reader` reads this engine's database through ADBC."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return bool(url.database) and url.database != ":memory:" and not url.database.startswith("file:")
    return url.get_backend_name() == "postgresql"


def _adbc_connect(engine: Engine):
    url = engine.url
    if url.get_backend_name() == "sqlite":
        import adbc_driver_sqlite.dbapi

        return adbc_driver_sqlite.dbapi.connect(url.database)
    import adbc_driver_postgresql.dbapi

    uri = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return adbc_driver_postgresql.dbapi.connect(uri)


def _sql(engine: Engine, statement) -> str:
    """The statement as SQL for this engine, with its (integer) parameters written in."""
    return str(statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))


def conform(frame, schema: dict):
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


@contextmanager
def frame_reader(engine: Engine) -> Iterator:
    """``read(statement, schema) -> polars.DataFrame`` on one connection: Arrow-native through ADBC where a
    driver serves the database, through SQLAlchemy otherwise; either way the frame has exactly ``schema``."""
    import polars as pl

    if arrow_native(engine):
        connection = _adbc_connect(engine)
        sqlite = engine.url.get_backend_name() == "sqlite"

        def read(statement, schema: dict) -> pl.DataFrame:
            with connection.cursor() as cursor:
                if sqlite:
                    cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(SQLITE_BATCH_ROWS)})
                cursor.execute(_sql(engine, statement))
                table = cursor.fetch_arrow_table()
            return conform(pl.from_arrow(table), schema)

        try:
            yield read
        finally:
            connection.close()
        return

    with engine.connect() as sa_connection:

        def read(statement, schema: dict) -> pl.DataFrame:
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
