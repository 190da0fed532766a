"""The audit trail: who did what, when, to which organisation's data. Append-only.

Rows of ``audit_event`` are only ever inserted; triggers created by the migration refuse UPDATE, DELETE (and,
on PostgreSQL, TRUNCATE), so an administrator of the application cannot rewrite history through it. Record
sign-ins, imports, exports and downloads, and role changes with :func:`record_event`; read them with
:func:`audit_frame`.

``detail`` is a small JSON object describing *what* (file name, table, rows, page, format...). It must never
hold personal data about the people whose involvement is monitored: references and counts only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import polars as pl
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.db import session_scope
from models.tables import AuditEvent, row_id

if TYPE_CHECKING:
    from polars._typing import PolarsDataType
    from sqlalchemy import ColumnElement

# The actions Presence records. Other modules may record other actions that match ACTION_PATTERN.
SIGN_IN = "sign_in"
SIGN_OUT = "sign_out"
ACCESS_DENIED = "access_denied"
IMPORT = "import"
EXPORT = "export"
DOWNLOAD = "download"
ROLE_GRANTED = "role_granted"
ROLE_REVOKED = "role_revoked"
USER_REMOVED = "user_removed"
USER_ACTIVE_CHANGED = "user_active_changed"
ACTIONS = (
    SIGN_IN,
    SIGN_OUT,
    ACCESS_DENIED,
    IMPORT,
    EXPORT,
    DOWNLOAD,
    ROLE_GRANTED,
    ROLE_REVOKED,
    USER_REMOVED,
    USER_ACTIVE_CHANGED,
)

ACTION_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_DETAIL_CHARS = 4000
SYSTEM_USER = "system"

AUDIT_COLUMNS: dict[str, PolarsDataType] = {
    "id": pl.Int64,
    "at": pl.Datetime("us", "UTC"),
    "user": pl.String,
    "action": pl.String,
    "organisation_id": pl.Int64,
    "detail": pl.String,
}

ERROR_ACTION = (
    "The audit action '{action}' is not a lower-case word of letters, digits and underscores (at most 40)."
)
ERROR_USER = "An audit event needs the user who acted (an email, or 'system')."
ERROR_DETAIL = "The audit detail must be a small JSON object (at most 4000 characters); {reason}."
ERROR_TARGET = "Give record_event exactly one of engine= or session=."


def _json_safe(value: Any) -> Any:
    """Dates become ISO strings; everything else must already be JSON (checked by json.dumps)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_safe(v) for v in value]
    return value


def _checked_detail(detail: Mapping[str, Any] | None) -> dict[str, Any]:
    if detail is None:
        return {}
    if not isinstance(detail, Mapping):
        raise ValueError(ERROR_DETAIL.format(reason=f"got {type(detail).__name__}"))
    safe: dict[str, Any] = _json_safe(detail)
    try:
        text = json.dumps(safe, sort_keys=True)
    except (TypeError, ValueError) as error:
        raise ValueError(ERROR_DETAIL.format(reason=str(error))) from error
    if len(text) > MAX_DETAIL_CHARS:
        raise ValueError(ERROR_DETAIL.format(reason=f"this one has {len(text)} characters"))
    return safe


def _event(
    *, user: str, action: str, organisation_id: int | None, detail: Mapping[str, Any] | None
) -> AuditEvent:
    if not isinstance(action, str) or not ACTION_PATTERN.match(action):
        raise ValueError(ERROR_ACTION.format(action=action))
    if not isinstance(user, str) or not user.strip():
        raise ValueError(ERROR_USER)
    return AuditEvent(
        user=user.strip()[:254],
        action=action,
        organisation_id=None if organisation_id is None else int(organisation_id),
        detail=_checked_detail(detail),
    )


def record_event(
    *,
    engine: Engine | None = None,
    session: Session | None = None,
    user: str,
    action: str,
    organisation_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> int:
    """Append one event and return its id.

    With ``session=`` the event joins that transaction (it is written only if the change it records is, which
    is what role changes and imports want); with ``engine=`` it is committed at once in its own transaction.
    """
    if (engine is None) == (session is None):
        raise ValueError(ERROR_TARGET)
    event = _event(user=user, action=action, organisation_id=organisation_id, detail=detail)
    if session is not None:
        session.add(event)
        session.flush()
        return row_id(event)
    with session_scope(engine) as own:
        own.add(event)
        own.flush()
        return row_id(event)


def audit_frame(
    engine: Engine,
    organisation_id: int | Sequence[int] | None = None,
    limit: int = 500,
    *,
    user: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    include_global: bool = False,
) -> pl.DataFrame:
    """The newest ``limit`` events (newest first) as a frame: id, at, user, action, organisation_id, detail
    (JSON).

    ``organisation_id`` (one id or several) keeps only events about those organisations; ``include_global``
    adds the events that belong to no organisation. With ``organisation_id=None`` every event is returned:
    only a caller that has checked the viewer may see every organisation should do that. Filters are bound
    parameters.
    """
    if limit < 1:
        raise ValueError("The audit limit must be 1 or more.")
    query = select(AuditEvent).order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc()).limit(int(limit))
    if organisation_id is not None:
        ids = (
            [int(organisation_id)] if isinstance(organisation_id, int) else [int(i) for i in organisation_id]
        )
        condition: ColumnElement[bool] = col(AuditEvent.organisation_id).in_(ids)
        if include_global:
            condition = condition | col(AuditEvent.organisation_id).is_(None)
        query = query.where(condition)
    if user is not None:
        query = query.where(AuditEvent.user == user)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    with Session(engine) as session:
        events = session.exec(query).all()
    return _to_frame(events)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _to_frame(events: Sequence[AuditEvent]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": [e.id for e in events],
            "at": [_utc(e.at) for e in events],
            "user": [e.user for e in events],
            "action": [e.action for e in events],
            "organisation_id": [e.organisation_id for e in events],
            "detail": [json.dumps(e.detail or {}, sort_keys=True) for e in events],
        },
        schema=AUDIT_COLUMNS,
    )
