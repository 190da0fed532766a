"""Outreach plans' progress, measured from the involvement records (never typed in).

A plan targets one group (of a characteristic, among service users, carers or both) at one level, or on one
committee of it. Its progress on a day ``d`` compares the people of that group involved there on ``d`` with
those involved the day before the plan started (so that someone who starts on the plan's first day is new):

* **joined**: involved on ``d`` and not the day before the start (new involvements since the plan started);
* **left**: involved the day before the start and not on ``d`` (leavers count against the plan);
* **net** = joined - left, which is exactly the change in the number of people of the group there.

A person is involved on a day when one of their involvements there covers it (start <= day <= end, or no end).
The burn-up (:func:`plan_series`) is the same count on a weekly grid from the day before the start (0) to
``as_of``.

The measured status (:func:`measure_plans`):

* **met** when net >= target, or when the representation status of the plan's cell (given as ``cell_status``,
  the same published status the Representation and Outreach pages show) has left under-represented or absent
  for within range or over-represented;
* **on track** when net >= floor(target x the share of the plan's time that has passed);
* **behind** otherwise (also when the target date has passed without the target being met);
* **open** before the plan's start; a plan the owner **dropped** stays dropped.

For readers who get suppressed figures, :func:`publish_progress` hides joined, left and net of 1 to
``suppress_below - 1`` people and rounds the others, and a target met by so few people reads
"met (small numbers)", without the count.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl

from analytics import columns as C
from analytics.baselines import BaselineSpec
from analytics.counting import KNOWN, PERSON_ID, STATE, eligible_people, person_groups
from analytics.loader import Frames, PlanFrames
from analytics.outreach import PRIORITY, UNIT
from analytics.representation import latest_period, representation_table
from analytics.suppression import round_expr

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from models.settings import Settings

__all__ = [
    "MET_STATUSES",
    "PLAN_PROGRESS_COLUMNS",
    "PROGRESS_COLUMNS",
    "STATUS_WORDS",
    "cell_statuses",
    "measure_plans",
    "plan_draft",
    "plan_members",
    "plan_progress",
    "plan_progress_rows",
    "plan_series",
    "progress_words",
    "publish_progress",
    "status_words",
]

REF = "ref"
DAY = "day"
JOINED = "joined"
LEFT = "left"
NET = "net"
TARGET = "target_people"
EXPECTED_BY_NOW = "expected_by_now"
ELAPSED = "elapsed"  # share of the plan's time passed, 0..1
CELL_STATUS = "cell_status"
MEASURED = "measured_status"
SMALL = "small_numbers"  # the published progress hides a count
PROGRESS_COLUMNS = (
    REF, JOINED, LEFT, NET, TARGET, EXPECTED_BY_NOW, ELAPSED, CELL_STATUS, MEASURED, SMALL,
)
STATUS_WORDS = {
    "open": "Open",
    "on_track": "On track",
    "behind": "Behind",
    "met": "Met",
    "dropped": "Dropped",
}
MET_SMALL_WORDS = "Met (small numbers)"
# The representation statuses that mean a gap is closed (leaving under-represented or absent for these).
MET_STATUSES = (C.STATUS_WITHIN_RANGE, C.STATUS_OVER)
CELL_KEYS = ("characteristic", "involvement", "level_key", "activity_ref", "group")
STEP_DAYS = 7

ERROR_AS_OF = "as_of must be a date."


def _intervals(frames: Frames) -> pl.LazyFrame:
    """person_id, activity_id, level_id, start_date, end_date of every involvement."""
    return frames.involvements.lazy().select(PERSON_ID, "activity_id", "start_date", "end_date").join(
        frames.activities.lazy().select(pl.col("id").alias("activity_id"), "level_id"), on="activity_id"
    )


def plan_members(
    plans: pl.DataFrame, frames: Frames, *, chinese_as_asian: bool = True, detail: str = "nhs"
) -> pl.DataFrame:
    """ref, person_id, start_date, end_date: the involvements of each plan's group at its level (or
    committee), for the people its involvement filter counts."""
    parts = []
    intervals = _intervals(frames)
    for (characteristic, involvement), chosen in plans.group_by(
        ["characteristic", "involvement"], maintain_order=True
    ):
        groups = (
            person_groups(eligible_people(frames, involvement), (characteristic,),
                          chinese_as_asian=chinese_as_asian, detail=detail)
            .filter(pl.col(STATE) == KNOWN)
            .select(PERSON_ID, C.GROUP)
        )
        keys = chosen.lazy().select(REF, "group", "level_id", pl.col("activity_id").alias("_plan_activity"))
        parts.append(
            intervals.join(groups, on=PERSON_ID)
            .join(keys, left_on=["level_id", C.GROUP], right_on=["level_id", "group"])
            .filter(pl.col("_plan_activity").is_null() | (pl.col("_plan_activity") == pl.col("activity_id")))
            .select(REF, PERSON_ID, "start_date", "end_date")
        )
    schema = pl.Schema({REF: pl.String, PERSON_ID: pl.Int64, "start_date": pl.Date, "end_date": pl.Date})
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.concat(parts).collect().cast(schema)


BASE = "base_day"  # the day before the plan started: who was there already


def _days(plans: pl.DataFrame, as_of: date, step_days: int) -> pl.DataFrame:
    """ref, base_day, day: the day before the plan's start, its start, every ``step_days`` after it up to
    ``as_of``, and ``as_of`` itself."""
    based = plans.select(REF, "started_on", (pl.col("started_on") - pl.duration(days=1)).alias(BASE))
    last = pl.max_horizontal("started_on", pl.lit(as_of))
    grid = based.with_columns(
        pl.date_ranges("started_on", last, interval=f"{step_days}d").alias(DAY)
    ).explode(DAY)
    ends = based.with_columns(last.alias(DAY))
    first = based.with_columns(pl.col(BASE).alias(DAY))
    return pl.concat([first, grid, ends]).unique([REF, DAY]).sort(REF, DAY).drop("started_on")


def plan_series(
    plans: pl.DataFrame,
    frames: Frames,
    *,
    as_of: date,
    step_days: int = STEP_DAYS,
    chinese_as_asian: bool = True,
    detail: str = "nhs",
) -> pl.DataFrame:
    """The burn-up: ref, day, joined, left, net, target_people and the straight line to the target
    (``on_track_line``) on a weekly grid from each plan's start to ``as_of``."""
    if not isinstance(as_of, date):
        raise ValueError(ERROR_AS_OF)
    schema = pl.Schema({REF: pl.String, DAY: pl.Date, JOINED: pl.Int64, LEFT: pl.Int64, NET: pl.Int64,
                        TARGET: pl.Int64, "on_track_line": pl.Float64})
    if plans.height == 0:
        return pl.DataFrame(schema=schema)
    members = plan_members(plans, frames, chinese_as_asian=chinese_as_asian, detail=detail)
    days = _days(plans, as_of, step_days)
    present = (
        days.join(members, on=REF)
        .filter(
            (pl.col("start_date") <= pl.col(DAY))
            & (pl.col("end_date").is_null() | (pl.col("end_date") >= pl.col(DAY)))
        )
        .select(REF, DAY, PERSON_ID, BASE)
        .unique()
    )
    at_start = present.filter(pl.col(DAY) == pl.col(BASE)).select(REF, PERSON_ID).with_columns(
        pl.lit(True).alias("_was")
    )
    start_counts = at_start.group_by(REF).agg(pl.len().cast(pl.Int64).alias("_start"))
    counted = (
        present.join(at_start, on=[REF, PERSON_ID], how="left")
        .group_by(REF, DAY)
        .agg(
            pl.col("_was").is_null().sum().cast(pl.Int64).alias(JOINED),
            pl.col("_was").is_not_null().sum().cast(pl.Int64).alias("_stayed"),
        )
    )
    targets = plans.select(REF, TARGET, "started_on", "target_date")
    span = (pl.col("target_date") - pl.col("started_on")).dt.total_days()
    passed = (pl.col(DAY) - pl.col("started_on")).dt.total_days()
    return (
        days.select(REF, DAY)
        .join(counted, on=[REF, DAY], how="left")
        .join(start_counts, on=REF, how="left")
        .join(targets, on=REF)
        .with_columns(pl.col(JOINED, "_stayed", "_start").fill_null(0))
        .with_columns((pl.col("_start") - pl.col("_stayed")).alias(LEFT))
        .with_columns((pl.col(JOINED) - pl.col(LEFT)).alias(NET))
        .with_columns((pl.col(TARGET) * (passed / span).clip(0, 1)).alias("on_track_line"))
        .select(list(schema))
        .cast(schema)
        .sort(REF, DAY)
    )


def _elapsed(as_of: date) -> pl.Expr:
    span = (pl.col("target_date") - pl.col("started_on")).dt.total_days()
    return ((pl.lit(as_of) - pl.col("started_on")).dt.total_days() / span).clip(0, 1)


def measure_plans(
    plans: pl.DataFrame,
    frames: Frames,
    *,
    as_of: date,
    cell_status: pl.DataFrame | None = None,
    chinese_as_asian: bool = True,
    detail: str = "nhs",
) -> pl.DataFrame:
    """One row per plan (``PROGRESS_COLUMNS`` plus the plan's own columns): progress on ``as_of`` and the
    measured status. ``cell_status`` (characteristic, involvement, level_key, activity_ref, group, status)
    is the published representation status of each cell; without it only the count can meet a plan."""
    series = plan_series(plans, frames, as_of=as_of, chinese_as_asian=chinese_as_asian, detail=detail)
    latest = series.sort(DAY).group_by(REF).agg(pl.col(JOINED, LEFT, NET).last())
    result = plans.join(latest, on=REF, how="left").with_columns(
        pl.col(JOINED, LEFT, NET).fill_null(0), _elapsed(as_of).alias(ELAPSED)
    )
    if cell_status is not None and cell_status.height:
        result = result.join(
            cell_status.select(*CELL_KEYS, pl.col(C.STATUS).alias(CELL_STATUS)),
            on=list(CELL_KEYS),
            how="left",
            nulls_equal=True,
        )
    else:
        result = result.with_columns(pl.lit(None, dtype=pl.String).alias(CELL_STATUS))
    expected = (pl.col(TARGET) * pl.col(ELAPSED)).floor().cast(pl.Int64)
    measured = (
        pl.when(pl.col("status") == "dropped").then(pl.lit("dropped"))
        .when(pl.lit(as_of) < pl.col("started_on")).then(pl.lit("open"))
        .when((pl.col(NET) >= pl.col(TARGET)) | pl.col(CELL_STATUS).is_in(list(MET_STATUSES))).then(pl.lit("met"))
        .when(pl.col(NET) >= expected).then(pl.lit("on_track"))
        .otherwise(pl.lit("behind"))
    )
    return result.with_columns(
        expected.alias(EXPECTED_BY_NOW), measured.alias(MEASURED), pl.lit(False).alias(SMALL)
    )


def _settings() -> Settings:
    """The deployment's settings (imported late: ``import analytics`` stays free of the database code)."""
    from models.settings import get_settings

    return get_settings()


def _published(name: str, settings: Settings) -> pl.Expr:
    size = pl.col(name).abs()
    rounded = round_expr(size, settings.rounding_base) * pl.col(name).sign()
    small = (size >= 1) & (size < settings.suppress_below)
    return pl.when(small).then(None).otherwise(rounded).cast(pl.Int64).alias(name)


def publish_progress(progress: pl.DataFrame, settings: Settings | None = None) -> pl.DataFrame:
    """The progress a restricted reader may see: joined, left and net of 1 to ``suppress_below - 1`` people
    are null (shown "*"), the others rounded; ``small_numbers`` marks a row with a hidden count."""
    settings = settings or _settings()
    out = progress.with_columns([_published(name, settings) for name in (JOINED, LEFT, NET)])
    hidden = pl.any_horizontal([pl.col(n).is_null() for n in (JOINED, LEFT, NET)])
    return out.with_columns(hidden.alias(SMALL))


def progress_words(progress: pl.DataFrame) -> pl.Expr:
    """One plain sentence per plan: "2 of 3 more people (3 joined, 1 left)", "Met (small numbers)" when a
    met target's count is hidden, "* of 3 more people" when progress is too few people to publish."""
    def count(name: str) -> pl.Expr:
        return pl.col(name).cast(pl.String).fill_null("*")

    sentence = pl.format("{} of {} more people ({} joined, {} left)", count(NET), pl.col(TARGET), count(JOINED),
                         count(LEFT))
    return (
        pl.when((pl.col(MEASURED) == "met") & pl.col(SMALL)).then(pl.lit(MET_SMALL_WORDS))
        .when(pl.col(SMALL)).then(pl.format("Too few people to publish, of {} more people", pl.col(TARGET)))
        .otherwise(sentence)
        .alias("progress_words")
    )


def status_words(progress: pl.DataFrame) -> pl.Expr:
    """The measured status in words; "Met (small numbers)" when the count behind it is hidden."""
    return (
        pl.when((pl.col(MEASURED) == "met") & pl.col(SMALL)).then(pl.lit(MET_SMALL_WORDS))
        .otherwise(pl.col(MEASURED).replace_strict(STATUS_WORDS, default=pl.col(MEASURED)))
        .alias("status_words")
    )


# The board pack's columns (analytics.report.plans on the boardpack branch reads these; extra ones are kept).
PLAN_PROGRESS_COLUMNS = ("plan", "where", "group", "target", "progress", "status", "owner", "next_action")


def plan_progress_rows(
    plans: PlanFrames,
    frames: Frames,
    *,
    as_of: date,
    cell_status: pl.DataFrame | None = None,
    publish: bool = True,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """One row per plan that is not dropped, in words (``PLAN_PROGRESS_COLUMNS``), from published figures
    unless ``publish`` is False: the plan, where, the group, the target and its date, progress with its status,
    the owner and the next open action."""
    settings = settings or _settings()
    active = plans.plans.filter(pl.col("status") != "dropped")
    progress = measure_plans(active, frames, as_of=as_of, cell_status=cell_status,
                             chinese_as_asian=settings.chinese_as_asian)
    if publish:
        progress = publish_progress(progress, settings)
    next_action = (
        plans.actions.filter(pl.col("done_on").is_null())
        .sort("due_date")
        .group_by("plan_ref", maintain_order=True)
        .first()
        .select(pl.col("plan_ref").alias(REF), pl.format("{} (due {})", "action", "due_date").alias("next_action"))
    )
    return (
        progress.join(next_action, on=REF, how="left")
        .with_columns(progress_words(progress), status_words(progress))
        .select(
            pl.col(REF).alias("plan"),
            pl.coalesce("activity_name", "level_name").alias("where"),
            pl.col("group"),
            pl.format("{} more by {}", TARGET, "target_date").alias("target"),
            pl.format("{} · {}", "progress_words", "status_words").alias("progress"),
            pl.col("status_words").alias("status"),
            pl.coalesce("owner_team", "owner_email").fill_null("(no owner)").alias("owner"),
            pl.col("next_action").fill_null("(none open)"),
        )
    )


def cell_statuses(
    frames: Frames, plans: pl.DataFrame, *, period: str | None = None, settings: Settings | None = None
) -> pl.DataFrame:
    """characteristic, involvement, level_key, activity_ref (null), group, status: the representation engine's
    status of each plan's group at its level against the Census 2021 baseline, in ``period`` (a quarter such
    as 2026-Q3; the latest when None). The dashboard passes the statuses of the baseline chosen instead."""
    settings = settings or _settings()
    parts = []
    for characteristic, involvement in plans.select("characteristic", "involvement").unique().iter_rows():
        rep = representation_table(frames, characteristic, period="quarter", baseline=BaselineSpec(kind="census"),
                                   involvement=involvement, settings=settings)
        chosen = period or latest_period(rep.rows)
        parts.append(rep.rows.filter(pl.col(C.PERIOD) == chosen).select(
            pl.lit(characteristic).alias("characteristic"), pl.lit(involvement).alias("involvement"), C.LEVEL_KEY,
            pl.lit(None, dtype=pl.String).alias("activity_ref"), C.GROUP, C.STATUS,
        ))
    return pl.concat(parts) if parts else pl.DataFrame()


def period_end(period: str) -> date:
    """The last day of a quarter ("2026-Q3" -> 2026-09-30) or a year ("2026" -> 2026-12-31)."""
    if "-Q" in period:
        year, quarter = period.split("-Q")
        return _quarter_end(date(int(year), int(quarter) * 3, 1))
    return date(int(period), 12, 31)


def plan_progress(
    engine: Engine, *, organisation_id: int, period: str, publish: bool = True, settings: Settings | None = None
) -> pl.DataFrame:
    """The board pack's hook: the organisation's plans' progress at the end of ``period`` (a quarter such as
    2026-Q3, or a year), one row per plan that is not dropped (``PLAN_PROGRESS_COLUMNS``), from published
    figures unless ``publish`` is False. A plan is met automatically when its group's status at the level (Census
    2021 baseline) has left under-represented or absent."""
    from analytics.loader import load_frames, load_plans

    settings = settings or _settings()
    plans = load_plans(engine, organisation_id)
    if plans.plans.height == 0:
        return pl.DataFrame(schema={name: pl.String for name in PLAN_PROGRESS_COLUMNS})
    frames = load_frames(engine, organisation_id=organisation_id)
    return plan_progress_rows(
        plans, frames, as_of=period_end(period), publish=publish, settings=settings,
        cell_status=cell_statuses(frames, plans.plans, period=period, settings=settings),
    )


def _quarter_end(day: date) -> date:
    month = ((day.month - 1) // 3 + 1) * 3
    first_next = date(day.year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def plan_draft(
    gap: dict[str, Any], *, today: date, characteristic: str, involvement: str = "all"
) -> dict[str, Any]:
    """A new plan's fields pre-filled from one row of the outreach list: the group, the level (and
    committee), the shortfall in people as the target, and a year from today (to the quarter's end) to do it."""
    people = gap.get(C.SHORTFALL)
    target = max(1, int(people)) if people is not None and not math.isnan(float(people)) else 1
    where = gap.get("activity_name") or gap.get(C.LEVEL_NAME)
    by = _quarter_end(date(today.year + 1, today.month, min(today.day, 28)))
    quarter = f"{by.year}-Q{(by.month - 1) // 3 + 1}"
    return {
        "title": f"{target} more {'person' if target == 1 else 'people'} from {gap.get(C.GROUP_LABEL)} "
        f"on the {where} by {quarter}",
        "characteristic": characteristic,
        "group": gap.get(C.GROUP),
        "involvement": involvement,
        "level_key": gap.get(C.LEVEL_KEY),
        "activity_ref": gap.get("activity_ref"),
        "target_people": target,
        "started_on": today,
        "target_date": by,
    }


def plans_on_gaps(gaps: pl.DataFrame, plan_frames: PlanFrames, progress: pl.DataFrame | None,
                  characteristic: str) -> pl.DataFrame:
    """The plan on each gap of an outreach list (same group, level and committee, and the characteristic
    shown), by the gap's priority: ref, status_words (the measured status, when ``progress`` has it),
    target_people, target_date and owner (the team, else the person); nulls where a gap has no plan."""
    rows = plan_frames.plans.filter(pl.col("characteristic") == characteristic)
    if progress is not None and progress.height:
        rows = rows.join(progress.select("ref", "status_words"), on="ref", how="left")
    else:
        rows = rows.with_columns(pl.lit(None, dtype=pl.String).alias("status_words"))
    keyed = gaps.select(PRIORITY, C.LEVEL_KEY, C.GROUP, pl.col("activity_ref").alias("_activity"))
    by_cell = rows.select(
        C.LEVEL_KEY, C.GROUP, pl.col("activity_ref").alias("_activity"), "ref", "status_words", "target_people",
        "target_date", pl.coalesce("owner_team", "owner_email").alias("owner"),
    ).unique([C.LEVEL_KEY, C.GROUP, "_activity"], keep="first")
    joined = keyed.join(by_cell, on=[C.LEVEL_KEY, C.GROUP, "_activity"], how="left", nulls_equal=True)
    return joined.drop(C.LEVEL_KEY, C.GROUP, "_activity")


PLAN_CELL = ("characteristic", "involvement", C.LEVEL_KEY, "activity_ref", C.GROUP)


def cell_status(characteristic: str, involvement: str, rows: pl.DataFrame, gaps: pl.DataFrame) -> pl.DataFrame:
    """The status of every cell a plan can aim at, for one characteristic and who is counted: each level's
    groups in the latest period of ``rows`` (a representation), and each committee's groups on the outreach
    list ``gaps`` (a committee's status is known only while it is there: under or absent). Columns
    :data:`PLAN_CELL` and status."""
    keys = (pl.lit(characteristic).alias("characteristic"), pl.lit(involvement).alias("involvement"))
    period = latest_period(rows)
    latest = rows.filter(pl.col(C.PERIOD) == period) if period is not None else rows.clear()
    parts = [latest.select(*keys, C.LEVEL_KEY, pl.lit(None, dtype=pl.String).alias("activity_ref"), C.GROUP,
                           C.STATUS)]
    if gaps.height:
        parts.append(gaps.filter(pl.col(UNIT) == "activity").select(*keys, C.LEVEL_KEY, "activity_ref", C.GROUP,
                                                                     C.STATUS))
    return pl.concat(parts, how="vertical_relaxed")


def combine_cell_status(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """:func:`cell_status` of every characteristic and who is counted that the plans use, one row per cell."""
    if not parts:
        return pl.DataFrame()
    return pl.concat(parts, how="vertical_relaxed").unique(list(PLAN_CELL), keep="first")
