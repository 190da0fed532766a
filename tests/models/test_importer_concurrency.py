"""Two imports at the same time into one organisation: both succeed (one waits), no row lost or duplicated."""

from __future__ import annotations

import multiprocessing
import sys
import types

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models import crud
from models.tables import Attendance, ImportLog, OrganisationCreate, Person


def _people(start: int, stop: int) -> bytes:
    return (
        "ref,involvement_type,ethnicity\n"
        + "".join(f"P{i:05d},carer,{'ABMN'[i % 4]}\n" for i in range(start, stop))
    ).encode()


def _attendance(people: range, meeting: str) -> bytes:
    return ("meeting_ref,person_ref\n" + "".join(f"{meeting},P{i:05d}\n" for i in people)).encode()


def _worker(url: str, files: list[tuple[str, bytes]], barrier, results) -> None:
    """Runs in a separate process: wait for the other worker, then import each file in turn."""
    from models.db import get_engine
    from models.importer import import_file

    engine = get_engine(url)
    barrier.wait(timeout=60)
    for name, data in files:
        try:
            report = import_file(engine=engine, path_or_bytes=data, file_name=name)
            results.put((name, report.committed, report.added, report.unchanged, len(report.problems)))
        except Exception as error:  # noqa: BLE001 - reported to the parent, which fails the test
            results.put((name, False, -1, -1, repr(error)))
    engine.dispose()


def test_two_processes_import_overlapping_files_at_once(engine: Engine, monkeypatch):
    # A "spawn" child first re-runs the parent's __main__ module. After a Streamlit AppTest in this worker,
    # that is the dashboard's app.py (its script runner installs the page as __main__), which would
    # migrate the default database twice at once and miss the barrier: give the children a bare __main__.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    with Session(engine) as session:
        crud.create_organisation(session=session, organisation=OrganisationCreate(code="T1", name="T"))
        session.commit()
    setup = [
        ("activities.csv", b"ref,name,involvement_area,level,start_date\nA1,Board,D,board,2020-01-01\n"),
        ("meetings.csv", b"ref,activity_ref,date\nM1,A1,2024-01-01\nM2,A1,2024-02-01\n"),
    ]
    from models.importer import import_file

    for name, data in setup:
        assert import_file(engine=engine, path_or_bytes=data, file_name=name).committed
    url = engine.url.render_as_string(hide_password=False)
    # Both people files hold P01000-P01999; each also has 1,000 people of its own, and attendance at its
    # own meeting.
    first = [("a-people.csv", _people(0, 2000)), ("a-attendance.csv", _attendance(range(0, 2000), "M1"))]
    second = [
        ("b-people.csv", _people(1000, 3000)),
        ("b-attendance.csv", _attendance(range(1000, 3000), "M2")),
    ]
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(target=_worker, args=(url, files, barrier, results)) for files in (first, second)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=180)
    outcomes = {}
    while not results.empty():
        name, committed, added, unchanged, problems = results.get()
        outcomes[name] = (committed, added, unchanged, problems)
    assert all(w.exitcode == 0 for w in workers)
    assert set(outcomes) == {"a-people.csv", "a-attendance.csv", "b-people.csv", "b-attendance.csv"}, outcomes
    assert all(o[0] and o[3] == 0 for o in outcomes.values()), outcomes
    # Whichever import ran second found the 1,000 shared people already there: added once, never twice.
    people = sorted((outcomes[n][1], outcomes[n][2]) for n in ("a-people.csv", "b-people.csv"))
    assert people == [(1000, 1000), (2000, 0)]
    with engine.connect() as connection:

        def scalar(query):
            return connection.execute(query).scalar_one()

        assert scalar(select(func.count()).select_from(Person.__table__)) == 3000
        assert scalar(select(func.count(func.distinct(Person.__table__.c.ref)))) == 3000
        assert scalar(select(func.count()).select_from(Attendance.__table__)) == 4000
        assert scalar(select(func.count()).select_from(ImportLog.__table__)) == 2 + 4
