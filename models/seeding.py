"""Writing the shipped and synthetic data into the database: the Census reference baselines, the demo trust and
the demo network.

The rows themselves are planned in ``data`` without a database (``data.baselines.reference_baselines``,
``data.demo.build_demo``, ``data.demo_network.build_member``); this module only writes them, each organisation
in one transaction, through the importer's bulk insert (``models.bulk.insert_frame``).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
from sqlalchemy import and_, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel

from data import baselines, demo, demo_network
from models.bulk import insert_frame
from models.crud import create_organisation, levels_by_key
from models.db import RECORD_TABLES, bump_data_version
from models.tables import (
    Activity,
    Attendance,
    Baseline,
    Feedback,
    ImpactLog,
    Involvement,
    Meeting,
    Organisation,
    OrganisationCreate,
    OutreachPlan,
    Payment,
    Person,
    PlanAction,
    PlanPartner,
    ReviewStep,
    SupportOffer,
    table_of,
)

__all__ = [
    "EXISTS_ERROR",
    "NETWORK_TAKEN_ERROR",
    "load_reference_baselines",
    "seed_demo",
    "seed_network",
    "seed_plan",
]

EXISTS_ERROR = "The demo organisation {code} already exists: remove it or seed with another organisation code."
NETWORK_TAKEN_ERROR = (
    "The demo network's organisations {codes} already exist: nothing was added. Use an empty database or "
    "remove them first."
)
BASELINE_KEY = ["source", "year", "geography_code", "characteristic", "group"]


# --- Reference baselines ------------------------------------------------------------------------------------


def load_reference_baselines(engine: Engine) -> int:
    """Insert the shipped Census 2021 rows into the ``baseline`` table (organisation_id NULL) when missing.

    Idempotent: rows already there (same source, year, geography, characteristic and group) are skipped, so a
    second call adds nothing. A unitary authority's 'utla' and 'ltla' rows are identical and are stored once.
    Uses one bulk INSERT. Returns the number of rows added.
    """
    table = table_of(Baseline)
    shipped = (
        baselines.reference_baselines()
        .select(*BASELINE_KEY, "geography_name", pl.col("count").cast(pl.Float64))
        .unique(subset=BASELINE_KEY, keep="first", maintain_order=True)
    )
    with engine.begin() as connection:
        existing_rows = connection.execute(
            select(*(table.c[name] for name in BASELINE_KEY)).where(
                and_(table.c.organisation_id.is_(None), table.c.source == baselines.SOURCE_CENSUS)
            )
        ).all()
        existing = pl.DataFrame(
            [tuple(row) for row in existing_rows], schema=shipped.select(BASELINE_KEY).schema, orient="row"
        )
        new = shipped.join(existing, on=BASELINE_KEY, how="anti")
        if new.is_empty():
            return 0
        connection.execute(insert(table), new.with_columns(pl.lit(None).alias("organisation_id")).to_dicts())
    return new.height


# --- The demo trust -----------------------------------------------------------------------------------------


def seed_demo(
    *, engine: Engine, scale: int = 1, seed: int = 2021, organisation_code: str = "DEMO"
) -> demo.DemoSummary:
    """Add the fictional demo trust and all its rows in one transaction; ValueError if the code is taken."""
    plan = demo.build_demo(scale=scale, seed=seed)
    with engine.begin() as connection:
        organisation_id, level_ids = _add_organisation(connection, organisation_code)
        _write_plan(connection, plan, organisation_id, level_ids)
        bump_data_version(connection, organisation_id, RECORD_TABLES)
        _add_outreach_plans(connection, organisation_id, level_ids)
    return demo.DemoSummary(
        organisation_code=organisation_code,
        organisation_name=demo.DEMO_NAME,
        organisation_id=organisation_id,
        scale=scale,
        seed=seed,
        counts=plan.counts(),
    )


def seed_plan(*, engine: Engine, plan: demo.DemoPlan, organisation: OrganisationCreate) -> int:
    """Add ``organisation`` and every row of ``plan`` in one transaction (the demo network uses this);
    returns the organisation's id. ValueError if the code is taken."""
    with engine.begin() as connection:
        organisation_id, level_ids = _add_organisation(connection, organisation.code, organisation)
        _write_plan(connection, plan, organisation_id, level_ids)
    return organisation_id


def _add_organisation(
    connection: Connection, code: str, create: OrganisationCreate | None = None
) -> tuple[int, dict[str, int]]:
    """The organisation (the demo trust unless ``create`` says otherwise) with its five levels: its id and
    {level key: level id}."""
    organisations = table_of(Organisation)
    taken = connection.execute(select(organisations.c.id).where(organisations.c.code == code)).first()
    if taken is not None:
        raise ValueError(EXISTS_ERROR.format(code=code))
    with Session(bind=connection) as session:
        organisation = create_organisation(
            session=session,
            organisation=create
            or OrganisationCreate(code=code, name=demo.DEMO_NAME, catchment=list(demo.CATCHMENT)),
        )
        organisation.created_at = demo.STAMP
        session.flush()
        assert organisation.id is not None  # flushed
        levels = levels_by_key(session=session, organisation_id=organisation.id)
        return organisation.id, {key: _id(level.id) for key, level in levels.items()}


def _id(value: int | None) -> int:
    assert value is not None, "a stored row has an id"
    return value


def _write_plan(
    connection: Connection, plan: demo.DemoPlan, organisation_id: int, level_ids: dict[str, int]
) -> None:
    """Insert parents first, read their ids back by ref, then the rows that point at them."""
    org = {"organisation_id": organisation_id}
    activity_rows = plan.activities.with_columns(level_id=pl.col("level").replace_strict(level_ids))
    _insert(connection, Activity, activity_rows, org)
    activity_ids = _ids_by_ref(connection, Activity, organisation_id, plan.activities, "activity_key")
    _insert(connection, Person, plan.people.with_columns(updated_at=pl.lit(demo.STAMP)), org)
    person_ids = _ids_by_ref(connection, Person, organisation_id, plan.people, "person_key")
    with_ids = _with_ids(activity_ids, person_ids)
    _insert(connection, Involvement, with_ids(plan.involvements), org)
    _insert(connection, Meeting, with_ids(plan.meetings), org)
    meeting_ids = _ids_by_ref(connection, Meeting, organisation_id, plan.meetings, "meeting_key")
    _insert(connection, Attendance, with_ids(plan.attendance).join(meeting_ids, on="meeting_key"), org)
    later: tuple[tuple[type[SQLModel], pl.DataFrame], ...] = (
        (Payment, plan.payments),
        (SupportOffer, plan.support),
        (ImpactLog, plan.impacts),
        (Feedback, plan.feedback),
        (ReviewStep, plan.reviews),
    )
    for model, frame in later:
        _insert(connection, model, with_ids(frame), org)
    _insert(connection, Baseline, plan.caseload, org)


def _with_ids(activity_ids: pl.DataFrame, person_ids: pl.DataFrame) -> Callable[[pl.DataFrame], pl.DataFrame]:
    """A function that adds activity_id and person_id to a frame that has the matching keys."""

    def add(frame: pl.DataFrame) -> pl.DataFrame:
        if "activity_key" in frame.columns:
            frame = frame.join(activity_ids, on="activity_key", how="left")
        if "person_key" in frame.columns:
            frame = frame.join(person_ids, on="person_key", how="left")
        return frame

    return add


def _ids_by_ref(
    connection: Connection, model: type[SQLModel], organisation_id: int, frame: pl.DataFrame, key: str
) -> pl.DataFrame:
    """Frame of ``key`` -> database id (named after the table: activity_id, person_id, meeting_id)."""
    table = table_of(model)
    rows = connection.execute(
        select(table.c.ref, table.c.id).where(table.c.organisation_id == organisation_id)
    ).all()
    ids = pl.DataFrame(
        [tuple(r) for r in rows], schema={"ref": pl.String, f"{table.name}_id": pl.Int64}, orient="row"
    )
    return frame.select(key, "ref").join(ids, on="ref", how="inner").drop("ref")


def _insert(connection: Connection, model: type[SQLModel], frame: pl.DataFrame, constants: dict[str, int]) -> None:
    """The frame's columns that the table has (the planner's keys are left out), in the table's order."""
    table = table_of(model)
    columns = [c.name for c in table.columns if c.name in frame.columns and c.name != "id"]
    insert_frame(connection, table, frame.select(columns), constants)


def _add_outreach_plans(connection: Connection, organisation_id: int, level_ids: dict[str, int]) -> None:
    """The two example outreach plans (``data.demo.DEMO_PLANS``), their community partners and actions."""
    plans, partners, actions = table_of(OutreachPlan), table_of(PlanPartner), table_of(PlanAction)
    activity = table_of(Activity)
    plan_ids: dict[str, int] = {}
    for spec in demo.DEMO_PLANS:
        committee = None
        if spec["committee"]:
            committee = connection.execute(
                select(activity.c.id)
                .where(activity.c.organisation_id == organisation_id, activity.c.name == spec["committee"])
                .order_by(activity.c.id)
            ).scalars().first()
        values = {k: v for k, v in spec.items() if k not in {"level", "committee"}}
        result = connection.execute(
            plans.insert().values(
                organisation_id=organisation_id,
                level_id=level_ids[str(spec["level"])],
                activity_id=committee,
                updated_at=demo.STAMP,
                **values,
            )
        )
        key = result.inserted_primary_key
        assert key is not None, "an inserted plan has its id"
        plan_ids[str(spec["ref"])] = int(key[0])
    for ref, name, role in demo.DEMO_PARTNERS:
        connection.execute(
            partners.insert().values(organisation_id=organisation_id, plan_id=plan_ids[ref], name=name,
                                     contact_role=role)
        )
    for ref, action, partner, due, done in demo.DEMO_ACTIONS:
        connection.execute(
            actions.insert().values(organisation_id=organisation_id, plan_id=plan_ids[ref], action=action,
                                    partner=partner, due_date=due, done_on=done)
        )


# --- The demo network ---------------------------------------------------------------------------------------


def seed_network(
    *, engine: Engine, seed: int = 2021, size: float = 1.0, codes_wanted: tuple[str, ...] | None = None
) -> list[str]:
    """Add the organisations of ``data.demo_network.NETWORK`` (those in ``codes_wanted`` when given; one
    transaction each); one summary line per organisation."""
    wanted = [m for m in demo_network.NETWORK if codes_wanted is None or m.code in codes_wanted]
    organisation = table_of(Organisation)
    with engine.connect() as connection:
        taken = set(connection.execute(select(organisation.c.code)).scalars())
    clashes = [m.code for m in wanted if m.code in taken]
    if clashes:
        raise ValueError(NETWORK_TAKEN_ERROR.format(codes=", ".join(clashes)))
    lines = []
    for member in wanted:
        plan = demo_network.build_member(member, seed=seed, size=size)
        seed_plan(
            engine=engine,
            plan=plan,
            organisation=OrganisationCreate(code=member.code, name=member.name, catchment=list(member.catchment)),
        )
        lines.append(demo_network.summary_line(member, plan))
    return lines
