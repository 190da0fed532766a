"""A full backup round trip: the demo trust exported from database A and imported into an EMPTY database B
gives back every table's content (compared by references, not ids), on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

import models.db
from models import crud
from models.db import get_engine, upgrade_schema
from models.exporter import WORKBOOK_NAME, export_all
from models.importer import TABLE_ORDER, import_file
from models.seeding import seed_demo
from models.settings import get_settings
from models.tables import (
    ALL_TABLES,
    Activity,
    AppUser,
    Attendance,
    AuditEvent,
    Baseline,
    ColumnMapping,
    Feedback,
    ImpactLog,
    ImportLog,
    Involvement,
    Level,
    Meeting,
    NetworkGrant,
    Organisation,
    OrganisationCreate,
    OutreachPlan,
    Payment,
    Person,
    PlanAction,
    PlanPartner,
    ReviewStep,
    SupportOffer,
    UserRole,
)
from presence_cli import main as cli_main

PG_ADMIN_URL = os.environ.get("PRESENCE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

COMPARED = (
    Organisation,
    Level,
    Baseline,
    Person,
    Activity,
    Involvement,
    Meeting,
    Attendance,
    Payment,
    SupportOffer,
    ImpactLog,
    Feedback,
    ReviewStep,
    OutreachPlan,
    PlanPartner,
    PlanAction,
)
NOT_COMPARED = {
    AppUser: "sign-in users are people who use Presence, not organisation data; not in a backup",
    UserRole: "roles go with the users",
    AuditEvent: "each database keeps its own append-only trail (the import adds to B's)",
    ImportLog: "the history of imports into this database",
    ColumnMapping: "how this database reads one organisation's own spreadsheets; remade by the next mapping step",
    NetworkGrant: "network viewers' grants go with the sign-in users, like their roles",
}
# Bookkeeping columns that a backup does not carry: database ids and the moment a row was written.
NOT_CARRIED = {"id", "created_at", "updated_at"}
# What a row that points at another row is compared by: the other row's reference.
REFERENCE_OF = {
    "organisation": "code", "level": "key", "person": "ref", "activity": "ref", "meeting": "ref",
    "outreach_plan": "ref",
}


def content(engine: Engine, model, organisation: str | None = None) -> list[tuple]:
    """Every row of a table (of one organisation, when given), with each foreign key replaced by the
    reference of the row it points at."""
    table = model.__table__
    columns, source = [], table
    owner = table.c.code if model is Organisation else None
    for column in table.columns:
        if column.name in NOT_CARRIED:
            continue
        foreign = next(iter(column.foreign_keys), None)
        if foreign is None:
            columns.append(column)
            continue
        target = foreign.column.table.alias(f"{column.name}_target")
        source = source.outerjoin(target, target.c.id == column)
        reference = target.c[REFERENCE_OF[foreign.column.table.name]]
        columns.append(reference.label(column.name))
        if column.name == "organisation_id":
            owner = reference
    query = select(*columns).select_from(source)
    if organisation is not None:
        query = query.where(owner == organisation)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
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
    report = import_file(
        engine=empty_twin, path_or_bytes=tmp_path / "backup" / WORKBOOK_NAME, user="restorer"
    )
    assert report.committed, report.problems[:5]
    assert [t.table for t in report.tables] == list(TABLE_ORDER)  # every sheet, in dependency order
    assert report.added == report.rows_read > 16_000 and report.organisation == "DEMO"
    for model in COMPARED:
        original, restored = content(engine, model), content(empty_twin, model)
        assert len(restored) == len(original) > 0, model.__tablename__
        assert restored == original, model.__tablename__
    again = import_file(engine=empty_twin, path_or_bytes=tmp_path / "backup" / WORKBOOK_NAME, user="restorer")
    assert (again.added, again.updated, again.unchanged) == (0, 0, again.rows_read)


def use_database(monkeypatch, url: str) -> None:
    """Point the CLI at ``url``. ``models.db.get_engine()`` caches its no-argument call under no key, so
    the CLI would keep the first database it saw in this process: resolve the configured URL first."""
    monkeypatch.setenv("PRESENCE_DATABASE_URL", url)
    get_settings.cache_clear()
    monkeypatch.setattr(
        models.db, "get_engine", lambda url=None: get_engine(url or get_settings().database_url)
    )


def test_cli_exports_one_organisation_and_imports_it_without_organisation(tmp_path, monkeypatch, capsys):
    source_url, target_url = f"sqlite:///{tmp_path / 'source.db'}", f"sqlite:///{tmp_path / 'target.db'}"
    source, target = get_engine(source_url), get_engine(target_url)
    upgrade_schema(source)
    upgrade_schema(target)
    seed_demo(engine=source, scale=1, organisation_code="NRT")
    with Session(source) as session:  # a second organisation, with no records yet
        crud.create_organisation(
            session=session,
            organisation=OrganisationCreate(code="OTHER", name="Other trust", catchment=["W06000015"]),
        )
        session.commit()

    use_database(monkeypatch, source_url)
    assert cli_main(["export", str(tmp_path / "one"), "--organisation", "NRT"]) == 0
    lines = (tmp_path / "one" / "organisations.csv").read_text("utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith("NRT,")  # that organisation only, in DIR itself
    assert not [p for p in (tmp_path / "one").iterdir() if p.is_dir()]
    assert cli_main(["export", str(tmp_path / "all")]) == 0  # several: a sub-folder each
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == ["NRT", "OTHER"]

    use_database(monkeypatch, target_url)
    capsys.readouterr()
    assert cli_main(["import", str(tmp_path / "one" / WORKBOOK_NAME)]) == 0  # the file names its organisation
    out = capsys.readouterr().out
    assert "organisations (sheet organisations): 1 read, 1 added" in out and "Imported." in out
    for model in COMPARED:
        assert content(target, model) == content(source, model, "NRT"), model.__tablename__
    # With two organisations in the target, each backup still goes to the organisation it names.
    assert cli_main(["import", str(tmp_path / "all" / "OTHER" / WORKBOOK_NAME)]) == 0
    capsys.readouterr()
    assert cli_main(["import", str(tmp_path / "all" / "NRT" / WORKBOOK_NAME), "--dry-run"]) == 0
    assert ", 0 added, 0 updated, " in capsys.readouterr().out.splitlines()[-1]
    for model in COMPARED:
        assert content(target, model) == content(source, model), model.__tablename__
