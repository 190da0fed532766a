"""Outreach plans and the recruitment plan (issue 18). Plans are few and not personal data: read on each call
(never cached); the solved recruitment plan is cached per scope and filters (solving takes seconds). Their
progress is counted from the cached record frames and reaches a restricted viewer only as published figures
(small counts hidden).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl
import streamlit as st

from analytics import columns as c
from analytics import outreach_plans, roles
from analytics.roles import Viewer
from models.settings import get_settings

from ._core import Filters, _require, engine
from ._frame_store import _frames
from ._representation import _filters_from_key, _key, outreach, representation


def plans(f: Filters, viewer: Viewer):
    """The organisation's outreach plans, partners and actions (``analytics.loader.PlanFrames``), read fresh on
    each call: plans are working documents without a data version."""
    from analytics.loader import load_plans

    _require(viewer, f.organisation_id, "outreach")
    return load_plans(engine(), f.organisation_id)


def _cell_status(f: Filters, viewer: Viewer, plan_rows: pl.DataFrame) -> pl.DataFrame:
    """The status of each plan's cell (``analytics.outreach_plans.cell_status``) in the latest period of the
    range, with the sidebar's baseline: what the Representation and Outreach pages show this viewer."""
    parts = []
    for characteristic, involvement in plan_rows.select("characteristic", "involvement").unique().iter_rows():
        g = replace(f, characteristic=characteristic, involvement=involvement, cross_with=None)
        try:
            rep = representation(g, viewer)
        except ValueError:  # e.g. the chosen baseline has nothing for this characteristic: no status to use
            continue
        parts.append(outreach_plans.cell_status(characteristic, involvement, rep.rows, outreach(g, viewer)))
    return outreach_plans.combine_cell_status(parts)


def plan_progress(f: Filters, viewer: Viewer, plan_frames, as_of: date) -> pl.DataFrame:
    """Each plan's measured progress and status (``analytics.outreach_plans.measure_plans``), published (small
    counts hidden, "met (small numbers)") unless the viewer sees exact figures."""
    _require(viewer, f.organisation_id, "outreach")
    settings = get_settings()
    rows = plan_frames.plans
    if rows.height == 0:
        return rows
    progress = outreach_plans.measure_plans(
        rows, _frames(f.organisation_id, f.data_version), as_of=as_of,
        cell_status=_cell_status(f, viewer, rows), chinese_as_asian=settings.chinese_as_asian,
    )
    if not viewer.exact(f.organisation_id):
        progress = outreach_plans.publish_progress(progress, settings)
    return progress.with_columns(
        outreach_plans.progress_words(progress), outreach_plans.status_words(progress)
    )


def plan_series(f: Filters, viewer: Viewer, plan_frames, ref: str, as_of: date) -> pl.DataFrame:
    """One plan's burn-up series; for a restricted viewer, with small counts hidden and the rest rounded."""
    _require(viewer, f.organisation_id, "outreach")
    settings = get_settings()
    chosen = plan_frames.plans.filter(pl.col("ref") == ref)
    series = outreach_plans.plan_series(
        chosen, _frames(f.organisation_id, f.data_version), as_of=as_of, chinese_as_asian=settings.chinese_as_asian
    )
    if not viewer.exact(f.organisation_id):
        series = outreach_plans.publish_progress(series, settings)
    return series


@st.cache_data(show_spinner=False, max_entries=64)
def _recruitment(key: tuple, capacity: int, as_of: date):
    """The solved plan for one scope and set of filters. Solving is an integer programme (seconds for a trust of
    regional size), so it is cached like the other figures; the plan holds numbers of recruits per committee and
    group, never a person."""
    from analytics import recruitment as r

    f, scope_key = _filters_from_key(key)
    frames = _frames(f.organisation_id, f.data_version)
    characteristic = f.characteristic if f.cross_with is None else None
    weights = (r.need_weights(frames, characteristic) if characteristic
               else pl.DataFrame(schema={c.GROUP: pl.String, "weight": pl.Float64}))
    problem = r.recruitment_problem(
        outreach(f, roles.scoped_viewer(scope_key)), r.committee_members(frames, as_of=as_of), weights,
        capacity=capacity,
    )
    return r.solve_recruitment(problem)


def recruitment(f: Filters, viewer: Viewer, capacity: int, as_of: date):
    """The optimised recruitment plan for ``capacity`` recruits (``analytics.recruitment``), from the outreach
    list this viewer sees, the activities running on ``as_of`` and the need weights of the characteristic."""
    scope_key = _require(viewer, f.organisation_id, "outreach")
    return _recruitment(_key(f, scope_key), capacity, as_of)
