"""Benchmark: the network view (issue 17) for 50 organisations x 5,000 people x 12 quarters, on SQLite and
PostgreSQL.

    .venv/bin/python bench/bench_network.py --url sqlite:////tmp/netcache_bench.db \
        --url postgresql+psycopg://postgres@127.0.0.1:5432/netcache_bench [--organisations 50] [--runs 3] \
        [--refresh]

Each database is prepared once (organisations ``BN01``...; skipped when they are there): each organisation is
the demo trust's generator (``data.demo.build_demo``, scale 4, one of five seeds) clipped to the 12 quarters
2023-Q4 to 2026-Q3 (involvements overlapping them, starts moved to the first day; meetings in them) and cut to
its first 5,000 people involved in that window; catchments are 50 different English local authorities. What is
timed, wall and CPU (``time.process_time``, all threads of this process):

1. **Aggregates** (once per organisation and data version; stored in the database, ``models/aggregates.py``):
   reading one organisation's records and building its published representation by quarter
   (``analytics.network.published_representation``: counting, the ethnicity family protected together, the
   decision-making levels together), its trend tests and its published 4PI scorecard, then storing them
   (``load_members(..., refresh=True)``, what ``presence network --refresh`` does). Reported as the total for
   all organisations and per organisation.
2. **First render**, in a new Python process (nothing in memory; modules imported before the clock starts):
   reading every organisation's stored aggregates (``load_members``, current data versions) and, from them,
   the funnel table (board, ethnic minority, latest quarter), the network total against the union of the
   catchments, and the benchmark table (decision-making levels together, with the trend test of every
   organisation). Reported as read + render. ``--runs`` new processes.
3. **Filter change, warm**: another level, group and quarter on the same aggregates (funnel, network total,
   benchmark table).

Nothing joins person rows across organisations: each organisation's records are read and aggregated alone.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics import network  # noqa: E402
from analytics import network_benchmark as benchmark  # noqa: E402
from analytics.network_loader import OrganisationRow, load_members, organisations  # noqa: E402
from data import demo  # noqa: E402
from models.db import get_engine, upgrade_schema  # noqa: E402
from models.seeding import load_reference_baselines, seed_plan  # noqa: E402
from models.tables import OrganisationCreate  # noqa: E402

FIRST_DAY, LAST_DAY = date(2023, 10, 1), date(2026, 9, 30)  # 12 quarters
PEOPLE = 5_000
SEEDS = (11, 12, 13, 14, 15)
MINORITY = "Ethnic minority"
T = TypeVar("T")


def _areas(n: int) -> list[str]:
    """``n`` English local authorities with Census ethnicity figures (one per organisation)."""
    census = pl.read_csv(Path(__file__).resolve().parents[1] / "data" / "baselines" / "census2021.csv",
                         columns=["geography_code", "characteristic"])
    codes = census.filter(pl.col("characteristic") == "ethnicity")["geography_code"].unique().sort()
    english = [c for c in codes.to_list() if c.startswith(("E06", "E07", "E08", "E09"))]
    return english[:: max(1, len(english) // n)][:n]


def clipped_plan(seed: int) -> demo.DemoPlan:
    """The demo trust at scale 4, clipped to the 12 quarters and cut to its first 5,000 people in them."""
    plan = demo.build_demo(scale=4, seed=seed)
    inv = plan.involvements.filter(
        (pl.col("start_date") <= LAST_DAY) & (pl.col("end_date").is_null() | (pl.col("end_date") >= FIRST_DAY))
    ).with_columns(pl.max_horizontal(pl.col("start_date"), pl.lit(FIRST_DAY)).alias("start_date"))
    people = inv.select("person_key").unique().sort("person_key").head(PEOPLE)
    inv = inv.join(people, on="person_key", how="semi")
    meetings = plan.meetings.filter(pl.col("date").is_between(FIRST_DAY, LAST_DAY))
    attendance = plan.attendance.join(meetings.select("meeting_key"), on="meeting_key", how="semi").join(
        people, on="person_key", how="semi")
    by_person = {name: getattr(plan, name).join(people, on="person_key", how="semi")
                 for name in ("people", "payments", "support")}
    return demo.DemoPlan(
        activities=plan.activities, involvements=inv, meetings=meetings, attendance=attendance,
        impacts=plan.impacts, feedback=plan.feedback, reviews=plan.reviews, caseload=plan.caseload.clear(),
        **by_person)


def prepare(url: str, n: int) -> None:
    engine = get_engine(url)
    upgrade_schema(engine)
    load_reference_baselines(engine)
    have = {row.code for row in organisations(engine)}
    wanted = [f"BN{i:02d}" for i in range(1, n + 1)]
    if set(wanted) <= have:
        return
    plans = {seed: clipped_plan(seed) for seed in SEEDS}
    for i, (code, area) in enumerate(zip(wanted, _areas(n), strict=True)):
        if code in have:
            continue
        plan = plans[SEEDS[i % len(SEEDS)]]
        seed_plan(engine=engine, plan=plan, organisation=OrganisationCreate(
            code=code, name=f"Bench organisation {code}", catchment=[area]))
        print(f"  seeded {code} ({area}): {plan.people.height:,} people", flush=True)


def timed(work: Callable[[], T]) -> tuple[T, float, float]:
    """``work()``, its wall time and this process's CPU time (seconds)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def render(members: list[network.Member], level: str, group: str, period: str | None) -> int:
    figures = network.organisation_figures(members, level=level, group=group, period=period)
    funnel = network.funnel_table(figures)
    network.funnel_sentence(funnel)
    network.network_total(figures, members)
    table = benchmark.benchmark_table(members, group=group, period=period)
    return funnel.height + table.height


def _chosen(url: str, n: int) -> list[OrganisationRow]:
    return [row for row in organisations(get_engine(url)) if row.code.startswith("BN")][:n]


def _load(url: str, chosen: list[OrganisationRow], refresh: bool = False) -> list[network.Member]:
    return load_members(get_engine(url), chosen, characteristic="ethnicity_binary", period="quarter",
                        scorecards=True, refresh=refresh)


def first_render(url: str, n: int) -> dict[str, float]:
    """In this (new) process: read the stored aggregates and render; wall and CPU of each step (seconds)."""
    chosen = _chosen(url, n)
    members, read_wall, read_cpu = timed(lambda: _load(url, chosen))
    _, wall, cpu = timed(lambda: render(members, "board", MINORITY, None))
    return {"read_wall": read_wall, "read_cpu": read_cpu, "render_wall": wall, "render_cpu": cpu,
            "wall": read_wall + wall, "cpu": read_cpu + cpu}


def run(url: str, n: int, runs: int, refresh: bool) -> None:
    chosen = _chosen(url, n)
    kind = url.split(":")[0]
    print(f"{kind}: {len(chosen)} organisations; load average {os.getloadavg()[0]:.1f}", flush=True)
    if refresh:
        members, wall, cpu = timed(lambda: _load(url, chosen, refresh=True))
        print(f"  aggregates computed and stored (all {len(chosen)} organisations): wall {wall:.1f} s, CPU "
              f"{cpu:.1f} s; per organisation {wall / len(chosen):.2f} s wall, {cpu / len(chosen):.2f} s CPU",
              flush=True)
    firsts = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, __file__, "--url", url, "--organisations", str(n), "--first-render"],
                             check=True, capture_output=True, text=True).stdout
        firsts.append(json.loads(out.strip().splitlines()[-1]))
    for f in firsts:
        print(f"  first render (new process, aggregates stored): wall {f['wall'] * 1000:.0f} ms (read "
              f"{f['read_wall'] * 1000:.0f} ms + render {f['render_wall'] * 1000:.0f} ms), CPU "
              f"{f['cpu'] * 1000:.0f} ms", flush=True)
    members = _load(url, chosen)
    quarters = sorted(members[0].representation.rows["period"].unique().to_list())
    print(f"  {len(quarters)} quarters ({quarters[0]} to {quarters[-1]})", flush=True)
    render(members, "board", MINORITY, None)
    changes = []
    for _ in range(runs):
        _, wall, cpu = timed(lambda: render(members, network.DECISION_MAKING, "White", quarters[-2]))
        changes.append((wall, cpu))
    for name, values in (("first render", [(f["wall"], f["cpu"]) for f in firsts]),
                         ("filter change (warm)", changes)):
        walls = [w for w, _ in values]
        print(f"  {name}: wall best {min(walls) * 1000:.0f} ms, median {statistics.median(walls) * 1000:.0f} ms; "
              f"CPU median {statistics.median(c for _, c in values) * 1000:.0f} ms; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", action="append", required=True)
    parser.add_argument("--organisations", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--refresh", action="store_true",
                        help="compute and store every organisation's aggregates first (timed)")
    parser.add_argument("--first-render", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.first_render:
        print(json.dumps(first_render(args.url[0], args.organisations)))
        return
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; command: {' '.join(sys.argv)}")
    for url in args.url:
        prepare(url, args.organisations)
        run(url, args.organisations, args.runs, args.refresh)


if __name__ == "__main__":
    main()
