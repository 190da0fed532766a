"""The representation and the views that are selections of it (headlines, decision gaps, trends, outreach,
relative likelihood, pipeline), and the data-quality tables: cached per scope key, filters and data version,
protected inside the cache for the scope the key stands for and again for the viewer on the way out.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import streamlit as st

import analytics
from analytics import columns as c
from analytics import outreach as outreach_columns
from analytics import protection, roles
from analytics.baselines import BaselineSpec
from analytics.decision import flagged_pipeline
from analytics.representation import Representation
from analytics.roles import Viewer
from analytics.selections import in_period_range
from analytics.trends import Trend

from ._core import Filters, _protect, _published_scope, _require, _scoped
from ._frame_store import _frames

# --- Representation and the views that are selections of it ---------------------------------------------

def _baseline_spec(kind: str, source: str | None) -> BaselineSpec:
    if kind == "user":
        return BaselineSpec(kind="user", source=source)
    return BaselineSpec(kind=kind)


@st.cache_data(show_spinner="Counting who is involved…", max_entries=64)
def _representation(organisation_id: int, scope_key: str, characteristic: str, period: str,
                    baseline_kind: str, baseline_source: str | None, involvement: str,
                    version: str, cross_with: str | None = None) -> Representation:
    """The representation for one scope, already protected for it. A single characteristic is protected
    jointly with the other views of the same people (detailed, broad and binary ethnicity), and a crossed
    table jointly with its two single views, so that no view gives away what another hides."""
    frames = _frames(organisation_id, version)
    baseline = _baseline_spec(baseline_kind, baseline_source)

    def build(ch: str | tuple[str, str]) -> Representation:
        if isinstance(ch, tuple):
            return analytics.representation_table(frames, characteristic=ch[0], characteristics=ch,
                                                  period=period, baseline=baseline, involvement=involvement)
        return analytics.representation_table(frames, characteristic=ch, period=period, baseline=baseline,
                                              involvement=involvement)

    key = (characteristic, cross_with) if cross_with else characteristic
    return protection.build_protected(build, key, roles.scoped_viewer(scope_key), organisation_id)


def _ranged_representation(f: Filters, scope_key: str):
    rep = _representation(f.organisation_id, scope_key, f.characteristic, f.period, f.baseline_kind,
                          f.baseline_source, f.involvement, f.data_version, f.cross_with)
    joiners = None if rep.joiners is None else in_period_range(rep.joiners, f.period_from, f.period_to)
    return replace(rep, rows=in_period_range(rep.rows, f.period_from, f.period_to),
                   tables=in_period_range(rep.tables, f.period_from, f.period_to), joiners=joiners)


def _key(f: Filters, scope_key: str) -> tuple:
    return (f.organisation_id, scope_key, f.characteristic, f.period, f.baseline_kind, f.baseline_source,
            f.involvement, f.period_from, f.period_to, f.data_version, f.cross_with)


def _filters_from_key(key: tuple) -> tuple[Filters, str]:
    (organisation_id, scope_key, characteristic, period, baseline_kind, baseline_source, involvement,
     period_from, period_to, version, cross_with) = key
    f = Filters(organisation_id=organisation_id, organisation_name="", characteristic=characteristic,
                period=period, baseline_kind=baseline_kind, baseline_source=baseline_source,
                involvement=involvement, period_from=period_from, period_to=period_to, data_version=version,
                cross_with=cross_with)
    return f, scope_key


def representation(f: Filters, viewer: Viewer):
    """The representation table (``rows``, ``tables``, ``baseline_description``) for the chosen filters,
    restricted to the chosen period range."""
    scope_key = _require(viewer, f.organisation_id)
    return _protect(_ranged_representation(f, scope_key), viewer, f.organisation_id)


def available_periods(f: Filters, viewer: Viewer) -> list[str]:
    """Every period the data covers for these filters (ignoring the period range), oldest first."""
    scope_key = _require(viewer, f.organisation_id)
    rep = _representation(f.organisation_id, scope_key, f.characteristic, f.period, f.baseline_kind,
                          f.baseline_source, f.involvement, f.data_version, f.cross_with)
    return rep.tables.get_column(c.PERIOD).unique().sort().to_list()


@st.cache_data(show_spinner=False, max_entries=16)
def _baseline_sources(organisation_id: int, scope_key: str, version: str) -> list[str]:
    baselines = _frames(organisation_id, version).baselines
    return baselines.get_column("source").unique().sort().to_list()


def baseline_sources(organisation_id: int, viewer: Viewer, version: str) -> list[str]:
    """The sources of the baselines this organisation has supplied (for the 'user-supplied' choice)."""
    scope_key = _require(viewer, organisation_id)
    return _protect(_baseline_sources(organisation_id, scope_key, version), viewer, organisation_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _committees(key: tuple) -> pl.DataFrame:
    """Every level and committee (activity) where a group is missing, protected for the scope as figures
    about groups (its priority column dropped, it is not the outreach working list, which only roles with
    outreach lists get): the Overview's and Decision-making's committee findings are read from it."""
    f, scope_key = _filters_from_key(key)
    rep = _ranged_representation(f, scope_key)
    found = outreach_columns.committee_findings(rep, _frames(f.organisation_id, f.data_version),
                                                published=_published_scope(scope_key, f.organisation_id))
    return _scoped(protection.CommitteeRows(found), scope_key, f.organisation_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _headlines(key: tuple) -> list[str]:
    f, scope_key = _filters_from_key(key)
    # built from the protected table and the protected committee rows, for this scope
    return analytics.headlines(_ranged_representation(f, scope_key), committees=_committees(key))


def headlines(f: Filters, viewer: Viewer) -> list[str]:
    """Plain-English sentences about the latest period in range: findings first (gaps at the
    decision-making levels and in their committees), then one caveat sentence per level."""
    scope_key = _require(viewer, f.organisation_id)
    return _protect(_headlines(_key(f, scope_key)), viewer, f.organisation_id)


def decision_gaps(f: Filters, viewer: Viewer) -> pl.DataFrame:
    """Groups absent or clearly under-represented at the decision-making levels, as a whole or in one of
    their committees, in the latest period in range, most people to add first (protected for the viewer).
    Needs only the right to see figures, not outreach lists."""
    scope_key = _require(viewer, f.organisation_id)
    key = _key(f, scope_key)
    gaps = analytics.decision_gaps(_ranged_representation(f, scope_key), _committees(key))
    return _protect(protection.GroupRows(gaps), viewer, f.organisation_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _trends(key: tuple) -> Trend:
    f, scope_key = _filters_from_key(key)
    return _scoped(analytics.trend_table(_ranged_representation(f, scope_key)), scope_key, f.organisation_id)


def trends(f: Filters, viewer: Viewer) -> Trend:
    """``series`` (one row per level x group x period, with changes) and ``summary`` (one row per level x
    group, with the trend test in words)."""
    scope_key = _require(viewer, f.organisation_id)
    return _protect(_trends(_key(f, scope_key)), viewer, f.organisation_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _outreach(key: tuple) -> pl.DataFrame:
    f, scope_key = _filters_from_key(key)
    rep = _ranged_representation(f, scope_key)
    found = analytics.outreach_list(rep, frames=_frames(f.organisation_id, f.data_version),
                                    published=_published_scope(scope_key, f.organisation_id))
    return _scoped(protection.OutreachList(found), scope_key, f.organisation_id)


def outreach(f: Filters, viewer: Viewer) -> pl.DataFrame:
    """Groups under-represented or absent in the latest period in range, ranked by shortfall and evidence,
    per level and per activity."""
    scope_key = _require(viewer, f.organisation_id, "outreach")
    return _protect(protection.OutreachList(_outreach(_key(f, scope_key))), viewer, f.organisation_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _relative_likelihood(key: tuple) -> pl.DataFrame:
    f, scope_key = _filters_from_key(key)
    frames = _frames(f.organisation_id, f.data_version)
    frame = analytics.relative_likelihood(frames, characteristic=f.characteristic, period=f.period,
                                          involvement=f.involvement)
    # protected together with the level tables of the same characteristic, so that it cannot narrow a cell
    # they hide (the baseline does not matter to which cells are hidden)
    levels = _representation(f.organisation_id, scope_key, f.characteristic, f.period, f.baseline_kind,
                             f.baseline_source, f.involvement, f.data_version)
    return protection.protect_likelihood(in_period_range(frame, f.period_from, f.period_to),
                                     roles.scoped_viewer(scope_key), f.organisation_id, levels=levels)


def relative_likelihood(f: Filters, viewer: Viewer) -> pl.DataFrame:
    """WRES-style relative likelihood of each group being at a decision-making level, against the reference
    group, with 95% intervals (above 1: the group is less likely to be there)."""
    scope_key = _require(viewer, f.organisation_id)
    return _protect(protection.LikelihoodTable(_relative_likelihood(_key(f, scope_key))), viewer, f.organisation_id)


def pipeline(f: Filters, viewer: Viewer) -> pl.DataFrame:
    """Each group's share per level, individual care to board, for the latest period in range (a selection
    of the protected representation, with its disclosure flags)."""
    return flagged_pipeline(representation(f, viewer))


@st.cache_data(show_spinner=False, max_entries=32)
def _data_quality(organisation_id: int, scope_key: str, period: str, version: str) -> pl.DataFrame:
    return _scoped(protection.QualityTable(analytics.data_quality(_frames(organisation_id, version), period=period)),
                   scope_key,
                   organisation_id)


def data_quality(f: Filters, viewer: Viewer) -> pl.DataFrame:
    """Declaration rates and not stated / not known counts per level x characteristic x period (in range)."""
    scope_key = _require(viewer, f.organisation_id)
    frame = _data_quality(f.organisation_id, scope_key, f.period, f.data_version)
    in_range = in_period_range(frame, f.period_from, f.period_to)
    return _protect(protection.QualityTable(in_range), viewer, f.organisation_id)


def missing_fields(f: Filters, viewer: Viewer) -> pl.DataFrame:
    """Records missing key fields (activity purpose, dates, ...). Record-level, so never cached and only for
    roles that may see record-level lists."""
    _require(viewer, f.organisation_id, "record_level")
    found = analytics.missing_fields(_frames(f.organisation_id, f.data_version))
    return _protect(protection.RecordList(found), viewer, f.organisation_id)
