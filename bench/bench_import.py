"""Benchmark: validate and import 100,000 attendance rows from CSV (issue 5; target under 10 s on SQLite).

Run:  .venv/bin/python bench/bench_import.py [--rows 100000] [--pg-url postgresql+psycopg://postgres@HOST/db]

It makes a fresh SQLite database in a temporary folder (and, when the PostgreSQL server answers, a fresh
PostgreSQL database that it drops afterwards), imports the people, one activity and the meetings the
attendance needs, then times ``import_file`` on the attendance CSV three ways: first import (all added),
re-import (all unchanged) and a dry run. Data are synthetic references only (P000001 ...), no personal data.
"""

from __future__ import annotations

import argparse
import io
import math
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlmodel import Session

from models import crud
from models.db import get_engine, upgrade_schema
from models.importer import import_file
from models.tables import OrganisationCreate

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _csv(header: str, rows) -> bytes:
    out = io.StringIO()
    out.write(header + "\n")
    for row in rows:
        out.write(",".join(row) + "\n")
    return out.getvalue().encode()


def files(rows: int) -> dict[str, bytes]:
    people = max(1, int(math.sqrt(rows * 5)))
    meetings = math.ceil(rows / people)
    return {
        "people.csv": _csv(
            "ref,involvement_type,ethnicity,sex,age_band",
            (
                (f"P{i:06d}", "service_user", "ABCDHJKMNSZ"[i % 11], ("female", "male")[i % 2], "25-34")
                for i in range(people)
            ),
        ),
        "activities.csv": _csv(
            "ref,name,involvement_area,level,start_date", [("ACT-1", "Board", "D", "board", "2020-01-01")]
        ),
        "meetings.csv": _csv(
            "ref,activity_ref,date,start_time",
            (
                (f"M{j:05d}", "ACT-1", f"{2020 + j % 5}-0{1 + j % 9}-1{j % 9}", "10:00")
                for j in range(meetings)
            ),
        ),
        "attendance.csv": _csv(
            "meeting_ref,person_ref,capacity,status",
            (
                (
                    f"M{k // people:05d}",
                    f"P{k % people:06d}",
                    "service_user",
                    ("attended", "apologies")[k % 7 == 0],
                )
                for k in range(rows)
            ),
        ),
    }


def run(engine, rows: int, label: str) -> dict[str, float]:
    upgrade_schema(engine)
    with Session(engine) as session:
        crud.create_organisation(
            session=session, organisation=OrganisationCreate(code="BENCH", name="Bench trust")
        )
        session.commit()
    data = files(rows)
    for name in ("people.csv", "activities.csv", "meetings.csv"):
        report = import_file(engine=engine, path_or_bytes=data[name], file_name=name)
        assert report.committed, report.problems[:3]
    timings = {}
    for step, dry in (("first import", False), ("re-import", False), ("dry run", True)):
        start = time.perf_counter()
        report = import_file(
            engine=engine, path_or_bytes=data["attendance.csv"], file_name="attendance.csv", dry_run=dry
        )
        timings[step] = time.perf_counter() - start
        assert not report.problems, report.problems[:3]
        assert report.rows_read == rows
        print(
            f"{label:10s} {step:13s} {timings[step]:6.2f} s  ({report.added:,} added, "
            f"{report.unchanged:,} unchanged)"
        )
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--pg-url", default=DEFAULT_PG, help="an admin URL; a scratch database is made and dropped"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(get_engine(f"sqlite:///{Path(folder) / 'bench.db'}"), args.rows, "SQLite")
    admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
    name = f"presence_bench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001
        print(f"PostgreSQL not reachable ({type(error).__name__}); skipped.")
        return
    url = args.pg_url.rsplit("/", 1)[0] + "/" + name
    try:
        run(get_engine(url), args.rows, "PostgreSQL")
    finally:
        get_engine(url).dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
