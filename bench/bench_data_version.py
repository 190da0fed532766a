"""Benchmark: the cost of asking "has anything changed?" on every rerun: the old fingerprint (counts and
max(updated_at) over the organisation's tables) against the change counters (``models.db.read_all_data_versions``),
alternating on the same database.

    .venv/bin/python bench/bench_data_version.py --url postgresql://postgres@127.0.0.1:5432/presence [--url ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.db import get_engine, read_all_data_versions  # noqa: E402

OLD_SQL = text(
    """
    SELECT
      (SELECT count(*) FROM organisation), (SELECT max(id) FROM organisation),
      (SELECT count(*) FROM level WHERE organisation_id = :o),
      (SELECT count(*) FROM activity WHERE organisation_id = :o),
      (SELECT max(id) FROM activity WHERE organisation_id = :o),
      (SELECT count(*) FROM person WHERE organisation_id = :o), (SELECT max(id) FROM person WHERE organisation_id = :o),
      (SELECT max(updated_at) FROM person WHERE organisation_id = :o),
      (SELECT count(*) FROM involvement WHERE organisation_id = :o),
      (SELECT max(id) FROM involvement WHERE organisation_id = :o),
      (SELECT count(*) FROM meeting WHERE organisation_id = :o),
      (SELECT count(*) FROM attendance WHERE organisation_id = :o),
      (SELECT count(*) FROM baseline), (SELECT max(id) FROM baseline), (SELECT max(id) FROM import_log)
    """
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", required=True)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    for url in args.url:
        engine = get_engine(url)
        old, new = [], []
        with engine.connect() as connection:
            for _ in range(args.runs):
                start = time.perf_counter()
                connection.execute(OLD_SQL, {"o": 1}).one()
                old.append(time.perf_counter() - start)
                start = time.perf_counter()
                read_all_data_versions(connection)
                new.append(time.perf_counter() - start)
        ms = statistics.median
        print(f"{engine.url.get_backend_name()}: old fingerprint median {ms(old) * 1000:.1f} ms, change counters "
              f"median {ms(new) * 1000:.2f} ms; old / new per pair median "
              f"{ms([o / n for o, n in zip(old, new, strict=True)]):.0f}")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
