"""Setting up an organisation without a developer: create it (code, name, catchment), set its levels.

Used by the Set up page and by ``presence organisation add|list`` and ``presence level list|set|add|remove``.
Every change is written to the audit trail in the same transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl
from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from data import codes
from models import audit, crud, values
from models.db import bump_data_version
from models.tables import Activity, Level, Organisation, OrganisationCreate, row_id, table_of

ORGANISATION_CREATED = "organisation_created"
LEVELS_CHANGED = "levels_changed"
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

BAD_CODE = "The code '{code}' is not a short code: use up to 40 letters, digits, '-', '_' or '.', e.g. RV5."
CODE_TAKEN = "There is already an organisation with the code '{code}'."
NO_NAME = "An organisation needs a name (at most 200 characters)."
BAD_AREA = "'{value}' in the catchment {reason}."
BAD_KEY = "The level key '{key}' is not a short key: lower-case letters, digits and '_', starting with a letter."
NO_LEVELS = "An organisation needs at least one level."
LEVEL_TWICE = "The level key '{key}' is given twice; each level needs its own key."
LEVEL_IN_USE = "The level '{key}' still has {n} activities: move them to another level before removing it."
NO_SUCH_LEVEL = "{organisation} has no level '{key}'; its levels are: {keys}."
NO_DECISION_LEVEL = (
    "No level is marked as making decisions, so the Overview and the Decision-making page would have nothing "
    "to show: mark at least one."
)


@dataclass(frozen=True)
class LevelChoice:
    key: str
    name: str
    decision_making: bool


def default_levels() -> list[LevelChoice]:
    return [LevelChoice(key, name, dm) for _rank, key, name, dm in codes.DEFAULT_LEVELS]


def catchment_codes(raw: str | list[str]) -> list[str]:
    """'E09000022; Southwark' or ['Lambeth', 'E09000028'] -> ONS codes, in order, each once."""
    parts = raw if isinstance(raw, list) else re.split(r"[;\n]+", raw or "")
    found: list[str] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if re.fullmatch(r"[EWSNewsn]\d{8}", part):
            code = part.upper()
        else:
            try:
                code = values.local_authority_code(part)
            except ValueError as error:
                raise ValueError(BAD_AREA.format(value=part, reason=str(error))) from error
        if code not in found:
            found.append(code)
    return found


def _check_levels(levels: list[LevelChoice]) -> None:
    if not levels:
        raise ValueError(NO_LEVELS)
    seen = set()
    for level in levels:
        if not KEY_PATTERN.match(level.key):
            raise ValueError(BAD_KEY.format(key=level.key))
        if level.key in seen:
            raise ValueError(LEVEL_TWICE.format(key=level.key))
        if not level.name.strip() or len(level.name) > 120:
            raise ValueError(f"The level '{level.key}' needs a name of at most 120 characters.")
        seen.add(level.key)
    if not any(level.decision_making for level in levels):
        raise ValueError(NO_DECISION_LEVEL)


def add_organisation(
    *, engine: Engine, code: str, name: str, catchment: str | list[str], user: str,
    levels: list[LevelChoice] | None = None, steward: str | None = None,
) -> Organisation:
    """Create an organisation with its levels (the five defaults unless given); ``steward`` (an email) becomes
    its data steward. Raises ``ValueError`` with a sentence for a bad code, name, area or level."""
    code = (code or "").strip()
    name = (name or "").strip()
    if not CODE_PATTERN.match(code):
        raise ValueError(BAD_CODE.format(code=code))
    if not name or len(name) > 200:
        raise ValueError(NO_NAME)
    areas = catchment_codes(catchment)
    chosen = levels or default_levels()
    _check_levels(chosen)
    with Session(engine, expire_on_commit=False) as session:
        taken = session.exec(select(Organisation.id).where(Organisation.code == code)).first()
        if taken is not None:
            raise ValueError(CODE_TAKEN.format(code=code))
        organisation = crud.create_organisation(
            session=session, organisation=OrganisationCreate(code=code, name=name, catchment=areas)
        )
        if levels is not None:
            _write_levels(session, row_id(organisation), chosen)
        audit.record_event(session=session, user=user, action=ORGANISATION_CREATED, organisation_id=organisation.id,
                           detail={"code": code, "catchment": areas, "levels": [lv.key for lv in chosen]})
        bump_data_version(session, organisation.id, ["organisations", "levels"])
        if steward:
            from models import users

            users.set_role(session=session, email=steward, organisation_id=row_id(organisation), role="data_steward",
                           actor=user)
        session.commit()
    ensure_reference_baselines(engine)
    return organisation


def ensure_reference_baselines(engine: Engine) -> int:
    """Load the shipped Census baselines when the database does not have them yet (a new database set up in the
    browser has not run ``presence init-db``); returns the rows added."""
    from models.seeding import load_reference_baselines

    return load_reference_baselines(engine)


def load_demo(*, engine: Engine) -> str:
    """The fictional demo trust, for a first look (the first-run screen's second choice)."""
    from models.seeding import seed_demo

    ensure_reference_baselines(engine)
    return str(seed_demo(engine=engine, scale=1))


def _write_levels(session: Session, organisation_id: int, levels: list[LevelChoice]) -> dict[str, list[str]]:
    """Make the organisation's levels exactly ``levels``, ranked in that order (1 = first)."""
    table = table_of(Level)
    stored = {lv.key: lv for lv in session.exec(select(Level).where(Level.organisation_id == organisation_id))}
    wanted = {lv.key for lv in levels}
    changes: dict[str, list[str]] = {"added": [], "changed": [], "removed": []}
    for key, level in stored.items():
        if key in wanted:
            continue
        used = session.exec(select(func.count()).select_from(Activity).where(Activity.level_id == level.id)).one()
        used = used[0] if isinstance(used, tuple) else used
        if used:
            raise ValueError(LEVEL_IN_USE.format(key=key, n=used))
        session.delete(level)
        changes["removed"].append(key)
    session.flush()
    # ranks are unique: move the kept levels out of the way, then give each its place
    session.execute(update(table).where(table.c.organisation_id == organisation_id).values(rank=table.c.rank + 1000))
    for rank, choice in enumerate(levels, start=1):
        existing = stored.get(choice.key)
        if existing is None:
            session.add(Level(organisation_id=organisation_id, rank=rank, key=choice.key, name=choice.name.strip(),
                              decision_making=choice.decision_making))
            changes["added"].append(choice.key)
            continue
        session.refresh(existing)
        if (existing.rank - 1000, existing.name, existing.decision_making) != (rank, choice.name.strip(),
                                                                                choice.decision_making):
            changes["changed"].append(choice.key)
        existing.rank, existing.name, existing.decision_making = rank, choice.name.strip(), choice.decision_making
        session.add(existing)
    session.flush()
    return changes


def set_levels(*, engine: Engine, organisation_id: int, levels: list[LevelChoice], user: str) -> dict[str, list[str]]:
    """Rename, reorder, add or remove levels (in the order given), audited; returns what changed."""
    _check_levels(levels)
    with Session(engine, expire_on_commit=False) as session:
        changes = _write_levels(session, organisation_id, levels)
        bump_data_version(session, organisation_id, ["levels"])
        audit.record_event(session=session, user=user, action=LEVELS_CHANGED, organisation_id=organisation_id,
                           detail=changes | {"order": [lv.key for lv in levels]})
        session.commit()
    return changes


def levels_frame(*, engine: Engine, organisation_id: int) -> pl.DataFrame:
    """rank, key, name, decision_making, activities (how many activities are at the level)."""
    with Session(engine) as session:
        rows = session.exec(
            select(Level).where(Level.organisation_id == organisation_id).order_by(col(Level.rank))
        ).all()
        used = dict(session.exec(select(Activity.level_id, func.count()).where(
            Activity.organisation_id == organisation_id).group_by(col(Activity.level_id))).all())
    rows = [r[0] if isinstance(r, tuple) else r for r in rows]
    return pl.DataFrame(
        [(r.rank, r.key, r.name, r.decision_making, int(used.get(row_id(r), 0))) for r in rows],
        schema={"rank": pl.Int64, "key": pl.String, "name": pl.String, "decision_making": pl.Boolean,
                "activities": pl.Int64}, orient="row",
    )


def level_choices(*, engine: Engine, organisation_id: int) -> list[LevelChoice]:
    return [LevelChoice(k, n, d) for k, n, d in
            levels_frame(engine=engine, organisation_id=organisation_id).select("key", "name", "decision_making")
            .iter_rows()]


def organisations_frame(*, engine: Engine) -> pl.DataFrame:
    """code, name, catchment (codes separated by ';'), levels, people."""
    from models.tables import Person

    with Session(engine) as session:
        rows = [r[0] if isinstance(r, tuple) else r
                for r in session.exec(select(Organisation).order_by(col(Organisation.code))).all()]
        people = dict(session.exec(
            select(Person.organisation_id, func.count()).group_by(col(Person.organisation_id))).all())
        levels = dict(session.exec(
            select(Level.organisation_id, func.count()).group_by(col(Level.organisation_id))).all())
    return pl.DataFrame(
        [(o.code, o.name, ";".join(o.catchment or []), int(levels.get(row_id(o), 0)), int(people.get(row_id(o), 0)))
         for o in rows],
        schema={"code": pl.String, "name": pl.String, "catchment": pl.String, "levels": pl.Int64,
                "people": pl.Int64}, orient="row",
    )


def organisation_list(*, engine: Engine) -> list[dict[str, int | str]]:
    """Every organisation (id, code, name), by name then id: the dashboard's choice of organisation."""
    with Session(engine) as session:
        rows = session.exec(select(Organisation.id, Organisation.code, Organisation.name)
                            .order_by(col(Organisation.name), col(Organisation.id))).all()
    return [{"id": int(i), "code": str(code), "name": str(name)} for i, code, name in rows if i is not None]


def people_count(*, engine: Engine, organisation_id: int) -> int:
    """How many people an organisation has records of (the "Loading 151,944 people…" message)."""
    from models.tables import Person

    with Session(engine) as session:
        found = session.exec(select(func.count()).select_from(Person)
                             .where(Person.organisation_id == organisation_id)).one()
    return int(found)
