"""Cheap change detection: imports and new organisations bump a per-organisation change counter in their own
transaction, and the dashboard's frame store re-reads only the tables that changed."""

from __future__ import annotations

import polars as pl
import pytest
from sqlalchemy.engine import Engine

from dashboard import cache
from models import db
from models.importer import import_file
from models.seeding import seed_demo
from models.settings import get_settings


def counters(engine: Engine) -> dict[tuple[int, str], int]:
    with engine.connect() as connection:
        return db.read_all_data_versions(connection)


def people_csv(*refs: str) -> bytes:
    return ("ref,involvement_type,ethnicity\n" + "".join(f"{r},service_user,N\n" for r in refs)).encode()


def test_imports_bump_the_counters_of_the_tables_they_wrote(engine):
    summary = seed_demo(engine=engine, scale=1)
    org = summary.organisation_id
    before = counters(engine)
    assert before[(org, "people")] == 1 and before[(org, "attendance")] == 1 and before[(0, "organisations")] >= 1
    import_file(engine=engine, path_or_bytes=people_csv("NEW1"), file_name="people.csv", organisation_code="DEMO",
                dry_run=True)
    assert counters(engine) == before  # a dry run writes nothing, so nothing changed
    report = import_file(engine=engine, path_or_bytes=people_csv("NEW1", "NEW2"), file_name="people.csv",
                         organisation_code="DEMO")
    assert report.committed
    after = counters(engine)
    assert after[(org, "people")] == 2 and after[(org, "attendance")] == 1
    assert after[(0, "people#newest_id")] >= before[(0, "people#newest_id")] + 2  # PostgreSQL may skip ids


def test_a_rejected_import_bumps_nothing(engine):
    seed_demo(engine=engine, scale=1)
    before = counters(engine)
    report = import_file(engine=engine, path_or_bytes=b"ref,involvement_type\nBAD,astronaut\n",
                         file_name="people.csv", organisation_code="DEMO")
    assert not report.committed
    assert counters(engine) == before


@pytest.fixture
def configured(monkeypatch, sqlite_engine) -> Engine:
    monkeypatch.setenv("PRESENCE_DATABASE_URL", str(sqlite_engine.url))
    get_settings.cache_clear()
    cache._store.clear()
    yield sqlite_engine
    cache._store.clear()


def test_the_frame_store_rereads_only_the_tables_that_changed(configured):
    engine = configured
    org = seed_demo(engine=engine, scale=1).organisation_id
    store = cache._store()
    version = cache.data_version(org)
    frames = store.get(org, version)
    assert store.current(org, version) is frames and store.changed_tables(org, version) == ()
    import_file(engine=engine, path_or_bytes=people_csv("NEW1", "NEW2", "NEW3"), file_name="people.csv",
                organisation_code="DEMO")
    newer = cache.data_version(org)
    assert newer != version and store.current(org, newer) is None
    assert store.changed_tables(org, newer) == ("levels", "people")
    updated = store.get(org, newer)
    assert updated.people.height == frames.people.height + 3
    assert updated.attendance is frames.attendance and updated.involvements is frames.involvements
    full = cache.analytics.load_frames(engine, org)
    for name in ("people", "levels", "attendance"):
        assert getattr(updated, name).equals(getattr(full, name))
    assert store.current(org, version) is updated  # an older version is served the newer frames
    assert updated.people.filter(pl.col("ref") == "NEW3").height == 1
