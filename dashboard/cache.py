"""Everything a page reads, and the only module that caches (``st.cache_data`` / ``st.cache_resource``).

Cache keys are small values: the organisation id, the viewer's scope key (organisation and role), the filter
values and a data version (a cheap fingerprint of the database, so a new import shows up at once).

Person-level rows are never put in ``st.cache_data``. One ``st.cache_resource`` entry (``_FrameStore``) holds
the record-level ``Frames`` (every table, the 4PI ones included) of the last two organisations looked at, one
entry per organisation and data version; they are read only inside this module, to build aggregates, and
never returned to a page.
Record-level results (missing fields, 4PI detail tables, an activity summary) are computed on each call.

Every result a page gets passes through the viewer's access and disclosure rules (``analytics.roles``
says who may see what, ``analytics.protection`` protects each result by its type: ``protect``,
``build_protected`` (a representation with its sibling views), ``protect_likelihood``,
``protect_frame`` with explicit counts for the 4PI results, by the policy of ``analytics.fourpi.disclosure``);
cached aggregates are protected inside the cache for the scope their key stands for. How the results are shown
(hidden counts as "*", readable columns, the disclosure note) is ``dashboard.display``; what they mean is worked
out in ``analytics``: this module only reads, protects and caches.
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
from analytics import columns as k
from analytics import (
    fourpi,
    network,
    network_loader,
    network_peers,
    outreach_plans,
    protection,
    roles,
)
from analytics import network_benchmark as network_benchmark_table
from analytics import outreach as outreach_columns
from analytics.baselines import BaselineSpec
from analytics.decision import flagged_pipeline
from analytics.fourpi import disclosure as fourpi_disclosure
from analytics.fourpi.disclosure import protect_scorecard
from analytics.fourpi.disclosure import published as _published
from analytics.loader import Frames, load_tables
from analytics.representation import Representation
from analytics.roles import Viewer
from analytics.trends import Trend
from analytics.wording import CHARACTERISTIC_LABELS
from dashboard import warm
from models.db import GLOBAL, NEWEST_ID, REWRITTEN, get_engine, read_all_data_versions, upgrade_schema
from models.organisations import organisation_list, people_count
from models.settings import get_settings

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
    return _version_of(_counters(), organisation_id)


def _version_of(counters: dict[tuple[int, str], int], organisation_id: int | None) -> str:
    wanted = {GLOBAL, organisation_id or GLOBAL}
    parts = [f"{o}.{t}={v}" for (o, t), v in sorted(counters.items()) if o in wanted]
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
    table = key.split(".", 1)[1].removesuffix(NEWEST_ID).removesuffix(REWRITTEN)
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


def _published_scope(scope_key: str, organisation_id: int) -> bool:
    """Whether the scope sees published figures (lists built from records then choose from published ones)."""
    return not roles.scoped_viewer(scope_key).exact(organisation_id)


def _require(viewer: Viewer, organisation_id: int, permission: str = "aggregates") -> str:
    """The viewer's scope key for this organisation; ``PermissionError`` when they may not see it."""
    if not viewer.can(permission, organisation_id):
        raise PermissionError(NO_ACCESS)
    return viewer.scope_key(organisation_id)


# --- Frames (person-level: never in st.cache_data) ----------------------------------------------------------

# Importer table name -> the Frames tables it feeds.
FRAMES_FED_BY = {
    "organisations": ("organisation",),
    "levels": ("levels",),
    "activities": ("activities",),
    "people": ("people",),
    "involvements": ("involvements",),
    "meetings": ("meetings",),
    "attendance": ("attendance",),
    "baselines": ("baselines",),
    "payments": ("payments",),
    "support": ("support_offers",),
    "impacts": ("impact_log",),
    "feedback": ("feedback",),
    "reviews": ("review_steps",),
}


# The Frames tables with an ``id`` whose new rows may be appended after an import that only added rows.
APPENDABLE = {"people": "people", "activities": "activities", "involvements": "involvements",
              "meetings": "meetings", "attendance": "attendance"}  # Frames table -> importer table
APPEND_RECHUNK = 8  # an appended frame is made contiguous again once it has this many chunks


@dataclass
class _Loaded:
    version: str
    tables: dict[str, int]
    frames: Frames


class _FrameStore:
    """The newest ``Frames`` of the last organisations looked at (at most ``size``), shared by every session.

    After a change only the tables whose change counters moved are read again (an import of attendance
    re-reads the attendance table, not the people), and of a table that only gained rows (an import that added
    rows and updated none) only the rows with a higher id are read and appended; everything else is reused.
    Loads are serialised, so two sessions never read the same organisation at once."""

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

    def appendable(self, organisation_id: int, version: str) -> dict[str, int]:
        """{Frames table: the highest id read} of the changed tables that only gained rows since they were read:
        the organisation's own counter moved, its last update or deletion is not newer than the version read,
        and nothing else that feeds the table moved (see ``models.db.bump_data_version``)."""
        found = self.loaded.get(organisation_id)
        if found is None:
            return {}
        wanted = _table_versions(version, organisation_id)
        moved = {t for t in set(wanted) | set(found.tables) if wanted.get(t, 0) != found.tables.get(t, 0)}
        result = {}
        for frame, table in APPENDABLE.items():
            own = f"{organisation_id}.{table}"
            feeding = {t for t in moved if frame in _fed(t)}
            if own not in feeding or not feeding <= {own, f"{GLOBAL}.{table}{NEWEST_ID}"}:
                continue
            if wanted.get(own + REWRITTEN, wanted[own]) > found.tables.get(own, 0):
                continue  # updated or deleted since: read it again
            newest = getattr(found.frames, frame)["id"].max()
            result[frame] = int(newest) if newest is not None else 0  # type: ignore[arg-type]
        return result

    def get(self, organisation_id: int, version: str) -> Frames:
        frames = self.current(organisation_id, version)
        if frames is not None:
            return frames
        with self.lock:
            if organisation_id not in self.loaded:
                self._take_head_start(organisation_id)
            frames = self.current(organisation_id, version)
            if frames is not None:
                return frames
            changed = self.changed_tables(organisation_id, version)
            if changed is None:
                frames = analytics.load_frames(engine(), organisation_id=organisation_id)
            else:
                previous = self.loaded[organisation_id].frames
                after = self.appendable(organisation_id, version)
                fresh = load_tables(engine(), organisation_id, changed, after_ids=after) if changed else {}
                for name in after:  # the rows added since, after the ones already read
                    old = getattr(previous, name)
                    fresh[name] = pl.concat([old, fresh[name]], rechunk=old.n_chunks() >= APPEND_RECHUNK)
                frames = replace(previous, **fresh)
            self._keep(organisation_id, version, frames)
            return frames

    def _take_head_start(self, organisation_id: int) -> None:
        """The frames ``app.py`` started reading in the background (``dashboard.warm``), when they are this
        organisation's: kept as of the counters read before them, so whatever changed since is read again."""
        found = warm.take(get_settings().database_url, organisation_id)
        if found is not None:
            counters, frames = found
            self._keep(organisation_id, _version_of(counters, organisation_id), frames)

    def _keep(self, organisation_id: int, version: str, frames: Frames) -> None:
        self.loaded.pop(organisation_id, None)
        while len(self.loaded) >= self.size:
            self.loaded.pop(next(iter(self.loaded)))
        self.loaded[organisation_id] = _Loaded(version, _table_versions(version, organisation_id), frames)


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


# --- 4PI standards (the scorecard and activity pages; the policy: analytics.fourpi.disclosure) ----------

def _frames_4pi(organisation_id: int, version: str, as_of: date) -> Frames:
    """The organisation's records (the one cached :class:`Frames`) with the day the 4PI figures are worked out
    on; read only inside this module."""
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


# --- Outreach plans (issue 18) ----------------------------------------------------------------------------
# Plans are few and not personal data: read on each call (never cached). Their progress is counted from the
# cached record frames and reaches a restricted viewer only as published figures (small counts hidden).

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


# --- Network: organisations compared on their published figures (analytics.network) -------------------------

@st.cache_data(show_spinner="Comparing organisations…", max_entries=256)
def _network_member(organisation_id: int, code: str, name: str, characteristic: str, period: str,
                    involvement: str, version: str) -> network.Member:
    """One organisation's published figures (what a board member sees on its own pages, with the decision-making
    levels together), its trend tests and its published 4PI scorecard; the same for every viewer, so the key has
    no role in it: only viewers who may see the organisation ask. Read from the organisation's stored
    aggregates while its data is unchanged (built from its records and stored otherwise:
    ``analytics.network_loader.load_members``), so the first network page after a start does not build every
    organisation's figures."""
    (row,) = network_loader.organisations(engine(), [code])
    (member,) = network_loader.load_members(engine(), [row], characteristic=characteristic, period=period,
                                            involvement=involvement, scorecards=True)
    return member


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
