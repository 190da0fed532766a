"""Export and backup: the files the importer reads, formula-like cells escaped, and a lossless round trip."""

from __future__ import annotations

import csv
import io
from datetime import date, time
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models import crud
from models._tabular import escape_cell, unescape_cell
from models.db import get_engine, upgrade_schema
from models.exporter import WORKBOOK_NAME, export_all, export_frames, format_value
from models.importer import TABLES, import_file
from models.settings import get_settings
from models.tables import (
    Activity,
    Attendance,
    Baseline,
    Feedback,
    ImpactLog,
    Involvement,
    Meeting,
    OrganisationCreate,
    OutreachPlan,
    Payment,
    Person,
    PlanAction,
    PlanPartner,
    ReviewStep,
    SupportOffer,
)
from presence_cli import main as cli_main

FORMULA_NAME = '=HYPERLINK("http://x.invalid","click")'


def seed_small_org(engine: Engine, code: str = "T1") -> None:
    """A small organisation touching every importable table, with text a spreadsheet would try to run."""
    with Session(engine) as session:
        org = crud.create_organisation(
            session=session,
            organisation=OrganisationCreate(code=code, name="Trust", catchment=["E09000001", "E09000033"]),
        )
        levels = crud.levels_by_key(session=session, organisation_id=org.id)
        levels["board"].name = "=Board"  # a level name a spreadsheet would run
        session.add_all(
            [
                Baseline(
                    organisation_id=org.id,
                    source="caseload",
                    year=2024,
                    geography_code="TRUST",
                    geography_name="Caseload",
                    characteristic="ethnicity",
                    group=group,
                    count=count,
                )
                for group, count in (("A", 1250.0), ("AR", 12.5), ("99", 0.0))
            ]
        )
        people = [
            Person(
                organisation_id=org.id,
                ref="P1",
                involvement_type="service_user",
                ethnicity="A",
                sex="female",
                age_band="25-34",
                year_of_birth=1990,
                disability="yes",
                sexual_orientation="bisexual",
                religion="muslim",
                local_authority="E09000001",
            ),
            Person(organisation_id=org.id, ref="+P2", involvement_type="carer", ethnicity="Z"),
            Person(organisation_id=org.id, ref="P3", involvement_type="both", ethnicity="AR"),
        ]
        board = Activity(
            organisation_id=org.id,
            level_id=levels["board"].id,
            ref="QSC",
            name=FORMULA_NAME,
            kind="committee",
            involvement_area="D",
            involves="both",
            purpose="-5 minutes of fame",
            intended_outcomes="@team, better care",
            purpose_recorded_on=date(2023, 3, 1),
            high_level=True,
            start_date=date(2023, 4, 1),
        )
        project = Activity(
            organisation_id=org.id,
            level_id=levels["operational"].id,
            ref="PRJ",
            name='Café project, "phase 2"',
            kind="project",
            involvement_area="C",
            involves="service_user",
            start_date=date(2022, 1, 1),
            end_date=date(2022, 12, 31),
        )
        session.add_all([*people, board, project])
        session.flush()
        m1 = Meeting(
            organisation_id=org.id,
            activity_id=board.id,
            ref="M1",
            date=date(2024, 1, 10),
            start_time=time(10, 0),
            papers_sent=date(2024, 1, 2),
        )
        m2 = Meeting(
            organisation_id=org.id,
            activity_id=board.id,
            ref="M2",
            date=date(2024, 2, 14),
            start_time=time(14, 30, 15),
        )
        session.add_all([m1, m2])
        session.flush()
        session.add_all(
            [
                Involvement(
                    organisation_id=org.id,
                    person_id=people[0].id,
                    activity_id=board.id,
                    ref="P1|QSC|2023-04-01",
                    role="co_worker",
                    payment_basis="paid",
                    has_role_description=True,
                    start_date=date(2023, 4, 1),
                ),
                Involvement(
                    organisation_id=org.id,
                    person_id=people[1].id,
                    activity_id=project.id,
                    ref="INV-2",
                    start_date=date(2022, 1, 1),
                    end_date=date(2022, 6, 30),
                ),
                Attendance(organisation_id=org.id, meeting_id=m1.id, person_id=people[0].id),
                Attendance(
                    organisation_id=org.id,
                    meeting_id=m1.id,
                    person_id=people[1].id,
                    capacity="carer",
                    status="apologies",
                ),
                Attendance(
                    organisation_id=org.id, meeting_id=m2.id, person_id=people[0].id, status="reserve"
                ),
                Payment(
                    organisation_id=org.id,
                    ref="C1",
                    person_id=people[0].id,
                    activity_id=board.id,
                    kind="fee",
                    claim_date=date(2024, 1, 10),
                    paid_date=date(2024, 1, 30),
                    amount=Decimal("25.50"),
                ),
                Payment(
                    organisation_id=org.id,
                    ref="C2",
                    person_id=people[1].id,
                    kind="travel",
                    claim_date=date(2024, 2, 1),
                    amount=Decimal("7"),
                ),
                SupportOffer(
                    organisation_id=org.id,
                    person_id=people[0].id,
                    kind="training",
                    offered_on=date(2023, 5, 1),
                    taken_up=True,
                ),
                ImpactLog(
                    organisation_id=org.id,
                    ref="I1",
                    activity_id=board.id,
                    recorded_on=date(2024, 3, 1),
                    area="policy_planning",
                    what_changed="=1+1 is now on the agenda",
                    evidence="minutes\nline 2",
                ),
                Feedback(
                    organisation_id=org.id,
                    ref="F1",
                    activity_id=board.id,
                    submitted_on=date(2024, 3, 2),
                    felt_valued="agree",
                    could_influence="strongly_disagree",
                ),
                ReviewStep(
                    organisation_id=org.id,
                    activity_id=board.id,
                    cycle=2,
                    stage="reflect",
                    completed_on=date(2024, 3, 3),
                ),
            ]
        )
        plan = OutreachPlan(
            organisation_id=org.id, ref="OP-001", title="=2 more carers on the committee", characteristic="ethnicity",
            group="AR", involvement="carer", level_id=levels["board"].id, activity_id=board.id, target_people=2,
            started_on=date(2024, 1, 1), target_date=date(2099, 6, 30), owner_team="Engagement team",
            status="behind", notes="Ask the forum\nfirst",
        )
        session.add(plan)
        session.flush()
        session.add_all([
            PlanPartner(organisation_id=org.id, plan_id=plan.id, name="Arab Community Forum (fictional)",
                        contact_role="Coordinator"),
            PlanAction(organisation_id=org.id, plan_id=plan.id, action="Open day", partner=None,
                       due_date=date(2099, 1, 31), done_on=date(2024, 2, 1)),
        ])
        session.commit()


def empty_target(tmp_path, code: str = "T1") -> Engine:
    target = get_engine(f"sqlite:///{tmp_path / 'target.db'}")
    upgrade_schema(target)
    with Session(target) as session:
        crud.create_organisation(session=session, organisation=OrganisationCreate(code=code, name="Trust"))
        session.commit()
    return target


@pytest.mark.parametrize(
    "value,escaped",
    [
        ("=1+1", "'=1+1"),
        ("+44", "'+44"),
        ("-5", "'-5"),
        ("@sum", "'@sum"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("", ""),
        ("a=b", "a=b"),
        ("'quoted'", "'quoted'"),
    ],
)
def test_escape_and_unescape(value, escaped):
    assert escape_cell(value) == escaped
    assert unescape_cell(escaped) == value


@pytest.mark.parametrize(
    "value,text",
    [
        (None, ""),
        (True, "yes"),
        (False, "no"),
        (date(2024, 3, 31), "2024-03-31"),
        (time(10, 0), "10:00"),
        (time(14, 30, 15), "14:30:15"),
        (Decimal("7"), "7.00"),
        (25.5, "25.50"),
        (1990, "1990"),
    ],
)
def test_format_value(value, text):
    assert format_value(value) == text


def test_export_writes_csv_and_one_workbook_with_escaped_cells(engine, tmp_path):
    seed_small_org(engine)
    paths = export_all(engine=engine, directory=tmp_path / "out")
    assert sorted(p.name for p in paths) == sorted([f"{t}.csv" for t in TABLES] + [WORKBOOK_NAME])
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "activities.csv").read_text("utf-8-sig"))))
    board = next(r for r in rows if r["ref"] == "QSC")
    assert board["name"] == "'" + FORMULA_NAME and board["purpose"] == "'-5 minutes of fame"
    assert board["intended_outcomes"] == "'@team, better care" and board["level"] == "board"
    people = list(csv.DictReader(io.StringIO((tmp_path / "out" / "people.csv").read_text("utf-8-sig"))))
    assert [p["ref"] for p in people] == ["'+P2", "P1", "P3"]  # sorted by ref; "+" sorts first
    book = openpyxl.load_workbook(tmp_path / "out" / WORKBOOK_NAME)  # not read-only: check cell kinds
    assert book.sheetnames == list(TABLES)
    sheet = book["activities"]
    cells = {c.value for row in sheet.iter_rows() for c in row}
    assert "'" + FORMULA_NAME in cells
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)  # no formula anywhere


@pytest.mark.parametrize("via", ["xlsx", "csv"])
def test_round_trip_export_import_into_an_empty_database(engine, tmp_path, via):
    seed_small_org(engine)
    export_all(engine=engine, directory=tmp_path / "out")
    target = empty_target(tmp_path)
    if via == "xlsx":
        report = import_file(engine=target, path_or_bytes=tmp_path / "out" / WORKBOOK_NAME)
        assert report.committed, report.problems
    else:
        for table in TABLES:
            report = import_file(engine=target, path_or_bytes=tmp_path / "out" / f"{table}.csv")
            assert report.committed and report.table == table, report.problems
    original = export_frames(engine=engine, organisation_code="T1")
    copied = export_frames(engine=target, organisation_code="T1")
    for table in TABLES:
        assert copied[table].equals(original[table]), table
        assert copied[table].height == original[table].height > 0, table
    with Session(target) as session:
        assert session.exec(select(Activity.name).where(Activity.ref == "QSC")).one() == FORMULA_NAME
        assert session.exec(select(Payment.amount).where(Payment.ref == "C1")).one() == Decimal("25.50")
        assert session.exec(select(Meeting.start_time).where(Meeting.ref == "M2")).one() == time(14, 30, 15)
    again = import_file(engine=target, path_or_bytes=tmp_path / "out" / WORKBOOK_NAME)
    assert (again.added, again.updated, again.unchanged) == (0, 0, again.rows_read)


def test_several_organisations_go_to_their_own_folders(sqlite_engine, tmp_path):
    seed_small_org(sqlite_engine, "T1")
    seed_small_org(sqlite_engine, "T/2")
    paths = export_all(engine=sqlite_engine, directory=tmp_path)
    assert {p.parent.name for p in paths} == {"T1", "T_2"}
    only = export_all(engine=sqlite_engine, directory=tmp_path / "one", organisation_code="T/2")
    assert {p.parent for p in only} == {tmp_path / "one"}
    with pytest.raises(ValueError, match="no organisation with the code 'T3'"):
        export_all(engine=sqlite_engine, directory=tmp_path, organisation_code="T3")


def test_cli_export(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PRESENCE_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = get_engine(url)
    upgrade_schema(engine)
    seed_small_org(engine)
    # models.db.get_engine() caches its no-argument call, whatever database was configured first in this
    # process: give the CLI the engine of this test's URL.
    monkeypatch.setattr("models.db.get_engine", lambda url_=None: engine)
    assert cli_main(["export", str(tmp_path / "backup"), "--organisation", "T1"]) == 0
    assert f"Wrote {len(TABLES) + 1} files" in capsys.readouterr().out  # a CSV per table and the workbook
    assert (tmp_path / "backup" / WORKBOOK_NAME).stat().st_size > 0
    assert cli_main(["export", str(tmp_path / "x"), "--organisation", "NOPE"]) == 2


def test_bulk_rows_of_every_value_kind_survive_import_and_export(engine):
    """Over 100 rows per table, so PostgreSQL takes the COPY path: dates, times, booleans, money, blanks."""
    with Session(engine) as session:
        crud.create_organisation(session=session, organisation=OrganisationCreate(code="T1", name="Trust"))
        session.commit()
    n = 150
    files = {
        "people": "ref,involvement_type,ethnicity,sex,gender_same_as_birth,age_band,year_of_birth,disability,"
        "sexual_orientation,religion,local_authority\n"
        + "".join(
            f"P{i:03d},carer,A,female,yes,25-34,{1950 + i % 50 if i % 3 else ''},no,straight,"
            f"sikh,{'E09000001' if i % 2 else 'not_known'}\n"
            for i in range(n)
        ),
        "activities": "ref,name,kind,involvement_area,involves,level,purpose,intended_outcomes,"
        "purpose_recorded_on,high_level,start_date,end_date\n"
        + "".join(
            f"A{i:03d},'=act {i},project,C,carer,operational,,,{'2023-01-02' if i % 2 else ''},"
            f"{'yes' if i % 2 else 'no'},2022-01-01,{'2022-12-31' if i % 3 else ''}\n"
            for i in range(n)
        ),
        "meetings": "ref,activity_ref,date,start_time,papers_sent\n"
        + "".join(
            f"M{i:03d},A{i:03d},2024-01-{1 + i % 28:02d},{'10:30' if i % 2 else ''},"
            f"{'2023-12-20' if i % 3 else ''}\n"
            for i in range(n)
        ),
        "involvements": "ref,person_ref,activity_ref,role,payment_basis,has_role_description,start_date,"
        "end_date\n"
        + "".join(
            f"P{i:03d}|A{i:03d}|2023-01-01,P{i:03d},A{i:03d},ambassador,paid,{'yes' if i % 2 else 'no'},"
            f"2023-01-01,{'2023-06-30' if i % 2 else ''}\n"
            for i in range(n)
        ),
        "payments": "ref,person_ref,activity_ref,kind,claim_date,paid_date,amount\n"
        + "".join(
            f"C{i:03d},P{i:03d},{f'A{i:03d}' if i % 2 else ''},fee,2024-01-01,"
            f"{'2024-01-15' if i % 2 else ''},{i}.{i % 100:02d}\n"
            for i in range(n)
        ),
    }
    for table, content in files.items():
        report = import_file(engine=engine, path_or_bytes=content.encode(), file_name=f"{table}.csv")
        assert report.committed and report.added == n, (table, report.problems[:3])
    frames = export_frames(engine=engine, organisation_code="T1")
    for table, content in files.items():
        expected = sorted(line for line in content.splitlines()[1:])
        got = sorted(",".join(escape_cell(v) for v in row) for row in frames[table].iter_rows())
        assert got == expected, table
