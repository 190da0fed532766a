"""Benchmark: reading one organisation's frames, Arrow-native (ADBC, ``analytics.load_frames``) against the
SQLAlchemy row reads it replaced, in alternating pairs on the same database.

    .venv/bin/python bench/bench_load.py --url sqlite:////tmp/s100.db [--url postgresql://...] [--pairs 3]

The database must already hold the demo trust (``presence demo --scale 100``, or ``bench/seed.py``).
Also prints the 4PI loader's time (Arrow-native only).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics import loader  # noqa: E402
from analytics.loader_4pi import load_frames_4pi  # noqa: E402
from models.db import get_engine  # noqa: E402


def sqlalchemy_rows(engine, organisation_id: int) -> dict[str, pl.DataFrame]:
    """The loader before ADBC: SQLAlchemy rows turned into a frame row by row."""
    found = {}
    with engine.connect() as connection:
        for name, statement in loader.statements(organisation_id).items():
            rows = connection.execute(statement).all()
            found[name] = pl.DataFrame([tuple(r) for r in rows], schema=loader.SCHEMAS[name], orient="row")
    return found


def timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", required=True)
    parser.add_argument("--organisation", type=int, default=1)
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    for url in args.url:
        engine = get_engine(url)
        frames = loader.load_frames(engine, args.organisation)  # warm the drivers and the OS cache
        print(f"{engine.url.get_backend_name()}: {frames.people.height:,} people, "
              f"{frames.involvements.height:,} involvements, {frames.attendance.height:,} attendance rows")
        new, old, fourpi = [], [], []
        for _ in range(args.pairs):
            new.append(timed(loader.load_frames, engine, args.organisation))
            old.append(timed(sqlalchemy_rows, engine, args.organisation))
            fourpi.append(timed(load_frames_4pi, engine, args.organisation))
        ratios = [o / n for o, n in zip(old, new, strict=True)]
        print(f"  load_frames (ADBC)      median {statistics.median(new):.2f} s  runs {[round(x, 2) for x in new]}")
        print(f"  SQLAlchemy rows (before) median {statistics.median(old):.2f} s  runs {[round(x, 2) for x in old]}")
        print(f"  before / ADBC, per pair: {[round(r, 1) for r in ratios]}")
        print(f"  load_frames_4pi (ADBC)  median {statistics.median(fourpi):.2f} s")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
