"""The one analytics module that reads the database: one organisation's records as polars frames.

Everything else in ``analytics`` works on a :class:`Frames` value and never touches ``models``: the
representation engine, the 4PI indicators (:mod:`analytics.fourpi`), data quality and the board pack read the
same frames. Tests and the benchmark build ``Frames`` directly with :func:`make_frames`, which fills any table
not given with an empty frame of the right schema.

The schemas are not written out here: :data:`TABLES` names, for each frame, the ``models.tables`` table and the
columns the analyses read, and :func:`schemas` derives each column's polars type from the table's column
(``int`` -> Int64, ``str`` -> String, ``Decimal`` -> Float64, a JSON list of codes -> List(String), ...).

:func:`load_frames` reads through ``models.db.frame_reader`` (Arrow-native ADBC on PostgreSQL, the raw sqlite3
connection on SQLite, never SQLAlchemy row objects). The database code (SQLAlchemy, the models, the drivers) is
imported when something is loaded or a schema is first asked for, not when ``analytics`` is imported.
:func:`start_loading` reads the same frames in a child process (``models.child_read``), so the caller can work
meanwhile: the dashboard's first load after a start.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Select
    from sqlalchemy.engine import Engine

    from models.child_read import ChildRead

Schema = dict[str, pl.DataType]

NO_ORGANISATION = "There is no organisation with id {organisation_id}."
UNKNOWN_TABLES = "make_frames got unknown tables: {names}."


@dataclass(frozen=True)
class Table:
    """Which columns of a ``models.tables`` table (named by its class) the analyses read, and the row order."""

    model: str
    columns: tuple[str, ...]
    order_by: tuple[str, ...] = ("id",)


TABLES: dict[str, Table] = {
    "organisation": Table("Organisation", ("id", "code", "name", "catchment")),
    "levels": Table("Level", ("id", "rank", "key", "name", "decision_making"), order_by=("rank",)),
    "activities": Table(
        "Activity",
        (
            "id", "level_id", "ref", "name", "kind", "involvement_area", "involves", "purpose",
            "intended_outcomes", "purpose_recorded_on", "high_level", "start_date", "end_date",
        ),
    ),
    "people": Table(
        "Person",
        (
            "id", "ref", "involvement_type", "ethnicity", "sex", "gender_same_as_birth", "age_band",
            "year_of_birth", "disability", "sexual_orientation", "religion", "local_authority",
        ),
    ),
    "involvements": Table(
        "Involvement",
        (
            "id", "ref", "person_id", "activity_id", "role", "payment_basis", "has_role_description",
            "start_date", "end_date",
        ),
    ),
    "meetings": Table("Meeting", ("id", "ref", "activity_id", "date", "start_time", "papers_sent")),
    "attendance": Table("Attendance", ("id", "meeting_id", "person_id", "capacity", "status")),
    "baselines": Table(
        "Baseline", ("source", "year", "geography_code", "geography_name", "characteristic", "group", "count")
    ),
    "payments": Table(
        "Payment",
        ("ref", "person_id", "activity_id", "kind", "claim_date", "paid_date", "amount"),
        order_by=("claim_date", "id"),
    ),
    "support_offers": Table(
        "SupportOffer", ("person_id", "kind", "offered_on", "taken_up"), order_by=("offered_on", "id")
    ),
    "impact_log": Table(
        "ImpactLog",
        ("ref", "activity_id", "recorded_on", "area", "what_changed", "evidence"),
        order_by=("recorded_on", "id"),
    ),
    "feedback": Table(
        "Feedback",
        ("ref", "activity_id", "submitted_on", "felt_valued", "could_influence", "informed_of_outcomes"),
        order_by=("submitted_on", "id"),
    ),
    "review_steps": Table(
        "ReviewStep",
        ("activity_id", "cycle", "stage", "completed_on"),
        order_by=("activity_id", "cycle", "completed_on"),
    ),
}

def dtype_of(column: Any) -> pl.DataType:
    """The polars type of a SQLAlchemy column of the models: integers Int64, text String, a JSON column (a list
    of codes) List(String), a decimal (money: pounds and pence) Float64, dates Date, times Time."""
    import sqlalchemy as sa

    kinds: tuple[tuple[type[Any], pl.DataType], ...] = (
        (sa.JSON, pl.List(pl.String())),
        (sa.Boolean, pl.Boolean()),
        (sa.Integer, pl.Int64()),
        (sa.Float, pl.Float64()),
        (sa.Numeric, pl.Float64()),  # a Decimal is read as a float (statements() casts it)
        (sa.String, pl.String()),
        (sa.DateTime, pl.Datetime("us")),
        (sa.Date, pl.Date()),
        (sa.Time, pl.Time()),
    )
    sql_type = _sql_type(column)
    for kind, dtype in kinds:
        if isinstance(sql_type, kind):
            return dtype
    raise TypeError(f"No polars type for the column {column} of type {column.type!r}.")


def _sql_type(column: Any) -> Any:
    """The column's SQL type, under any decorating type (SQLModel's AutoString is a decorated String)."""
    from sqlalchemy.types import TypeDecorator

    sql_type = column.type
    while isinstance(sql_type, TypeDecorator):
        sql_type = sql_type.impl_instance
    return sql_type


def _is_decimal(column: Any) -> bool:
    import sqlalchemy as sa

    sql_type = _sql_type(column)
    return isinstance(sql_type, sa.Numeric) and not isinstance(sql_type, sa.Float)


def _model_table(model: str) -> Any:
    """The SQLAlchemy table of a ``models.tables`` class, by the class's name."""
    from models import tables as models

    return getattr(models, model).__table__


def _model_columns(model: str) -> Any:
    return _model_table(model).c


@cache
def schemas() -> dict[str, Schema]:
    """Frame name -> {column: polars type}, derived from ``models.tables`` (read once, on first use)."""
    found: dict[str, Schema] = {}
    for name, table in TABLES.items():
        columns = _model_columns(table.model)
        found[name] = {col: dtype_of(columns[col]) for col in table.columns}
    return found


@dataclass(frozen=True)
class Frames:
    """One organisation's records (pseudonymous), one polars frame per table, with the day figures are worked
    out on (``as_of``: the 4PI indicators leave out meetings after it and count unpaid claims as overdue by it).
    """

    organisation: pl.DataFrame
    levels: pl.DataFrame
    activities: pl.DataFrame
    people: pl.DataFrame
    involvements: pl.DataFrame
    meetings: pl.DataFrame
    attendance: pl.DataFrame
    baselines: pl.DataFrame
    payments: pl.DataFrame
    support_offers: pl.DataFrame
    impact_log: pl.DataFrame
    feedback: pl.DataFrame
    review_steps: pl.DataFrame
    as_of: date = field(default_factory=date.today)

    @property
    def catchment(self) -> list[str]:
        """The ONS area codes the organisation serves (empty when none are recorded)."""
        if self.organisation.height == 0:
            return []
        value = self.organisation["catchment"][0]
        return [] if value is None else [str(code) for code in value]

    @property
    def organisation_name(self) -> str:
        return "" if self.organisation.height == 0 else str(self.organisation["name"][0])


FRAME_TABLES: tuple[str, ...] = tuple(f.name for f in fields(Frames) if f.name != "as_of")
assert FRAME_TABLES == tuple(TABLES), "Frames and TABLES name the same tables in the same order"


def conform(frame: pl.DataFrame | None, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """``frame`` with exactly ``schema`` first (missing columns null, types cast), any extra columns after."""
    if frame is None:
        return pl.DataFrame(schema=dict(schema))
    missing = [pl.lit(None, dtype=dtype).alias(col) for col, dtype in schema.items() if col not in frame.columns]
    frame = frame.with_columns(missing) if missing else frame
    casts = [pl.col(col).cast(dtype) for col, dtype in schema.items() if frame.schema[col] != dtype]
    frame = frame.with_columns(casts) if casts else frame
    extra = [c for c in frame.columns if c not in schema]
    return frame.select(list(schema) + extra)


def make_frames(*, as_of: date | None = None, **tables: pl.DataFrame | None) -> Frames:
    """A :class:`Frames` from whichever tables are given (as frames with at least the key columns)."""
    unknown = set(tables) - set(TABLES)
    if unknown:
        raise ValueError(UNKNOWN_TABLES.format(names=", ".join(sorted(unknown))))
    found = {name: conform(tables.get(name), schema) for name, schema in schemas().items()}
    return Frames(**found, as_of=as_of or date.today())


def statements(
    organisation_id: int, tables: Iterable[str] = FRAME_TABLES, after_ids: Mapping[str, int] | None = None
) -> dict[str, Select[Any]]:
    """The SQLAlchemy statement that reads each of ``tables`` for one organisation (only the columns used);
    for a table in ``after_ids``, only its rows with a higher id, in id order."""
    from sqlalchemy import Float, cast, select

    found: dict[str, Select[Any]] = {}
    for name in tables:
        table = TABLES[name]
        c = _model_columns(table.model)
        selected: list[ColumnElement[Any]] = [
            cast(c[col], Float) if _is_decimal(c[col]) else c[col] for col in table.columns
        ]
        scope = c.id if name == "organisation" else c.organisation_id
        statement = select(*selected).where(scope == organisation_id)
        if after_ids is not None and name in after_ids:
            found[name] = statement.where(c.id > after_ids[name]).order_by(c.id)
        else:
            found[name] = statement.order_by(*(c[o] for o in table.order_by))
    return found


def load_tables(
    engine: Engine,
    organisation_id: int,
    tables: Iterable[str] = FRAME_TABLES,
    after_ids: Mapping[str, int] | None = None,
) -> dict[str, pl.DataFrame]:
    """Some of one organisation's tables, as frames with the schemas of :func:`schemas` (no existence check);
    of a table in ``after_ids`` only the rows with an id above the one given (the rows added since)."""
    from models.db import frame_reader

    wanted = schemas()
    chosen = statements(organisation_id, tables, after_ids)
    with frame_reader(engine) as read:
        return {name: read(statement, wanted[name]) for name, statement in chosen.items()}


def load_frames(engine: Engine, organisation_id: int = 1, *, as_of: date | None = None) -> Frames:
    """Read one organisation's records; ``ValueError`` when there is no organisation with that id."""
    tables = load_tables(engine, organisation_id)
    if tables["organisation"].height == 0:
        raise ValueError(NO_ORGANISATION.format(organisation_id=organisation_id))
    return Frames(**tables, as_of=as_of or date.today())


@dataclass
class Loading:
    """One organisation's records being read in a child process (:func:`start_loading`)."""

    engine: Engine
    organisation_id: int
    reading: ChildRead | None  # None: read in this process when asked
    as_of: date | None = None

    def frames(self) -> Frames:
        """The same :class:`Frames` as :func:`load_frames` (waits for the child; reads in this process when the
        child could not read)."""
        from models.db import conform as from_database

        if self.reading is None:
            return load_frames(self.engine, self.organisation_id, as_of=self.as_of)
        try:
            raw = self.reading.result()
        except RuntimeError as error:
            logging.getLogger(__name__).warning("%s; reading in the dashboard's process instead", error)
            return load_frames(self.engine, self.organisation_id, as_of=self.as_of)
        wanted = schemas()
        tables = {name: from_database(frame, wanted[name]) for name, frame in raw.items()}
        if tables["organisation"].height == 0:
            raise ValueError(NO_ORGANISATION.format(organisation_id=self.organisation_id))
        return Frames(**tables, as_of=self.as_of or date.today())

    def cancel(self) -> None:
        if self.reading is not None:
            self.reading.cancel()


def start_loading(engine: Engine, organisation_id: int, *, as_of: date | None = None) -> Loading:
    """Start reading one organisation's records Arrow-native in a child process (``models.child_read``), so
    the caller can do other work meanwhile (the dashboard imports its code); ``.frames()`` waits for them."""
    from models.db import start_child_read

    return Loading(engine, organisation_id, start_child_read(engine, statements(organisation_id)), as_of)


# --- Outreach plans: working documents, read fresh (no data version), through the same reader ---------------


@dataclass(frozen=True)
class PlanFrames:
    """One organisation's outreach plans (with their level and committee resolved), partners and actions."""

    plans: pl.DataFrame
    partners: pl.DataFrame
    actions: pl.DataFrame


def _plan_selects(organisation_id: int) -> dict[str, Select[Any]]:
    from sqlalchemy import select

    plan_t, level_t, activity_t = _model_table("OutreachPlan"), _model_table("Level"), _model_table("Activity")
    partner_t, action_t = _model_table("PlanPartner"), _model_table("PlanAction")
    p, lv, a = plan_t.c, level_t.c, activity_t.c
    partner, action = partner_t.c, action_t.c
    plan_columns = [
        p.ref, p.title, p.characteristic, p.group, p.involvement, p.level_id, lv.key.label("level_key"),
        lv.name.label("level_name"), lv.rank.label("level_rank"), p.activity_id, a.ref.label("activity_ref"),
        a.name.label("activity_name"), p.target_people, p.started_on, p.target_date, p.owner_email,
        p.owner_team, p.status, p.notes,
    ]
    plans = (
        select(*plan_columns)
        .select_from(
            plan_t.join(level_t, lv.id == p.level_id).outerjoin(activity_t, a.id == p.activity_id)
        )
        .where(p.organisation_id == organisation_id)
        .order_by(p.ref)
    )
    partners = (
        select(p.ref.label("plan_ref"), partner.name, partner.contact_role)
        .select_from(partner_t.join(plan_t, p.id == partner.plan_id))
        .where(partner.organisation_id == organisation_id)
        .order_by(p.ref, partner.name)
    )
    actions = (
        select(p.ref.label("plan_ref"), action.action, action.partner, action.due_date, action.done_on)
        .select_from(action_t.join(plan_t, p.id == action.plan_id))
        .where(action.organisation_id == organisation_id)
        .order_by(p.ref, action.due_date, action.action)
    )
    return {"plans": plans, "partners": partners, "actions": actions}


def _select_schema(statement: Select[Any]) -> Schema:
    """{label: polars type} of a statement's columns, each derived from the model column it reads."""
    return {str(col.key): dtype_of(col) for col in statement.selected_columns}


@cache
def plan_schemas() -> dict[str, Schema]:
    """The schemas of :class:`PlanFrames`' frames, derived from the plan tables' columns."""
    return {name: _select_schema(statement) for name, statement in _plan_selects(0).items()}


def make_plan_frames(
    plans: pl.DataFrame | None = None,
    partners: pl.DataFrame | None = None,
    actions: pl.DataFrame | None = None,
) -> PlanFrames:
    """A :class:`PlanFrames` from frames with at least some of the columns (the rest are null)."""
    wanted = plan_schemas()
    return PlanFrames(
        *(
            conform(frame, wanted[name]).select(list(wanted[name]))
            for name, frame in (("plans", plans), ("partners", partners), ("actions", actions))
        )
    )


def load_plans(engine: Engine, organisation_id: int) -> PlanFrames:
    """Every plan of the organisation (by reference), with its partners and actions."""
    from models.db import frame_reader

    wanted = plan_schemas()
    with frame_reader(engine) as read:
        found = {name: read(st, wanted[name]) for name, st in _plan_selects(organisation_id).items()}
    return PlanFrames(found["plans"], found["partners"], found["actions"])


def __getattr__(name: str) -> Any:
    """``SCHEMAS``: the derived schemas (:func:`schemas`), read on first use."""
    if name == "SCHEMAS":
        return schemas()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
