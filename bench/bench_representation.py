"""Benchmark: the full representation table (every level x quarter x characteristic) for the demo trust.

    .venv/bin/python bench/bench_representation.py --scale 100 [--source plan|db] [--repeat 3]

``--source plan`` (default) builds the demo trust in memory with ``data.demo.build_demo`` and turns it
into ``Frames`` directly; ``--source db`` seeds it into a temporary SQLite file with ``seed_demo`` and reads
it back with ``load_frames`` (slower to prepare; the timed part is the same). Only ``representation_tables``
(counting, baselines, statistics) is timed; preparation and loading are reported separately.

When ``data/baselines.py`` (the shipped Census tables) is not importable, a stand-in Census baseline built
from the demo's catchment ethnicity mix is used for ethnicity, and the other characteristics get no
baseline; the statistics still run for every row that has one.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import types
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics import baselines as baseline_module  # noqa: E402
from analytics import columns as C  # noqa: E402
from analytics.loader import Frames, load_frames, make_frames  # noqa: E402
from analytics.representation import representation_tables  # noqa: E402
from data import (
    codes,  # noqa: E402
    demo,  # noqa: E402
)
from models.seeding import seed_demo  # noqa: E402
from models.settings import Settings  # noqa: E402


def frames_from_plan(scale: int, seed: int) -> Frames:
    """The demo trust as Frames without a database (keys become ids)."""
    plan = demo.build_demo(scale=scale, seed=seed)
    levels = pl.DataFrame(
        [(i + 1, rank, key, name, dm) for i, (rank, key, name, dm) in enumerate(codes.DEFAULT_LEVELS)],
        schema=["id", "rank", "key", "name", "decision_making"],
        orient="row",
    )
    level_ids = dict(zip(levels["key"], levels["id"], strict=True))
    return make_frames(
        organisation=pl.DataFrame(
            {"id": [1], "code": ["DEMO"], "name": [demo.DEMO_NAME], "catchment": [list(demo.CATCHMENT)]}
        ),
        levels=levels,
        activities=plan.activities.with_columns(
            pl.col("activity_key").alias("id"), pl.col("level").replace_strict(level_ids).alias("level_id")
        ),
        people=plan.people.with_columns(pl.col("person_key").alias("id")),
        involvements=plan.involvements.with_row_index("id").with_columns(
            pl.col("person_key").alias("person_id"), pl.col("activity_key").alias("activity_id")
        ),
        meetings=plan.meetings.with_columns(
            pl.col("meeting_key").alias("id"), pl.col("activity_key").alias("activity_id")
        ),
        attendance=plan.attendance.with_row_index("id").with_columns(
            pl.col("meeting_key").alias("meeting_id"), pl.col("person_key").alias("person_id")
        ),
    )


def frames_from_database(scale: int, seed: int, folder: Path) -> Frames:
    from models.db import get_engine, upgrade_schema

    engine = get_engine(f"sqlite:///{folder / 'bench.db'}")
    upgrade_schema(engine)
    summary = seed_demo(engine=engine, scale=scale, seed=seed)
    start = time.perf_counter()
    frames = load_frames(engine, organisation_id=summary.organisation_id)
    print(f"load_frames from SQLite: {time.perf_counter() - start:.2f} s")
    return frames


def _stand_in_reference() -> types.SimpleNamespace:
    shares = demo.CATCHMENT_ETHNICITY_SHARES

    def area_baseline(area_codes, characteristic):
        return pl.DataFrame({"group": list(shares), "count": [v * 1_000_000 for v in shares.values()]})

    reference = pl.DataFrame(
        {"geography_code": list(demo.CATCHMENT), "geography_name": list(demo.CATCHMENT.values())}
    ).with_columns(pl.lit("ethnicity").alias("characteristic"))
    return types.SimpleNamespace(area_baseline=area_baseline, reference_baselines=lambda: reference)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--source", choices=("plan", "db"), default="plan")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    characteristics = C.CHARACTERISTICS
    try:
        import data.baselines  # noqa: F401

        baseline_note = "shipped Census 2021 baselines (data/baselines.py)"
    except ImportError:
        stand_in = _stand_in_reference()
        baseline_module._reference = lambda: stand_in
        baseline_note = (
            "stand-in ethnicity baseline (data/baselines.py not present); others without a baseline"
        )

    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        if args.source == "db":
            frames = frames_from_database(args.scale, args.seed, Path(folder))
        else:
            frames = frames_from_plan(args.scale, args.seed)
    prepared = time.perf_counter() - start
    settings = Settings(database_url="sqlite:///:memory:")

    def run():
        return representation_tables(
            frames, characteristics=characteristics, period="quarter", settings=settings
        )

    timings, rep = [], None
    for _ in range(args.repeat):
        start = time.perf_counter()
        rep = run()
        timings.append(time.perf_counter() - start)

    print(
        f"people {frames.people.height:,}; involvements {frames.involvements.height:,}; "
        f"attendance {frames.attendance.height:,}; prepared ({args.source}) in {prepared:.1f} s"
    )
    print(f"baseline: {baseline_note}")
    print(
        f"rows {rep.rows.height:,} (levels x quarters x groups over {len(characteristics)} characteristics); "
        f"tables {rep.tables.height:,}"
    )
    print(
        f"representation table: best {min(timings):.2f} s, median {statistics.median(timings):.2f} s "
        f"over {args.repeat} runs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
