"""A full backup round trip: the demo trust exported from database A and imported into an EMPTY database B
gives back every table's content (compared by references, not ids), on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine

from analytics.cli import main as cli_main
from data.demo import seed_demo
from models.db import get_engine, upgrade_schema
from models.exporter import WORKBOOK_NAME, export_all
from models.importer import TABLE_ORDER, import_file
from models.settings import get_settings
from models.tables import (
    ALL_TABLES,
    Activity,
    AppUser,
    Attendance,
    AuditEvent,
    Baseline,
    Feedback,
    ImpactLog,
    ImportLog,
    Involvement,
    Level,
    Meeting,
    Organisation,
    Payment,
    Person,
    ReviewStep,
    SupportOffer,
    UserRole,
)

PG_ADMIN_URL = os.environ.get("PRESENCE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

COMPARED = (
    Organisation, Level, Baseline, Person, Activity, Involvement, Meeting, Attendance, Payment, SupportOffer,
    ImpactLog, Feedback, ReviewStep,
)
NOT_COMPARED = {
    AppUser: "sign-in users are people who use Presence, not organisation data; not in a backup",
    UserRole: "roles go with the users",
    AuditEvent: "each database keeps its own append-only trail (the import adds to B's)",
    ImportLog: "the history of imports into this database",
}
# Bookkeeping columns that a backup does not carry: database ids and the moment a row was written.
NOT_CARRIED = {"id", "created_at", "updated_at"}
# What a row that points at another row is compared by: the other row's reference.
REFERENCE_OF = {"organisation": "code", "level": "key", "person": "ref", "activity": "ref", "meeting": "ref"}


def content(engine: Engine, model) -> list[tuple]:
    """Every row of a table, with each foreign key replaced by the reference of the row it points at."""
    table = model.__table__
    columns, source = [], table
    for column in table.columns:
        if column.name in NOT_CARRIED:
            continue
        foreign = next(iter(column.foreign_keys), None)
        if foreign is None:
            columns.append(column)
            continue
        target = foreign.column.table.alias(f"{column.name}_target")
        source = source.outerjoin(target, target.c.id == column)
        columns.append(target.c[REFERENCE_OF[foreign.column.table.name]].label(column.name))
    with engine.connect() as connection:
        rows = connection.execute(select(*columns).select_from(source)).all()
    return sorted((tuple(r) for r in rows), key=repr)


@pytest.fixture
def empty_twin(engine: Engine, tmp_path) -> Iterator[Engine]:
    """A second, empty, migrated database of the same kind as ``engine``."""
    if engine.dialect.name == "sqlite":
        twin = get_engine(f"sqlite:///{tmp_path / 'twin.db'}")
        upgrade_schema(twin)
        yield twin
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"presence_twin_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    twin = get_engine(url)
    try:
        upgrade_schema(twin)
        yield twin
    finally:
        twin.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_every_table_is_compared_or_excluded_with_a_reason():
    assert set(COMPARED) | set(NOT_COMPARED) == set(ALL_TABLES)
    assert not set(COMPARED) & set(NOT_COMPARED)


def test_demo_trust_backup_restores_into_an_empty_database(engine, empty_twin, tmp_path):
    seed_demo(engine=engine, scale=1)
    export_all(engine=engine, directory=tmp_path / "backup")
    with empty_twin.connect() as connection:
        assert connection.execute(select(Organisation.id)).first() is None  # B is empty
    report = import_file(engine=empty_twin, path_or_bytes=tmp_path / "backup" / WORKBOOK_NAME, user="restorer")
    assert report.committed, report.problems[:5]
    assert [t.table for t in report.tables] == list(TABLE_ORDER)  # every sheet, in dependency order
    assert report.added == report.rows_read > 16_000 and report.organisation == "DEMO"
    for model in COMPARED:
        original, restored = content(engine, model), content(empty_twin, model)
        assert len(restored) == len(original) > 0, model.__tablename__
        assert restored == original, model.__tablename__
    again = import_file(engine=empty_twin, path_or_bytes=tmp_path / "backup" / WORKBOOK_NAME, user="restorer")
    assert (again.added, again.updated, again.unchanged) == (0, 0, again.rows_read)


def test_cli_imports_a_backup_without_organisation_into_an_empty_database(tmp_path, monkeypatch, capsys):
    source = get_engine(f"sqlite:///{tmp_path / 'source.db'}")
    upgrade_schema(source)
    seed_demo(engine=source, scale=1, organisation_code="NRT")
    seed_demo(engine=source, scale=1, organisation_code="OTHER")
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PRESENCE_DATABASE_URL", url)
    get_settings.cache_clear()
    upgrade_schema(get_engine(url))
    monkeypatch.setenv("PRESENCE_DATABASE_URL", f"sqlite:///{tmp_path / 'source.db'}")
    get_settings.cache_clear()
    assert cli_main(["export", str(tmp_path / "one"), "--organisation", "NRT"]) == 0
    assert (tmp_path / "one" / "organisations.csv").read_text("utf-8-sig").splitlines()[1].startswith("NRT,")
    assert not (tmp_path / "one" / "NRT").exists()
    monkeypatch.setenv("PRESENCE_DATABASE_URL", url)
    get_settings.cache_clear()
    capsys.readouterr()
    assert cli_main(["import", str(tmp_path / "one" / WORKBOOK_NAME)]) == 0
    out = capsys.readouterr().out
    assert "organisations (sheet organisations): 1 read, 1 added" in out and "Imported." in out
    restored = get_engine(url)
    for model in COMPARED:
        assert content(restored, model) == [
            row for row in content(source, model) if model is not Organisation or row[0] == "NRT"
        ] or model is not Organisation and _only(source, restored, model), model.__tablename__
    # A second organisation in the database: the file still says which one it is.
    monkeypatch.setenv("PRESENCE_DATABASE_URL", f"sqlite:///{tmp_path / 'source.db'}")
    get_settings.cache_clear()
    assert cli_main(["export", str(tmp_path / "all")]) == 0
    assert {p.name for p in (tmp_path / "all").iterdir()} == {"NRT", "OTHER"}
    monkeypatch.setenv("PRESENCE_DATABASE_URL", url)
    get_settings.cache_clear()
    assert cli_main(["import", str(tmp_path / "all" / "OTHER" / WORKBOOK_NAME)]) == 0
    assert cli_main(["import", str(tmp_path / "all" / "NRT" / WORKBOOK_NAME), "--dry-run"]) == 0
    assert "0 added, 0 updated" in capsys.readouterr().out
    for model in COMPARED:
        assert content(restored, model) == content(source, model), model.__tablename__


def _only(source: Engine, restored: Engine, model) -> bool:
    return False
