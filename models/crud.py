"""Small data functions shared by the demo generator, the importer and the tests (keyword-only arguments)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from data import codes
from models.db import bump_data_version
from models.tables import Level, Organisation, OrganisationCreate, row_id


def create_organisation(*, session: Session, organisation: OrganisationCreate) -> Organisation:
    """Add an organisation with the five default levels (individual care ... board); returns it with its id."""
    row = Organisation.model_validate(organisation)
    session.add(row)
    session.flush()
    for rank, key, name, decision_making in codes.DEFAULT_LEVELS:
        session.add(Level(organisation_id=row_id(row), rank=rank, key=key, name=name, decision_making=decision_making))
    session.flush()
    bump_data_version(session, row.id, ("organisations", "levels"))
    return row


def get_organisation(*, session: Session, code: str | None = None) -> Organisation:
    """The organisation with this code; with no code, the only organisation (ValueError when there are several)."""
    if code is not None:
        found = session.exec(select(Organisation).where(Organisation.code == code)).first()
        if found is None:
            raise ValueError(f"There is no organisation with the code '{code}'.")
        return found
    rows = session.exec(select(Organisation).order_by(col(Organisation.id))).all()
    if not rows:
        raise ValueError("There is no organisation yet: run 'presence demo' or import one first.")
    if len(rows) > 1:
        names = ", ".join(r.code for r in rows)
        raise ValueError(f"There are several organisations ({names}): name one with --organisation.")
    return rows[0]


def levels_by_key(*, session: Session, organisation_id: int) -> dict[str, Level]:
    return {lv.key: lv for lv in session.exec(select(Level).where(Level.organisation_id == organisation_id))}
