"""The head start of a cold server (``dashboard.warm``): the first run starts reading the organisation a new
session opens in a child process, and the frame store takes those frames, reading again whatever changed since
the read began."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from polars.testing import assert_frame_equal
from sqlalchemy.engine import Engine

from analytics import loader
from dashboard import cache, warm
from models import db
from models.importer import import_file
from models.seeding import seed_demo
from models.settings import get_settings


@pytest.fixture
def cold(monkeypatch, engine: Engine) -> Iterator[Engine]:
    """A server process that has not started yet: no head start taken, an empty frame store."""
    monkeypatch.setenv("PRESENCE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    cache._store.clear()
    monkeypatch.setattr(warm, "_started", False)
    monkeypatch.setattr(warm, "_pending", None)
    yield engine
    warm.discard()
    cache._store.clear()


def counters(engine: Engine) -> dict[tuple[int, str], int]:
    with engine.connect() as connection:
        return db.read_all_data_versions(connection)


def test_the_first_run_reads_the_first_organisation_in_the_background(cold):
    engine = cold
    org = seed_demo(engine=engine, scale=1).organisation_id
    warm.start()
    pending = warm._pending
    assert pending is not None and pending.organisation_id == org and pending.loading.reading is not None
    warm.start()  # only the first run of a process starts a read
    assert warm._pending is pending
    found = warm.take(get_settings().database_url, org)
    assert found is not None
    found_counters, frames = found
    assert found_counters == counters(engine)
    expected = loader.load_frames(engine, org)
    for name in ("people", "attendance", "involvements", "organisation"):
        assert_frame_equal(getattr(frames, name), getattr(expected, name), check_exact=True)
    assert warm.take(get_settings().database_url, org) is None  # taken once


def test_a_read_of_another_organisation_is_stopped(cold):
    engine = cold
    org = seed_demo(engine=engine, scale=1).organisation_id
    warm.start()
    pending = warm._pending
    assert pending is not None
    assert warm.take(get_settings().database_url, org + 1) is None
    assert pending.loading.reading.process.poll() is not None  # the child is gone
    assert not pending.loading.reading.folder.exists()  # and its files


def test_nothing_to_read_on_a_new_database(cold):
    warm.start()
    assert warm._pending is None


def test_the_store_takes_the_head_start_and_rereads_what_changed_since(cold):
    engine = cold
    org = seed_demo(engine=engine, scale=1).organisation_id
    warm.start()  # counters read, child started
    csv = b"ref,involvement_type,ethnicity\nNEW1,carer,N\nNEW2,carer,A\n"
    assert import_file(engine=engine, path_or_bytes=csv, file_name="people.csv", organisation_code="DEMO").committed
    version = cache.data_version(org)
    frames = cache._store().get(org, version)
    assert warm._pending is None  # taken
    expected = loader.load_frames(engine, org)
    for name in ("people", "levels", "attendance", "involvements", "meetings", "activities"):
        assert_frame_equal(getattr(frames, name), getattr(expected, name), check_exact=True)
    assert frames.people.filter(frames.people["ref"].is_in(["NEW1", "NEW2"])).height == 2
    assert cache._store().current(org, version) is frames
