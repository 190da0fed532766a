"""Cheap change detection: imports and new organisations bump a per-organisation change counter in their own
transaction, and the dashboard's frame store re-reads only the tables that changed."""

from __future__ import annotations

import polars as pl
import pytest
from sqlalchemy.engine import Engine

import analytics
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
    full = analytics.load_frames(engine, org)
    for name in ("people", "levels", "attendance"):
        assert getattr(updated, name).equals(getattr(full, name))
    assert store.current(org, version) is updated  # an older version is served the newer frames
    assert updated.people.filter(pl.col("ref") == "NEW3").height == 1


@pytest.fixture
def store_on(monkeypatch, engine) -> Engine:
    """The dashboard's frame store reading ``engine`` (SQLite, then PostgreSQL)."""
    monkeypatch.setenv("PRESENCE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    cache._store.clear()
    cache._engine.clear()
    yield engine
    cache._store.clear()
    cache._engine.clear()


def attendance_csv(engine: Engine, rows: int, *, status: str = "attended", new: bool = True) -> bytes:
    """``rows`` attendance records: of people at meetings they have no record of (``new``), or existing ones."""
    from sqlalchemy import text

    exists = "EXISTS" if not new else "NOT EXISTS"
    with engine.connect() as connection:
        pairs = connection.execute(text(
            "SELECT m.ref, p.ref FROM meeting m JOIN person p ON p.organisation_id = m.organisation_id "
            f"WHERE {exists} (SELECT 1 FROM attendance a WHERE a.meeting_id = m.id AND a.person_id = p.id) "
            "ORDER BY m.id, p.id LIMIT :n"), {"n": rows}).all()
    assert len(pairs) == rows
    return ("meeting_ref,person_ref,status\n" + "".join(f"{m},{p},{status}\n" for m, p in pairs)).encode()


def test_rows_only_added_are_appended_and_equal_a_full_reload(store_on):
    engine = store_on
    org = seed_demo(engine=engine, scale=1).organisation_id
    store = cache._store()
    version = cache.data_version(org)
    frames = store.get(org, version)
    before = counters(engine)

    report = import_file(engine=engine, path_or_bytes=attendance_csv(engine, 25), file_name="attendance.csv",
                         organisation_code="DEMO")
    assert report.committed and report.added == 25 and report.updated == 0
    after = counters(engine)
    assert after[(org, "attendance")] == before[(org, "attendance")] + 1
    assert after[(org, "attendance#rewritten")] == before[(org, "attendance#rewritten")]  # only added rows
    assert after[(org, "levels#rewritten")] == after[(org, "levels")]  # levels are always read again

    newer = cache.data_version(org)
    assert store.changed_tables(org, newer) == ("attendance", "levels")
    assert store.appendable(org, newer) == {"attendance": frames.attendance["id"].max()}
    appended = store.get(org, newer)
    assert appended.attendance.height == frames.attendance.height + 25
    assert appended.people is frames.people and appended.involvements is frames.involvements
    full = analytics.load_frames(engine, org)
    for name in ("attendance", "levels", "people", "involvements", "meetings", "activities"):
        assert getattr(appended, name).equals(getattr(full, name)), name  # rows, order and dtypes

    # an import that changes existing rows is a rewrite: the table is read again in full
    report = import_file(engine=engine, path_or_bytes=attendance_csv(engine, 5, status="apologies", new=False),
                         file_name="attendance.csv", organisation_code="DEMO")
    assert report.committed and report.updated == 5
    rewritten = counters(engine)
    assert rewritten[(org, "attendance#rewritten")] == rewritten[(org, "attendance")]
    latest = cache.data_version(org)
    assert store.appendable(org, latest) == {}
    reread = store.get(org, latest)
    full = analytics.load_frames(engine, org)
    assert reread.attendance.equals(full.attendance)
    assert reread.attendance.filter(pl.col("status") == "apologies").height > (
        appended.attendance.filter(pl.col("status") == "apologies").height
    )


def test_only_added_rows_of_another_organisation_or_an_unbumped_writer_mean_a_full_read(store_on):
    """The global newest-id safety net moving alone (a writer that did not bump) is not an append."""
    from sqlalchemy import text

    from models.tables import Person

    engine = store_on
    org = seed_demo(engine=engine, scale=1).organisation_id
    store = cache._store()
    frames = store.get(org, cache.data_version(org))
    columns = [c.name for c in Person.__table__.columns if c.name not in ("id", "ref")]
    with engine.begin() as connection:  # a writer that forgets to bump the counters copies a person
        connection.execute(text(f"INSERT INTO person (ref, {', '.join(columns)}) "
                                f"SELECT ref || '-copy', {', '.join(columns)} FROM person WHERE id = :i"),
                           {"i": int(frames.people["id"].min())})
    newer = cache.data_version(org)
    assert store.changed_tables(org, newer) == ("people",)
    assert store.appendable(org, newer) == {}
    reread = store.get(org, newer)
    assert reread.people.height == frames.people.height + 1
    assert reread.people.equals(analytics.load_frames(engine, org).people)
