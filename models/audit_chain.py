"""The audit trail's hash chain: every ``audit_event`` row carries the hash of the row before it.

When a row is inserted (by :func:`models.audit.record_event`, or any ORM insert of ``AuditEvent``), a
SQLAlchemy ``before_insert`` hook takes the chain lock, reads the newest row, and gives the new row the next
id, ``prev_hash`` = the newest row's hash, and ``row_hash`` = HMAC-SHA-256 over its own contents and
``prev_hash``. The key is the setting ``PRESENCE_AUDIT_KEY`` (empty by default); kept outside the database, it
stops even the database owner from recomputing the chain after a change.

:func:`verify_chain` walks the rows in id order and reports the first that does not fit: its contents changed
(its hash no longer matches), a row before it was removed (a gap in the ids, or a ``prev_hash`` that is not
the previous row's hash), or it was inserted by hand (no hash). ``presence audit verify`` prints that in one
sentence. The chain lock is ``pg_advisory_xact_lock`` on PostgreSQL and the database write lock on SQLite
(taken by a statement that changes nothing), so two writers never read the same newest row; a unique index on
``prev_hash`` refuses a fork should one ever be attempted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, select, text
from sqlalchemy.engine import Connection, Engine

from models.settings import get_settings
from models.tables import AuditEvent, table_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Mapper

GENESIS = "0" * 64  # prev_hash of the first row
HASH_VERSION = 1
CHAIN_LOCK_KEY = 7_301_402_614  # pg_advisory_xact_lock key for the audit chain (any fixed number)
_CACHE = "presence_audit_chain"  # connection.info key: the head written earlier in this transaction
BATCH = 5_000

INTACT = "The audit trail is intact: {rows:,} events, the newest #{head_id} with hash {head_hash}."
EMPTY = "The audit trail is empty: there is nothing to verify."
TAMPERED_CHANGED = (
    "The audit trail has been tampered with: event #{id} no longer matches its hash, so it was changed after "
    "it was written (or PRESENCE_AUDIT_KEY is not the key it was written with)."
)
TAMPERED_GAP = "The audit trail has been tampered with: events #{first} to #{last} are missing."
TAMPERED_LINK = (
    "The audit trail has been tampered with: event #{id} does not follow event #{previous}, so an event "
    "between them was removed or replaced."
)
TAMPERED_UNCHAINED = (
    "The audit trail has been tampered with: event #{id} has no hash, so it was written around Presence."
)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def canonical(
    *, id: int, at: datetime, user: str, action: str, organisation_id: int | None, detail: Any, prev_hash: str
) -> bytes:
    """The bytes a row's hash covers: every column, in a fixed JSON form, and the previous row's hash."""
    return json.dumps(
        {
            "v": HASH_VERSION,
            "id": int(id),
            "at": _utc(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "user": user,
            "action": action,
            "organisation_id": None if organisation_id is None else int(organisation_id),
            "detail": detail if detail is not None else {},
            "prev": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    ).encode("ascii")


def row_hash(*, key: str | None = None, **row: Any) -> str:
    """HMAC-SHA-256 (hex) of :func:`canonical` with the audit key (the setting when ``key`` is None)."""
    secret = (get_settings().audit_key if key is None else key).encode("utf-8")
    return hmac.new(secret, canonical(**row), hashlib.sha256).hexdigest()


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    elif connection.dialect.name == "sqlite":
        # Changes nothing, but takes the write lock now, before the newest row is read.
        connection.exec_driver_sql("DELETE FROM audit_event WHERE 0")


def _head(connection: Connection) -> tuple[int, str]:
    table = table_of(AuditEvent)
    row = connection.execute(
        select(table.c.id, table.c.row_hash).order_by(table.c.id.desc()).limit(1)
    ).first()
    head = (0, GENESIS) if row is None else (int(row.id), row.row_hash or GENESIS)
    cached = connection.info.get(_CACHE)
    if cached is not None and cached[0] is connection.get_transaction() and cached[1] > head[0]:
        head = (cached[1], cached[2])  # rows of this flush not yet sent to the database
    return head


@event.listens_for(AuditEvent, "before_insert")
def _chain(_mapper: Mapper[AuditEvent], connection: Connection, target: AuditEvent) -> None:
    """Give a new audit row the next id and its place in the chain (inside the inserting transaction)."""
    _lock(connection)
    head_id, head_hash = _head(connection)
    target.id = head_id + 1
    target.at = _utc(target.at or datetime.now(UTC))
    target.prev_hash = head_hash
    target.row_hash = row_hash(
        id=target.id,
        at=target.at,
        user=target.user,
        action=target.action,
        organisation_id=target.organisation_id,
        detail=target.detail,
        prev_hash=head_hash,
    )
    connection.info[_CACHE] = (connection.get_transaction(), target.id, target.row_hash)


# --- Verifying ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    rows: int
    head_id: int | None
    head_hash: str | None
    problem_id: int | None = None
    sentence: str = ""


def verify_chain(engine: Engine, *, key: str | None = None) -> ChainReport:
    """Walk every audit row in id order and report the first one that does not fit the chain."""
    table = table_of(AuditEvent)
    previous_id, previous_hash, rows = 0, GENESIS, 0
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=BATCH).execute(select(table).order_by(table.c.id))
        for row in result:
            rows += 1
            if row.row_hash is None or row.prev_hash is None:
                return ChainReport(False, rows, previous_id, previous_hash, row.id,
                                   TAMPERED_UNCHAINED.format(id=row.id))
            if row.id != previous_id + 1:
                first, last = previous_id + 1, row.id - 1
                sentence = (
                    TAMPERED_GAP.format(first=first, last=last)
                    if row.id > previous_id + 1
                    else TAMPERED_LINK.format(id=row.id, previous=previous_id)
                )
                return ChainReport(False, rows, previous_id, previous_hash, row.id, sentence)
            if row.prev_hash != previous_hash:
                return ChainReport(False, rows, previous_id, previous_hash, row.id,
                                   TAMPERED_LINK.format(id=row.id, previous=previous_id))
            expected = row_hash(
                key=key,
                id=row.id,
                at=row.at,
                user=row.user,
                action=row.action,
                organisation_id=row.organisation_id,
                detail=row.detail,
                prev_hash=row.prev_hash,
            )
            if not hmac.compare_digest(expected, row.row_hash):
                return ChainReport(False, rows, previous_id, previous_hash, row.id,
                                   TAMPERED_CHANGED.format(id=row.id))
            previous_id, previous_hash = row.id, row.row_hash
    if rows == 0:
        return ChainReport(True, 0, None, None, sentence=EMPTY)
    return ChainReport(True, rows, previous_id, previous_hash,
                       sentence=INTACT.format(rows=rows, head_id=previous_id, head_hash=previous_hash))
