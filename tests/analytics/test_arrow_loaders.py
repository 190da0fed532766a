"""The fast loaders (ADBC on PostgreSQL, the raw sqlite3 connection on SQLite) give exactly the frames the
SQLAlchemy reads gave, dtypes and row order included, on the demo trust, on SQLite and on PostgreSQL."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy.engine import Engine

from analytics import loader
from models import db
from models.seeding import seed_demo
from tests.analytics.test_fourpi_loader import AS_OF, seed_fourpi


def todays_load_frames(engine: Engine, organisation_id: int) -> dict[str, pl.DataFrame]:
    """The loader as it was: SQLAlchemy rows turned into a frame row by row."""
    found = {}
    with engine.connect() as connection:
        for name, statement in loader.statements(organisation_id).items():
            rows = connection.execute(statement).all()
            found[name] = pl.DataFrame([tuple(r) for r in rows], schema=loader.schemas()[name], orient="row")
    return found


@pytest.fixture
def demo(engine: Engine) -> tuple[Engine, int]:
    summary = seed_demo(engine=engine, scale=1)
    return engine, summary.organisation_id


def test_each_database_is_read_by_its_fast_path(demo):
    engine, _ = demo
    assert db.read_path(engine) == {"sqlite": "sqlite3", "postgresql": "adbc"}[engine.url.get_backend_name()]


def test_load_frames_equals_todays_frames(demo):
    engine, organisation_id = demo
    frames = loader.load_frames(engine, organisation_id)
    before = todays_load_frames(engine, organisation_id)
    assert frames.people.height > 1000 and frames.attendance.height > 1000
    assert frames.catchment  # the JSON list of area codes
    for name, frame in before.items():
        assert_frame_equal(getattr(frames, name), frame, check_exact=True)


def test_load_frames_equals_the_sqlalchemy_read_with_every_4pi_table(demo, monkeypatch):
    engine, organisation_id = demo
    seeded = seed_fourpi(engine)  # payments, support, impact, feedback, reviews, meeting times
    for org in (organisation_id, seeded):
        arrow = loader.load_frames(engine, org, as_of=AS_OF)
        with monkeypatch.context() as patch:
            patch.setattr(db, "read_path", lambda _engine: "sqlalchemy")
            before = loader.load_frames(engine, org, as_of=AS_OF)
        for table in loader.FRAME_TABLES:
            assert_frame_equal(getattr(arrow, table), getattr(before, table), check_exact=True)
    assert arrow.meetings.height and arrow.payments.height and arrow.meetings["start_time"].null_count() < 3


def test_the_schemas_are_the_models_columns():
    """Derived, not written twice: every column's type is its model column's, by the rule of loader.dtype_of."""
    from models import tables as models

    expected = {
        "Integer": pl.Int64, "BigInteger": pl.Int64, "AutoString": pl.String, "String": pl.String,
        "Boolean": pl.Boolean, "Date": pl.Date, "Time": pl.Time, "Float": pl.Float64, "Numeric": pl.Float64,
        "JSON": pl.List(pl.String),
    }
    for name, table in loader.TABLES.items():
        columns = getattr(models, table.model).__table__.c
        schema = loader.schemas()[name]
        assert list(schema) == list(table.columns)
        for column, dtype in schema.items():
            assert dtype == expected[type(columns[column].type).__name__], (name, column)


def test_an_organisation_with_no_records_gives_empty_typed_frames(engine):
    seeded = seed_fourpi(engine, code="EMPTY", name="Nothing yet")
    tables = loader.load_tables(engine, seeded + 1000)
    for name, frame in tables.items():
        assert frame.height == 0
        assert frame.schema == pl.Schema(loader.schemas()[name])
    with pytest.raises(ValueError, match="no organisation"):
        loader.load_frames(engine, seeded + 1000)
