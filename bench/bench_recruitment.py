"""Benchmark: the optimised recruitment plan (scipy.optimize.milp) for the demo trust.

    .venv/bin/python bench/bench_recruitment.py [--scale 1] [--capacity 6 12 25 50] [--repeat 5]

Seeds the demo trust into a temporary SQLite file (with the shipped Census baselines), builds the outreach list
for broad ethnic groups (Census baseline, quarters) and the need weights, then times ``solve_recruitment`` alone
(the integer programme) and the whole chain the Outreach page runs (members in post, need weights, problem,
solve), for each capacity. Preparation is reported separately and not timed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics import BaselineSpec, load_frames, outreach_list, representation_table  # noqa: E402
from analytics.recruitment import (  # noqa: E402
    _pairs,
    committee_members,
    need_weights,
    recruitment_problem,
    solve_recruitment,
)
from data.demo import WINDOW_END  # noqa: E402
from models.db import get_engine, upgrade_schema  # noqa: E402
from models.seeding import load_reference_baselines, seed_demo  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--capacity", type=int, nargs="+", default=[6, 12, 25, 50])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    engine = get_engine(f"sqlite:///{tempfile.mkdtemp()}/bench.db")
    upgrade_schema(engine)
    load_reference_baselines(engine)
    seed_demo(engine=engine, scale=args.scale)
    frames = load_frames(engine, organisation_id=1)
    rep = representation_table(frames, "ethnicity_broad", period="quarter", baseline=BaselineSpec(kind="census"))
    gaps = outreach_list(rep, frames)
    print(f"prepared in {time.perf_counter() - started:.1f} s: {frames.activities.height} activities, "
          f"{gaps.height} gaps")
    as_of = WINDOW_END if date.today() > WINDOW_END else date.today()
    for capacity in args.capacity:
        solve_times, chain_times = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            problem = recruitment_problem(gaps, committee_members(frames, as_of=as_of),
                                          need_weights(frames, "ethnicity_broad"), capacity=capacity)
            t1 = time.perf_counter()
            plan = solve_recruitment(problem)
            t2 = time.perf_counter()
            solve_times.append(t2 - t1)
            chain_times.append(t2 - t0)
        members = problem.committees.get_column("members")
        committee = problem.committees.get_column("kind") == "committee"
        variables = (len(_pairs(problem)) + int(((members < problem.minimum) & committee).sum())
                     + int(((members < problem.ideal) & committee).sum()) + problem.cells.height)
        print(f"capacity {capacity}: {problem.committees.height} activities, {problem.cells.height} gaps, "
              f"{variables} integer variables; solve best {min(solve_times) * 1000:.1f} ms, median "
              f"{statistics.median(solve_times) * 1000:.1f} ms; whole chain median "
              f"{statistics.median(chain_times) * 1000:.1f} ms; score {plan.score:.3f}, "
              f"{int(plan.allocation.get_column('recruits').sum()) if plan.allocation.height else 0} recruits")


if __name__ == "__main__":
    main()
