"""Sign-in users and their roles, one role per user per organisation (keyword-only data functions).

An ``AppUser`` is an email address as the identity provider reports it (stored lower-case); a ``UserRole``
gives that user one of ``data.codes.USER_ROLES`` in one organisation. Every change is written to the audit
trail in the same transaction, naming who made it (``actor``). Every query binds its values as parameters, so
an email such as
``x@y.org' OR '1'='1`` is only ever compared as text.

Every change is scoped to the organisations the actor is data steward of. An actor that is an email address
(a person) may change roles only in organisations where they are an active data steward (read from the
database, or given as ``scope=`` by a caller that already knows the viewer, such as the Admin page); suspending
someone, which applies everywhere, needs the actor to be data steward of *every* organisation that person has a
role in. An actor that is not an email address (``cli:<login>`` at the server's command line, ``system``) acts
for the whole database. No change may leave an organisation without an active data steward: removing,
demoting or suspending the last one is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

import polars as pl
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from data import codes
from models import audit
from models.db import session_scope
from models.tables import AppUser, NetworkGrant, Organisation, UserRole

# Starts with a letter or digit (so it can never be read as a spreadsheet formula), one "@", a dot in the
# domain.
EMAIL_PATTERN = re.compile(r"^[a-z0-9][^@\s]{0,63}@[a-z0-9][^@\s]*\.[^@\s]+$")

ERROR_EMAIL = "'{email}' is not an email address (one '@', no spaces, at most 254 characters)."
ERROR_ROLE = "'{role}' is not a role; use one of: " + ", ".join(codes.USER_ROLES) + "."
ERROR_NO_USER = "There is no user '{email}'."
ERROR_NO_ORGANISATION = "There is no organisation with id {organisation_id}."
ERROR_LAST_STEWARD = (
    "'{email}' is the last data steward of this organisation; give someone else that role first, "
    "or nobody could manage its users."
)
ERROR_LAST_STEWARD_SUSPEND = (
    "'{email}' is the last active data steward of {code}; give someone else that role first, "
    "or nobody could manage its users."
)
ERROR_NOT_STEWARD = "You are not a data steward of organisation {code}, so you cannot change its users."
ERROR_NETWORK_GRANTS = (
    "'{email}' is also a network viewer of organisations beyond yours; take away their role here instead, or "
    "ask the server's operator to remove them."
)
ERROR_NO_ROLE_HERE = "'{email}' has no role in an organisation you are data steward of."
ERROR_SUSPEND_ELSEWHERE = (
    "'{email}' also has a role in {codes}, where you are not a data steward, so you cannot suspend or restore "
    "them; take away their role here instead."
)

USERS_SCHEMA = {
    "email": pl.String,
    "active": pl.Boolean,
    "organisation_id": pl.Int64,
    "organisation_code": pl.String,
    "role": pl.String,
    "role_label": pl.String,
}


def normalise_email(email: str | None) -> str:
    """The email as stored and compared: trimmed and lower-case; ValueError when it is not an email
    address."""
    text = (email or "").strip().lower()
    if len(text) > 254 or not EMAIL_PATTERN.match(text):
        raise ValueError(ERROR_EMAIL.format(email=(email or "")[:80]))
    return text


def _check_role(role: str) -> str:
    if role not in codes.USER_ROLES:
        raise ValueError(ERROR_ROLE.format(role=str(role)[:40]))
    return role


def _user(session: Session, email: str) -> AppUser | None:
    return session.exec(select(AppUser).where(AppUser.email == email)).first()


def _role_row(session: Session, user_id: int, organisation_id: int) -> UserRole | None:
    return session.exec(
        select(UserRole).where(UserRole.user_id == user_id, UserRole.organisation_id == organisation_id)
    ).first()


def _stewards(session: Session, organisation_id: int) -> int:
    rows = session.exec(
        select(UserRole)
        .join(AppUser, col(AppUser.id) == col(UserRole.user_id))
        .where(
            UserRole.organisation_id == organisation_id,
            UserRole.role == "data_steward",
            col(AppUser.active).is_(True),
        )
    ).all()
    return len(rows)


def _code(session: Session, organisation_id: int) -> str:
    organisation = session.get(Organisation, organisation_id)
    return organisation.code if organisation is not None else str(organisation_id)


def acting_scope(*, session: Session, actor: str, scope: Collection[int] | None = None) -> set[int] | None:
    """The organisations ``actor`` may manage users of; None means every organisation (an operator).

    ``scope`` given: exactly those (the Admin page passes the viewer's data-steward organisations). Otherwise
    an actor that is an email address gets the organisations where they are an *active* data steward, and
    any other actor (``cli:<login>``, ``system``) is an operator of the whole database.
    """
    if scope is not None:
        return {int(i) for i in scope}
    if "@" not in str(actor):
        return None
    return {i for i, role in roles_for(session=session, email=actor).items() if role == "data_steward"}


def _check_scope(session: Session, allowed: set[int] | None, organisation_id: int) -> None:
    if allowed is not None and int(organisation_id) not in allowed:
        raise ValueError(ERROR_NOT_STEWARD.format(code=_code(session, organisation_id)))


def set_role(
    *,
    session: Session,
    email: str,
    organisation_id: int,
    role: str,
    actor: str,
    scope: Collection[int] | None = None,
) -> UserRole:
    """Give ``email`` this role in the organisation (creating the user if new, replacing any earlier role)."""
    email = normalise_email(email)
    _check_role(role)
    if session.get(Organisation, organisation_id) is None:
        raise ValueError(ERROR_NO_ORGANISATION.format(organisation_id=organisation_id))
    _check_scope(session, acting_scope(session=session, actor=actor, scope=scope), organisation_id)
    user = _user(session, email)
    if user is None:
        user = AppUser(email=email)
        session.add(user)
        session.flush()
    assert user.id is not None  # flushed
    row = _role_row(session, user.id, organisation_id)
    previous = row.role if row is not None else None
    if row is not None and previous == role:
        return row
    if previous == "data_steward" and _stewards(session, organisation_id) <= 1:
        raise ValueError(ERROR_LAST_STEWARD.format(email=email))
    if row is None:
        row = UserRole(user_id=user.id, organisation_id=organisation_id, role=role)
        session.add(row)
    else:
        row.role = role
    session.flush()
    audit.record_event(
        session=session,
        user=actor,
        action=audit.ROLE_GRANTED,
        organisation_id=organisation_id,
        detail={"email": email, "role": role, "previous_role": previous},
    )
    return row


add_user = set_role
"""``add_user`` is ``set_role``: adding a user always means giving them a role somewhere."""


def remove_role(
    *, session: Session, email: str, organisation_id: int, actor: str, scope: Collection[int] | None = None
) -> bool:
    """Take away the user's role in one organisation; True when there was one."""
    email = normalise_email(email)
    _check_scope(session, acting_scope(session=session, actor=actor, scope=scope), organisation_id)
    user = _user(session, email)
    row = None if user is None or user.id is None else _role_row(session, user.id, organisation_id)
    if row is None:
        return False
    if row.role == "data_steward" and _stewards(session, organisation_id) <= 1:
        raise ValueError(ERROR_LAST_STEWARD.format(email=email))
    previous = row.role
    session.delete(row)
    session.flush()
    audit.record_event(
        session=session,
        user=actor,
        action=audit.ROLE_REVOKED,
        organisation_id=organisation_id,
        detail={"email": email, "previous_role": previous},
    )
    return True


def remove_user(
    *,
    session: Session,
    email: str,
    actor: str,
    organisation_id: int | None = None,
    scope: Collection[int] | None = None,
) -> int:
    """Remove the user's role in ``organisation_id``, or (with None) the user and every role; returns roles
    removed.

    The audit trail keeps the history: the events naming this email stay.
    """
    email = normalise_email(email)
    user = _user(session, email)
    if user is None:
        raise ValueError(ERROR_NO_USER.format(email=email))
    if organisation_id is not None:
        return int(
            remove_role(
                session=session, email=email, organisation_id=organisation_id, actor=actor, scope=scope
            )
        )
    rows = session.exec(select(UserRole).where(UserRole.user_id == user.id)).all()
    grants = session.exec(select(NetworkGrant).where(NetworkGrant.user_id == user.id)).all()
    allowed = acting_scope(session=session, actor=actor, scope=scope)
    if grants and allowed is not None:
        raise ValueError(ERROR_NETWORK_GRANTS.format(email=email))
    for row in rows:
        _check_scope(session, allowed, row.organisation_id)
    for row in rows:
        if row.role == "data_steward" and _stewards(session, row.organisation_id) <= 1:
            raise ValueError(ERROR_LAST_STEWARD.format(email=email))
    for row in rows:
        audit.record_event(
            session=session,
            user=actor,
            action=audit.ROLE_REVOKED,
            organisation_id=row.organisation_id,
            detail={"email": email, "previous_role": row.role},
        )
        session.delete(row)
    for grant in grants:  # a network viewer's grants go with the user, each in the audit trail
        audit.record_event(
            session=session,
            user=actor,
            action=audit.ROLE_REVOKED,
            organisation_id=None,
            detail={"email": email, "previous_role": codes.NETWORK_VIEWER, "scope_kind": grant.scope_kind,
                    "scope_value": grant.scope_value},
        )
        session.delete(grant)
    session.flush()
    session.delete(user)
    session.flush()
    audit.record_event(
        session=session,
        user=actor,
        action=audit.USER_REMOVED,
        organisation_id=None,
        detail={"email": email, "roles_removed": len(rows)},
    )
    return len(rows)


def set_active(
    *, session: Session, email: str, active: bool, actor: str, scope: Collection[int] | None = None
) -> None:
    """Suspend (False) or restore (True) a user without losing their roles; a suspended user sees nothing.

    Suspension applies in every organisation, so the actor must be data steward of every organisation the
    user has a role in; the last active data steward of an organisation cannot be suspended.
    """
    email = normalise_email(email)
    user = _user(session, email)
    if user is None:
        raise ValueError(ERROR_NO_USER.format(email=email))
    rows = session.exec(select(UserRole).where(UserRole.user_id == user.id)).all()
    organisations = [r.organisation_id for r in rows]
    allowed = acting_scope(session=session, actor=actor, scope=scope)
    if allowed is not None:
        if not organisations:
            raise ValueError(ERROR_NO_ROLE_HERE.format(email=email))
        elsewhere = sorted(_code(session, i) for i in organisations if i not in allowed)
        if elsewhere:
            raise ValueError(ERROR_SUSPEND_ELSEWHERE.format(email=email, codes=", ".join(elsewhere)))
    if user.active == active:
        return
    if not active:
        for row in rows:
            if row.role == "data_steward" and _stewards(session, row.organisation_id) <= 1:
                raise ValueError(
                    ERROR_LAST_STEWARD_SUSPEND.format(email=email, code=_code(session, row.organisation_id))
                )
    user.active = active
    session.add(user)
    session.flush()
    targets: list[int | None] = list(organisations) or [None]
    for organisation_id in targets:
        audit.record_event(
            session=session,
            user=actor,
            action=audit.USER_ACTIVE_CHANGED,
            organisation_id=organisation_id,
            detail={"email": email, "active": active},
        )


def roles_for(*, session: Session, email: str | None) -> dict[int, str]:
    """Organisation id -> role of an active user; {} for an unknown, suspended or malformed email (deny by
    default)."""
    try:
        email = normalise_email(email)
    except ValueError:
        return {}
    rows = session.exec(
        select(UserRole.organisation_id, UserRole.role)
        .join(AppUser, col(AppUser.id) == col(UserRole.user_id))
        .where(AppUser.email == email, col(AppUser.active).is_(True))
    ).all()
    return {int(organisation_id): role for organisation_id, role in rows}


def roles_for_email(engine: Engine, email: str | None) -> dict[int, str]:
    """:func:`roles_for` with its own short session."""
    with Session(engine) as session:
        return roles_for(session=session, email=email)


def organisation_ids(*, session: Session) -> list[int]:
    """Every organisation id (the local single-user mode is data steward of all of them)."""
    found = session.exec(select(col(Organisation.id)).order_by(col(Organisation.id))).all()
    return [int(i) for i in found if i is not None]


def users_frame(*, session: Session, organisation_ids: list[int] | None = None) -> pl.DataFrame:
    """One row per user x organisation role (email, active, organisation id and code, role, role label).

    With ``organisation_ids`` only roles in those organisations are listed (a data steward sees their own
    users).
    """
    query = (
        sa_select(
            col(AppUser.email), col(AppUser.active), col(UserRole.organisation_id), col(Organisation.code),
            col(UserRole.role),
        )
        .join(UserRole, col(UserRole.user_id) == col(AppUser.id))
        .join(Organisation, col(Organisation.id) == col(UserRole.organisation_id))
        .order_by(col(Organisation.code), col(AppUser.email))
    )
    if organisation_ids is not None:
        query = query.where(col(UserRole.organisation_id).in_([int(i) for i in organisation_ids]))
    rows = session.execute(query).all()
    return pl.DataFrame(
        {
            "email": [r[0] for r in rows],
            "active": [bool(r[1]) for r in rows],
            "organisation_id": [int(r[2]) for r in rows],
            "organisation_code": [r[3] for r in rows],
            "role": [r[4] for r in rows],
            "role_label": [codes.USER_ROLES[r[4]] for r in rows],
        },
        schema=USERS_SCHEMA,
    )


def users_of(engine: Engine, organisation_ids: list[int]) -> pl.DataFrame:
    """:func:`users_frame` for these organisations, with its own short session."""
    with Session(engine) as session:
        return users_frame(session=session, organisation_ids=organisation_ids)


def apply_change(engine: Engine, change: Callable[..., object], /, **kwargs: Any) -> None:
    """Run one change (:func:`set_role`, :func:`remove_role`, :func:`set_active`, :func:`remove_user`) in its own
    transaction: committed with its audit event, or rolled back whole. Its ``ValueError`` (a sentence for the
    user) passes through."""
    with session_scope(engine) as session:
        change(session=session, **kwargs)
