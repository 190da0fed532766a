"""The fast loaders (ADBC on PostgreSQL, the raw sqlite3 connection on SQLite) give exactly the frames the
SQLAlchemy reads gave, dtypes and row order included, on the demo trust, on SQLite and on PostgreSQL."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import text
from sqlalchemy.engine import Engine

from analytics import loader
from models import child_read, db
from models.importer import import_file
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


# --- The child-process reader (models.child_read: ADBC in another process, used for the first load) -----------

def test_a_child_process_read_gives_the_same_frames(demo):
    engine, organisation_id = demo
    loading = loader.start_loading(engine, organisation_id)
    assert loading.reading is not None  # read by the child, not by the fallback
    frames = loading.frames()
    before = todays_load_frames(engine, organisation_id)
    for name, frame in before.items():
        assert_frame_equal(getattr(frames, name), frame, check_exact=True)


def test_a_child_read_sees_an_import_committed_in_this_process(demo):
    """The stale read that keeps ADBC's SQLite out of the dashboard's process: with SQLAlchemy's pooled
    connection open and used, rows imported and committed here must be in the next read."""
    engine, organisation_id = demo
    with engine.connect() as held:  # a pooled connection stays open, as in the dashboard
        people = held.execute(text("SELECT count(*) FROM person")).scalar_one()
        first = loader.start_loading(engine, organisation_id).frames()
        csv = b"ref,involvement_type,ethnicity\nNEW1,carer,N\nNEW2,carer,A\n"
        report = import_file(engine=engine, path_or_bytes=csv, file_name="people.csv", organisation_code="DEMO")
        assert report.committed
        assert held.execute(text("SELECT count(*) FROM person")).scalar_one() in (people, people + 2)
        second = loader.start_loading(engine, organisation_id).frames()
    assert second.people.height == first.people.height + 2
    assert sorted(second.people.filter(pl.col("ref").str.starts_with("NEW"))["ref"]) == ["NEW1", "NEW2"]
    assert_frame_equal(second.people, loader.load_frames(engine, organisation_id).people, check_exact=True)


def test_the_first_load_falls_back_to_this_process(demo, monkeypatch):
    engine, organisation_id = demo
    expected = loader.load_frames(engine, organisation_id)
    memory = db.get_engine("sqlite://")
    assert db.start_child_read(memory, loader.statements(1)) is None  # an in-memory database: no child
    monkeypatch.setattr(child_read, "target", lambda *_: {"driver": "sqlite", "uri": "/nonexistent/x.db"})
    loading = loader.start_loading(engine, organisation_id)
    assert loading.reading is not None
    with pytest.raises(RuntimeError, match="background read"):
        loading.reading.result()
    frames = loader.start_loading(engine, organisation_id).frames()  # the child fails: read here instead
    assert_frame_equal(frames.attendance, expected.attendance, check_exact=True)
    assert_frame_equal(frames.people, expected.people, check_exact=True)
