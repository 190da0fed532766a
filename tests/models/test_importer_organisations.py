"""Importing an organisation, its levels and its baselines: created from the file into an empty database,
upserted on their codes and keys, every bad value a problem, one organisation per file."""

from __future__ import annotations

import hashlib
import io

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models import crud
from models.importer import (
    NOT_A_GROUP,
    NOT_A_NUMBER,
    NOT_AN_AREA,
    OTHER_ORGANISATION,
    RANK_TAKEN,
    REQUIRED,
    UNKNOWN_CODE,
    import_file,
)
from models.tables import ALL_TABLES, Activity, AuditEvent, Baseline, Level, Organisation, OrganisationCreate

DATA_TABLES = tuple(model for model in ALL_TABLES if model is not AuditEvent)
LEVELS = [
    ["organisation_code", "rank", "key", "name", "decision_making"],
    ["NEW", 1, "ward", "Ward community meetings", "no"],
    ["NEW", 2, "service", "Service line", "no"],
    ["NEW", 3, "board", "Trust board", "yes"],
]


def imp(engine: Engine, content: str | bytes, name: str, **kwargs):
    data = content.encode() if isinstance(content, str) else content
    return import_file(engine=engine, path_or_bytes=data, file_name=name, user="tester", **kwargs)


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def problems(report) -> list[tuple[str | None, int | None, str | None, str]]:
    return [(p.sheet, p.row, p.column, p.problem) for p in report.problems]


def checksum(engine: Engine) -> dict[str, tuple[int, str]]:
    out = {}
    with engine.connect() as connection:
        for model in DATA_TABLES:
            rows = connection.execute(select(model.__table__).order_by(model.__table__.c.id)).all()
            out[model.__tablename__] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


def levels(engine: Engine, code: str) -> list[tuple[int, str, str, bool]]:
    with Session(engine) as session:
        organisation = crud.get_organisation(session=session, code=code)
        rows = session.scalars(
            select(Level).where(Level.organisation_id == organisation.id).order_by(Level.rank)
        )
        return [(lv.rank, lv.key, lv.name, lv.decision_making) for lv in rows]


@pytest.fixture
def t1(sqlite_engine: Engine) -> Engine:
    with Session(sqlite_engine) as session:
        crud.create_organisation(session=session, organisation=OrganisationCreate(code="T1", name="Trust"))
        session.commit()
    return sqlite_engine


def test_an_organisation_file_creates_it_with_the_default_levels_in_an_empty_database(engine):
    report = imp(engine, "Organisation code,Name,Catchment\nNEW,New trust,E09000001; e09000022\n", "orgs.csv")
    assert report.committed and report.table == "organisations" and report.organisation == "NEW"
    with Session(engine) as session:
        organisation = crud.get_organisation(session=session, code="NEW")
        assert (organisation.name, organisation.catchment) == ("New trust", ["E09000001", "E09000022"])
    assert [key for _, key, _, _ in levels(engine, "NEW")] == [
        "individual",
        "community",
        "operational",
        "strategic",
        "board",
    ]
    again = imp(engine, "code,name,catchment\nNEW,New trust,E09000001;E09000022\n", "organisations.csv")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)
    renamed = imp(engine, "code,name,catchment\nNEW,Renamed trust,E09000001\n", "organisations.csv")
    assert (renamed.added, renamed.updated, renamed.unchanged) == (0, 1, 0)
    with Session(engine) as session:
        assert crud.get_organisation(session=session, code="NEW").catchment == ["E09000001"]


def test_levels_in_the_file_replace_the_defaults_and_activities_can_use_them(engine):
    data = workbook(
        {
            "organisations": [["code", "name", "catchment"], ["NEW", "New trust", ""]],
            "levels": LEVELS,
            "activities": [
                ["ref", "name", "involvement_area", "level", "start_date"],
                ["TB", "Trust board", "E", "Trust board", "2024-01-01"],  # by the level's name
                ["WM", "Ward meeting", "A", "WARD", "2024-01-01"],  # by its key, any case
            ],
        }
    )
    report = imp(engine, data, "new.xlsx")
    assert report.committed, report.problems
    assert levels(engine, "NEW") == [
        (1, "ward", "Ward community meetings", False),
        (2, "service", "Service line", False),
        (3, "board", "Trust board", True),
    ]
    with Session(engine) as session:
        level_of = {lv.id: lv.key for lv in session.scalars(select(Level))}
        assert {a.ref: level_of[a.level_id] for a in session.scalars(select(Activity))} == {
            "TB": "board",
            "WM": "ward",
        }


def test_two_levels_can_swap_ranks(engine):
    imp(engine, workbook({"organisations": [["code", "name"], ["NEW", "New"]], "levels": LEVELS}), "a.xlsx")
    swapped = [LEVELS[0], ["NEW", 2, "ward", "Ward", "no"], ["NEW", 1, "service", "Service line", "no"]]
    report = imp(engine, workbook({"levels": swapped}), "swap.xlsx")
    assert report.committed and report.updated == 2, report.problems
    assert [(rank, key) for rank, key, _, _ in levels(engine, "NEW")] == [
        (1, "service"),
        (2, "ward"),
        (3, "board"),
    ]


def test_level_problems_rank_taken_and_another_organisation(t1):
    before = checksum(t1)
    content = (
        "organisation_code,rank,key,name\n"
        "T1,6,advisory,Advisory\n"
        ",5,panel,Panel\n"  # rank 5 is the default board's, which the file does not move
        "T2,7,other,Other\n"
    )
    report = imp(t1, content, "levels.csv")
    assert problems(report) == [
        (None, 3, "rank", RANK_TAKEN.format(other="board")),
        (None, 4, "organisation_code", OTHER_ORGANISATION.format(code="T1")),
    ]
    assert checksum(t1) == before


def test_one_organisation_per_file_and_it_must_be_the_chosen_one(t1):
    before = checksum(t1)
    with pytest.raises(ValueError, match=r"describes several organisations \(A, B\); a file holds one"):
        imp(t1, "code,name\nA,Trust A\nB,Trust B\n", "organisations.csv")
    with pytest.raises(ValueError, match="holds the records of organisation 'X', not 'T1'"):
        imp(t1, "code,name\nX,Trust X\n", "organisations.csv", organisation_code="T1")
    assert checksum(t1) == before


def test_catchment_codes_are_checked(t1):
    report = imp(t1, "code,name,catchment\nT1,Trust,E09000001;Lambeth\n", "organisations.csv")
    assert problems(report) == [(None, 2, "catchment", NOT_AN_AREA.format(value="Lambeth"))]


def test_a_rejected_new_organisation_writes_nothing_and_reports_every_sheet(sqlite_engine):
    before = checksum(sqlite_engine)
    data = workbook(
        {
            "organisations": [["code", "name"], ["NEW", None]],
            "activities": [
                ["ref", "name", "involvement_area", "level", "start_date"],
                ["TB", "Trust board", "E", "board", "2024-01-01"],  # a default level: no problem
                ["XX", "Mystery", "E", "attic", "2024-01-01"],
            ],
        }
    )
    report = imp(sqlite_engine, data, "new.xlsx")
    assert not report.committed
    assert problems(report) == [
        ("activities", 3, "level", UNKNOWN_CODE),
        ("organisations", 2, "name", REQUIRED),
    ]
    assert checksum(sqlite_engine) == before


def test_baselines_groups_are_mapped_by_characteristic(t1):
    content = (
        "source,year,geography_code,geography_name,characteristic,group,count\n"
        'caseload,2024,TRUST,Caseload,Ethnicity,White British,"1,250"\n'
        "caseload,2024,TRUST,Caseload,ethnicity_broad,black or black british,80.5\n"
        "caseload,2024,TRUST,Caseload,ethnicity,Prefer not to say,12\n"
        "caseload,2024,TRUST,Caseload,ethnicity,Martian,3\n"
        "caseload,2024,TRUST,Caseload,shoe size,9,3\n"
        "caseload,2024,TRUST,Caseload,sex,female,-1\n"
        "caseload,2024,TRUST,Caseload,sex,male,many\n"
    )
    report = imp(t1, content, "baselines.csv")
    assert problems(report) == [
        (None, 5, "group", NOT_A_GROUP.format(characteristic="ethnicity")),
        (None, 6, "characteristic", UNKNOWN_CODE),
        (None, 7, "count", "is negative"),
        (None, 8, "count", NOT_A_NUMBER),
    ]
    good = "\n".join(content.splitlines()[:4]) + "\n"
    report = imp(t1, good, "baselines.csv")
    assert report.committed and report.added == 3
    with Session(t1) as session:
        rows = session.scalars(select(Baseline).order_by(Baseline.count))
        assert [(b.characteristic, b.group, b.count, b.organisation_id is not None) for b in rows] == [
            ("ethnicity", "Z", 12.0, True),
            ("ethnicity_broad", "Black or Black British", 80.5, True),
            ("ethnicity", "A", 1250.0, True),
        ]
    changed = imp(t1, good.replace("80.5", "81"), "baselines.csv")
    assert (changed.added, changed.updated, changed.unchanged) == (0, 1, 2)


def test_shipped_baselines_are_neither_exported_nor_touched(t1, tmp_path):
    from models.exporter import export_frames

    with Session(t1) as session:
        session.add(
            Baseline(
                source="census2021",
                year=2021,
                geography_code="E09000001",
                geography_name="City",
                characteristic="ethnicity",
                group="A",
                count=100.0,
            )
        )
        session.commit()
    assert export_frames(engine=t1, organisation_code="T1")["baselines"].height == 0
    row = "census2021,2021,E09000001,City,ethnicity,A,5\n"
    report = imp(t1, "source,year,geography_code,geography_name,characteristic,group,count\n" + row, "b.csv")
    assert report.added == 1  # the organisation's own cell, next to the shipped one
    with Session(t1) as session:
        shipped = session.scalars(select(Baseline).where(Baseline.organisation_id.is_(None))).one()
        assert shipped.count == 100.0
    with Session(t1) as session:
        assert session.scalars(select(Organisation)).one().code == "T1"
