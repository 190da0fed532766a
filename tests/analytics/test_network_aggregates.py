"""Stored network aggregates (issue 17, scale): what a first network render reads instead of every
organisation's records equals what is built from the records, goes stale after an import to that organisation
(and is built and stored again), and holds published figures only."""

from __future__ import annotations

import io

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import select

from analytics import network_loader, suppression
from analytics.network_loader import load_members, organisations, precompute
from data.demo_network import BOARD_GAP_CODES, CONTROL_CODE
from models import aggregates
from models.importer import import_file
from models.seeding import load_reference_baselines, seed_network
from models.settings import get_settings
from models.tables import NetworkAggregate, table_of

CODES = (BOARD_GAP_CODES[0], CONTROL_CODE)
KEYS = dict(characteristic="ethnicity_binary", period="year")


@pytest.fixture
def seeded(engine):
    load_reference_baselines(engine)
    seed_network(engine=engine, seed=2021, size=0.1, codes_wanted=CODES)
    return engine


def _stored(engine) -> list[tuple[int, str, str, str, bytes]]:
    table = table_of(NetworkAggregate).c
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(select(
            table.organisation_id, table.aggregate_key, table.part, table.data_version, table.payload)).all()]


def _same(a, b) -> None:
    for x, y in zip(a, b, strict=True):
        assert (x.code, x.catchment) == (y.code, y.catchment)
        rep_x, rep_y = x.representation, y.representation
        assert_frame_equal(rep_x.rows, rep_y.rows)
        assert_frame_equal(rep_x.tables, rep_y.tables)
        assert (rep_x.joiners is None) == (rep_y.joiners is None)
        if rep_x.joiners is not None:
            assert_frame_equal(rep_x.joiners, rep_y.joiners)
        assert (rep_x.baseline, rep_x.baseline_description, rep_x.alpha, rep_x.period) == (
            rep_y.baseline, rep_y.baseline_description, rep_y.alpha, rep_y.period)
        assert_frame_equal(x.trends, y.trends)
        assert (x.scorecard is None) == (y.scorecard is None)
        if x.scorecard is not None:
            assert_frame_equal(x.scorecard, y.scorecard)


def test_stored_aggregates_equal_the_figures_built_from_the_records(seeded):
    chosen = organisations(seeded)
    fresh = load_members(seeded, chosen, **KEYS, scorecards=True, stored=False)
    assert _stored(seeded) == []  # stored=False neither reads nor writes
    first = load_members(seeded, chosen, **KEYS, scorecards=True)  # computed and stored
    stored = _stored(seeded)
    assert {(o, key.split("|")[0]) for o, key, *_ in stored} == {
        (row.organisation_id, kind) for row in chosen for kind in ("rep", "scorecard")}
    read = load_members(seeded, chosen, **KEYS, scorecards=True)  # read back
    assert _stored(seeded) == stored  # a hit writes nothing
    _same(fresh, first)
    _same(fresh, read)


def test_a_hit_does_not_build_from_the_records(seeded, monkeypatch):
    chosen = organisations(seeded)
    load_members(seeded, chosen, **KEYS)

    def refuse(*_args, **_kwargs):
        raise AssertionError("built from the records although the aggregates are stored and current")

    monkeypatch.setattr(network_loader.network, "published_representation", refuse)
    assert len(load_members(seeded, chosen, **KEYS)) == len(chosen)
    with pytest.raises(AssertionError, match="built from the records"):  # another key is a miss
        load_members(seeded, chosen, characteristic="sex", period="year")


def test_an_import_to_one_organisation_makes_only_its_aggregates_stale(seeded):
    chosen = organisations(seeded)
    load_members(seeded, chosen, **KEYS)
    before = {(o, part): (version, payload) for o, _, part, version, payload in _stored(seeded)}
    changed, other = chosen[0], chosen[1]
    report = import_file(engine=seeded, path_or_bytes=b"ref,involvement_type,ethnicity\nNEW1,service_user,A\n",
                         file_name="people.csv", organisation_code=changed.code)
    assert report.committed and report.added == 1, report.problems
    versions = aggregates.organisation_versions(seeded, [changed.organisation_id, other.organisation_id])
    assert versions[changed.organisation_id] != before[(changed.organisation_id, "meta")][0]
    assert versions[other.organisation_id] == before[(other.organisation_id, "meta")][0]
    assert aggregates.read_aggregates(
        seeded, {changed.organisation_id: network_loader.aggregate_key(
            **KEYS, involvement="all", baseline=None, settings=get_settings())}, versions) == {}
    again = load_members(seeded, chosen, **KEYS)  # recomputed for the changed one, stored again
    after = {(o, part): (version, payload) for o, _, part, version, payload in _stored(seeded)}
    assert after[(changed.organisation_id, "meta")][0] == versions[changed.organisation_id]
    assert after[(other.organisation_id, "rows")] == before[(other.organisation_id, "rows")]
    _same(again, load_members(seeded, chosen, **KEYS, stored=False))


def test_nothing_exact_is_ever_stored(seeded):
    chosen = organisations(seeded)
    precompute(seeded, chosen, characteristics=("ethnicity",), periods=("year",))
    settings = get_settings()
    frames = {(o, key, part): pl.read_ipc(io.BytesIO(payload))
              for o, key, part, _, payload in _stored(seeded) if part not in ("meta",)}
    assert {part for _, _, part in frames} >= {"rows", "tables", "joiners", "trends", "scorecard"}
    counts = (*suppression.ROW_COUNTS, *suppression.TABLE_COUNTS)
    checked = 0
    for (o, key, part), frame in frames.items():
        if part in ("rows", "tables", "joiners"):
            assert suppression.looks_published(frame, counts, settings), (o, key, part)
            checked += sum(col in frame.columns for col in counts)
    assert checked > 0
    # the check has teeth: the exact representation does not look published
    from analytics.loader import load_frames
    from analytics.representation import representation_table

    exact = representation_table(load_frames(seeded, chosen[0].organisation_id), characteristic="ethnicity",
                                 period="year")
    assert not suppression.looks_published(exact.tables, counts, settings)


def test_erasing_a_person_forgets_that_organisations_stored_aggregates(seeded):
    from models.erasure import erase_person
    from models.tables import Person

    chosen = organisations(seeded)
    load_members(seeded, chosen, **KEYS)
    people = table_of(Person).c
    with seeded.connect() as connection:
        ref = connection.execute(select(people.ref).where(
            people.organisation_id == chosen[0].organisation_id).limit(1)).scalar_one()
    erase_person(engine=seeded, person_ref=ref, user="test", organisation_code=chosen[0].code)
    assert {o for o, *_ in _stored(seeded)} == {chosen[1].organisation_id}


def test_presence_network_refresh_stores_every_chosen_organisations_aggregates(sqlite_engine, monkeypatch, capsys):
    from presence_cli import main

    load_reference_baselines(sqlite_engine)
    seed_network(engine=sqlite_engine, seed=2021, size=0.1, codes_wanted=CODES)
    monkeypatch.setenv("PRESENCE_DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    chosen = [row for row in organisations(sqlite_engine) if row.code == CODES[0]]
    assert main(["network", "--refresh", "--organisations", CODES[0], "--format", "csv"]) == 0
    out = capsys.readouterr()
    assert "Stored 2 sets of published aggregates" in out.err and CODES[0] in out.out
    keys = {key for o, key, *_ in _stored(sqlite_engine)}
    assert {o for o, *_ in _stored(sqlite_engine)} == {chosen[0].organisation_id}
    assert {key.split("|")[2] for key in keys if key.startswith("rep|")} == {"year", "quarter"}


def test_the_key_follows_the_settings_that_shape_figures_only():
    base = get_settings()

    def key(settings):
        return network_loader.aggregate_key(**KEYS, involvement="all", baseline=None, settings=settings)

    assert key(base.model_copy(update={"suppress_below": 10})) != key(base)
    assert key(base.model_copy(update={"alpha": 0.01})) != key(base)
    assert key(base.model_copy(update={"database_url": "sqlite:////elsewhere.db", "audit_key": "x"})) == key(base)
    assert network_loader.aggregate_key(characteristic="sex", period="year", involvement="all", baseline=None,
                                        settings=base) != key(base)


def test_a_database_that_refuses_the_write_still_gives_the_figures(sqlite_engine, monkeypatch, caplog):
    from sqlalchemy.exc import OperationalError

    load_reference_baselines(sqlite_engine)
    seed_network(engine=sqlite_engine, seed=2021, size=0.1, codes_wanted=CODES[:1])

    def refuse(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, Exception("attempt to write a readonly database"))

    monkeypatch.setattr(network_loader.aggregates, "store_aggregates", refuse)
    chosen = organisations(sqlite_engine)
    members = load_members(sqlite_engine, chosen, **KEYS)
    _same(members, load_members(sqlite_engine, chosen, **KEYS, stored=False))
    assert _stored(sqlite_engine) == []
    assert "were not stored" in caplog.text
