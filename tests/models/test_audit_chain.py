"""Security review, finding 3: the audit trail cannot be rewritten unnoticed.

On SQLite, ``INSERT OR REPLACE`` (and the other REPLACE forms) used to overwrite an event, because delete
triggers do not fire on REPLACE; a BEFORE INSERT trigger now refuses an id already used. Every row is chained
to the one before by a hash, and ``presence audit verify`` finds a row changed or removed even by the database
owner with the triggers switched off. The tampering tests use a database of their own (``fresh_engine``).
"""

from __future__ import annotations

import threading

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session

from models import audit
from models.audit_chain import GENESIS, verify_chain
from models.db import alembic_config, get_engine, upgrade_schema
from models.settings import get_settings
from models.tables import AuditEvent
from presence_cli import main

REPLACES = [
    "INSERT OR REPLACE INTO audit_event (id, at, \"user\", action, organisation_id, detail, prev_hash, row_hash) "
    "SELECT id, at, 'mallory@example.org', 'forged', organisation_id, detail, prev_hash, row_hash "
    "FROM audit_event WHERE id = :id",
    "REPLACE INTO audit_event (id, at, \"user\", action, organisation_id, detail, prev_hash, row_hash) "
    "SELECT id, at, 'mallory@example.org', 'forged', organisation_id, detail, prev_hash, row_hash "
    "FROM audit_event WHERE id = :id",
    "INSERT INTO audit_event (id, at, \"user\", action, organisation_id, detail, prev_hash, row_hash) "
    "SELECT id, at, \"user\", action, organisation_id, detail, 'x', 'y' FROM audit_event WHERE id = :id "
    "ON CONFLICT (id) DO UPDATE SET action = 'forged'",
]


def _events(engine, n: int = 3) -> list[int]:
    return [
        audit.record_event(engine=engine, user=f"user{i}@example.org", action=audit.EXPORT, detail={"n": i})
        for i in range(n)
    ]


def _actions(engine) -> list[str]:
    with engine.connect() as connection:
        return connection.execute(text("SELECT action FROM audit_event ORDER BY id")).scalars().all()


@pytest.mark.parametrize("statement", REPLACES)
def test_sqlite_replace_cannot_rewrite_an_event(sqlite_engine, statement):
    ids = _events(sqlite_engine)
    with pytest.raises(DatabaseError, match="append-only"), sqlite_engine.begin() as connection:
        connection.execute(text(statement), {"id": ids[1]})
    assert "forged" not in _actions(sqlite_engine)
    assert verify_chain(sqlite_engine).intact


def test_postgres_upsert_cannot_rewrite_an_event(pg_engine):
    ids = _events(pg_engine)
    with pytest.raises(DatabaseError, match="append-only"), pg_engine.begin() as connection:
        connection.execute(text(REPLACES[2]), {"id": ids[1]})
    assert "forged" not in _actions(pg_engine)


def test_an_unchained_row_is_refused(engine):
    """A row written around Presence (no hashes) is refused by the database itself."""
    _events(engine, 1)
    with pytest.raises(DatabaseError), engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO audit_event (id, at, \"user\", action, detail) "
            "VALUES (1000000, CURRENT_TIMESTAMP, 'mallory@example.org', 'forged', '{}')"
        ))


def test_every_event_is_chained_to_the_one_before(fresh_engine):
    ids = _events(fresh_engine, 4)
    assert ids == [1, 2, 3, 4]
    with fresh_engine.connect() as connection:
        rows = connection.execute(text("SELECT prev_hash, row_hash FROM audit_event ORDER BY id")).all()
    assert rows[0].prev_hash == GENESIS
    assert all(rows[i].prev_hash == rows[i - 1].row_hash for i in range(1, len(rows)))
    report = verify_chain(fresh_engine)
    assert report.intact and report.rows == 4 and report.head_id == 4 and report.head_hash == rows[-1].row_hash


def test_events_in_one_transaction_chain_in_order(fresh_engine):
    """Several events flushed together (one transaction) still form one chain."""
    with Session(fresh_engine) as session:
        session.add_all([AuditEvent(user="a@example.org", action=audit.EXPORT, detail={"n": i}) for i in range(5)])
        session.commit()
    assert verify_chain(fresh_engine).rows == 5 and verify_chain(fresh_engine).intact


def test_concurrent_writers_never_fork_the_chain(fresh_engine):
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for i in range(15):
                audit.record_event(engine=fresh_engine, user=f"w{worker}@example.org", action=audit.EXPORT,
                                   detail={"i": i})
        except BaseException as error:  # noqa: BLE001 - collected and reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    report = verify_chain(fresh_engine)
    assert report.intact and report.rows == 60, report.sentence


def _as_owner_without_triggers(engine, statement: str, **params) -> None:
    """What the table owner can do: switch the append-only trigger off, change history, switch it on."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change")
            connection.execute(text(statement), params)
            connection.exec_driver_sql("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change")
        else:
            connection.exec_driver_sql("DROP TRIGGER audit_event_no_update")
            connection.exec_driver_sql("DROP TRIGGER audit_event_no_delete")
            connection.execute(text(statement), params)


def test_an_owner_changing_an_event_is_detected(fresh_engine, capsys, monkeypatch):
    ids = _events(fresh_engine, 5)
    _as_owner_without_triggers(
        fresh_engine, "UPDATE audit_event SET \"user\" = 'someone.else@example.org' WHERE id = :id", id=ids[2]
    )
    report = verify_chain(fresh_engine)
    assert not report.intact and report.problem_id == ids[2]
    assert f"event #{ids[2]} no longer matches its hash" in report.sentence
    monkeypatch.setenv("PRESENCE_DATABASE_URL", fresh_engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    assert main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert f"event #{ids[2]} no longer matches its hash" in err and err.count("\n") == 1


def test_an_owner_removing_an_event_is_detected(fresh_engine):
    ids = _events(fresh_engine, 5)
    _as_owner_without_triggers(fresh_engine, "DELETE FROM audit_event WHERE id = :id", id=ids[1])
    report = verify_chain(fresh_engine)
    assert not report.intact and f"events #{ids[1]} to #{ids[1]} are missing" in report.sentence


def test_an_owner_recomputing_the_chain_is_detected_when_there_is_a_key(fresh_engine, monkeypatch):
    """With PRESENCE_AUDIT_KEY kept outside the database, recomputing the hashes does not help the owner."""
    from models.audit_chain import row_hash

    monkeypatch.setenv("PRESENCE_AUDIT_KEY", "kept-in-the-service-environment-not-the-database")
    get_settings.cache_clear()
    ids = _events(fresh_engine, 3)
    with Session(fresh_engine) as session:
        last = session.get(AuditEvent, ids[2])
    # the owner recomputes the changed row's hash, but without the key
    forged_hash = row_hash(key="", id=last.id, at=last.at, user="someone.else@example.org", action=last.action,
                           organisation_id=last.organisation_id, detail=last.detail, prev_hash=last.prev_hash)
    _as_owner_without_triggers(
        fresh_engine,
        "UPDATE audit_event SET \"user\" = 'someone.else@example.org', row_hash = :h WHERE id = :id",
        id=ids[2], h=forged_hash,
    )
    report = verify_chain(fresh_engine)
    assert not report.intact and report.problem_id == ids[2]


def test_verify_says_intact_in_one_sentence(fresh_engine, capsys, monkeypatch):
    _events(fresh_engine, 2)
    monkeypatch.setenv("PRESENCE_DATABASE_URL", fresh_engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("The audit trail is intact: 2 events, the newest #2") and out.count("\n") == 1


def test_the_migration_chains_the_events_already_there(tmp_path):
    engine = get_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    with engine.begin() as connection:
        for i in range(3):
            connection.execute(text(
                "INSERT INTO audit_event (at, \"user\", action, organisation_id, detail) "
                "VALUES ('2026-01-0' || :d || ' 10:00:00.000000', 'old@example.org', 'export', NULL, '{\"n\": 1}')"
            ), {"d": i + 1})
    upgrade_schema(engine)
    report = verify_chain(engine)
    assert report.intact and report.rows == 3
    audit.record_event(engine=engine, user="new@example.org", action=audit.EXPORT)
    assert verify_chain(engine).intact and verify_chain(engine).rows == 4
