"""Benchmark: what the first Overview after an import costs the server: importing 1,000 attendance rows, then
bringing the dashboard's frame store up to date (the rows an import only added are appended; other changed
tables are read again) against reading everything again, and the representation the Overview draws from them.
In one process, side by side.

    .venv/bin/python bench/bench_after_import.py --url sqlite:////tmp/s100.db [--url postgresql://...]

The database must hold the demo trust and be migrated (it is changed: 1,000 attendance rows are added).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_cold_start import import_attendance  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", required=True)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    for url in args.url:
        os.environ["PRESENCE_DATABASE_URL"] = url
        from models.settings import get_settings

        get_settings.cache_clear()
        from analytics import load_frames, representation_table
        from dashboard import cache

        cache._store.clear()
        store = cache._store()
        version = cache.data_version(1)
        start = time.perf_counter()
        store.get(1, version)
        first = time.perf_counter() - start
        imported = import_attendance(url)
        newer = cache.data_version(1)
        changed = store.changed_tables(1, newer)
        appended = sorted(store.appendable(1, newer))
        start = time.perf_counter()
        frames = store.get(1, newer)
        incremental = time.perf_counter() - start
        start = time.perf_counter()
        load_frames(cache.engine(), 1)
        full = time.perf_counter() - start
        start = time.perf_counter()
        representation_table(frames, "ethnicity_broad")
        counted = time.perf_counter() - start
        print(f"{url.split('@')[-1]}: first load {first:.2f} s; import 1,000 attendance rows {imported:.2f} s; "
              f"changed {changed} (appended: {appended}) {incremental:.2f} s against reading everything {full:.2f} s "
              f"({full / incremental:.1f} times less); representation (Overview) {counted:.2f} s; "
              f"after-import server work {incremental + counted:.2f} s")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
