"""Everything a page reads, and the only module that caches (``st.cache_data`` / ``st.cache_resource``).

Cache keys are small values: the organisation id, the viewer's scope key (organisation and role), the filter
values and a data version (a cheap fingerprint of the database, so a new import shows up at once).

Person-level rows are never put in ``st.cache_data``. Two ``st.cache_resource`` entries hold record-level
frames (``Frames`` and the 4PI ``Frames4PI`` of one organisation, keyed on organisation and data version,
at most two each); they are read only inside this module, to build aggregates, and never returned to a page.
Record-level results (missing fields, 4PI detail tables, an activity summary) are computed on each call.

Every result a page gets passes through the viewer's access and disclosure rules (``analytics.roles`` says
who may see what, ``analytics.protection`` protects each result by its type: ``protect``, ``build_protected``
(a representation with its sibling views), ``protect_likelihood``, ``protect_frame`` with explicit counts for
the 4PI results, see "4PI standards" below); cached aggregates are protected inside the cache for the scope
their key stands for. Tables show a hidden count as "*"
(:func:`with_marks`, :func:`rate_text`) and every page says whether its figures are suppressed for publication
or exact and not for publication (:func:`disclosure_note`).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import polars as pl
import streamlit as st
from sqlalchemy.engine import Engine

import analytics
from analytics import columns as c
from analytics import (
    fourpi,
    fourpi_disclosure,
    network,
    network_loader,
    network_peers,
    protection,
    roles,
    spreadsheet,
    stats,
    suppression,
)
from analytics import fourpi_columns as k
from analytics import network_benchmark as network_benchmark_table
from analytics import outreach as outreach_columns
from analytics.baselines import BaselineSpec
from analytics.decision import flagged_pipeline
from analytics.fourpi_disclosure import (  # noqa: F401 - the 4PI disclosure policy, re-exported for the pages
    PEOPLE_INDICATORS,
    RAG_HIDDEN,
    SCORECARD_COUNTS,
    fourpi_headline,
    protect_scorecard,
)
from analytics.fourpi_disclosure import published as _published
from analytics.headlines import characteristic_words
from analytics.loader import Frames, load_tables
from analytics.loader_4pi import load_frames_4pi
from analytics.representation import Representation
from analytics.roles import Viewer
from analytics.trends import Trend
from analytics.wording import (  # noqa: F401 - re-exported for the pages
    CHARACTERISTIC_LABELS,
    INVOLVEMENT_FILTERS,
    STATUS_MARKS,
    STATUS_WORDS,
)
from models.db import GLOBAL, NEWEST_ID, get_engine, read_all_data_versions, upgrade_schema
from models.organisations import organisation_list, people_count
from models.settings import get_settings

PERIOD_KINDS = {"quarter": "Quarter", "year": "Year"}
BASELINE_KINDS = {
    "census": "Census 2021: the area the organisation serves",
    "user": "A baseline you supplied",
    "need_weighted": "Need-weighted: Census x Mental Health Act detention rates",
}
MISSING_STATUSES = (c.STATUS_UNDER, c.STATUS_ABSENT)

SUPPRESSED_MARK = "*"
HIDDEN_HELP = "A * is a small number hidden so that no one can be identified."
NO_ACCESS = "You do not have access to this organisation's figures: ask its data steward for a role."


@dataclass(frozen=True)
class Filters:
    """The sidebar's choices, shared by every page (small, hashable values only)."""

    organisation_id: int
    organisation_name: str
    characteristic: str = "ethnicity_broad"
    period: str = "quarter"
    baseline_kind: str = "census"
    baseline_source: str | None = None
    involvement: str = "all"
    period_from: str | None = None
    period_to: str | None = None
    data_version: str = ""
    cross_with: str | None = None  # a second characteristic for intersectional (crossed) tables

    @property
    def characteristic_label(self) -> str:
        label = CHARACTERISTIC_LABELS.get(self.characteristic, self.characteristic)
        if self.cross_with:
            label += " × " + CHARACTERISTIC_LABELS.get(self.cross_with, self.cross_with).lower()
        return label


# --- Engine, organisations and the data version ------------------------------------------------------------

@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    """One engine per database URL, with the schema brought up to date on first use."""
    engine = get_engine(url)
    upgrade_schema(engine)
    return engine


def engine() -> Engine:
    return _engine(get_settings().database_url)


def _database_key() -> str:
    return hashlib.sha1(get_settings().database_url.encode()).hexdigest()[:10]


RUN_VERSIONS = "_data_versions_this_run"  # st.session_state: the change counters read in this script run


def begin_run() -> None:
    """Called by ``app.py`` first on every run: the change counters are then read at most once per run."""
    st.session_state[RUN_VERSIONS] = None


def _counters() -> dict[tuple[int, str], int]:
    """Every change counter (``models.db.read_data_versions``: a few rows by primary key), read once per
    script run when ``app.py`` started the run with :func:`begin_run` (a page run on its own reads them on
    each call)."""
    memo_on = RUN_VERSIONS in st.session_state
    found = st.session_state.get(RUN_VERSIONS) if memo_on else None
    if found is None:
        with engine().connect() as connection:
            found = read_all_data_versions(connection)
        if memo_on:
            st.session_state[RUN_VERSIONS] = found
    return found


def forget_data_version() -> None:
    """After a write in this run (an import, a form), read the counters again on the next call."""
    if RUN_VERSIONS in st.session_state:
        st.session_state[RUN_VERSIONS] = None


def data_version(organisation_id: int | None = None) -> str:
    """A fingerprint of the database (and of which database) for an organisation: the change counters that
    every import and form bumps in its own transaction (``models.db.bump_data_version``), so cached results
    are never stale, and :func:`_frames` can tell which tables changed. ``None``: the list of organisations."""
    wanted = {GLOBAL, organisation_id or GLOBAL}
    parts = [f"{o}.{t}={v}" for (o, t), v in sorted(_counters().items()) if o in wanted]
    return _database_key() + ":" + "|".join(parts)


def _table_versions(version: str, organisation_id: int) -> dict[str, int]:
    """{"organisation.table": counter} of one organisation (and the global entries) from its
    :func:`data_version` string."""
    found = {}
    for part in version.split(":", 1)[-1].split("|"):
        if "=" in part:
            key, value = part.rsplit("=", 1)
            if int(key.split(".", 1)[0]) in (GLOBAL, organisation_id):
                found[key] = int(value)
    return found


def _fed(key: str) -> tuple[str, ...]:
    """The Frames tables a counter of :func:`_table_versions` stands for."""
    table = key.split(".", 1)[1].removesuffix(NEWEST_ID)
    return FRAMES_FED_BY.get(table, ())


@st.cache_data(show_spinner=False, max_entries=16)
def _organisations(version: str) -> list[dict]:
    return organisation_list(engine=engine())


def all_organisations() -> list[dict]:
    """Every organisation in the database (id, code, name), by name. Not filtered by viewer: see
    :func:`visible_organisations`."""
    return _organisations(data_version())


def visible_organisations(viewer: Viewer, permission: str = "aggregates") -> list[dict]:
    """The organisations this viewer may see (deny by default); with ``permission="network"`` those whose
    published figures they may compare on the Network page (a network viewer's, too)."""
    organisations = all_organisations()
    allowed = set(roles.visible_organisation_ids(viewer, [o["id"] for o in organisations], permission))
    return [o for o in organisations if o["id"] in allowed]


# --- Access ------------------------------------------------------------------------------------------------

def _protect(result: Any, viewer: Viewer, organisation_id: int) -> Any:
    """The single gate every result passes on its way to a page: the viewer's access rules and disclosure
    control (suppressed and rounded counts for restricted roles; exact figures marked not for publication for
    the others). Applying it to an already protected result changes nothing."""
    return protection.protect(result, viewer, organisation_id)


def _scoped(result: Any, scope_key: str, organisation_id: int) -> Any:
    """:func:`_protect` inside a cached function, for the scope the cache key stands for: what is cached is
    already the version that scope may see."""
    return protection.protect(result, roles.scoped_viewer(scope_key), organisation_id)


def _require(viewer: Viewer, organisation_id: int, permission: str = "aggregates") -> str:
    """The viewer's scope key for this organisation; ``PermissionError`` when they may not see it."""
    if not viewer.can(permission, organisation_id):
        raise PermissionError(NO_ACCESS)
    return viewer.scope_key(organisation_id)


# --- Frames (person-level: never in st.cache_data) ----------------------------------------------------------

# Importer table name -> the Frames tables it feeds (the 4PI-only tables feed none).
FRAMES_FED_BY = {
    "organisations": ("organisation",),
    "levels": ("levels",),
    "activities": ("activities",),
    "people": ("people",),
    "involvements": ("involvements",),
    "meetings": ("meetings",),
    "attendance": ("attendance",),
    "baselines": ("baselines",),
}


@dataclass
class _Loaded:
    version: str
    tables: dict[str, int]
    frames: Frames


class _FrameStore:
    """The newest ``Frames`` of the last organisations looked at (at most ``size``), shared by every session.

    After a change only the tables whose change counters moved are read again (an import of attendance
    re-reads the attendance table, not the people); everything else is reused. Loads are serialised, so two
    sessions never read the same organisation at once."""

    def __init__(self, size: int = 2) -> None:
        self.size = size
        self.loaded: dict[int, _Loaded] = {}
        self.lock = threading.Lock()

    def current(self, organisation_id: int, version: str) -> Frames | None:
        """The frames when they are already at least as new as ``version``."""
        found = self.loaded.get(organisation_id)
        if found is None:
            return None
        if found.version == version:
            return found.frames
        wanted = _table_versions(version, organisation_id)
        if all(found.tables.get(t, 0) >= v for t, v in wanted.items()):
            return found.frames  # a request from a run that read the counters before a newer load
        return None

    def changed_tables(self, organisation_id: int, version: str) -> tuple[str, ...] | None:
        """The Frames tables to read again for ``version``; None when everything must be read."""
        found = self.loaded.get(organisation_id)
        if found is None:
            return None
        wanted = _table_versions(version, organisation_id)
        moved = {t for t in set(wanted) | set(found.tables) if wanted.get(t, 0) != found.tables.get(t, 0)}
        return tuple(sorted({frame for t in moved for frame in _fed(t)}))

    def get(self, organisation_id: int, version: str) -> Frames:
        frames = self.current(organisation_id, version)
        if frames is not None:
            return frames
        with self.lock:
            frames = self.current(organisation_id, version)
            if frames is not None:
                return frames
            changed = self.changed_tables(organisation_id, version)
            if changed is None:
                frames = analytics.load_frames(engine(), organisation_id=organisation_id)
            else:
                previous = self.loaded[organisation_id].frames
                fresh = load_tables(engine(), organisation_id, changed) if changed else {}
                frames = replace(previous, **fresh)
            self.loaded.pop(organisation_id, None)
            while len(self.loaded) >= self.size:
                self.loaded.pop(next(iter(self.loaded)))
            self.loaded[organisation_id] = _Loaded(version, _table_versions(version, organisation_id), frames)
            return frames


@st.cache_resource(show_spinner=False)
def _store() -> _FrameStore:
    return _FrameStore()


def _frames(organisation_id: int, version: str) -> Frames:
    """One organisation's records for building aggregates, as of ``version``; read only inside this module.
    Person-level: kept in :class:`_FrameStore`, never in ``st.cache_data``."""
    return _store().get(organisation_id, version)


def prepare(organisation_id: int, version: str, viewer: Viewer) -> None:
    """Load the organisation's records now, with a spinner that says what is happening ("Loading 151,944
    people…", or "Reading the latest changes…" after an import), so the first page of a session is never
    blank. The sidebar calls this before its first data call; nothing happens when they are loaded already or
    the viewer may not see the organisation's figures."""
    store = _store()
    if not viewer.can("aggregates", organisation_id) or store.current(organisation_id, version) is not None:
        return
    if store.changed_tables(organisation_id, version) is not None:
        message = "Reading the latest changes…"
    else:
        people = people_count(engine=engine(), organisation_id=organisation_id)
        message = f"Loading {people:,} people…"
    with st.spinner(message, show_time=True):
        store.get(organisation_id, version)


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


def _in_range(frame: pl.DataFrame, period_from: str | None, period_to: str | None) -> pl.DataFrame:
    """Rows whose period lies in the chosen range (period labels sort in time order)."""
    if period_from is not None:
        frame = frame.filter(pl.col(c.PERIOD) >= period_from)
    if period_to is not None:
        frame = frame.filter(pl.col(c.PERIOD) <= period_to)
    return frame


def _ranged_representation(f: Filters, scope_key: str):
    rep = _representation(f.organisation_id, scope_key, f.characteristic, f.period, f.baseline_kind,
                          f.baseline_source, f.involvement, f.data_version, f.cross_with)
    joiners = None if rep.joiners is None else _in_range(rep.joiners, f.period_from, f.period_to)
    return replace(rep, rows=_in_range(rep.rows, f.period_from, f.period_to),
                   tables=_in_range(rep.tables, f.period_from, f.period_to), joiners=joiners)


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
    found = analytics.outreach_list(rep, frames=_frames(f.organisation_id, f.data_version))
    return _scoped(protection.CommitteeRows(found.drop(outreach_columns.PRIORITY)), scope_key, f.organisation_id)


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
    found = analytics.outreach_list(rep, frames=_frames(f.organisation_id, f.data_version))
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
    return protection.protect_likelihood(_in_range(frame, f.period_from, f.period_to),
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
    return _protect(protection.QualityTable(_in_range(frame, f.period_from, f.period_to)), viewer, f.organisation_id)


def missing_fields(f: Filters, viewer: Viewer) -> pl.DataFrame:
    """Records missing key fields (activity purpose, dates, ...). Record-level, so never cached and only for
    roles that may see record-level lists."""
    _require(viewer, f.organisation_id, "record_level")
    found = analytics.missing_fields(_frames(f.organisation_id, f.data_version))
    return _protect(protection.RecordList(found), viewer, f.organisation_id)


# --- 4PI standards (the scorecard and activity pages; the policy: analytics.fourpi_disclosure) ----------

@st.cache_resource(show_spinner=False, max_entries=2)
def _frames_4pi(organisation_id: int, version: str, as_of: date):
    """One organisation's 4PI records (meetings, payments, ...) as of a day; read only inside this module."""
    return load_frames_4pi(engine(), organisation_id, as_of=as_of)


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


def for_display(frame: pl.DataFrame) -> pl.DataFrame:
    """A protected frame for ``st.dataframe``: hidden counts as "*", the disclosure flags dropped."""
    shown = with_marks(frame)
    floats = {name: 2 for name, dtype in shown.schema.items() if dtype.is_float()}
    shown = with_rate_marks(shown, floats, percent=False)  # withheld figures as "*"
    return shown.drop([n for n in suppression.FLAG_COLUMNS if n in shown.columns])


# --- Small selections of aggregated tables (no statistics here) ---------------------------------------------

def latest_period(rows: pl.DataFrame) -> str | None:
    """The latest period with anyone counted in representation rows (None when there are none)."""
    return analytics.latest_period(rows)


def has_people(rep: Representation) -> bool:
    """True when anyone at all is counted in the chosen periods (known answer or not)."""
    counted = pl.col(c.PEOPLE).fill_null(0) > 0
    flag = suppression.suppressed_flag(c.PEOPLE)
    if flag in rep.tables.columns:  # a hidden count is 1 to 7 people: someone
        counted = counted | pl.col(flag)
    return rep.tables.height > 0 and bool(rep.tables.select(counted.any()).item())


def year_before(period: str) -> str:
    """The same period one year earlier: '2024-Q3' -> '2023-Q3', '2024' -> '2023'."""
    year, _, quarter = period.partition("-")
    return f"{int(year) - 1}" + (f"-{quarter}" if quarter else "")


def at_period(frame: pl.DataFrame, period: str | None) -> pl.DataFrame:
    return frame.filter(pl.col(c.PERIOD) == period) if period is not None else frame.clear()


def with_status_words(rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` with a ``status_words`` column: a mark and the plain status, e.g. '▼ Under-represented'."""
    return rows.with_columns(stats.status_words().alias("status_words"))


STATUS_SIDES = {c.STATUS_UNDER: "missing", c.STATUS_ABSENT: "missing", c.STATUS_WITHIN_RANGE: "present",
                c.STATUS_OVER: "present"}
CROSSED = "status_crossed"


def with_status_crossings(series: pl.DataFrame) -> pl.DataFrame:
    """A trend series with ``status_crossed``: True where a group's status crossed between missing (under or
    absent) and present (within range or over) since its last period on either side. Flips to and from
    'uncertain' or 'too few' are not changes anyone should act on, so they are not marked."""
    keys = [c.LEVEL_KEY, c.GROUP]
    side = pl.col(c.STATUS).replace_strict(STATUS_SIDES, default=None, return_dtype=pl.String)
    return (
        series.sort(*keys, c.PERIOD_START)
        .with_columns(side.alias("_side"))
        .with_columns(pl.col("_side").shift(1).forward_fill().over(keys).alias("_before"))
        .with_columns((pl.col("_side").is_not_null() & pl.col("_before").is_not_null()
                       & (pl.col("_side") != pl.col("_before"))).alias(CROSSED))
        .drop("_side", "_before")
    )


def missing_at_decision_levels(rows: pl.DataFrame) -> pl.DataFrame:
    """Groups under-represented or absent at decision-making levels in the latest period, largest shortfall
    first."""
    latest = at_period(rows, latest_period(rows))
    return (
        latest.filter(pl.col(c.DECISION_MAKING) & pl.col(c.STATUS).is_in(MISSING_STATUSES))
        .sort([c.SHORTFALL, c.LEVEL_RANK], descending=[True, True])
    )


@dataclass(frozen=True)
class KeyNumber:
    label: str
    value: str
    delta: str | None
    help: str
    delta_color: str = "off"  # "normal" when up is good
    delta_arrow: str = "auto"  # "off" for no change: no arrow and no colour


def count_text(value: int | None) -> str:
    """A count as shown: '*' when disclosure control hid it (a small number), else with thousands commas."""
    return SUPPRESSED_MARK if value is None else f"{value:,}"


def part_of_whole(frame: pl.DataFrame, part: str = c.INVOLVED, whole: str = c.TOTAL) -> pl.Expr:
    """'3 of 14' (or '* of 15' where a count is hidden) as an expression on ``frame`` (marked or not)."""
    def text(name: str) -> pl.Expr:
        column = pl.col(name).cast(pl.String)
        if suppression.suppressed_flag(name) in frame.columns:
            hidden = pl.col(suppression.suppressed_flag(name))
            return pl.when(hidden).then(pl.lit(SUPPRESSED_MARK)).otherwise(column)
        return column.fill_null(SUPPRESSED_MARK)
    return text(part) + pl.lit(" of ") + text(whole)


def _rate_text(rate: float | None, people: int | None) -> str:
    if rate is not None:
        return f"{rate:.0%}"
    return "no one yet" if people == 0 else SUPPRESSED_MARK


NO_CHANGE = "No change since a year before"


def _count_delta(now: int | None, before: int | None, unit: str) -> str | None:
    if now is None or before is None:
        return None
    return NO_CHANGE if now == before else f"{now - before:+d} {unit} since a year before"


def _pp_delta(now: float | None, before: float | None) -> str | None:
    if now is None or before is None:
        return None
    points = round((now - before) * 100)
    return NO_CHANGE if points == 0 else f"{points:+d} point{'s' if abs(points) != 1 else ''} since a year before"


def _neutral(delta: str | None) -> dict:
    """No change is neutral: no arrow and no colour."""
    return {"delta_color": "off", "delta_arrow": "off"} if delta == NO_CHANGE else {}


GROUPS_MISSING_HELP = (
    "Groups that are absent, or clearly fewer than their share of the population (below {under:g} times, and "
    "statistically clear after allowing for chance), at this level as a whole or in any one of its committees "
    "and groups. A group missing from two committees is counted once."
)


def key_numbers(rep: Representation, gaps: pl.DataFrame | None = None) -> list[tuple[str, list[KeyNumber]]]:
    """For each decision-making level, board first: people involved and how many have the characteristic
    recorded in the latest period (with the change since the same period a year before), and how many groups
    are missing there, at the level as a whole or in one of its committees (``gaps``:
    :func:`analytics.decision_gaps`; without it, the level as a whole)."""
    tables, rows = rep.tables, rep.rows
    period = latest_period(rows)
    if period is None:
        return []
    now = at_period(tables, period).filter(pl.col(c.DECISION_MAKING)).sort(c.LEVEL_RANK, descending=True)
    before = {r[c.LEVEL_KEY]: r for r in at_period(tables, year_before(period)).iter_rows(named=True)}
    gaps = missing_at_decision_levels(rows) if gaps is None else gaps
    missing = gaps.group_by(c.LEVEL_KEY).agg(pl.col(c.GROUP).n_unique().alias("count"))
    missing_by_level = dict(missing.select(c.LEVEL_KEY, "count").iter_rows())
    word = characteristic_words(rep.characteristic)
    result = []
    for level in now.iter_rows(named=True):
        old = before.get(level[c.LEVEL_KEY], {})
        rate = level[c.DECLARATION_RATE]
        people_delta = _count_delta(level[c.PEOPLE], old.get(c.PEOPLE), "people")
        rate_delta = _pp_delta(rate, old.get(c.DECLARATION_RATE))
        result.append((level[c.LEVEL_NAME], [
            KeyNumber(
                label="People involved", value=count_text(level[c.PEOPLE]), delta=people_delta,
                help=f"Different people taking part at this level at any time in {period}. {HIDDEN_HELP}",
                **_neutral(people_delta),
            ),
            KeyNumber(
                label=f"{word[0].upper()}{word[1:]} recorded", value=_rate_text(rate, level[c.PEOPLE]),
                delta=rate_delta,
                help=f"Share of these people whose {word} is recorded (not 'not stated' or 'not known'). Low "
                     "rates make every other figure less certain.",
                **({"delta_color": "normal"} | _neutral(rate_delta)),
            ),
            KeyNumber(
                label="Groups missing", value=str(missing_by_level.get(level[c.LEVEL_KEY], 0)), delta=None,
                help=GROUPS_MISSING_HELP.format(under=rep.under_threshold),
            ),
        ]))
    return result


def too_small_levels(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows of the latest period at levels too small for statistics: where at least half the groups whose
    share differs from the baseline (not within range) are 'too few to tell'. Shown as counts and whole-person
    shortfall instead."""
    latest = at_period(rows, latest_period(rows))
    status = pl.col(c.STATUS)
    testable = ~status.is_in([c.STATUS_NO_BASELINE, c.STATUS_NO_DATA, c.STATUS_HIDDEN, c.STATUS_WITHIN_RANGE])
    small = (latest.group_by(c.LEVEL_KEY)
             .agg(testable.sum().alias("testable"), (status == c.STATUS_TOO_FEW).sum().alias("too_few"))
             .filter((pl.col("testable") > 0) & (pl.col("too_few") * 2 >= pl.col("testable"))))
    return latest.filter(pl.col(c.LEVEL_KEY).is_in(small.get_column(c.LEVEL_KEY).implode())).sort(
        [c.LEVEL_RANK, c.SHORTFALL], descending=[True, True])


def no_baseline(rows: pl.DataFrame) -> bool:
    """True when no group has a baseline figure (every comparison is impossible)."""
    counted = rows.filter(pl.col(c.TOTAL) > 0)
    return counted.height > 0 and bool((counted.get_column(c.STATUS) == c.STATUS_NO_BASELINE).all())


def with_marks(frame: pl.DataFrame, counts: tuple[str, ...] | list[str] | None = None) -> pl.DataFrame:
    """Counts that disclosure control hid shown as "*" (count columns become text: "*" or the published
    number), via ``suppression.display_counts``; ``counts`` defaults to every flagged column. A frame without
    flags (nothing was protected) comes back unchanged. Apply it before renaming columns."""
    flagged = [col for col in (counts if counts is not None else frame.columns)
               if col in frame.columns and suppression.suppressed_flag(col) in frame.columns]
    return suppression.display_counts(frame, flagged) if flagged else frame


def rate_text(rate: str, digits: int = 0, *, percent: bool = True) -> pl.Expr:
    """A rate (or any derived figure) as text: the number, or "*" where disclosure control withheld it
    (the row has a hidden count), or "–" where there is nothing to show."""
    value = (pl.col(rate) * 100 if percent else pl.col(rate)).round(digits)
    shown = (value.cast(pl.Int64) if digits == 0 else value).cast(pl.String)
    return (pl.when(pl.col(rate).is_not_null()).then(shown)
            .when(pl.col(suppression.SUPPRESSED).fill_null(False)).then(pl.lit(SUPPRESSED_MARK))
            .otherwise(pl.lit("–")).alias(rate))


def with_rate_marks(frame: pl.DataFrame, rates: dict[str, int], *, percent: bool = True) -> pl.DataFrame:
    """``frame`` with each rate column (name -> decimals) as text, "*" where withheld (see :func:`rate_text`);
    unchanged when the frame was not protected (no ``suppressed`` column)."""
    if suppression.SUPPRESSED not in frame.columns:
        return frame
    return frame.with_columns(rate_text(name, digits, percent=percent) for name, digits in rates.items()
                              if name in frame.columns)


def shown_percent(frame: pl.DataFrame, name: str, digits: int = 1) -> pl.Expr:
    """A 0-1 share as a percentage, or the column as it is when already text ("*" where withheld)."""
    if frame.schema[name] == pl.String:
        return pl.col(name)
    return (pl.col(name) * 100).round(digits)


def shown_figure(frame: pl.DataFrame, name: str, digits: int = 2) -> pl.Expr:
    """A derived figure rounded, or the column as it is when already text ("*" where withheld)."""
    return pl.col(name) if frame.schema[name] == pl.String else pl.col(name).round(digits)


SUPPRESSED_NOTE = (
    "Suppressed for publication: counts rounded to the nearest {base}; * = 1 to {last} people, hidden. "
)
EXACT_NOTE = "NOT FOR PUBLICATION. "


def disclosure_note(viewer: Viewer, organisation_id: int) -> str:
    """The sentence under every page about what was done to its figures: for roles that see exact figures,
    the "not for publication" mark; for the others, "suppressed for publication" and the rule."""
    if viewer.exact(organisation_id):
        return EXACT_NOTE + suppression.NOT_FOR_PUBLICATION_TEXT
    settings = get_settings()
    return (SUPPRESSED_NOTE.format(base=settings.rounding_base, last=settings.suppress_below - 1)
            + suppression.describe(settings))


def _derived_text(frame: pl.DataFrame) -> pl.DataFrame:
    """The figures derived from counts (shares, ratio, interval, expected, shortfall, p-values) as text, "*"
    where disclosure control withheld them; baseline shares are public and stay numbers."""
    if suppression.SUPPRESSED not in frame.columns:
        return frame
    frame = with_rate_marks(frame, {c.SHARE: 1, c.CI_LOW: 1, c.CI_HIGH: 1})
    frame = with_rate_marks(frame, {c.RATIO: 2, c.EXPECTED: 1, c.SHORTFALL: 0}, percent=False)
    hidden = pl.col(suppression.SUPPRESSED).fill_null(False)
    return frame.with_columns(
        pl.when(pl.col(name).is_not_null()).then(pl.col(name).round_sig_figs(3).cast(pl.String))
        .when(hidden).then(pl.lit(SUPPRESSED_MARK)).otherwise(pl.lit("–")).alias(name)
        for name in (c.P_VALUE, c.P_ADJUSTED) if name in frame.columns
    )


def display_table(rows: pl.DataFrame, tables: pl.DataFrame | None = None) -> pl.DataFrame:
    """The full representation table with readable column names (and, given the tables, the people whose
    answer is not stated or not known at each level), for showing and downloading. Hidden counts and the
    figures withheld with them are "*"."""
    rows = _derived_text(with_marks(rows, (c.INVOLVED, c.TOTAL)))
    if tables is not None:
        tables = with_marks(tables, (c.NOT_STATED, c.NOT_KNOWN))
        rows = rows.join(tables.select(c.LEVEL_KEY, c.PERIOD, c.NOT_STATED, c.NOT_KNOWN),
                         on=[c.LEVEL_KEY, c.PERIOD], how="left")
    else:
        rows = rows.with_columns(pl.lit(None, dtype=pl.String).alias(c.NOT_STATED),
                                 pl.lit(None, dtype=pl.String).alias(c.NOT_KNOWN))
    text = {name for name, dtype in rows.schema.items() if dtype == pl.String}

    def figure(name: str, scale: float, digits: int) -> pl.Expr:
        return pl.col(name) if name in text else (pl.col(name) * scale).round(digits)

    return with_status_words(rows).select(
        pl.col(c.PERIOD).alias("Period"),
        pl.col(c.LEVEL_NAME).alias("Level"),
        pl.col(c.GROUP_LABEL).alias("Group"),
        pl.col(c.INVOLVED).alias("People in group"),
        pl.col(c.TOTAL).alias("People with a known answer"),
        pl.col(c.NOT_STATED).alias("Not stated (level)"),
        pl.col(c.NOT_KNOWN).alias("Not known (level)"),
        figure(c.SHARE, 100, 1).alias("Share %"),
        (pl.col(c.BASELINE_SHARE) * 100).round(1).alias("Baseline %"),
        figure(c.RATIO, 1, 2).alias("Ratio"),
        figure(c.CI_LOW, 100, 1).alias("Interval low %"),
        figure(c.CI_HIGH, 100, 1).alias("Interval high %"),
        figure(c.EXPECTED, 1, 1).alias("Expected people"),
        pl.col(c.SHORTFALL).alias("Shortfall (people)"),
        pl.col(c.P_VALUE).alias("p-value"),
        pl.col(c.P_ADJUSTED).alias("Adjusted p-value"),
        pl.col("status_words").alias("Status"),
    ).sort(["Period", "Level", "Group"], descending=[True, False, False])


def evidence_words() -> pl.Expr:
    """Plain words for how sure the statistics are that a group is missing (from status and adjusted p)."""
    p = pl.col(c.P_ADJUSTED)
    return (
        pl.when(pl.col(c.STATUS) == c.STATUS_ABSENT)
        .then(pl.lit("No one from this group, though some expected"))
        .when(p < 0.001).then(pl.lit("Very strong evidence (adjusted p < 0.001)"))
        .when(p < 0.01).then(pl.lit("Strong evidence (adjusted p < 0.01)"))
        .when(p.is_not_null())
        .then(pl.lit("Evidence (adjusted p = ") + p.round(3).cast(pl.String) + pl.lit(")"))
        .otherwise(pl.lit("Not tested"))
        .alias("Evidence")
    )


def outreach_table(frame: pl.DataFrame) -> pl.DataFrame:
    """The outreach list with readable columns: where, who, how many are missing, and how sure we are
    (hidden counts and the figures withheld with them as "*")."""
    o = outreach_columns
    shown = with_marks(frame.with_columns(evidence_words()), (c.INVOLVED, c.TOTAL))
    if suppression.SUPPRESSED in shown.columns:
        shown = with_rate_marks(shown, {c.SHARE: 1})
    share = pl.col(c.SHARE) if shown.schema[c.SHARE] == pl.String else (pl.col(c.SHARE) * 100).round(1)
    return shown.select(
        pl.col(o.PRIORITY).alias("Priority"),
        pl.when(pl.col(o.UNIT) == "activity").then(pl.lit("Activity")).otherwise(pl.lit("Whole level"))
        .alias("Scope"),
        pl.col(c.LEVEL_NAME).alias("Level"),
        pl.col(o.ACTIVITY_NAME).fill_null("(all activities)").alias("Activity"),
        pl.col(c.GROUP_LABEL).alias("Group"),
        pl.col(c.INVOLVED).alias("People in group now"),
        pl.col(c.TOTAL).alias("People with a known answer"),
        share.alias("Share %"),
        (pl.col(c.BASELINE_SHARE) * 100).round(1).alias("Baseline %"),
        pl.col(c.SHORTFALL).alias("People missing"),
        pl.col("Evidence"),
        pl.col(c.PERIOD).alias("Period"),
    )


def to_csv(frame: pl.DataFrame, context: spreadsheet.Context = ()) -> bytes:
    """UTF-8 CSV; the context (what the file shows) as "# " lines at the top (``analytics.spreadsheet``)."""
    return spreadsheet.csv_bytes(frame, context)


def to_excel(frame: pl.DataFrame, sheet: str = "Presence", context: spreadsheet.Context = ()) -> bytes:
    """An .xlsx workbook: "About this file" first, then the table with numbers kept as numbers."""
    return spreadsheet.excel_bytes(frame, sheet, context)


# --- Outreach plans (issue 18) ----------------------------------------------------------------------------
# Plans are few and not personal data: read on each call (never cached). Their progress is counted from the
# cached record frames and reaches a restricted viewer only as published figures (small counts hidden).

def plans(f: Filters, viewer: Viewer):
    """The organisation's outreach plans, partners and actions (``analytics.loader_plans.PlanFrames``)."""
    from analytics.loader_plans import load_plans

    _require(viewer, f.organisation_id, "outreach")
    return load_plans(engine(), f.organisation_id)


def _cell_status(f: Filters, viewer: Viewer, plan_rows: pl.DataFrame) -> pl.DataFrame:
    """characteristic, involvement, level_key, activity_ref, group, status of each plan's cell in the latest
    period of the range, with the sidebar's baseline (the status the Representation and Outreach pages show).
    A committee's status is known only while it is on the outreach list (under or absent)."""
    parts = []
    for characteristic, involvement in plan_rows.select("characteristic", "involvement").unique().iter_rows():
        g = replace(f, characteristic=characteristic, involvement=involvement, cross_with=None)
        try:
            rep = representation(g, viewer)
        except ValueError:  # e.g. the chosen baseline has nothing for this characteristic: no status to use
            continue
        period = latest_period(rep.rows)
        keys = (pl.lit(characteristic).alias("characteristic"), pl.lit(involvement).alias("involvement"))
        parts.append(
            at_period(rep.rows, period).select(
                *keys, c.LEVEL_KEY, pl.lit(None, dtype=pl.String).alias("activity_ref"), c.GROUP, c.STATUS
            )
        )
        found = outreach(g, viewer)
        if found.height:
            parts.append(
                found.filter(pl.col(outreach_columns.UNIT) == "activity").select(
                    *keys, c.LEVEL_KEY, "activity_ref", c.GROUP, c.STATUS
                )
            )
    if not parts:
        return pl.DataFrame()
    return pl.concat(parts, how="vertical_relaxed").unique(
        ["characteristic", "involvement", "level_key", "activity_ref", "group"], keep="first"
    )


def plan_progress(f: Filters, viewer: Viewer, plan_frames, as_of: date) -> pl.DataFrame:
    """Each plan's measured progress and status (``analytics.outreach_plans.measure_plans``), published (small
    counts hidden, "met (small numbers)") unless the viewer sees exact figures."""
    from analytics import outreach_plans

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
    from analytics import outreach_plans

    _require(viewer, f.organisation_id, "outreach")
    settings = get_settings()
    chosen = plan_frames.plans.filter(pl.col("ref") == ref)
    series = outreach_plans.plan_series(
        chosen, _frames(f.organisation_id, f.data_version), as_of=as_of, chinese_as_asian=settings.chinese_as_asian
    )
    if not viewer.exact(f.organisation_id):
        series = outreach_plans.publish_progress(series, settings)
    return series


def recruitment(f: Filters, viewer: Viewer, capacity: int, as_of: date):
    """The optimised recruitment plan for ``capacity`` recruits (``analytics.recruitment``), from the outreach
    list this viewer sees, the activities running on ``as_of`` and the need weights of the characteristic."""
    from analytics import recruitment as r

    _require(viewer, f.organisation_id, "outreach")
    frames = _frames(f.organisation_id, f.data_version)
    characteristic = f.characteristic if f.cross_with is None else None
    weights = (r.need_weights(frames, characteristic) if characteristic
               else pl.DataFrame(schema={c.GROUP: pl.String, "weight": pl.Float64}))
    problem = r.recruitment_problem(
        outreach(f, viewer), r.committee_members(frames, as_of=as_of), weights, capacity=capacity
    )
    return r.solve_recruitment(problem)


def outreach_working_list(frame: pl.DataFrame, plan_frames, progress: pl.DataFrame | None,
                          characteristic: str) -> pl.DataFrame:
    """The working list (:func:`outreach_table`) with plan columns: the plan on each gap (same group, level and
    committee, and the characteristic shown), its status, target, date and owner."""
    table = outreach_table(frame)
    rows = plan_frames.plans.filter(pl.col("characteristic") == characteristic)
    if progress is not None and progress.height:
        rows = rows.join(progress.select("ref", "status_words"), on="ref", how="left")
    else:
        rows = rows.with_columns(pl.lit(None, dtype=pl.String).alias("status_words"))
    keyed = frame.select(
        outreach_columns.PRIORITY, c.LEVEL_KEY, c.GROUP, pl.col("activity_ref").alias("_activity")
    )
    plans_by_cell = rows.select(
        c.LEVEL_KEY, c.GROUP, pl.col("activity_ref").alias("_activity"),
        pl.col("ref").alias("Plan"), pl.col("status_words").alias("Plan status"),
        pl.col("target_people").alias("Plan target (people)"), pl.col("target_date").alias("Plan by"),
        pl.coalesce("owner_team", "owner_email").alias("Plan owner"),
    ).unique([c.LEVEL_KEY, c.GROUP, "_activity"], keep="first")
    joined = keyed.join(plans_by_cell, on=[c.LEVEL_KEY, c.GROUP, "_activity"], how="left", nulls_equal=True)
    return table.join(
        joined.drop(c.LEVEL_KEY, c.GROUP, "_activity").rename({outreach_columns.PRIORITY: "Priority"}),
        on="Priority", how="left",
    )
# --- Network: organisations compared on their published figures (analytics.network) -------------------------

@st.cache_data(show_spinner="Comparing organisations…", max_entries=256)
def _network_member(organisation_id: int, code: str, name: str, characteristic: str, period: str,
                    involvement: str, version: str) -> network.Member:
    """One organisation's published figures (what a board member sees on its own pages, with the
    decision-making levels together) and its published 4PI scorecard; the same for every viewer, so the key has
    no role in it: only viewers who may see the organisation on the Network page ask."""
    rep = network.published_representation(_frames(organisation_id, version), organisation_id,
                                           characteristic=characteristic, period=period, involvement=involvement)
    (row,) = network_loader.organisations(engine(), [code])
    card = network_loader.published_scorecard(engine(), organisation_id)
    return network.Member(organisation_id=organisation_id, code=code, name=name, representation=rep,
                          catchment=row.catchment, scorecard=card)


def network_members(f: Filters, viewer: Viewer) -> list[network.Member]:
    """The published figures of every organisation this viewer may see on the Network page (their own
    organisations, or a network viewer's grant), each against the Census figures of its own catchment."""
    organisations = visible_organisations(viewer, "network")
    if not organisations:
        raise PermissionError(NO_ACCESS)
    return [_network_member(o["id"], o["code"], o["name"], f.characteristic, f.period, f.involvement,
                            data_version(o["id"])) for o in organisations]


def network_levels(rows: pl.DataFrame) -> pl.DataFrame:
    """The levels to compare (key, name): the top level (the board) first, then the decision-making levels
    together, then the others from the top down."""
    levels = rows.select(c.LEVEL_RANK, c.LEVEL_KEY, c.LEVEL_NAME).unique(c.LEVEL_KEY)
    together = levels.filter(pl.col(c.LEVEL_KEY) == network.DECISION_MAKING)
    others = levels.filter(pl.col(c.LEVEL_KEY) != network.DECISION_MAKING).sort(c.LEVEL_RANK, descending=True)
    return pl.concat([others.head(1), together, others.slice(1)]).select(c.LEVEL_KEY, c.LEVEL_NAME)


def network_funnel(members: list[network.Member], level: str, group: str, period: str) -> pl.DataFrame:
    """The funnel table (one row per organisation) for a level, group and period."""
    return network.funnel_table(network.organisation_figures(members, level=level, group=group, period=period))


def network_totals(members: list[network.Member], level: str, group: str, period: str) -> dict:
    """The network total (sums of published people against the union of the catchments) with its note."""
    figures = network.organisation_figures(members, level=level, group=group, period=period)
    return network.network_totals(figures, members)


def network_benchmark(members: list[network.Member], group: str, period: str) -> pl.DataFrame:
    """The benchmark table: one row per organisation at the decision-making levels together."""
    return network_benchmark_table.benchmark_table(members, group=group, period=period)


def network_over_time(members: list[network.Member], level: str, group: str) -> pl.DataFrame:
    """Which organisations improved or worsened significantly at a level (the trend test on published
    counts, corrected across the organisations)."""
    return network_benchmark_table.over_time(members, group=group, level=level)


def peers(f: Filters, viewer: Viewer, group: str) -> tuple[str, pl.DataFrame, int] | None:
    """This organisation against its peers at the decision-making levels together (published figures): the
    funnel sentence, its own figure beside the totals of its ICB, its region and every organisation (never a
    peer by name), and how many organisations are compared; None when there is no other organisation. Needs
    the right to see this organisation's figures."""
    _require(viewer, f.organisation_id)
    organisations = all_organisations()
    if len(organisations) < 2:
        return None
    members = [_network_member(o["id"], o["code"], o["name"], f.characteristic, f.period, f.involvement,
                               data_version(o["id"])) for o in organisations]
    code = next(o["code"] for o in organisations if o["id"] == f.organisation_id)
    level = network.DECISION_MAKING
    if not any(level in m.representation.rows[c.LEVEL_KEY].to_list() for m in members):
        return None
    position = network_peers.funnel_position(members, code, level=level, group=group)
    table = network_peers.peer_table(members, code, level=level, group=group)
    return network_peers.peer_sentence(position, len(members)), table, len(members)


# --- The board pack ------------------------------------------------------------------------------------------

@st.cache_data(show_spinner="Putting the board pack together…", max_entries=8)
def _pack_figures(organisation_id: int, scope_key: str, characteristic: str, baseline_kind: str,
                  baseline_source: str | None, involvement: str, period: str | None, exact: bool, version: str,
                  as_of: date):
    from analytics import report

    code = next(o["code"] for o in all_organisations() if o["id"] == organisation_id)
    baseline = _baseline_spec(baseline_kind, baseline_source)
    request = report.PackRequest(organisation_code=code, period=period, exact=exact,
                                 characteristic=characteristic, baseline=baseline, involvement=involvement,
                                 as_of=as_of)
    return report.gather(engine(), request, roles.scoped_viewer(scope_key))


def board_pack(f: Filters, viewer: Viewer, period: str | None, exact: bool):
    """The figures of the board pack (``analytics.report.PackFigures``) for the sidebar's characteristic,
    baseline and who is counted, one quarter (None: the latest complete one), published or, for roles that
    may see them, exact."""
    scope_key = _require(viewer, f.organisation_id)
    if exact and not viewer.exact(f.organisation_id):
        raise PermissionError("Your role does not allow exact figures: the pack uses published figures.")
    return _pack_figures(f.organisation_id, scope_key, f.characteristic, f.baseline_kind, f.baseline_source,
                         f.involvement, period, exact, f.data_version, date.today())


@st.cache_data(show_spinner=False, max_entries=8)
def _pack_document(organisation_id: int, scope_key: str, characteristic: str, baseline_kind: str,
                   baseline_source: str | None, involvement: str, period: str | None, exact: bool, version: str,
                   as_of: date, kind: str):
    from analytics import report

    figures = _pack_figures(organisation_id, scope_key, characteristic, baseline_kind, baseline_source,
                            involvement, period, exact, version, as_of)
    return report.public_summary(figures) if kind == "public" else report.board_pack(figures)


def board_pack_document(f: Filters, viewer: Viewer, period: str | None, exact: bool, kind: str = "board"):
    """The board pack (or, with ``kind="public"``, the one-page public summary, always published) as sections
    (``analytics.report.Pack``), for the preview and the files."""
    board_pack(f, viewer, period, exact)  # the access checks
    exact = exact and kind != "public"
    return _pack_document(f.organisation_id, viewer.scope_key(f.organisation_id), f.characteristic,
                          f.baseline_kind, f.baseline_source, f.involvement, period, exact, f.data_version,
                          date.today(), kind)


def board_pack_file(f: Filters, viewer: Viewer, period: str | None, exact: bool, file_format: str) -> bytes:
    """The pack (or, for "public", the one-page public summary, always published) as a file."""
    from analytics import report

    pack = board_pack_document(f, viewer, period, exact, "public" if file_format == "public" else "board")
    return report.render(pack, file_format)
