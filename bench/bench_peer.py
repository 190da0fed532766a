"""Benchmark: Presence's representation engine against a DuckDB SQL peer, side by side in one process, and
the engine's peak memory.

    .venv/bin/python bench/bench_peer.py --url sqlite:////tmp/s100.db [--pairs 3] [--characteristic ethnicity_broad]
    .venv/bin/python bench/bench_peer.py --memory --url sqlite:////tmp/s100.db   # peak memory (own process)

Needs the ``bench`` extra (``pip install -e '.[bench]'``: duckdb). The peer reads the same ``Frames`` (through
Arrow, no copy) and counts with the same rules (``analytics.counting``): a person counts once per level per
quarter when an involvement at that level overlaps the quarter or they attended a meeting at that level in it;
groups, "not stated" and "not known" as ``analytics.counting.group_mapping``. It returns the counting cells
(people per level x quarter x group, and per level x quarter: people, known, not stated, not known), and the
script checks that every cell equals Presence's before timing. Presence is timed doing all of its work
(``representation_table``: counting, baselines and every statistic); the peer only counts, so the ratio is
pessimistic for Presence.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics import columns as C  # noqa: E402
from analytics.counting import _not_stated_values, group_mapping, source_column  # noqa: E402
from analytics.loader import Frames, load_frames  # noqa: E402
from analytics.representation import representation_table, representation_tables  # noqa: E402
from data import codes  # noqa: E402
from models.db import get_engine  # noqa: E402
from models.settings import Settings  # noqa: E402

SETTINGS = Settings(database_url="sqlite:///:memory:")

PEER_SQL = """
WITH attended AS (
    SELECT t.person_id, m.activity_id, m.date
    FROM attendance t JOIN meetings m ON m.id = t.meeting_id
    WHERE t.status = 'attended'
),
span AS (
    SELECT max(d) AS hi FROM (
        SELECT start_date AS d FROM involvements UNION ALL SELECT end_date FROM involvements
        UNION ALL SELECT date FROM attended
    )
),
held AS (
    SELECT i.person_id, i.activity_id,
           unnest(range(year(i.start_date) * 4 + (month(i.start_date) - 1) // 3,
                        coalesce(year(i.end_date) * 4 + (month(i.end_date) - 1) // 3,
                                 year(span.hi) * 4 + (month(span.hi) - 1) // 3) + 1)) AS q
    FROM involvements i, span
),
present AS (
    SELECT DISTINCT x.person_id, a.level_id, x.q
    FROM (
        SELECT person_id, activity_id, q FROM held
        UNION ALL
        SELECT person_id, activity_id, year(date) * 4 + (month(date) - 1) // 3 FROM attended
    ) x JOIN activities a ON a.id = x.activity_id
    WHERE x.q IS NOT NULL
),
grouped AS (
    SELECT pr.level_id, pr.q, g."group",
           CASE WHEN g."group" IS NOT NULL THEN 'known'
                WHEN p.value IN (SELECT value FROM not_stated) THEN 'not_stated'
                ELSE 'not_known' END AS state
    FROM present pr
    JOIN (SELECT id, {column} AS value FROM people) p ON p.id = pr.person_id
    LEFT JOIN mapping g ON g.code = p.value
)
SELECT l.key AS level_key, CAST(q // 4 AS VARCHAR) || '-Q' || CAST(q % 4 + 1 AS VARCHAR) AS period,
       "group", state, count(*) AS n
FROM grouped JOIN levels l ON l.id = grouped.level_id
GROUP BY ALL
"""


def peer(connection, frames: Frames, characteristic: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(cells per level x period x known group, cells per level x period) counted by DuckDB."""
    mapping = pl.DataFrame(
        list(group_mapping(characteristic, chinese_as_asian=SETTINGS.chinese_as_asian).items()),
        schema={"code": pl.String, "group": pl.String}, orient="row",
    )
    not_stated = pl.DataFrame({"value": _not_stated_values(characteristic)})
    for name in ("attendance", "meetings", "involvements", "activities", "people", "levels"):
        connection.register(name, getattr(frames, name))
    connection.register("mapping", mapping)
    connection.register("not_stated", not_stated)
    counted = connection.sql(PEER_SQL.format(column=source_column(characteristic))).pl()
    groups = (
        counted.filter(pl.col("state") == "known")
        .select(pl.col("level_key").alias(C.LEVEL_KEY), C.PERIOD, C.GROUP, pl.col("n").alias(C.INVOLVED))
    )
    n = pl.col("n")
    tables = counted.group_by("level_key", C.PERIOD).agg(
        n.sum().alias(C.PEOPLE),
        n.filter(pl.col("state") == "known").sum().alias(C.TOTAL),
        n.filter(pl.col("state") == codes.NOT_STATED).sum().alias(C.NOT_STATED),
        n.filter(pl.col("state") == codes.NOT_KNOWN).sum().alias(C.NOT_KNOWN),
    ).rename({"level_key": C.LEVEL_KEY})
    return groups, tables


def check_cells(frames: Frames, connection, characteristic: str) -> int:
    """Every counting cell of Presence equals the peer's; returns how many cells were compared."""
    rep = representation_table(frames, characteristic, settings=SETTINGS)
    groups, tables = peer(connection, frames, characteristic)
    keys = [C.LEVEL_KEY, C.PERIOD, C.GROUP]
    ours = rep.rows.filter(pl.col(C.INVOLVED) > 0).select(*keys, C.INVOLVED).sort(keys)
    theirs = groups.with_columns(pl.col(C.INVOLVED).cast(pl.Int64)).sort(keys)
    assert ours.equals(theirs), "the peer's group cells differ from Presence's"
    tkeys = [C.LEVEL_KEY, C.PERIOD]
    counts = [C.PEOPLE, C.TOTAL, C.NOT_STATED, C.NOT_KNOWN]
    ours_t = rep.tables.filter(pl.col(C.PEOPLE) > 0).select(*tkeys, *counts).sort(tkeys)
    theirs_t = tables.with_columns(pl.col(c).cast(pl.Int64) for c in counts).select(*tkeys, *counts).sort(tkeys)
    assert ours_t.equals(theirs_t), "the peer's table cells differ from Presence's"
    return ours.height * 1 + ours_t.height * len(counts)


def timed(function, *args, **kwargs) -> float:
    start = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - start


def memory(url: str, organisation: int, everything: bool) -> None:
    """Peak resident memory of loading, then of the representation (this process only)."""
    frames = load_frames(get_engine(url), organisation)
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if everything:
        representation_tables(frames, characteristics=C.CHARACTERISTICS, settings=SETTINGS)
    else:
        representation_table(frames, "ethnicity_broad", settings=SETTINGS)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{peak:.0f} {loaded:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--organisation", type=int, default=1)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--characteristic", default="ethnicity_broad")
    parser.add_argument("--memory", action="store_true", help="peak memory only (run in a fresh process)")
    parser.add_argument("--memory-child", choices=("one", "all"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory(args.url, args.organisation, args.memory_child == "all")
        return
    if args.memory:
        for which in ("one", "all"):
            out = subprocess.run(
                [sys.executable, __file__, "--url", args.url, "--organisation", str(args.organisation),
                 "--memory-child", which], check=True, capture_output=True, text=True,
            ).stdout.split()
            print(f"peak RSS, {which} characteristic(s): {out[0]} MiB (after loading the frames: {out[1]} MiB)")
        return

    import duckdb

    print(f"load average {os.getloadavg()[0]:.1f}")
    frames = load_frames(get_engine(args.url), args.organisation)
    connection = duckdb.connect()
    connection.execute(f"SET threads = {os.cpu_count() or 1}")
    cells = check_cells(frames, connection, args.characteristic)
    print(f"{frames.people.height:,} people: {cells:,} counting cells equal to the peer's ({args.characteristic})")
    one, everything, duck = [], [], []
    for _ in range(args.pairs):
        one.append(timed(representation_table, frames, args.characteristic, settings=SETTINGS))
        duck.append(timed(peer, connection, frames, args.characteristic))
        everything.append(timed(representation_tables, frames, characteristics=C.CHARACTERISTICS,
                                settings=SETTINGS))
    def show(name, values):
        print(f"  {name:<44} median {statistics.median(values):.2f} s  runs {[round(v, 2) for v in values]}")
    show("Presence, one characteristic", one)
    show(f"Presence, all {len(C.CHARACTERISTICS)} characteristics", everything)
    show("DuckDB peer, one characteristic", duck)
    print(f"  Presence / DuckDB, one: {[round(a / b, 2) for a, b in zip(one, duck, strict=True)]}")
    print(f"  Presence all / DuckDB one: {[round(a / b, 2) for a, b in zip(everything, duck, strict=True)]}")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
