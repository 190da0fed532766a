"""The outreach plans' progress rows the board pack shows.

:func:`outreach_plan_progress` returns one row per plan target with ``PLAN_PROGRESS_COLUMNS``, from
:func:`analytics.outreach_plans.plan_progress`; an empty frame when the organisation has no plan, and the pack
says that no plan is recorded.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy.engine import Engine

from analytics.outreach_plans import plan_progress

PLAN_PROGRESS_COLUMNS = {
    "plan": pl.String,  # the plan's name
    "where": pl.String,  # level or activity the plan is aimed at
    "group": pl.String,  # the group it aims to reach (label)
    "target": pl.String,  # people to add, as published ("*" where hidden)
    "progress": pl.String,  # what has happened so far, in words
}


def empty_progress() -> pl.DataFrame:
    return pl.DataFrame(schema=PLAN_PROGRESS_COLUMNS)


def outreach_plan_progress(engine: Engine, organisation_id: int, period: str) -> pl.DataFrame:
    """Progress of the organisation's outreach plans at the end of ``period``; empty when it has none."""
    frame = plan_progress(engine, organisation_id=organisation_id, period=period)
    if frame is None or frame.height == 0:
        return empty_progress()
    return frame.select([pl.col(n).cast(pl.String) for n in PLAN_PROGRESS_COLUMNS if n in frame.columns])
