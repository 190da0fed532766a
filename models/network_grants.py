"""Network viewers: grants of a set of organisations whose published figures a user may compare.

A grant names a scope: every organisation (``all``), an NHS region (``region``, a key of
``data.areas.REGIONS``), an integrated care board (``icb``, its NHS code such as 'QMF') or one organisation
(``organisation``, its code); a user may hold several grants (an explicit list is several ``organisation``
grants). The organisations a region or ICB covers are worked out from each organisation's catchment
(``data.areas``) when the user signs in, so an organisation added later is covered without a new grant.

Grants and revocations are written to the audit trail in the same transaction (``role_granted`` /
``role_revoked`` with role ``network_viewer`` and the scope), naming the actor. An actor that is an email
address (a data steward on the Admin page) may grant or take away only ``organisation`` scopes of organisations
they are an active data steward of: a region, an ICB or all would also cover organisations added later, whose
stewards never agreed, so those are for an operator (``cli:<login>``, ``system``: ``presence user network``),
who acts for the whole database. A suspended user's grants give nothing (deny by default).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import polars as pl
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from data import areas, codes
from models import audit
from models.tables import AppUser, NetworkGrant, Organisation
from models.users import acting_scope, normalise_email

__all__ = [
    "GRANTS_SCHEMA",
    "grants_covering",
    "grant_network",
    "grants_frame",
    "network_organisation_ids",
    "organisations_in_scope",
    "revoke_network",
    "scope_label",
]

ERROR_SCOPE_KIND = "'{kind}' is not a network scope; use one of: " + ", ".join(codes.NETWORK_SCOPES) + "."
ERROR_SCOPE_VALUE = "There is no {what} '{value}'; use one of: {known}."
ERROR_NOT_STEWARD_OF_SCOPE = (
    "You are not a data steward of {scope}, so you cannot grant or take away a view of it."
)
ERROR_OPERATOR_ONLY = (
    "Only the server's operator can grant or take away a view of {scope} (presence user network ...): it also "
    "covers organisations added later, whose data stewards have not agreed."
)
ERROR_NO_GRANT = "'{email}' has no network grant for {scope}."

GRANTS_SCHEMA = {
    "email": pl.String,
    "active": pl.Boolean,
    "scope_kind": pl.String,
    "scope_value": pl.String,
    "scope": pl.String,
    "organisations": pl.Int64,
}


def _check_scope(session: Session, kind: str, value: str | None) -> str:
    """The scope value as stored ('' for all); ValueError naming the choices when it is not one."""
    if kind not in codes.NETWORK_SCOPES:
        raise ValueError(ERROR_SCOPE_KIND.format(kind=str(kind)[:40]))
    text = (value or "").strip()
    if kind == "all":
        return ""
    if kind == "region":
        text = text.lower().replace(" ", "_")
        if text not in areas.REGIONS:
            raise ValueError(ERROR_SCOPE_VALUE.format(what="region", value=text[:40],
                                                      known=", ".join(areas.REGIONS)))
        return text
    if kind == "icb":
        text = text.upper()
        if text not in areas.icbs():
            raise ValueError(ERROR_SCOPE_VALUE.format(what="ICB", value=text[:40], known=", ".join(areas.icbs())))
        return text
    found = session.exec(select(Organisation.code).where(Organisation.code == text)).first()
    if found is None:
        known = session.exec(select(Organisation.code).order_by(Organisation.code)).all()
        raise ValueError(ERROR_SCOPE_VALUE.format(what="organisation", value=text[:40], known=", ".join(known)))
    return text


def scope_label(kind: str, value: str) -> str:
    """The scope in words: 'every organisation', 'the London region', 'ICB QMF (NHS North East London ...)'."""
    if kind == "all":
        return "every organisation"
    if kind == "region":
        return f"the {areas.REGIONS.get(value, value)} region"
    if kind == "icb":
        return f"ICB {value} ({areas.icbs().get(value, 'unknown')})"
    return f"organisation {value}"


def organisations_in_scope(*, session: Session, kind: str, value: str) -> list[int]:
    """The ids of the organisations a scope covers now, in id order."""
    rows = session.exec(select(Organisation.id, Organisation.code, Organisation.catchment)).all()
    chosen: list[int] = []
    for organisation_id, code, catchment in rows:
        if organisation_id is None:
            continue
        inside = (
            kind == "all"
            or (kind == "organisation" and code == value)
            or (kind == "icb" and value in areas.icbs_of(catchment or []))
            or (kind == "region" and value in areas.regions_of(catchment or []))
        )
        if inside:
            chosen.append(int(organisation_id))
    return sorted(chosen)


def _require_steward_of_scope(
    session: Session, actor: str, scope: Collection[int] | None, kind: str, value: str
) -> None:
    allowed = acting_scope(session=session, actor=actor, scope=scope)
    if allowed is None:
        return
    if kind != "organisation":
        raise ValueError(ERROR_OPERATOR_ONLY.format(scope=scope_label(kind, value)))
    covered = organisations_in_scope(session=session, kind=kind, value=value)
    if not covered or any(i not in allowed for i in covered):
        raise ValueError(ERROR_NOT_STEWARD_OF_SCOPE.format(scope=scope_label(kind, value)))


def _user(session: Session, email: str) -> AppUser | None:
    return session.exec(select(AppUser).where(AppUser.email == email)).first()


def _grant(session: Session, user_id: int, kind: str, value: str) -> NetworkGrant | None:
    return session.exec(
        select(NetworkGrant).where(
            NetworkGrant.user_id == user_id, NetworkGrant.scope_kind == kind, NetworkGrant.scope_value == value
        )
    ).first()


def grant_network(
    *,
    session: Session,
    email: str,
    scope_kind: str,
    scope_value: str | None = None,
    actor: str,
    scope: Collection[int] | None = None,
) -> NetworkGrant:
    """Make ``email`` a network viewer of the scope (creating the user if new); returns the grant (the
    existing one when it was already there, unchanged and not audited again)."""
    email = normalise_email(email)
    value = _check_scope(session, scope_kind, scope_value)
    _require_steward_of_scope(session, actor, scope, scope_kind, value)
    user = _user(session, email)
    if user is None:
        user = AppUser(email=email)
        session.add(user)
        session.flush()
    assert user.id is not None
    existing = _grant(session, user.id, scope_kind, value)
    if existing is not None:
        return existing
    grant = NetworkGrant(user_id=user.id, scope_kind=scope_kind, scope_value=value)
    session.add(grant)
    session.flush()
    audit.record_event(
        session=session,
        user=actor,
        action=audit.ROLE_GRANTED,
        organisation_id=None,
        detail={"email": email, "role": codes.NETWORK_VIEWER, "scope_kind": scope_kind, "scope_value": value},
    )
    return grant


def revoke_network(
    *,
    session: Session,
    email: str,
    scope_kind: str,
    scope_value: str | None = None,
    actor: str,
    scope: Collection[int] | None = None,
) -> None:
    """Take away one network grant; ValueError when the user has no such grant."""
    email = normalise_email(email)
    if scope_kind not in codes.NETWORK_SCOPES:
        raise ValueError(ERROR_SCOPE_KIND.format(kind=str(scope_kind)[:40]))
    value = "" if scope_kind == "all" else (scope_value or "").strip()
    if scope_kind == "region":
        value = value.lower().replace(" ", "_")
    elif scope_kind == "icb":
        value = value.upper()
    user = _user(session, email)
    grant = None if user is None or user.id is None else _grant(session, user.id, scope_kind, value)
    if grant is None:
        raise ValueError(ERROR_NO_GRANT.format(email=email, scope=scope_label(scope_kind, value)))
    _require_steward_of_scope(session, actor, scope, scope_kind, value)
    session.delete(grant)
    session.flush()
    audit.record_event(
        session=session,
        user=actor,
        action=audit.ROLE_REVOKED,
        organisation_id=None,
        detail={"email": email, "previous_role": codes.NETWORK_VIEWER, "scope_kind": scope_kind,
                "scope_value": value},
    )


def _grants_of(session: Session, email: str) -> Sequence[NetworkGrant]:
    return session.exec(
        select(NetworkGrant)
        .join(AppUser, col(AppUser.id) == col(NetworkGrant.user_id))
        .where(AppUser.email == email, col(AppUser.active).is_(True))
    ).all()


def network_organisation_ids(*, session: Session, email: str | None) -> list[int]:
    """The organisations an active user's network grants cover now; [] for an unknown, suspended or malformed
    email (deny by default)."""
    try:
        email = normalise_email(email)
    except ValueError:
        return []
    covered: set[int] = set()
    for grant in _grants_of(session, email):
        covered.update(organisations_in_scope(session=session, kind=grant.scope_kind, value=grant.scope_value))
    return sorted(covered)


def grants_frame(*, session: Session) -> pl.DataFrame:
    """One row per network grant: email, active, scope kind and value, the scope in words and how many
    organisations it covers now."""
    rows = session.exec(
        select(AppUser.email, AppUser.active, NetworkGrant.scope_kind, NetworkGrant.scope_value)
        .join(NetworkGrant, col(NetworkGrant.user_id) == col(AppUser.id))
        .order_by(AppUser.email, NetworkGrant.scope_kind, NetworkGrant.scope_value)
    ).all()
    return pl.DataFrame(
        {
            "email": [r[0] for r in rows],
            "active": [bool(r[1]) for r in rows],
            "scope_kind": [r[2] for r in rows],
            "scope_value": [r[3] for r in rows],
            "scope": [scope_label(r[2], r[3]) for r in rows],
            "organisations": [
                len(organisations_in_scope(session=session, kind=r[2], value=r[3])) for r in rows
            ],
        },
        schema=GRANTS_SCHEMA,
    )


def grants_covering(engine: Engine, organisation_ids: Collection[int] | None) -> pl.DataFrame:
    """:func:`grants_frame` with its own short session, keeping the grants that cover any of
    ``organisation_ids`` now (None: every grant, for an operator)."""
    with Session(engine) as session:
        frame = grants_frame(session=session)
        if organisation_ids is None:
            return frame
        wanted = {int(i) for i in organisation_ids}
        keep = [
            bool(wanted & set(organisations_in_scope(session=session, kind=kind, value=value)))
            for kind, value in zip(frame["scope_kind"].to_list(), frame["scope_value"].to_list(), strict=True)
        ]
        return frame.filter(pl.Series(keep, dtype=pl.Boolean))
