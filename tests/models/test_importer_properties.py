"""Property tests: mangled files never raise anything but ValueError, and a rejected file changes nothing."""

from __future__ import annotations

import hashlib
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models import crud
from models.importer import ImportReport, import_file
from models.tables import ALL_TABLES, AuditEvent, OrganisationCreate

PEOPLE = (
    "ref,involvement_type,ethnicity,sex,age_band,religion\n"
    "P1,service_user,A,female,25-34,christian\n"
    "P2,carer,White British,Male,35-44,No religion\n"
    "P3,both,Prefer not to say,,,\n"
)
ACTIVITIES = "ref,name,involvement_area,level,start_date,end_date\nQSC,Quality,D,board,2023-04-01,\n"
MEETINGS = "ref,activity_ref,date,start_time\nM1,QSC,2024-01-10,10:00\nM2,QSC,14/02/2024,\n"
ATTENDANCE = "meeting_ref,person_ref,capacity,status\nM1,P1,service_user,attended\nM1,P2,carer,apologies\n"
FILES = {
    "people.csv": PEOPLE,
    "activities.csv": ACTIVITIES,
    "meetings.csv": MEETINGS,
    "attendance.csv": ATTENDANCE,
}
SETTINGS = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# Every table but the append-only audit trail, which records each import attempt (tests/models/
# test_importer_audit.py checks that every attempt adds exactly one event).
DATA_TABLES = tuple(model for model in ALL_TABLES if model is not AuditEvent)


def checksum(engine: Engine) -> dict[str, tuple[int, str]]:
    out = {}
    with engine.connect() as connection:
        for model in DATA_TABLES:
            table = model.__table__
            rows = connection.execute(select(table).order_by(table.c.id)).all()
            out[table.name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    """An organisation with the people, activity, meetings and attendance above already imported."""
    with Session(engine) as session:
        crud.create_organisation(session=session, organisation=OrganisationCreate(code="T1", name="T"))
        session.commit()
    for name, content in FILES.items():
        assert import_file(engine=engine, path_or_bytes=content.encode(), file_name=name).committed
    return engine


def attempt(engine: Engine, data: bytes, name: str) -> ImportReport | ValueError:
    """Import and check the contract: a report or a ValueError; when nothing was committed, nothing changed.
    """
    before = checksum(engine)
    try:
        report = import_file(engine=engine, path_or_bytes=data, file_name=name)
    except ValueError as error:
        assert str(error) and "\n" not in str(error)
        assert checksum(engine) == before
        return error
    assert isinstance(report, ImportReport)
    if report.problems:
        assert not report.committed
        assert all(p.problem and p.accepted for p in report.problems)
        assert checksum(engine) == before
    else:
        assert report.committed
        assert report.rows_read == report.added + report.updated + report.unchanged
    return report


names = st.sampled_from(sorted(FILES))


@SETTINGS
@given(name=names, cut=st.floats(min_value=0, max_value=1))
def test_truncated_files(seeded, name, cut):
    data = FILES[name].encode()
    attempt(seeded, data[: int(len(data) * cut)], name)


@SETTINGS
@given(
    name=names,
    encoding=st.sampled_from(["utf-16-le", "utf-16", "utf-32", "mac_roman", "cp1252", "latin-1", "cp037"]),
)
def test_wrong_encodings(seeded, name, encoding):
    content = FILES[name].replace("Quality", "Qualité ≠ naïve")
    attempt(seeded, content.encode(encoding, errors="replace"), name)


@SETTINGS
@given(name=names, seed=st.integers(0, 10_000), delimiter=st.sampled_from([",", ";", "\t"]))
def test_shuffled_columns_import_the_same(seeded, name, seed, delimiter):
    lines = [line.split(",") for line in FILES[name].splitlines()]
    order = list(range(len(lines[0])))
    random.Random(seed).shuffle(order)
    shuffled = "\n".join(delimiter.join(line[i] for i in order) for line in lines) + "\n"
    report = attempt(seeded, shuffled.encode(), name)
    assert isinstance(report, ImportReport) and report.committed
    assert (report.added, report.updated) == (0, 0)


@SETTINGS
@given(data=st.binary(max_size=2000), name=st.sampled_from(["people.csv", "x.xlsx", "upload"]))
def test_random_bytes(seeded, data, name):
    attempt(seeded, data, name)


@SETTINGS
@given(
    name=names,
    row=st.integers(1, 2),
    column=st.integers(0, 3),
    cell=st.one_of(st.text(min_size=1, max_size=50), st.text(min_size=1).map(lambda t: t * 5000)),
)
def test_mangled_and_huge_cells(seeded, name, row, column, cell):
    lines = FILES[name].splitlines()
    row = 1 + row % (len(lines) - 1)
    cells = lines[row].split(",")
    cells[column % len(cells)] = '"' + cell.replace('"', '""') + '"'
    lines[row] = ",".join(cells)
    attempt(seeded, ("\n".join(lines) + "\n").encode(), name)


@SETTINGS
@given(prefix=st.binary(min_size=1, max_size=50))
def test_damaged_workbook(seeded, prefix):
    from models._tabular import xlsx_bytes
    from models.exporter import export_frames

    frames = export_frames(engine=seeded, organisation_code="T1")
    good = xlsx_bytes([(n, f.columns, f.iter_rows()) for n, f in frames.items()])
    middle = len(good) // 2
    attempt(seeded, good[:middle] + prefix + good[middle + len(prefix) :], "backup.xlsx")
