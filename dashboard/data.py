"""Everything a page reads, and the only module that caches (``st.cache_data`` / ``st.cache_resource``).

Cache keys are small values: the organisation id, the viewer's scope key (organisation and role), the filter
values and a data version (a cheap fingerprint of the database, so a new import shows up at once).

Person-level rows are never put in ``st.cache_data``. Two ``st.cache_resource`` entries hold record-level
frames (``Frames`` and the 4PI ``Frames4PI`` of one organisation, keyed on organisation and data version,
at most two each); they are read only inside this module, to build aggregates, and never returned to a page.
Record-level results (missing fields, 4PI detail tables, an activity summary) are computed on each call.

Every result a page gets passes through :func:`_protect` (``analytics.access.protect``: the viewer's access
and disclosure rules); cached aggregates are protected inside the cache for the scope their key stands for.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import polars as pl
import streamlit as st
from sqlalchemy import text
from sqlalchemy.engine import Engine

import analytics
from analytics import access, fourpi, suppression
from analytics import columns as c
from analytics import outreach as outreach_columns
from analytics.access import Viewer
from analytics.baselines import BaselineSpec
from analytics.loader import Frames
from analytics.loader_4pi import load_frames_4pi
from analytics.representation import Representation
from analytics.trends import Trend
from models.db import get_engine, upgrade_schema
from models.settings import get_settings

PERIOD_KINDS = {"quarter": "Quarter", "year": "Year"}
INVOLVEMENT_FILTERS = {"all": "Service users and carers", "service_user": "Service users", "carer": "Carers"}
BASELINE_KINDS = {
    "census": "Census 2021: the area the organisation serves",
    "user": "A baseline you supplied",
    "need_weighted": "Need-weighted: Census x Mental Health Act detention rates",
}
CHARACTERISTIC_LABELS = {
    "ethnicity_broad": "Ethnicity (5 broad groups)",
    "ethnicity": "Ethnicity (detailed categories)",
    "ethnicity_binary": "Ethnicity (White / ethnic minority)",
    "sex": "Sex",
    "age_band": "Age band",
    "disability": "Disability",
    "sexual_orientation": "Sexual orientation",
    "religion": "Religion or belief",
    "involvement_type": "Service user or carer",
}
STATUS_WORDS = {
    c.STATUS_ABSENT: "Absent",
    c.STATUS_UNDER: "Under-represented",
    c.STATUS_WITHIN_RANGE: "Within range",
    c.STATUS_OVER: "Over-represented",
    c.STATUS_UNCERTAIN: "Uncertain",
    c.STATUS_TOO_FEW: "Too few to tell",
    c.STATUS_NO_BASELINE: "No baseline",
    c.STATUS_NO_DATA: "No data",
}
STATUS_MARKS = {
    c.STATUS_ABSENT: "✕",
    c.STATUS_UNDER: "▼",
    c.STATUS_WITHIN_RANGE: "●",
    c.STATUS_OVER: "▲",
    c.STATUS_UNCERTAIN: "?",
    c.STATUS_TOO_FEW: "…",
    c.STATUS_NO_BASELINE: "–",
    c.STATUS_NO_DATA: "–",
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


_VERSION_SQL = text(
    """
    SELECT
      (SELECT count(*) FROM organisation),
      (SELECT max(id) FROM organisation),
      (SELECT count(*) FROM level WHERE organisation_id = :o),
      (SELECT count(*) FROM activity WHERE organisation_id = :o),
      (SELECT max(id) FROM activity WHERE organisation_id = :o),
      (SELECT count(*) FROM person WHERE organisation_id = :o),
      (SELECT max(id) FROM person WHERE organisation_id = :o),
      (SELECT max(updated_at) FROM person WHERE organisation_id = :o),
      (SELECT count(*) FROM involvement WHERE organisation_id = :o),
      (SELECT max(id) FROM involvement WHERE organisation_id = :o),
      (SELECT count(*) FROM meeting WHERE organisation_id = :o),
      (SELECT count(*) FROM attendance WHERE organisation_id = :o),
      (SELECT count(*) FROM baseline),
      (SELECT max(id) FROM baseline),
      (SELECT max(id) FROM import_log)
    """
)


def data_version(organisation_id: int | None = None) -> str:
    """A cheap fingerprint of the database (and of which database): it changes whenever records are added,
    removed, re-imported or updated, so cached results are never stale."""
    with engine().connect() as connection:
        values = connection.execute(_VERSION_SQL, {"o": organisation_id or 0}).one()
    return _database_key() + ":" + "|".join("" if v is None else str(v) for v in values)


@st.cache_data(show_spinner=False, max_entries=16)
def _organisations(version: str) -> list[dict]:
    with engine().connect() as connection:
        rows = connection.execute(text("SELECT id, code, name FROM organisation ORDER BY name, id")).all()
    return [{"id": int(r[0]), "code": str(r[1]), "name": str(r[2])} for r in rows]


def all_organisations() -> list[dict]:
    """Every organisation in the database (id, code, name), by name. Not filtered by viewer: see
    :func:`visible_organisations`."""
    return _organisations(data_version())


def visible_organisations(viewer: Viewer) -> list[dict]:
    """The organisations this viewer may see (deny by default)."""
    organisations = all_organisations()
    allowed = set(access.visible_organisation_ids(viewer, [o["id"] for o in organisations]))
    return [o for o in organisations if o["id"] in allowed]


# --- Access ------------------------------------------------------------------------------------------------

def _protect(result: Any, viewer: Viewer, organisation_id: int) -> Any:
    """The single gate every result passes on its way to a page: the viewer's access rules and disclosure
    control (suppressed and rounded counts for restricted roles; exact figures marked not for publication for
    the others). Applying it to an already protected result changes nothing."""
    return access.protect(result, viewer, organisation_id)


def _protect_4pi(result: Any, viewer: Viewer, organisation_id: int) -> Any:
    """The gate for 4PI results: the access check only. Their counts are of meetings, activities and claims,
    and the scorecard pages are not written for suppressed (null) counts; whether any of them needs disclosure
    control is an open question for the security review."""
    access.require(viewer, "aggregates", organisation_id)
    return result


def _scoped(result: Any, scope_key: str, organisation_id: int) -> Any:
    """:func:`_protect` inside a cached function, for the scope the cache key stands for: what is cached is
    already the version that scope may see."""
    return access.protect(result, access.scoped_viewer(scope_key), organisation_id)


def _require(viewer: Viewer, organisation_id: int, permission: str = "aggregates") -> str:
    """The viewer's scope key for this organisation; ``PermissionError`` when they may not see it."""
    if not viewer.can(permission, organisation_id):
        raise PermissionError(NO_ACCESS)
    return viewer.scope_key(organisation_id)


# --- Frames (person-level: never in st.cache_data) ----------------------------------------------------------

@st.cache_resource(show_spinner=False, max_entries=2)
def _frames(organisation_id: int, version: str) -> Frames:
    """One organisation's records for building aggregates; keyed on (organisation, data version), read only
    inside this module."""
    return analytics.load_frames(engine(), organisation_id=organisation_id)


# --- Representation and the views that are selections of it ---------------------------------------------

def _baseline_spec(kind: str, source: str | None) -> BaselineSpec:
    if kind == "user":
        return BaselineSpec(kind="user", source=source)
    return BaselineSpec(kind=kind)


@st.cache_data(show_spinner="Counting who is involved…", max_entries=64)
def _representation(organisation_id: int, scope_key: str, characteristic: str, period: str,
                    baseline_kind: str, baseline_source: str | None, involvement: str,
                    version: str, cross_with: str | None = None) -> Representation:
    frames = _frames(organisation_id, version)
    rep = analytics.representation_table(
        frames, characteristic=characteristic, period=period,
        characteristics=(characteristic, cross_with) if cross_with else None,
        baseline=_baseline_spec(baseline_kind, baseline_source), involvement=involvement,
    )
    return _scoped(rep, scope_key, organisation_id)


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
    return replace(rep, rows=_in_range(rep.rows, f.period_from, f.period_to),
                   tables=_in_range(rep.tables, f.period_from, f.period_to))


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
def _headlines(key: tuple) -> list[str]:
    f, scope_key = _filters_from_key(key)
    return analytics.headlines(_ranged_representation(f, scope_key))  # built from the protected table


def headlines(f: Filters, viewer: Viewer) -> list[str]:
    """Plain-English sentences about the latest period in range."""
    scope_key = _require(viewer, f.organisation_id)
    return _protect(_headlines(_key(f, scope_key)), viewer, f.organisation_id)


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
    return _scoped(found, scope_key, f.organisation_id)


def outreach(f: Filters, viewer: Viewer) -> pl.DataFrame:
    """Groups under-represented or absent in the latest period in range, ranked by shortfall and evidence,
    per level and per activity."""
    scope_key = _require(viewer, f.organisation_id, "outreach")
    return _protect(_outreach(_key(f, scope_key)), viewer, f.organisation_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _relative_likelihood(key: tuple) -> pl.DataFrame:
    f, scope_key = _filters_from_key(key)
    frames = _frames(f.organisation_id, f.data_version)
    frame = analytics.relative_likelihood(frames, characteristic=f.characteristic, period=f.period,
                                          involvement=f.involvement)
    return _scoped(_in_range(frame, f.period_from, f.period_to), scope_key, f.organisation_id)


def relative_likelihood(f: Filters, viewer: Viewer) -> pl.DataFrame:
    """WRES-style relative likelihood of each group being at a decision-making level, against the reference
    group, with 95% intervals (above 1: the group is less likely to be there)."""
    scope_key = _require(viewer, f.organisation_id)
    return _protect(_relative_likelihood(_key(f, scope_key)), viewer, f.organisation_id)


def pipeline(f: Filters, viewer: Viewer) -> pl.DataFrame:
    """Each group's share per level, individual care to board, for the latest period in range."""
    return analytics.pipeline(representation(f, viewer))


@st.cache_data(show_spinner=False, max_entries=32)
def _data_quality(organisation_id: int, scope_key: str, period: str, version: str) -> pl.DataFrame:
    return _scoped(analytics.data_quality(_frames(organisation_id, version), period=period), scope_key,
                   organisation_id)


def data_quality(f: Filters, viewer: Viewer) -> pl.DataFrame:
    """Declaration rates and not stated / not known counts per level x characteristic x period (in range)."""
    scope_key = _require(viewer, f.organisation_id)
    frame = _data_quality(f.organisation_id, scope_key, f.period, f.data_version)
    return _protect(_in_range(frame, f.period_from, f.period_to), viewer, f.organisation_id)


def missing_fields(f: Filters, viewer: Viewer) -> pl.DataFrame:
    """Records missing key fields (activity purpose, dates, ...). Record-level, so never cached and only for
    roles that may see record-level lists."""
    _require(viewer, f.organisation_id, "record_level")
    found = analytics.missing_fields(_frames(f.organisation_id, f.data_version))
    return _protect(found, viewer, f.organisation_id)


# --- 4PI standards (the scorecard and activity pages) -------------------------------------------------------

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
    result = _fourpi_periods(f.organisation_id, scope_key, f.data_version, date.today(), kind)
    return _protect_4pi(result, viewer, f.organisation_id)


@st.cache_data(show_spinner="Scoring the 4PI standards…", max_entries=32)
def _fourpi_scorecard(organisation_id: int, scope_key: str, version: str, as_of: date,
                      period: str) -> pl.DataFrame:
    return fourpi.scorecard(_frames_4pi(organisation_id, version, as_of), period)


def fourpi_scorecard(f: Filters, viewer: Viewer, period: str) -> pl.DataFrame:
    """The 4PI scorecard (one row per indicator) for one period."""
    scope_key = _require(viewer, f.organisation_id)
    result = _fourpi_scorecard(f.organisation_id, scope_key, f.data_version, date.today(), period)
    return _protect_4pi(result, viewer, f.organisation_id)


def fourpi_detail(f: Filters, viewer: Viewer, detail_key: str, period: str) -> pl.DataFrame:
    """The table behind one scorecard row. Not cached: some detail tables are record-level."""
    _require(viewer, f.organisation_id)
    detail = fourpi.scorecard_detail(_4pi(f), detail_key, period=period)
    return _protect_4pi(detail, viewer, f.organisation_id)


@st.cache_data(show_spinner=False, max_entries=16)
def _fourpi_activities(organisation_id: int, scope_key: str, version: str, as_of: date) -> pl.DataFrame:
    return fourpi.activity_list(_frames_4pi(organisation_id, version, as_of))


def fourpi_activities(f: Filters, viewer: Viewer) -> pl.DataFrame:
    """Activities to choose from (reference, name, level, ended, meetings held)."""
    scope_key = _require(viewer, f.organisation_id)
    result = _fourpi_activities(f.organisation_id, scope_key, f.data_version, date.today())
    return _protect_4pi(result, viewer, f.organisation_id)


def fourpi_activity_summary(f: Filters, viewer: Viewer, activity_ref: str, last_n: int):
    """A chair's summary of one activity. Not cached: it holds record-level tables (claims, meetings)."""
    _require(viewer, f.organisation_id)
    result = fourpi.activity_summary(_4pi(f), activity_ref, last_n)
    return _protect_4pi(result, viewer, f.organisation_id)


# --- Small selections of aggregated tables (no statistics here) ---------------------------------------------

def latest_period(rows: pl.DataFrame) -> str | None:
    """The latest period with anyone counted in representation rows (None when there are none)."""
    return analytics.latest_period(rows)


def has_people(rep: Representation) -> bool:
    """True when anyone at all is counted in the chosen periods (known answer or not)."""
    return rep.tables.height > 0 and int(rep.tables.get_column(c.PEOPLE).sum()) > 0


def year_before(period: str) -> str:
    """The same period one year earlier: '2024-Q3' -> '2023-Q3', '2024' -> '2023'."""
    year, _, quarter = period.partition("-")
    return f"{int(year) - 1}" + (f"-{quarter}" if quarter else "")


def at_period(frame: pl.DataFrame, period: str | None) -> pl.DataFrame:
    return frame.filter(pl.col(c.PERIOD) == period) if period is not None else frame.clear()


def with_status_words(rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` with a ``status_words`` column: a mark and the plain status, e.g. '▼ Under-represented'."""
    words = pl.col(c.STATUS).replace_strict(STATUS_WORDS, default=pl.col(c.STATUS))
    marks = pl.col(c.STATUS).replace_strict(STATUS_MARKS, default=pl.lit(""))
    return rows.with_columns((marks + pl.lit(" ") + words).alias("status_words"))


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


def count_text(value: int | None) -> str:
    """A count as shown: '*' when disclosure control hid it (a small number), else with thousands commas."""
    return SUPPRESSED_MARK if value is None else f"{value:,}"


def _rate_text(rate: float | None, people: int | None) -> str:
    if rate is not None:
        return f"{rate:.0%}"
    return "no one yet" if people == 0 else SUPPRESSED_MARK


def _count_delta(now: int | None, before: int | None, unit: str) -> str | None:
    if now is None or before is None:
        return None
    return f"{now - before:+d} {unit} since a year before"


def _pp_delta(now: float | None, before: float | None) -> str | None:
    if now is None or before is None:
        return None
    return f"{(now - before) * 100:+.0f} points since a year before"


def key_numbers(rep: Representation) -> list[tuple[str, list[KeyNumber]]]:
    """For each decision-making level, board first: people involved and the declaration rate in the latest
    period (with the change since the same period a year before), and how many groups are missing there."""
    tables, rows = rep.tables, rep.rows
    period = latest_period(rows)
    if period is None:
        return []
    now = at_period(tables, period).filter(pl.col(c.DECISION_MAKING)).sort(c.LEVEL_RANK, descending=True)
    before = {r[c.LEVEL_KEY]: r for r in at_period(tables, year_before(period)).iter_rows(named=True)}
    missing = missing_at_decision_levels(rows).get_column(c.LEVEL_KEY).value_counts()
    missing_by_level = dict(missing.select(c.LEVEL_KEY, "count").iter_rows())
    result = []
    for level in now.iter_rows(named=True):
        old = before.get(level[c.LEVEL_KEY], {})
        rate = level[c.DECLARATION_RATE]
        result.append((level[c.LEVEL_NAME], [
            KeyNumber(
                label="People involved", value=count_text(level[c.PEOPLE]),
                delta=_count_delta(level[c.PEOPLE], old.get(c.PEOPLE), "people"),
                help=f"Different people taking part at this level at any time in {period}. {HIDDEN_HELP}",
            ),
            KeyNumber(
                label="Answer recorded", value=_rate_text(rate, level[c.PEOPLE]),
                delta=_pp_delta(rate, old.get(c.DECLARATION_RATE)), delta_color="normal",
                help="Share of these people whose answer for this characteristic is recorded (not 'not "
                     "stated' or 'not known'). Low rates make every other figure less certain.",
            ),
            KeyNumber(
                label="Groups missing", value=str(missing_by_level.get(level[c.LEVEL_KEY], 0)), delta=None,
                help="Groups that are absent here, or clearly fewer than their share of the population "
                     f"(below {rep.under_threshold:g} times, and statistically clear after allowing for "
                     "chance).",
            ),
        ]))
    return result


def too_small_levels(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows of the latest period at levels too small for statistics: where at least half the groups that
    have a baseline are 'too few to tell'. Shown as counts and whole-person shortfall instead."""
    latest = at_period(rows, latest_period(rows))
    status = pl.col(c.STATUS)
    testable = ~status.is_in([c.STATUS_NO_BASELINE, c.STATUS_NO_DATA])
    small = (latest.group_by(c.LEVEL_KEY)
             .agg(testable.sum().alias("testable"), (status == c.STATUS_TOO_FEW).sum().alias("too_few"))
             .filter((pl.col("testable") > 0) & (pl.col("too_few") * 2 >= pl.col("testable"))))
    return latest.filter(pl.col(c.LEVEL_KEY).is_in(small.get_column(c.LEVEL_KEY).implode())).sort(
        [c.LEVEL_RANK, c.SHORTFALL], descending=[True, True])


def no_baseline(rows: pl.DataFrame) -> bool:
    """True when no group has a baseline figure (every comparison is impossible)."""
    counted = rows.filter(pl.col(c.TOTAL) > 0)
    return counted.height > 0 and bool((counted.get_column(c.STATUS) == c.STATUS_NO_BASELINE).all())


def _hidden_as_mark(frame: pl.DataFrame, counts: tuple[str, ...]) -> pl.DataFrame:
    """Counts that disclosure control hid shown as '*' (as text), when the frame carries the flags."""
    flagged = [col for col in counts if suppression.suppressed_flag(col) in frame.columns]
    return suppression.display_counts(frame, flagged) if flagged else frame


def disclosure_note(frame: pl.DataFrame) -> str | None:
    """The sentence under a page about what was done to its figures: suppressed and rounded (restricted
    roles) or exact and not for publication; None when neither applies."""
    if frame.height == 0:
        return None
    if suppression.NOT_FOR_PUBLICATION in frame.columns and frame[suppression.NOT_FOR_PUBLICATION].any():
        return suppression.NOT_FOR_PUBLICATION_TEXT
    if suppression.ROUNDED in frame.columns and frame[suppression.ROUNDED].any():
        return suppression.describe()
    return None


def display_table(rows: pl.DataFrame, tables: pl.DataFrame | None = None) -> pl.DataFrame:
    """The full representation table with readable column names (and, given the tables, the people whose
    answer is not stated or not known at each level), for showing and downloading."""
    rows = _hidden_as_mark(rows, (c.INVOLVED, c.TOTAL))
    if tables is not None:
        tables = _hidden_as_mark(tables, (c.NOT_STATED, c.NOT_KNOWN))
        rows = rows.join(tables.select(c.LEVEL_KEY, c.PERIOD, c.NOT_STATED, c.NOT_KNOWN),
                         on=[c.LEVEL_KEY, c.PERIOD], how="left")
    else:
        rows = rows.with_columns(pl.lit(None, dtype=pl.Int64).alias(c.NOT_STATED),
                                 pl.lit(None, dtype=pl.Int64).alias(c.NOT_KNOWN))
    return with_status_words(rows).select(
        pl.col(c.PERIOD).alias("Period"),
        pl.col(c.LEVEL_NAME).alias("Level"),
        pl.col(c.GROUP_LABEL).alias("Group"),
        pl.col(c.INVOLVED).alias("People in group"),
        pl.col(c.TOTAL).alias("People with a known answer"),
        pl.col(c.NOT_STATED).alias("Not stated (level)"),
        pl.col(c.NOT_KNOWN).alias("Not known (level)"),
        (pl.col(c.SHARE) * 100).round(1).alias("Share %"),
        (pl.col(c.BASELINE_SHARE) * 100).round(1).alias("Baseline %"),
        pl.col(c.RATIO).round(2).alias("Ratio"),
        (pl.col(c.CI_LOW) * 100).round(1).alias("Interval low %"),
        (pl.col(c.CI_HIGH) * 100).round(1).alias("Interval high %"),
        pl.col(c.EXPECTED).round(1).alias("Expected people"),
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
    """The outreach list with readable columns: where, who, how many are missing, and how sure we are."""
    o = outreach_columns
    return frame.with_columns(evidence_words()).select(
        pl.col(o.PRIORITY).alias("Priority"),
        pl.when(pl.col(o.UNIT) == "activity").then(pl.lit("Activity")).otherwise(pl.lit("Whole level"))
        .alias("Scope"),
        pl.col(c.LEVEL_NAME).alias("Level"),
        pl.col(o.ACTIVITY_NAME).fill_null("(all activities)").alias("Activity"),
        pl.col(c.GROUP_LABEL).alias("Group"),
        pl.col(c.INVOLVED).alias("People in group now"),
        pl.col(c.TOTAL).alias("People with a known answer"),
        (pl.col(c.SHARE) * 100).round(1).alias("Share %"),
        (pl.col(c.BASELINE_SHARE) * 100).round(1).alias("Baseline %"),
        pl.col(c.SHORTFALL).alias("People missing"),
        pl.col("Evidence"),
        pl.col(c.PERIOD).alias("Period"),
    )


def to_csv(frame: pl.DataFrame) -> bytes:
    return frame.write_csv().encode("utf-8")


def to_excel(frame: pl.DataFrame, sheet: str = "Presence") -> bytes:
    """The frame as an .xlsx workbook (xlsxwriter), one sheet."""
    import io

    buffer = io.BytesIO()
    frame.write_excel(buffer, worksheet=sheet[:31], autofit=True)
    return buffer.getvalue()
