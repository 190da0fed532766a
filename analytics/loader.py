"""The one analytics module that reads the database: one organisation's records as polars frames.

Everything else in ``analytics`` works on a :class:`Frames` value and never touches ``models``. Tests and the
benchmark build ``Frames`` directly with :func:`make_frames`, which fills any table not given with an empty
frame of the right schema.

:func:`load_frames` reads through ``models.db.frame_reader`` (Arrow-native ADBC on PostgreSQL, the raw
sqlite3 connection on SQLite, never SQLAlchemy row objects), only the columns in :data:`SCHEMAS`. The database
code (SQLAlchemy, the models, the drivers) is imported when something is loaded, not when ``analytics`` is.
:func:`start_loading` reads the same frames in a child process (``models.child_read``), so the caller can work
meanwhile: the dashboard's first load after a start.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from models.child_read import ChildRead

ORGANISATION_SCHEMA = {"id": pl.Int64, "code": pl.String, "name": pl.String, "catchment": pl.List(pl.String)}
LEVEL_SCHEMA = {
    "id": pl.Int64,
    "rank": pl.Int64,
    "key": pl.String,
    "name": pl.String,
    "decision_making": pl.Boolean,
}
ACTIVITY_SCHEMA = {
    "id": pl.Int64,
    "level_id": pl.Int64,
    "ref": pl.String,
    "name": pl.String,
    "kind": pl.String,
    "involvement_area": pl.String,
    "involves": pl.String,
    "purpose": pl.String,
    "intended_outcomes": pl.String,
    "purpose_recorded_on": pl.Date,
    "high_level": pl.Boolean,
    "start_date": pl.Date,
    "end_date": pl.Date,
}
PERSON_SCHEMA = {
    "id": pl.Int64,
    "ref": pl.String,
    "involvement_type": pl.String,
    "ethnicity": pl.String,
    "sex": pl.String,
    "gender_same_as_birth": pl.String,
    "age_band": pl.String,
    "year_of_birth": pl.Int64,
    "disability": pl.String,
    "sexual_orientation": pl.String,
    "religion": pl.String,
    "local_authority": pl.String,
}
INVOLVEMENT_SCHEMA = {
    "id": pl.Int64,
    "ref": pl.String,
    "person_id": pl.Int64,
    "activity_id": pl.Int64,
    "role": pl.String,
    "payment_basis": pl.String,
    "has_role_description": pl.Boolean,
    "start_date": pl.Date,
    "end_date": pl.Date,
}
MEETING_SCHEMA = {
    "id": pl.Int64,
    "ref": pl.String,
    "activity_id": pl.Int64,
    "date": pl.Date,
    "start_time": pl.Time,
    "papers_sent": pl.Date,
}
ATTENDANCE_SCHEMA = {
    "id": pl.Int64,
    "meeting_id": pl.Int64,
    "person_id": pl.Int64,
    "capacity": pl.String,
    "status": pl.String,
}
BASELINE_SCHEMA = {
    "source": pl.String,
    "year": pl.Int64,
    "geography_code": pl.String,
    "geography_name": pl.String,
    "characteristic": pl.String,
    "group": pl.String,
    "count": pl.Float64,
}

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "organisation": ORGANISATION_SCHEMA,
    "levels": LEVEL_SCHEMA,
    "activities": ACTIVITY_SCHEMA,
    "people": PERSON_SCHEMA,
    "involvements": INVOLVEMENT_SCHEMA,
    "meetings": MEETING_SCHEMA,
    "attendance": ATTENDANCE_SCHEMA,
    "baselines": BASELINE_SCHEMA,
}


@dataclass(frozen=True)
class Frames:
    """One organisation's records (pseudonymous), one polars frame per table."""

    organisation: pl.DataFrame
    levels: pl.DataFrame
    activities: pl.DataFrame
    people: pl.DataFrame
    involvements: pl.DataFrame
    meetings: pl.DataFrame
    attendance: pl.DataFrame
    baselines: pl.DataFrame

    @property
    def catchment(self) -> list[str]:
        """The ONS area codes the organisation serves (empty when none are recorded)."""
        if self.organisation.height == 0:
            return []
        value = self.organisation["catchment"][0]
        return [] if value is None else list(value)

    @property
    def organisation_name(self) -> str:
        return "" if self.organisation.height == 0 else str(self.organisation["name"][0])


def _conform(name: str, frame: pl.DataFrame | None) -> pl.DataFrame:
    """``frame`` with exactly the schema of table ``name`` (missing columns are null, extra columns kept)."""
    schema = SCHEMAS[name]
    if frame is None:
        return pl.DataFrame(schema=schema)
    missing = [
        pl.lit(None, dtype=dtype).alias(col) for col, dtype in schema.items() if col not in frame.columns
    ]
    frame = frame.with_columns(missing) if missing else frame
    casts = [pl.col(col).cast(dtype) for col, dtype in schema.items() if frame.schema[col] != dtype]
    frame = frame.with_columns(casts) if casts else frame
    extra = [c for c in frame.columns if c not in schema]
    return frame.select(list(schema) + extra)


def make_frames(**tables: pl.DataFrame | None) -> Frames:
    """A :class:`Frames` from whichever tables are given (as frames with at least the key columns)."""
    unknown = set(tables) - set(SCHEMAS)
    if unknown:
        raise ValueError(f"make_frames got unknown tables: {', '.join(sorted(unknown))}.")
    return Frames(**{f.name: _conform(f.name, tables.get(f.name)) for f in fields(Frames)})


TABLES = ("organisation", "levels", "activities", "people", "involvements", "meetings", "attendance", "baselines")


def statements(
    organisation_id: int, tables: tuple[str, ...] = TABLES, after_ids: Mapping[str, int] | None = None
) -> dict:
    """The SQLAlchemy statement that reads each of ``tables`` for one organisation (only the columns used);
    for a table in ``after_ids``, only its rows with a higher id, in id order."""
    from sqlalchemy import select

    from models.tables import Activity, Attendance, Baseline, Involvement, Level, Meeting, Organisation, Person

    models = {
        "levels": Level,
        "activities": Activity,
        "people": Person,
        "involvements": Involvement,
        "meetings": Meeting,
        "attendance": Attendance,
        "baselines": Baseline,
    }
    found = {}
    for name in tables:
        if name == "organisation":
            c = Organisation.__table__.c
            found[name] = select(*[c[col] for col in ORGANISATION_SCHEMA]).where(c.id == organisation_id)
            continue
        c = models[name].__table__.c
        statement = select(*[c[col] for col in SCHEMAS[name]]).where(c.organisation_id == organisation_id)
        if after_ids is not None and name in after_ids:
            statement = statement.where(c.id > after_ids[name]).order_by(c.id)
        found[name] = statement.order_by(c.rank) if name == "levels" else statement
    return found


def load_tables(
    engine: Engine,
    organisation_id: int,
    tables: tuple[str, ...] = TABLES,
    after_ids: Mapping[str, int] | None = None,
) -> dict[str, pl.DataFrame]:
    """Some of one organisation's tables, as frames with the schemas of :data:`SCHEMAS` (no existence check);
    of a table in ``after_ids`` only the rows with an id above the one given (the rows added since)."""
    from models.db import frame_reader

    chosen = statements(organisation_id, tables, after_ids)
    with frame_reader(engine) as read:
        return {name: read(statement, SCHEMAS[name]) for name, statement in chosen.items()}


def load_frames(engine: Engine, organisation_id: int = 1) -> Frames:
    """Read one organisation's records; ``ValueError`` when there is no organisation with that id."""
    tables = load_tables(engine, organisation_id)
    if tables["organisation"].height == 0:
        raise ValueError(f"There is no organisation with id {organisation_id}.")
    return Frames(**tables)


@dataclass
class Loading:
    """One organisation's records being read in a child process (:func:`start_loading`)."""

    engine: Engine
    organisation_id: int
    reading: ChildRead | None  # None: read in this process when asked

    def frames(self) -> Frames:
        """The same :class:`Frames` as :func:`load_frames` (waits for the child; reads in this process when the
        child could not read)."""
        from models.db import conform

        if self.reading is None:
            return load_frames(self.engine, self.organisation_id)
        try:
            raw = self.reading.result()
        except RuntimeError as error:
            logging.getLogger(__name__).warning("%s; reading in the dashboard's process instead", error)
            return load_frames(self.engine, self.organisation_id)
        tables = {name: conform(frame, SCHEMAS[name]) for name, frame in raw.items()}
        if tables["organisation"].height == 0:
            raise ValueError(f"There is no organisation with id {self.organisation_id}.")
        return Frames(**tables)

    def cancel(self) -> None:
        if self.reading is not None:
            self.reading.cancel()


def start_loading(engine: Engine, organisation_id: int) -> Loading:
    """Start reading one organisation's records Arrow-native in a child process (``models.child_read``), so
    the caller can do other work meanwhile (the dashboard imports its code); ``.frames()`` waits for them."""
    from models.db import start_child_read

    return Loading(engine, organisation_id, start_child_read(engine, statements(organisation_id)))
