"""The database writers of the shipped and synthetic data (``models.seeding``): the demo trust, the demo
network and the reference baselines are written as planned, once, and a second call adds nothing."""

from __future__ import annotations

import polars as pl
import pytest
from sqlalchemy import delete, func, select

from data.baselines import reference_baselines
from data.demo import DEMO_NAME, build_demo
from models.seeding import EXISTS_ERROR, load_reference_baselines, seed_demo, seed_network
from models.tables import Baseline, Organisation, Person
from tests.data.test_demo import PLAN_TABLES, SEEDED_TABLES, _fresh_sqlite, _table

NEWHAM = "E09000025"


def _people_without_ids(people: pl.DataFrame) -> pl.DataFrame:
    return people.sort("ref").select(pl.exclude("id", "organisation_id", "updated_at", "person_key"))


# --- The demo trust -----------------------------------------------------------------------------------------


def test_same_seed_gives_identical_tables(tmp_path):
    first, second = _fresh_sqlite(tmp_path / "first"), _fresh_sqlite(tmp_path / "second")
    seed_demo(engine=first, seed=7)
    seed_demo(engine=second, seed=7)
    for table in SEEDED_TABLES:
        assert _table(first, table).equals(_table(second, table)), table.__tablename__


def test_seeds_and_refuses_a_second_time(engine):
    summary = seed_demo(engine=engine)
    stored = {name: _table(engine, table).height for name, table in PLAN_TABLES.items()}
    assert stored == summary.counts
    people = _people_without_ids(_table(engine, Person))
    assert people.equals(_people_without_ids(build_demo().people).select(people.columns))
    assert f"{summary.counts['people']:,} people" in str(summary)
    assert DEMO_NAME in str(summary)
    with pytest.raises(ValueError, match="already exists") as refused:
        seed_demo(engine=engine)
    assert str(refused.value) == EXISTS_ERROR.format(code="DEMO")
    assert _table(engine, Person).height == summary.counts["people"]  # nothing half-added


# --- The demo network ---------------------------------------------------------------------------------------


def test_seeding_the_network_twice_adds_nothing_the_second_time(sqlite_engine):
    seed_network(engine=sqlite_engine, size=0.1, codes_wanted=("NET12",))
    with sqlite_engine.connect() as connection:
        people = connection.execute(select(func.count()).select_from(Person)).scalar()
    with pytest.raises(ValueError, match="NET12 already exist: nothing was added"):
        seed_network(engine=sqlite_engine, size=0.1, codes_wanted=("NET07", "NET12"))
    with sqlite_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Organisation)).scalar() == 1
        assert connection.execute(select(func.count()).select_from(Person)).scalar() == people


# --- The reference baselines ----------------------------------------------------------------------------------


def test_load_reference_baselines_is_idempotent(engine):
    census = reference_baselines()
    expected = census.unique(["source", "year", "geography_code", "characteristic", "group"]).height
    assert expected == census.height - 150 * (19 + 5 + 10)  # unitary UTLA rows repeat their LTLA rows
    assert load_reference_baselines(engine) == expected
    assert load_reference_baselines(engine) == 0
    with engine.begin() as connection:
        stored = connection.execute(
            select(func.count()).select_from(Baseline).where(Baseline.organisation_id.is_(None))
        ).scalar_one()
        assert stored == expected
        newham_a = connection.execute(
            select(Baseline.count).where(
                Baseline.geography_code == NEWHAM,
                Baseline.characteristic == "ethnicity",
                Baseline.group == "A",
            )
        ).scalar_one()
        assert newham_a == 51_819
        # Remove one area; a third call puts back exactly its rows.
        connection.execute(delete(Baseline).where(Baseline.geography_code == NEWHAM))
    assert load_reference_baselines(engine) == 19 + 5 + 10
    assert load_reference_baselines(engine) == 0
