"""Optimised recruitment: with capacity for N recruits, which recruits to which committees do the most good.

An integer programme solved with ``scipy.optimize.milp``. Variables: ``x[a, g]`` recruits of group ``g`` to
activity ``a`` (whole people; ``g`` is one of the groups missing at the activity's level or on the activity
itself, or "any group"), and yes/no variables for what they achieve. The score maximised is

* 2 for each committee brought to the 4PI meeting minimum (``meeting_minimum`` service users or carers,
  2 by default) and 1 more for each brought to the ideal (``meeting_ideal``, 3);
* ``weight[g]`` for each group x level cell (or group x activity cell) moved out of under-represented or
  absent: the cell's recruits at that level (on that activity) reach its shortfall (the representation
  engine's ``shortfall``, never recomputed here). The
  weight is the group's need-weighted baseline share over its Census share, at least 1, so groups
  over-represented in mental-health services (detained more often under the Mental Health Act) count more;
* minus 0.001 per recruit, so that of two equally good plans the one with fewer recruits wins.

Subject to: at most N recruits in all. The committees' current members are the service users and carers in post
on the day (their involvements cover it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from analytics import columns as C
from analytics.baselines import BaselineSpec, baseline_shares
from analytics.loader import Frames

if TYPE_CHECKING:
    from models.settings import Settings

__all__ = [
    "ANY_GROUP",
    "RecruitmentPlan",
    "RecruitmentProblem",
    "committee_members",
    "need_weights",
    "recruitment_problem",
    "score",
    "solve_recruitment",
]

ANY_GROUP = "any"
MINIMUM_POINTS = 2.0
IDEAL_POINTS = 1.0
RECRUIT_COST = 0.001
INVOLVES_WORDS = {"service_user": "service user", "carer": "carer", "both": "service user or carer"}
ERROR_CAPACITY = "The recruitment capacity must be a whole number of people, 0 or more."


@dataclass(frozen=True)
class RecruitmentProblem:
    """``committees``: activity_ref, activity_name, kind, level_key, involves, members (every running activity;
    the meeting minimum counts for committees only). ``cells``: level_key, activity_ref (null for a whole
    level), group, group_label, shortfall, weight (the missing cells)."""

    committees: pl.DataFrame
    cells: pl.DataFrame
    capacity: int
    minimum: int = 2
    ideal: int = 3


@dataclass(frozen=True)
class RecruitmentPlan:
    """The allocation (activity_ref, activity_name, level_key, group, group_label, involves, recruits), its
    score, and what it achieves in words."""

    allocation: pl.DataFrame
    score: float
    committees_to_minimum: list[str]
    committees_to_ideal: list[str]
    cells_closed: list[tuple[str, str]]
    sentences: list[str]


def committee_members(frames: Frames, *, as_of: date) -> pl.DataFrame:
    """activity_ref, activity_name, kind, level_key, involves, members: every activity running on ``as_of``
    with the service users and carers in post that day."""
    activities = frames.activities.filter(
        (pl.col("start_date") <= as_of)
        & (pl.col("end_date").is_null() | (pl.col("end_date") >= as_of))
    )
    in_post = (
        frames.involvements.filter(
            (pl.col("start_date") <= as_of) & (pl.col("end_date").is_null() | (pl.col("end_date") >= as_of))
        )
        .group_by("activity_id")
        .agg(pl.col("person_id").n_unique().cast(pl.Int64).alias("members"))
    )
    return (
        activities.join(in_post, left_on="id", right_on="activity_id", how="left")
        .join(frames.levels.select(pl.col("id").alias("level_id"), pl.col("key").alias(C.LEVEL_KEY)), on="level_id")
        .select(
            pl.col("ref").alias("activity_ref"),
            pl.col("name").alias("activity_name"),
            "kind",
            C.LEVEL_KEY,
            "involves",
            pl.col("members").fill_null(0),
        )
        .sort("activity_ref")
    )


def _settings() -> Settings:
    """The deployment's settings (imported late: ``import analytics`` stays free of the database code)."""
    from models.settings import get_settings

    return get_settings()


def need_weights(frames: Frames, characteristic: str, settings: Settings | None = None) -> pl.DataFrame:
    """group, weight: need-weighted baseline share / Census share, at least 1 (1 for every group when the
    characteristic has no need-weighted baseline)."""
    settings = settings or _settings()
    try:
        need, _ = baseline_shares(frames, (characteristic,), BaselineSpec(kind="need_weighted"), settings)
        census, _ = baseline_shares(frames, (characteristic,), BaselineSpec(kind="census"), settings)
    except ValueError:
        return pl.DataFrame(schema={C.GROUP: pl.String, "weight": pl.Float64})
    return need.join(census, on=C.GROUP, suffix="_census").select(
        C.GROUP,
        pl.max_horizontal(pl.lit(1.0), pl.col(C.BASELINE_SHARE) / pl.col(f"{C.BASELINE_SHARE}_census"))
        .fill_nan(1.0)
        .alias("weight"),
    )


def recruitment_problem(
    outreach: pl.DataFrame,
    committees: pl.DataFrame,
    weights: pl.DataFrame,
    *,
    capacity: int,
    settings: Settings | None = None,
) -> RecruitmentProblem:
    """The problem from the outreach list (missing group x level and group x activity cells with their
    shortfall), the activities and the need weights."""
    settings = settings or _settings()
    cells = (
        outreach.filter(pl.col(C.SHORTFALL).is_not_null() & (pl.col(C.SHORTFALL) > 0))
        .select(
            C.LEVEL_KEY, "activity_ref", "activity_name", C.GROUP, C.GROUP_LABEL, pl.col(C.SHORTFALL).cast(pl.Int64)
        )
        .join(weights, on=C.GROUP, how="left")
        .with_columns(pl.col("weight").fill_null(1.0))
    )
    return RecruitmentProblem(committees, cells, int(capacity), settings.meeting_minimum, settings.meeting_ideal)


def _pairs(problem: RecruitmentProblem) -> list[tuple[int, str]]:
    """(activity index, group) of every variable x: the groups missing at the activity's level or on the
    activity, and any group."""
    pairs: list[tuple[int, str]] = []
    for index, activity in enumerate(problem.committees.iter_rows(named=True)):
        groups = [cell[C.GROUP] for cell in problem.cells.iter_rows(named=True) if _covers(cell, activity)]
        pairs.extend((index, group) for group in dict.fromkeys(groups))
        pairs.append((index, ANY_GROUP))
    return pairs


def _covers(cell: dict[str, Any], activity: dict[str, Any]) -> bool:
    """True when a recruit to ``activity`` counts for ``cell`` (same level, and the same activity if any)."""
    return cell[C.LEVEL_KEY] == activity[C.LEVEL_KEY] and cell["activity_ref"] in (None, activity["activity_ref"])


def _committee(problem: RecruitmentProblem) -> list[bool]:
    return [kind == "committee" for kind in problem.committees.get_column("kind").to_list()]


def score(problem: RecruitmentProblem, recruits: dict[tuple[int, str], int]) -> float:
    """The score of an allocation {(committee index, group): recruits}, as defined in the module text."""
    activities = problem.committees.to_dicts()
    added = [0] * len(activities)
    for (index, _), n in recruits.items():
        added[index] += n
    total = 0.0
    for activity, a, counted in zip(activities, added, _committee(problem), strict=True):
        m = activity["members"]
        if counted:
            total += MINIMUM_POINTS * (m < problem.minimum <= m + a) + IDEAL_POINTS * (m < problem.ideal <= m + a)
    for cell in problem.cells.iter_rows(named=True):
        reached = sum(n for (i, g), n in recruits.items() if g == cell[C.GROUP] and _covers(cell, activities[i]))
        if reached >= cell[C.SHORTFALL]:
            total += cell["weight"]
    return total - RECRUIT_COST * sum(recruits.values())


def solve_recruitment(problem: RecruitmentProblem) -> RecruitmentPlan:
    """The best allocation of at most ``capacity`` recruits (scipy.optimize.milp, HiGHS branch and bound)."""
    from scipy.optimize import Bounds, LinearConstraint, milp  # late: costs 0.1 s at start-up

    if problem.capacity < 0:
        raise ValueError(ERROR_CAPACITY)
    pairs = _pairs(problem)
    members = problem.committees.get_column("members").to_numpy()
    activities = problem.committees.to_dicts()
    counted = _committee(problem)
    below_min = [i for i, m in enumerate(members) if m < problem.minimum and counted[i]]
    below_ideal = [i for i, m in enumerate(members) if m < problem.ideal and counted[i]]
    cells = problem.cells.to_dicts()
    nx, ny, nz, nu = len(pairs), len(below_min), len(below_ideal), len(cells)
    n = nx + ny + nz + nu
    if nx == 0 or problem.capacity == 0:
        return _plan(problem, pairs, np.zeros(nx))
    c = np.zeros(n)
    c[:nx] = RECRUIT_COST
    c[nx : nx + ny] = -MINIMUM_POINTS
    c[nx + ny : nx + ny + nz] = -IDEAL_POINTS
    c[nx + ny + nz :] = -np.array([cell["weight"] for cell in cells])
    rows, upper = [], []
    capacity_row = np.zeros(n)
    capacity_row[:nx] = 1
    rows.append(capacity_row)
    upper.append(problem.capacity)
    for offset, chosen, need in ((nx, below_min, problem.minimum), (nx + ny, below_ideal, problem.ideal)):
        for k, index in enumerate(chosen):
            row = np.zeros(n)
            row[[j for j, (i, _) in enumerate(pairs) if i == index]] = -1
            row[offset + k] = need
            rows.append(row)
            upper.append(members[index])
    for k, cell in enumerate(cells):
        row = np.zeros(n)
        row[[j for j, (i, g) in enumerate(pairs) if g == cell[C.GROUP] and _covers(cell, activities[i])]] = -1
        row[nx + ny + nz + k] = cell[C.SHORTFALL]
        rows.append(row)
        upper.append(0)
    high = np.concatenate([np.full(nx, problem.capacity), np.ones(ny + nz + nu)])
    result = milp(
        c,
        constraints=LinearConstraint(np.array(rows), -np.inf, np.array(upper, dtype=float)),
        integrality=np.ones(n),
        bounds=Bounds(np.zeros(n), high),
    )
    if not result.success:  # pragma: no cover - the problem always has the zero solution
        raise ValueError(f"The recruitment plan could not be solved: {result.message}")
    return _plan(problem, pairs, np.round(result.x[:nx]))


def _plan(problem: RecruitmentProblem, pairs: list[tuple[int, str]], x: np.ndarray) -> RecruitmentPlan:
    recruits = {pair: int(v) for pair, v in zip(pairs, x, strict=True) if v > 0}
    committees = problem.committees.to_dicts()
    labels = {row[C.GROUP]: row[C.GROUP_LABEL] for row in problem.cells.iter_rows(named=True)}
    rows = [
        {
            "activity_ref": committees[i]["activity_ref"],
            "activity_name": committees[i]["activity_name"],
            C.LEVEL_KEY: committees[i][C.LEVEL_KEY],
            C.GROUP: None if g == ANY_GROUP else g,
            C.GROUP_LABEL: "any group" if g == ANY_GROUP else labels.get(g, g),
            "involves": committees[i]["involves"],
            "recruits": n,
        }
        for (i, g), n in sorted(recruits.items(), key=lambda item: (-item[1], item[0][0], item[0][1]))
    ]
    allocation = pl.DataFrame(
        rows,
        schema={"activity_ref": pl.String, "activity_name": pl.String, C.LEVEL_KEY: pl.String, C.GROUP: pl.String,
                C.GROUP_LABEL: pl.String, "involves": pl.String, "recruits": pl.Int64},
    )
    added = [0] * len(committees)
    for (i, _), n in recruits.items():
        added[i] += n
    counted = _committee(problem)
    to_min = [c["activity_name"] for c, a, k in zip(committees, added, counted, strict=True)
              if k and c["members"] < problem.minimum <= c["members"] + a]
    to_ideal = [c["activity_name"] for c, a, k in zip(committees, added, counted, strict=True)
                if k and c["members"] < problem.ideal <= c["members"] + a]
    closed = []
    for cell in problem.cells.iter_rows(named=True):
        reached = sum(n for (i, g), n in recruits.items() if g == cell[C.GROUP] and _covers(cell, committees[i]))
        if reached >= cell[C.SHORTFALL]:
            where = cell["activity_name"] if cell.get("activity_name") else f"{cell[C.LEVEL_KEY]} level"
            closed.append((cell[C.GROUP_LABEL], where))
    return RecruitmentPlan(allocation, score(problem, recruits), to_min, to_ideal, closed,
                           _sentences(problem, allocation, to_min, to_ideal, closed))


def _who(row: dict[str, Any]) -> str:
    person = INVOLVES_WORDS.get(row["involves"], "service user or carer")
    plural = person.replace("user or carer", "users or carers") if "or" in person else person + "s"
    noun = person if row["recruits"] == 1 else plural
    group = "" if row[C.GROUP] is None else f"{row[C.GROUP_LABEL]} "
    return f"{row['recruits']} {group}{noun}"


def _sentences(problem: RecruitmentProblem, allocation: pl.DataFrame, to_min: list[str], to_ideal: list[str],
               closed: list[tuple[str, str]]) -> list[str]:
    if allocation.height == 0:
        return [f"With capacity for {problem.capacity} recruits there is nothing to gain: every committee has "
                "its minimum and no missing group can be closed with so few people."]
    used = int(allocation.get_column("recruits").sum())
    steps = "; ".join(f"{_who(row)} to the {row['activity_name']}" for row in allocation.iter_rows(named=True))
    out = [f"Recruit {steps}."]
    out.append(
        f"This uses {used} of the {problem.capacity} places. "
        + (f"It brings {len(to_min)} committee{'s' if len(to_min) != 1 else ''} to the 4PI meeting minimum of "
           f"{problem.minimum} service users or carers ({', '.join(to_min)}). " if to_min else "")
        + (f"{len(to_ideal)} committee{' reaches' if len(to_ideal) == 1 else 's reach'} the ideal of "
           f"{problem.ideal}. "
           if to_ideal else "")
        + (f"It closes {len(closed)} gap{'s' if len(closed) != 1 else ''}: "
           + ", ".join(f"{g} on the {where}" for g, where in closed) + "." if closed else
           "No missing group can be closed within this capacity.")
    )
    out.append(
        "How it was chosen: each committee brought to the minimum scores 2 and to the ideal 1 more; each "
        "group closed at a level scores its need weight (1, or more for groups detained more often under the "
        "Mental Health Act); the plan with the highest score, then the fewest recruits, was found by integer "
        "programming."
    )
    return out
