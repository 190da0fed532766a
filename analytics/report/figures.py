"""The figures a board pack shows, gathered with the very calls the dashboard's data layer makes.

Each figure here comes from the same public analytics function and the same disclosure gate as the page that
shows it (``dashboard.cache``: ``representation``, ``headlines``, ``trends``, ``outreach``,
``relative_likelihood``, ``pipeline``, ``data_quality``, ``fourpi_scorecard``), called with the same
arguments, only without Streamlit's cache. Nothing is computed a second way: a test renders the pack and
compares its numbers with the dashboard's for the same filters.

A pack is for one organisation and one quarter (the latest complete one by default), and looks back over the
eight quarters that end with it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import polars as pl
from sqlalchemy import text
from sqlalchemy.engine import Engine

import analytics
from analytics import columns as c
from analytics import fourpi, protection, roles, suppression
from analytics import outreach as outreach_columns
from analytics.baselines import BaselineSpec
from analytics.decision import flagged_pipeline
from analytics.fourpi.disclosure import protect_scorecard, published
from analytics.periods import parse_period
from analytics.representation import Representation
from analytics.roles import Viewer
from analytics.selections import in_period_range
from analytics.trends import Trend

QUARTERS = 8
ERROR_NO_ORGANISATION = "There is no organisation with the code '{code}'."
ERROR_BAD_PERIOD = "'{period}' is not a quarter: write it like 2026-Q3."
ERROR_NO_PERIOD = "{organisation} has no figures for {period}: choose one of {choices}."
ERROR_NO_PEOPLE = "{organisation} has no one recorded as involved yet, so there is nothing to report."
ERROR_NOT_COMPLETE = "{organisation} has no complete quarter with figures yet: name one with --period."
ERROR_EXACT_NOT_ALLOWED = (
    "Your role does not allow exact figures: a pack with exact figures is only for data stewards and equality "
    "leads."
)


@dataclass(frozen=True)
class PackRequest:
    """What a pack is asked for: the organisation and period, exact or published, and the filters (the
    dashboard's sidebar defaults unless given)."""

    organisation_code: str
    period: str | None = None  # a quarter such as "2026-Q3"; None: the latest complete one
    exact: bool = False
    characteristic: str = "ethnicity_broad"
    baseline: BaselineSpec = BaselineSpec(kind="census")
    involvement: str = "all"
    as_of: date | None = None  # "today" for which quarters are complete and for the 4PI records


@dataclass(frozen=True)
class Organisation:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class PackFigures:
    """Every figure a pack shows, already through the viewer's disclosure rules."""

    organisation: Organisation
    request: PackRequest
    viewer: Viewer
    period: str
    period_from: str
    choices: list[str]  # the quarters a pack can be made for, oldest first
    rep: Representation  # protected, restricted to period_from..period
    headlines: list[str]
    trend: Trend
    outreach: pl.DataFrame | None  # None when the viewer's role does not include outreach lists
    likelihood: pl.DataFrame
    pipeline: pl.DataFrame
    quality: pl.DataFrame
    scorecard: pl.DataFrame | None  # None when the organisation has no 4PI records for the period
    scorecard_period: str | None
    committees: pl.DataFrame  # decision-making activities running in the period (names only: no counts)
    impact: pl.DataFrame  # the latest impact log entry per activity ("you said, we did")
    plan_progress: pl.DataFrame
    generated: date

    @property
    def exact(self) -> bool:
        return self.viewer.exact(self.organisation.id)


def find_organisation(engine: Engine, code: str) -> Organisation:
    """The organisation with this code; ``ValueError`` with one sentence when there is none."""
    with engine.connect() as connection:
        row = connection.execute(text("SELECT id, code, name FROM organisation WHERE code = :code"),
                                 {"code": code}).first()
    if row is None:
        raise ValueError(ERROR_NO_ORGANISATION.format(code=code))
    return Organisation(id=int(row[0]), code=str(row[1]), name=str(row[2]))


def quarter_index(label: str) -> int:
    year, quarter = label.split("-Q")
    return int(year) * 4 + int(quarter) - 1


def quarter_label(index: int) -> str:
    return f"{index // 4}-Q{index % 4 + 1}"


def check_quarter(period: str) -> str:
    try:
        kind, _, _ = parse_period(period)
    except ValueError:
        raise ValueError(ERROR_BAD_PERIOD.format(period=period)) from None
    if kind != "quarter":
        raise ValueError(ERROR_BAD_PERIOD.format(period=period))
    return period.strip()


def pack_viewer(viewer: Viewer, organisation_id: int, *, exact: bool) -> Viewer:
    """The viewer a pack is built for. An exact pack needs a role that may see exact figures. A published
    pack from such a role is built as that role would publish it: suppressed figures, with outreach lists
    (the outreach worker's scope, the widest that has no exact figures); a restricted role gets its own."""
    roles.require(viewer, "aggregates", organisation_id)
    if exact:
        if not viewer.exact(organisation_id):
            raise PermissionError(ERROR_EXACT_NOT_ALLOWED)
        return viewer
    if viewer.exact(organisation_id):
        return roles.scoped_viewer(f"{organisation_id}:outreach_worker")
    return viewer


def periods_with_people(rep: Representation) -> list[str]:
    """Quarters in which anyone is counted (a hidden count is 1 to 7 people: someone), oldest first."""
    counted = pl.col(c.PEOPLE).fill_null(0) > 0
    flag = suppression.suppressed_flag(c.PEOPLE)
    if flag in rep.tables.columns:
        counted = counted | pl.col(flag)
    return rep.tables.filter(counted).get_column(c.PERIOD).unique().sort().to_list()


def choose_period(rep: Representation, organisation: Organisation, period: str | None, as_of: date) -> str:
    """The asked-for quarter when it has figures, else the latest complete quarter with figures."""
    choices = periods_with_people(rep)
    if not choices:
        raise ValueError(ERROR_NO_PEOPLE.format(organisation=organisation.name))
    if period is not None:
        period = check_quarter(period)
        if period not in choices:
            shown = ", ".join(choices[-8:])
            raise ValueError(ERROR_NO_PERIOD.format(organisation=organisation.name, period=period,
                                                    choices=shown))
        return period
    complete = [p for p in choices if parse_period(p)[2] < as_of]
    if not complete:
        raise ValueError(ERROR_NOT_COMPLETE.format(organisation=organisation.name))
    return complete[-1]


def _committees(frames: analytics.Frames, period: str) -> pl.DataFrame:
    """Activities at decision-making levels that ran during the quarter: level and name, board first."""
    _, first, last = parse_period(period)
    levels = frames.levels.filter(pl.col("decision_making").fill_null(False)).select(
        pl.col("id").alias("level_id"), pl.col("rank").alias(c.LEVEL_RANK), pl.col("name").alias(c.LEVEL_NAME))
    running = (pl.col("start_date").is_null() | (pl.col("start_date") <= last)) & (
        pl.col("end_date").is_null() | (pl.col("end_date") >= first))
    return (frames.activities.filter(running).join(levels, on="level_id")
            .select(c.LEVEL_RANK, c.LEVEL_NAME, pl.col("ref").alias("activity_ref"),
                    pl.col("name").alias("activity_name"))
            .sort([c.LEVEL_RANK, "activity_name"], descending=[True, False]))


def gather(engine: Engine, request: PackRequest, viewer: Viewer) -> PackFigures:
    """Load one organisation and work out every figure of its pack, protected for ``viewer`` (see
    :func:`pack_viewer`). ``ValueError`` (one sentence) for an unknown organisation or period."""
    from analytics.report.plans import outreach_plan_progress

    organisation = find_organisation(engine, request.organisation_code)
    as_of = request.as_of or date.today()
    viewer = pack_viewer(viewer, organisation.id, exact=request.exact)
    frames = analytics.load_frames(engine, organisation_id=organisation.id, as_of=as_of)

    def build(ch: str) -> Representation:
        return analytics.representation_table(frames, characteristic=ch, period="quarter",
                                              baseline=request.baseline, involvement=request.involvement)

    full = protection.build_protected(build, request.characteristic, viewer, organisation.id)
    period = choose_period(full, organisation, request.period, as_of)
    period_from = quarter_label(quarter_index(period) - (QUARTERS - 1))
    rep = protection.protect(replace(full, rows=in_period_range(full.rows, period_from, period),
                                     tables=in_period_range(full.tables, period_from, period)), viewer, organisation.id)

    # the Overview's committee findings: every level and committee where a group is missing, protected as
    # figures about groups (the outreach list's priority column dropped), exactly as the dashboard reads them
    for_publication = not viewer.exact(organisation.id)
    committees = protection.protect(protection.CommitteeRows(
        outreach_columns.committee_findings(rep, frames, published=for_publication)), viewer, organisation.id)
    headlines = analytics.headlines(rep, committees=committees)
    trend = protection.protect(analytics.trend_table(rep), viewer, organisation.id)
    outreach = None
    if viewer.can("outreach", organisation.id):
        outreach = protection.protect(protection.OutreachList(
            analytics.outreach_list(rep, frames=frames, published=for_publication)), viewer, organisation.id)
    likelihood = protection.protect_likelihood(
        in_period_range(analytics.relative_likelihood(frames, characteristic=request.characteristic, period="quarter",
                                                involvement=request.involvement), period_from, period),
        viewer, organisation.id, levels=full)
    pipe = flagged_pipeline(rep)
    quality = protection.protect(protection.QualityTable(analytics.data_quality(frames, period="quarter")), viewer,
                                 organisation.id)
    quality = protection.protect(protection.QualityTable(in_period_range(quality, period_from, period)), viewer,
                                 organisation.id)

    choices, _ = fourpi.scorecard_period_choices(frames, "quarter")
    scorecard = scorecard_period = None
    if period in choices:
        scorecard_period = period
        card = fourpi.scorecard(frames, period)
        previous = fourpi.scorecard(frames, card.get_column("previous_period")[0])
        scorecard = protect_scorecard(card, previous, viewer, organisation.id)
    impact = published(fourpi.scorecard_detail(frames, "impact", period=period), viewer, organisation.id)
    return PackFigures(
        organisation=organisation, request=request, viewer=viewer, period=period, period_from=period_from,
        choices=periods_with_people(full),
        rep=rep, headlines=headlines, trend=trend, outreach=outreach, likelihood=likelihood, pipeline=pipe,
        quality=quality, scorecard=scorecard, scorecard_period=scorecard_period,
        committees=_committees(frames, period), impact=impact,
        plan_progress=outreach_plan_progress(engine, organisation.id, period), generated=as_of,
    )
