"""Loader of the outreach plans: the one place the plan analytics read from ``models``.

``load_plans(engine, organisation_id)`` returns a :class:`PlanFrames` (plans with their level and committee
resolved, partners, actions), with fixed schemas so that an organisation without plans gives empty frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

PLAN_SCHEMA = {
    "ref": pl.String,
    "title": pl.String,
    "characteristic": pl.String,
    "group": pl.String,
    "involvement": pl.String,
    "level_id": pl.Int64,
    "level_key": pl.String,
    "level_name": pl.String,
    "level_rank": pl.Int64,
    "activity_id": pl.Int64,
    "activity_ref": pl.String,
    "activity_name": pl.String,
    "target_people": pl.Int64,
    "started_on": pl.Date,
    "target_date": pl.Date,
    "owner_email": pl.String,
    "owner_team": pl.String,
    "status": pl.String,
    "notes": pl.String,
}
PARTNER_SCHEMA = {"plan_ref": pl.String, "name": pl.String, "contact_role": pl.String}
ACTION_SCHEMA = {
    "plan_ref": pl.String,
    "action": pl.String,
    "partner": pl.String,
    "due_date": pl.Date,
    "done_on": pl.Date,
}


@dataclass(frozen=True)
class PlanFrames:
    """One organisation's outreach plans, their community partners and their actions."""

    plans: pl.DataFrame
    partners: pl.DataFrame
    actions: pl.DataFrame


def make_plan_frames(
    plans: pl.DataFrame | None = None,
    partners: pl.DataFrame | None = None,
    actions: pl.DataFrame | None = None,
) -> PlanFrames:
    """A :class:`PlanFrames` from frames with at least some of the columns (the rest are null)."""

    def conform(frame: pl.DataFrame | None, schema: dict) -> pl.DataFrame:
        if frame is None:
            return pl.DataFrame(schema=schema)
        return frame.with_columns(
            [pl.lit(None, dtype=t).alias(n) for n, t in schema.items() if n not in frame.columns]
        ).select([pl.col(n).cast(t) for n, t in schema.items()])

    return PlanFrames(conform(plans, PLAN_SCHEMA), conform(partners, PARTNER_SCHEMA), conform(actions, ACTION_SCHEMA))


def load_plans(engine: Engine, organisation_id: int) -> PlanFrames:
    """Every plan of the organisation (by reference), with its partners and actions."""
    # The database code is imported when plans are loaded, not when ``analytics`` is (start-up time).
    from sqlalchemy import select

    from models.tables import Activity, Level, OutreachPlan, PlanAction, PlanPartner

    p, lv, a = OutreachPlan.__table__.c, Level.__table__.c, Activity.__table__.c
    plan_query = (
        select(
            p.ref, p.title, p.characteristic, p.group, p.involvement, p.level_id, lv.key, lv.name, lv.rank,
            p.activity_id, a.ref, a.name, p.target_people, p.started_on, p.target_date, p.owner_email,
            p.owner_team, p.status, p.notes,
        )
        .select_from(OutreachPlan.__table__.join(Level.__table__, lv.id == p.level_id).outerjoin(
            Activity.__table__, a.id == p.activity_id))
        .where(p.organisation_id == organisation_id)
        .order_by(p.ref)
    )
    partner, action = PlanPartner.__table__.c, PlanAction.__table__.c
    partner_query = (
        select(p.ref, partner.name, partner.contact_role)
        .select_from(PlanPartner.__table__.join(OutreachPlan.__table__, p.id == partner.plan_id))
        .where(partner.organisation_id == organisation_id)
        .order_by(p.ref, partner.name)
    )
    action_query = (
        select(p.ref, action.action, action.partner, action.due_date, action.done_on)
        .select_from(PlanAction.__table__.join(OutreachPlan.__table__, p.id == action.plan_id))
        .where(action.organisation_id == organisation_id)
        .order_by(p.ref, action.due_date, action.action)
    )
    with engine.connect() as connection:
        plans = connection.execute(plan_query).all()
        partners = connection.execute(partner_query).all()
        actions = connection.execute(action_query).all()

    def frame(rows, schema):
        return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")

    return PlanFrames(frame(plans, PLAN_SCHEMA), frame(partners, PARTNER_SCHEMA), frame(actions, ACTION_SCHEMA))
