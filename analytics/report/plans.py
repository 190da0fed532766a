"""The hook for outreach plans (issue 18, built in parallel): the progress rows the board pack shows.

:func:`outreach_plan_progress` returns one row per plan target with ``PLAN_PROGRESS_COLUMNS``. Until an
outreach-plans module exists (``analytics.outreach_plans`` with a ``plan_progress(engine, *, organisation_id,
period)`` function returning those columns) it returns an empty frame, and the pack says that no plan is
recorded. When plans land, that module is the only thing to add: the pack renders whatever rows it returns.
"""

from __future__ import annotations

import importlib

import polars as pl
from sqlalchemy.engine import Engine

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
    """Progress of the organisation's outreach plans at the end of ``period``; empty when there is no plans
    module (or it has nothing for this organisation)."""
    try:
        plans = importlib.import_module("analytics.outreach_plans")
    except ModuleNotFoundError:
        return empty_progress()
    progress = getattr(plans, "plan_progress", None)
    if progress is None:
        return empty_progress()
    frame = progress(engine, organisation_id=organisation_id, period=period)
    if frame is None or frame.height == 0:
        return empty_progress()
    return frame.select([pl.col(n).cast(pl.String) for n in PLAN_PROGRESS_COLUMNS if n in frame.columns])
