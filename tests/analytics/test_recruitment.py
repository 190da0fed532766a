"""Optimised recruitment (scipy.optimize.milp) against brute force, and a case worked out by hand."""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np
import polars as pl
import pytest

from analytics import columns as C
from analytics.loader import make_frames
from analytics.recruitment import (
    RecruitmentProblem,
    committee_members,
    recruitment_problem,
    solve_recruitment,
)

COMMITTEE_SCHEMA = {"activity_ref": pl.String, "activity_name": pl.String, "kind": pl.String,
                    C.LEVEL_KEY: pl.String, "involves": pl.String, "members": pl.Int64}
CELL_SCHEMA = {C.LEVEL_KEY: pl.String, "activity_ref": pl.String, "activity_name": pl.String, C.GROUP: pl.String,
               C.GROUP_LABEL: pl.String, C.SHORTFALL: pl.Int64, "weight": pl.Float64}


def brute_force_best(problem: RecruitmentProblem) -> float:
    """Written independently of the solver: try every way of placing at most ``capacity`` recruits (each of a
    group missing somewhere, or of any group) on the activities, and score it from the definition."""
    committees = problem.committees.to_dicts()
    cells = problem.cells.to_dicts()
    groups = sorted({c[C.GROUP] for c in cells}) + [None]
    slots = [(i, g) for i in range(len(committees)) for g in groups]
    best = -np.inf
    for size in range(problem.capacity + 1):
        for placed in itertools.combinations_with_replacement(slots, size):
            added = [0] * len(committees)
            for i, _ in placed:
                added[i] += 1
            value = 0.0
            for committee, a in zip(committees, added, strict=True):
                if committee["kind"] != "committee":
                    continue
                m = committee["members"]
                value += 2 * (m < problem.minimum <= m + a) + 1 * (m < problem.ideal <= m + a)
            for cell in cells:
                reached = sum(
                    1 for i, g in placed
                    if g == cell[C.GROUP] and committees[i][C.LEVEL_KEY] == cell[C.LEVEL_KEY]
                    and cell["activity_ref"] in (None, committees[i]["activity_ref"])
                )
                value += cell["weight"] * (reached >= cell[C.SHORTFALL])
            best = max(best, value - 0.001 * size)
    return best


def random_problem(seed: int) -> RecruitmentProblem:
    rng = np.random.default_rng(seed)
    levels = ["strategic", "board"]
    n_committees = int(rng.integers(1, 4))
    committees = pl.DataFrame(
        [
            (f"A{i}", f"Committee {i}", "committee" if rng.random() < 0.8 else "project",
             levels[int(rng.integers(0, 2))], "both", int(rng.integers(0, 4)))
            for i in range(n_committees)
        ],
        schema=COMMITTEE_SCHEMA, orient="row",
    )
    cells = []
    for level in levels:
        for group in ("Black", "Asian"):
            if rng.random() < 0.6:
                on_one = rng.random() < 0.3 and n_committees > 0
                ref = f"A{int(rng.integers(0, n_committees))}" if on_one else None
                cells.append((level, ref, ref, group, group, int(rng.integers(1, 3)),
                              float(np.round(rng.uniform(1, 2.5), 2))))
    frame = pl.DataFrame(cells, schema=CELL_SCHEMA, orient="row").unique(
        [C.LEVEL_KEY, "activity_ref", C.GROUP], keep="first", maintain_order=True)
    return RecruitmentProblem(committees, frame, capacity=int(rng.integers(1, 5)))


@pytest.mark.parametrize("seed", range(24))
def test_the_optimum_matches_brute_force(seed):
    problem = random_problem(seed)
    plan = solve_recruitment(problem)
    assert plan.score == pytest.approx(brute_force_best(problem), abs=1e-6)
    assert int(plan.allocation.get_column("recruits").sum()) <= problem.capacity


def test_a_case_worked_by_hand():
    # The Strategy Board has 1 member (below the minimum of 2), the Board 3. Black people are missing at
    # strategic level (2 people, weight 1.95) and Asian people on the Board (1 person, weight 1).
    # With 2 recruits: 2 Black recruits to the Strategy Board score 2 (minimum) + 1 (ideal) + 1.95 = 4.95,
    # against e.g. 1 Black to the Strategy Board and 1 Asian to the Board: 2 + 1 = 3.
    committees = pl.DataFrame(
        [("SB", "Strategy Board", "committee", "strategic", "both", 1),
         ("BD", "Board", "committee", "board", "service_user", 3)],
        schema=COMMITTEE_SCHEMA, orient="row",
    )
    cells = pl.DataFrame(
        [("strategic", None, None, "Black", "Black or Black British", 2, 1.95),
         ("board", None, None, "Asian", "Asian or Asian British", 1, 1.0)],
        schema=CELL_SCHEMA, orient="row",
    )
    plan = solve_recruitment(RecruitmentProblem(committees, cells, capacity=2))
    assert plan.allocation.select("activity_ref", C.GROUP, "recruits").rows() == [("SB", "Black", 2)]
    assert plan.score == pytest.approx(4.95 - 0.002)
    assert plan.committees_to_minimum == ["Strategy Board"]
    assert plan.sentences[0] == "Recruit 2 Black or Black British service users or carers to the Strategy Board."
    # With 3: the Asian gap on the Board closes too (4.95 + 1 - 0.003)
    three = solve_recruitment(RecruitmentProblem(committees, cells, capacity=3))
    assert three.score == pytest.approx(5.95 - 0.003)
    assert ("Asian or Asian British", "board level") in three.cells_closed


def test_nothing_to_gain_says_so():
    committees = pl.DataFrame([("BD", "Board", "committee", "board", "both", 3)], schema=COMMITTEE_SCHEMA,
                              orient="row")
    plan = solve_recruitment(RecruitmentProblem(committees, pl.DataFrame(schema=CELL_SCHEMA), capacity=4))
    assert plan.allocation.height == 0 and "nothing to gain" in plan.sentences[0]


def test_negative_capacity_is_refused():
    with pytest.raises(ValueError, match="capacity"):
        solve_recruitment(RecruitmentProblem(pl.DataFrame(schema=COMMITTEE_SCHEMA),
                                             pl.DataFrame(schema=CELL_SCHEMA), capacity=-1))


def test_problem_from_the_outreach_list_and_the_records():
    levels = pl.DataFrame({"id": [1], "rank": [4], "key": ["strategic"], "name": ["Strategic"]})
    activities = pl.DataFrame({"id": [10, 11], "level_id": [1, 1], "ref": ["SB", "OLD"],
                               "name": ["Strategy Board", "Closed group"], "kind": "committee", "involves": "both",
                               "start_date": date(2020, 1, 1), "end_date": [None, date(2021, 1, 1)]})
    involvements = pl.DataFrame({"person_id": [1, 2, 3], "activity_id": [10, 10, 10],
                                 "start_date": [date(2020, 1, 1)] * 3,
                                 "end_date": [None, date(2024, 12, 31), None]})
    frames = make_frames(levels=levels, activities=activities, involvements=involvements)
    members = committee_members(frames, as_of=date(2025, 6, 1))
    assert members.select("activity_ref", "members").rows() == [("SB", 2)]  # person 2 has left; OLD closed
    outreach = pl.DataFrame({"unit": ["level", "level"], C.LEVEL_KEY: ["strategic"] * 2,
                             "activity_ref": [None, None], "activity_name": [None, None],
                             C.GROUP: ["Black", "White"], C.GROUP_LABEL: ["Black", "White"],
                             C.SHORTFALL: [2, None]}, schema_overrides={"activity_ref": pl.String,
                                                                       "activity_name": pl.String})
    weights = pl.DataFrame({C.GROUP: ["Black"], "weight": [1.95]})
    problem = recruitment_problem(outreach, members, weights, capacity=3)
    assert problem.cells.select(C.GROUP, C.SHORTFALL, "weight").rows() == [("Black", 2, 1.95)]  # hidden dropped
