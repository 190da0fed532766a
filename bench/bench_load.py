"""Benchmark: reading one organisation's frames (``analytics.load_frames``: ADBC on PostgreSQL, raw sqlite3 on
SQLite) against the SQLAlchemy row reads it replaced, in alternating runs on the same database.

    .venv/bin/python bench/bench_load.py --url sqlite:////tmp/s100.db [--url postgresql://...] [--pairs 3]

The database must already hold the demo trust (``presence demo --scale 100``, or ``bench/seed.py``).
The 4PI tables are part of the same frames (one loader), so their time is in load_frames'.
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
from models.db import get_engine  # noqa: E402


def sqlalchemy_rows(engine, organisation_id: int) -> dict[str, pl.DataFrame]:
    """The loader before ADBC: SQLAlchemy rows turned into a frame row by row."""
    found = {}
    with engine.connect() as connection:
        for name, statement in loader.statements(organisation_id).items():
            rows = connection.execute(statement).all()
            found[name] = pl.DataFrame([tuple(r) for r in rows], schema=loader.schemas()[name], orient="row")
    return found


def adbc_sqlite(path: str, organisation_id: int) -> dict[str, pl.DataFrame]:
    """For comparison only: ADBC's SQLite driver (not used by Presence: it carries a second copy of SQLite,
    unsafe beside SQLAlchemy's in one process; see models/db.py). Needs the ``bench`` extra."""
    import adbc_driver_sqlite.dbapi

    from models.db import _sql, conform

    engine = get_engine(f"sqlite:///{path}")
    found = {}
    with adbc_driver_sqlite.dbapi.connect(path) as connection:
        for name, statement in loader.statements(organisation_id).items():
            with connection.cursor() as cursor:
                cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(1 << 30)})
                cursor.execute(_sql(engine, statement))
                found[name] = conform(pl.from_arrow(cursor.fetch_arrow_table()), loader.schemas()[name])
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
        new, old, adbc = [], [], []
        sqlite = engine.url.get_backend_name() == "sqlite"
        for _ in range(args.pairs):
            new.append(timed(loader.load_frames, engine, args.organisation))
            old.append(timed(sqlalchemy_rows, engine, args.organisation))
            if sqlite:
                adbc.append(timed(adbc_sqlite, engine.url.database, args.organisation))
        ratios = [o / n for o, n in zip(old, new, strict=True)]
        print(f"  load_frames (now)       median {statistics.median(new):.2f} s  runs {[round(x, 2) for x in new]}")
        print(f"  SQLAlchemy rows (before) median {statistics.median(old):.2f} s  runs {[round(x, 2) for x in old]}")
        print(f"  before / now, per pair: {[round(r, 1) for r in ratios]}")
        if adbc:
            print(f"  ADBC SQLite (not used)  median {statistics.median(adbc):.2f} s; now / ADBC per pair: "
                  f"{[round(n / a, 1) for n, a in zip(new, adbc, strict=True)]}")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
