"""The 4PI standards: the scorecard, its periods and detail tables, and the activity pages (the disclosure
policy is ``analytics.fourpi.disclosure``; record-level results are computed on each call, never cached).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl
import streamlit as st

from analytics import columns as k
from analytics import fourpi, roles
from analytics.fourpi import disclosure as fourpi_disclosure
from analytics.fourpi.disclosure import protect_scorecard
from analytics.fourpi.disclosure import published as _published
from analytics.loader import Frames
from analytics.roles import Viewer
from models.settings import get_settings

from ._core import Filters, _require
from ._frame_store import _frames

# --- 4PI standards (the scorecard and activity pages; the policy: analytics.fourpi.disclosure) ----------

def _frames_4pi(organisation_id: int, version: str, as_of: date) -> Frames:
    """The organisation's records (the one cached :class:`Frames`) with the day the 4PI figures are worked out
    on; read only inside ``dashboard.cache``."""
    return replace(_frames(organisation_id, version), as_of=as_of)


def _4pi(f: Filters):
    return _frames_4pi(f.organisation_id, f.data_version, date.today())


@st.cache_data(show_spinner=False, max_entries=32)
def _fourpi_periods(organisation_id: int, scope_key: str, version: str, as_of: date,
                    kind: str) -> tuple[list[str], str]:
    return fourpi.scorecard_period_choices(_frames_4pi(organisation_id, version, as_of), kind)


def fourpi_periods(f: Filters, viewer: Viewer, kind: str) -> tuple[list[str], str]:
    """The periods a 4PI scorecard can be shown for (newest first) and the one to show first."""
    scope_key = _require(viewer, f.organisation_id)
    return _fourpi_periods(f.organisation_id, scope_key, f.data_version, date.today(), kind)


@st.cache_data(show_spinner="Scoring the 4PI standards…", max_entries=32)
def _fourpi_scorecard(organisation_id: int, scope_key: str, version: str, as_of: date,
                      period: str) -> pl.DataFrame:
    frames = _frames_4pi(organisation_id, version, as_of)
    card = fourpi.scorecard(frames, period)
    previous = fourpi.scorecard(frames, card.get_column(k.PREVIOUS_PERIOD)[0])
    return protect_scorecard(card, previous, roles.scoped_viewer(scope_key), organisation_id)


def fourpi_scorecard(f: Filters, viewer: Viewer, period: str) -> pl.DataFrame:
    """The 4PI scorecard (one row per indicator) for one period, protected for the viewer."""
    scope_key = _require(viewer, f.organisation_id)
    return _fourpi_scorecard(f.organisation_id, scope_key, f.data_version, date.today(), period)


def fourpi_detail(f: Filters, viewer: Viewer, detail_key: str, period: str) -> pl.DataFrame | None:
    """The table behind one scorecard row, protected for the viewer; None when it lists people one by one
    and the viewer's role does not include record-level lists. Not cached: some are record-level."""
    _require(viewer, f.organisation_id)
    if detail_key == "payments" and not viewer.can("record_level", f.organisation_id):
        return None
    detail = fourpi.scorecard_detail(_4pi(f), detail_key, period=period)
    return fourpi_disclosure.protect_detail(detail, detail_key, viewer, f.organisation_id)


@st.cache_data(show_spinner=False, max_entries=16)
def _fourpi_activities(organisation_id: int, scope_key: str, version: str, as_of: date) -> pl.DataFrame:
    activities = fourpi.activity_list(_frames_4pi(organisation_id, version, as_of))
    return _published(activities, roles.scoped_viewer(scope_key), organisation_id)  # meetings held: meetings


def fourpi_activities(f: Filters, viewer: Viewer) -> pl.DataFrame:
    """Activities to choose from (reference, name, level, ended, meetings held)."""
    scope_key = _require(viewer, f.organisation_id)
    return _fourpi_activities(f.organisation_id, scope_key, f.data_version, date.today())


def fourpi_activity_summary(f: Filters, viewer: Viewer, activity_ref: str, last_n: int):
    """A chair's summary of one activity, protected for the viewer. Not cached: it holds record-level tables
    (claims, meetings)."""
    _require(viewer, f.organisation_id)
    summary = fourpi.activity_summary(_4pi(f), activity_ref, last_n)
    return fourpi_disclosure.protect_activity_summary(summary, viewer, f.organisation_id,
                                                       get_settings().payment_days)
