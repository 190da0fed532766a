"""Import of CSV and .xlsx registers: tolerant reading, every bad input reported, all-or-nothing writes."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models import crud
from models.importer import (
    DUPLICATE_KEY,
    FUTURE_DATE,
    MISSING_COLUMN,
    NO_SUCH_DATE,
    NOT_A_DATE,
    REQUIRED,
    TABLES,
    UNKNOWN_CODE,
    import_file,
    import_log_frame,
    parse_date,
    template_bytes,
    write_templates,
)
from models.mapping import UNRECOGNISED
from models.settings import get_settings
from models.tables import (
    ALL_TABLES,
    Activity,
    Attendance,
    AuditEvent,
    ImportLog,
    Involvement,
    Meeting,
    OrganisationCreate,
    Payment,
    Person,
)
from presence_cli import main as cli_main

PEOPLE = "ref,involvement_type,ethnicity,sex\nP1,service_user,A,female\nP2,carer,N,male\n"
ACTIVITIES = "ref,name,involvement_area,level,start_date\nQSC,Quality committee,D,board,2023-04-01\n"
MEETINGS = "ref,activity_ref,date,start_time\nM1,QSC,2024-01-10,10:00\nM2,QSC,2024-02-14,\n"
ATTENDANCE = "meeting_ref,person_ref,status\nM1,P1,attended\nM1,P2,apologies\nM2,P1,attended\n"


# --- Helpers ------------------------------------------------------------------------------------------------


@pytest.fixture
def org(engine: Engine) -> Engine:
    """The engine, with one organisation T1 and its default levels."""
    with Session(engine) as session:
        crud.create_organisation(
            session=session, organisation=OrganisationCreate(code="T1", name="Test trust")
        )
        session.commit()
    return engine


@pytest.fixture
def lite(sqlite_engine: Engine) -> Engine:
    """SQLite only, with organisation T1: for validation tests where the database kind does not matter."""
    with Session(sqlite_engine) as session:
        crud.create_organisation(
            session=session, organisation=OrganisationCreate(code="T1", name="Test trust")
        )
        session.commit()
    return sqlite_engine


# Every table but the append-only audit trail, which records each import attempt (tests/models/
# test_importer_audit.py checks that every attempt adds exactly one event).
DATA_TABLES = tuple(model for model in ALL_TABLES if model is not AuditEvent)


def checksum(engine: Engine) -> dict[str, tuple[int, str]]:
    """Row count and a hash of every row of every table, to prove an import left the database as it was."""
    out = {}
    with engine.connect() as connection:
        for model in DATA_TABLES:
            table = model.__table__
            rows = connection.execute(select(table).order_by(table.c.id)).all()
            out[table.name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


def count(engine: Engine, model) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model.__table__)).scalar_one()


def imp(engine: Engine, content: str | bytes, name: str = "file.csv", **kwargs):
    data = content.encode() if isinstance(content, str) else content
    return import_file(engine=engine, path_or_bytes=data, file_name=name, **kwargs)


def seed(engine: Engine) -> None:
    for content, name in (
        (PEOPLE, "people.csv"),
        (ACTIVITIES, "activities.csv"),
        (MEETINGS, "meetings.csv"),
        (ATTENDANCE, "attendance.csv"),
    ):
        report = imp(engine, content, name)
        assert report.committed, report.problems


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


def problems(report) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.column, p.problem) for p in report.problems]


# --- Reading: encodings, delimiters, headers ----------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_encodings_and_delimiters_read_the_same(lite, encoding, delimiter):
    text = ACTIVITIES.replace("Quality committee", "Café and naïve group £").replace(",", delimiter)
    report = imp(lite, text.encode(encoding), "activities.csv")
    assert report.committed and report.added == 1
    with Session(lite) as session:
        assert session.exec(select(Activity.name)).one()[0] == "Café and naïve group £"


def test_tolerant_headers_case_spaces_underscores_and_variants(lite):
    content = "Person ID;TYPE; Ethnic  Group ;Sex_\nP1;Service user;White British;F\n"
    report = imp(lite, content, "register.csv")
    assert report.table == "people" and report.committed, report.problems
    for header in ("Ethnicity", "Ethnic category", "ethnic_group", "Pseudonym"):
        variant = (
            content.replace(" Ethnic  Group ", header)
            if header != "Pseudonym"
            else content.replace("Person ID", header)
        )
        again = imp(lite, variant, "register.csv")
        assert again.committed and again.unchanged == 1, (header, again.problems)


def test_unknown_columns_are_problems_until_mapped_or_ignored(lite):
    report = imp(lite, "ref,involvement_type,Notes\nP1,carer,likes tea\n", "people.csv")
    assert not report.committed  # never silently dropped
    assert report.unrecognised == [("", "Notes")]
    assert [(p.row, p.column, p.problem) for p in report.problems] == [(1, "Notes", UNRECOGNISED)]
    ignored = import_file(engine=lite, path_or_bytes=b"ref,involvement_type,Notes\nP1,carer,likes tea\n",
                          file_name="people.csv", column_map={"Notes": "ignore"})
    assert ignored.committed, ignored.problems
    assert ignored.ignored == ["column 'Notes' (marked ignore)"]
    again = imp(lite, "ref,involvement_type,Notes\nP1,carer,likes tea\n", "people.csv")
    assert again.committed and again.unchanged == 1  # the mapping is remembered for the organisation


@pytest.mark.parametrize(
    "raw,code",
    [
        ("A", "A"),  # NHS code
        ("White: English, Welsh, Scottish, Northern Irish or British", "A"),  # ONS 2021 name
        ("white british", "A"),  # common short form
        ("Black African", "N"),
        ("Arab", "AR"),  # ONS-only group
        ("Prefer not to say", "Z"),  # not stated
        ("", "99"),  # blank = not known
    ],
)
def test_ethnicity_values_are_mapped(lite, raw, code):
    report = imp(lite, f'ref,involvement_type,ethnicity\nP1,carer,"{raw}"\n', "people.csv")
    assert report.committed, report.problems
    with Session(lite) as session:
        assert session.exec(select(Person.ethnicity)).one()[0] == code


def test_unmappable_value_is_a_problem_naming_accepted_values_never_a_guess(lite):
    before = checksum(lite)
    report = imp(
        lite, "ref,involvement_type,ethnicity,sex\nP1,carer,Whiteish,female\nP2,carer,A,femme\n", "people.csv"
    )
    assert not report.committed and report.rejected == 2
    assert problems(report) == [(2, "ethnicity", UNKNOWN_CODE), (3, "sex", UNKNOWN_CODE)]
    assert report.problems[0].value == "Whiteish"
    assert "A, B" in report.problems[0].accepted and "not_stated" in report.problems[1].accepted
    assert checksum(lite) == before


# --- Dates --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("2024-03-31", date(2024, 3, 31)),  # ISO
        ("31/03/2024", date(2024, 3, 31)),  # UK, day first
        ("1/4/2024", date(2024, 4, 1)),  # 1 April, not 4 January
        ("31.03.2024", date(2024, 3, 31)),
        ("45382", date(2024, 3, 31)),  # Excel serial: 1899-12-30 + 45382 days
        ("31 March 2024", date(2024, 3, 31)),
        ("2024-03-31 00:00:00", date(2024, 3, 31)),
    ],
)
def test_dates_accepted(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw,problem",
    [
        ("31/02/2024", NO_SUCH_DATE),
        ("2023-02-29", NO_SUCH_DATE),  # 2023 is not a leap year
        ("2024/13/45", NOT_A_DATE),
        ("next Tuesday", NOT_A_DATE),
        ("24/3/24", NOT_A_DATE),  # two-digit year: refused, not guessed
        ((date.today() + timedelta(days=1)).isoformat(), FUTURE_DATE),
    ],
)
def test_bad_dates_are_problems_with_the_row_and_column(lite, raw, problem):
    report = imp(lite, f"ref,name,involvement_area,level,start_date\nQSC,Q,D,board,{raw}\n", "activities.csv")
    assert problems(report) == [(2, "start_date", problem)]
    assert report.problems[0].value == raw


def test_end_before_start_is_a_problem(lite):
    seed(lite)
    report = imp(
        lite,
        "person_ref,activity_ref,start_date,end_date\nP1,QSC,2024-05-01,2024-04-30\n",
        "involvements.csv",
    )
    assert [(p.row, p.column) for p in report.problems] == [(2, "end_date")]
    assert "before the start date (2024-05-01)" in report.problems[0].problem


# --- Rows: required fields, duplicates, references, ragged rows ---------------------------------------------


def test_required_values_and_columns(lite):
    report = imp(lite, "ref,involvement_type\n,carer\nP2,\n", "people.csv")
    assert problems(report) == [(2, "ref", REQUIRED), (3, "involvement_type", REQUIRED)]
    report = imp(lite, "ref,name,level,start_date\nQSC,Q,board,2024-01-01\n", "activities.csv")
    assert problems(report) == [(1, "involvement_area", MISSING_COLUMN)]
    assert report.rejected == 1


def test_duplicate_keys_within_the_file(lite):
    report = imp(lite, "ref,involvement_type\nP1,carer\nP2,carer\nP1,service user\n", "people.csv")
    dup = DUPLICATE_KEY.format(rows="2, 4")
    assert problems(report) == [(2, "ref", dup), (4, "ref", dup)]


def test_attendance_must_refer_to_existing_meeting_and_person(org):
    seed(org)
    before = checksum(org)
    report = imp(org, "meeting_ref,person_ref\nM1,P1\nM9,P1\nM2,P7\n", "attendance.csv")
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (3, "meeting_ref", "M9"),
        (4, "person_ref", "P7"),
    ]
    assert "meeting 'M9'" in report.problems[0].problem
    assert checksum(org) == before


def test_references_to_rows_in_the_same_workbook_are_accepted(org):
    # Sheets in the "wrong" order: the importer still writes people, activities, meetings, then attendance.
    data = workbook(
        {
            "Attendance": [["meeting_ref", "person_ref"], ["M1", "P1"], ["M1", "P2"]],
            "Meetings": [["ref", "activity_ref", "date"], ["M1", "QSC", "2024-01-10"]],
            "Activities": [
                ["ref", "name", "involvement_area", "level", "start_date"],
                ["QSC", "Quality", "D", "Board and governance", date(2023, 4, 1)],
            ],
            "People": [["Person ID", "Type"], ["P1", "carer"], ["P2", "service user"]],
            "Notes": [["This sheet is for people, not for the importer"]],
        }
    )
    report = imp(org, data, "register.xlsx")
    assert report.committed, report.problems
    assert report.table == "people, activities, meetings, attendance"
    assert [(t.table, t.added) for t in report.tables] == [
        ("people", 2),
        ("activities", 1),
        ("meetings", 1),
        ("attendance", 2),
    ]
    assert report.ignored == ["sheet 'Notes'"]
    assert count(org, Attendance) == 2


def test_ragged_row_is_a_problem(lite):
    report = imp(lite, "ref,involvement_type\nP1,carer,extra\n", "people.csv")
    assert [(p.row, p.problem) for p in report.problems] == [
        (2, "the row has 3 cells but the header has 2 columns")
    ]


def test_row_numbers_are_as_the_spreadsheet_shows_them(lite):
    report = imp(lite, "ref,involvement_type\n\nP1,carer\n\n\nP2,nobody\n", "people.csv")
    assert problems(report) == [(6, "involvement_type", UNKNOWN_CODE)]
    data = workbook({"people": [[], ["ref", "involvement_type"], ["P1", "carer"], ["P2", "nobody"]]})
    report = imp(lite, data, "people.xlsx")
    assert [(p.sheet, p.row) for p in report.problems] == [("people", 4)]


def test_levels_by_key_or_name_and_involvement_ref_built_when_absent(lite):
    seed(lite)
    report = imp(
        lite,
        "ref,name,involvement_area,level,start_date\nA2,Two,C,Operational (services, projects, "
        "training and education),2024-01-01\n".replace("Operational (", '"Operational (').replace(
            "education)", 'education)"'
        ),
        "activities.csv",
    )
    assert report.committed, report.problems
    report = imp(
        lite, "person_ref,activity_ref,start_date,role\nP1,QSC,01/05/2024,Co-worker\n", "involvements.csv"
    )
    assert report.committed, report.problems
    with Session(lite) as session:
        involvement = session.exec(select(Involvement)).one()[0]
    assert involvement.ref == "P1|QSC|2024-05-01" and involvement.role == "co_worker"
    again = imp(
        lite, "person_ref,activity_ref,start_date,role\nP1,QSC,01/05/2024,Co-worker\n", "involvements.csv"
    )
    assert (again.added, again.unchanged) == (0, 1)


def test_payments_money_and_dates(lite):
    seed(lite)
    report = imp(
        lite,
        "ref,person_ref,kind,claim_date,paid_date,amount\n"
        "C1,P1,fee,2024-01-01,2024-01-20,£25\n"
        "C2,P1,travel,2024-01-01,2023-12-01,-3\n",
        "payments.csv",
    )
    assert [(p.row, p.column) for p in report.problems] == [(3, "amount"), (3, "paid_date")]
    report = imp(
        lite,
        "ref,person_ref,kind,claim_date,paid_date,amount\nC1,P1,fee,2024-01-01,,1,234.5\n".replace(
            "1,234.5", '"1,234.5"'
        ),
        "payments.csv",
    )
    assert report.committed, report.problems
    with Session(lite) as session:
        assert str(session.exec(select(Payment.amount)).one()[0]) == "1234.50"


# --- Safety: all or nothing, re-import, dry run, log --------------------------------------------------------


def test_one_bad_row_writes_nothing(org):
    seed(org)
    before = checksum(org)
    content = PEOPLE + "P3,carer,A,female\nP4,carer,Q,female\n"
    report = imp(org, content, "people.csv")
    assert not report.committed and report.rejected == 1 and report.rows_read == 4
    assert checksum(org) == before


def test_reimport_changes_nothing_and_an_update_changes_only_what_changed(org):
    seed(org)
    again = imp(org, ATTENDANCE, "attendance.csv")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    before = checksum(org)["person"]
    changed = PEOPLE.replace("P2,carer,N,male", "P2,carer,M,male") + "P3,both,,\n"
    report = imp(org, changed, "people.csv", user="steward@example.invalid")
    assert (report.added, report.updated, report.unchanged) == (1, 1, 1)
    assert checksum(org)["person"] != before
    with Session(org) as session:
        assert dict(session.exec(select(Person.ref, Person.ethnicity)).all()) == {
            "P1": "A",
            "P2": "M",
            "P3": "99",
        }
    log = import_log_frame(engine=org)
    newest = log.row(0, named=True)
    assert (newest["user"], newest["file_name"], newest["table_name"]) == (
        "steward@example.invalid",
        "people.csv",
        "people",
    )
    assert (newest["rows_read"], newest["added"], newest["updated"], newest["unchanged"]) == (3, 1, 1, 1)
    assert log.height == 6  # four seed files, the re-import, the update


def test_dry_run_counts_but_writes_nothing(org):
    seed(org)
    before = checksum(org)
    report = imp(org, PEOPLE + "P3,carer,A,female\n", "people.csv", dry_run=True)
    assert (report.added, report.unchanged, report.committed, report.dry_run) == (1, 2, False, True)
    assert checksum(org) == before


def test_formula_cell_is_stored_as_text_never_evaluated(lite):
    data = workbook(
        {
            "activities": [
                ["ref", "name", "involvement_area", "level", "start_date"],
                ["F1", "=SUM(1,2)", "D", "board", "2024-01-01"],
                ["F2", '=HYPERLINK("http://x.invalid","x")', "D", "board", "2024-01-01"],
            ]
        }
    )
    report = imp(lite, data, "activities.xlsx")
    assert report.committed, report.problems
    with Session(lite) as session:
        names = sorted(r[0] for r in session.exec(select(Activity.name)).all())
    assert names == ['=HYPERLINK("http://x.invalid","x")', "=SUM(1,2)"]


# --- Whole-file problems ------------------------------------------------------------------------------------


def test_file_over_the_size_limit_is_refused_before_reading(lite, monkeypatch, tmp_path):
    monkeypatch.setenv("PRESENCE_MAX_IMPORT_BYTES", "100")
    get_settings.cache_clear()
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE * 10)  # 76 bytes x 10

    def never(*_args, **_kwargs):
        raise AssertionError("the file was read before its size was checked")

    monkeypatch.setattr(type(path), "read_bytes", never)
    with pytest.raises(ValueError, match=r"^people.csv is 760 bytes, over the limit of 100 bytes"):
        import_file(engine=lite, path_or_bytes=path)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_file_over_the_row_limit_is_refused(lite, monkeypatch, kind):
    monkeypatch.setenv("PRESENCE_MAX_IMPORT_ROWS", "3")
    get_settings.cache_clear()
    rows = [["ref", "involvement_type"]] + [[f"P{i}", "carer"] for i in range(5)]
    data = workbook({"people": rows}) if kind == "xlsx" else "\n".join(",".join(r) for r in rows).encode()
    with pytest.raises(ValueError, match="has more than 3 rows"):
        imp(lite, data, f"people.{kind}")


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"\x00\x01\x02binary\xff\x00", "x.csv", "not a CSV text file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", "old-style Excel .xls"),
        (b"PK\x03\x04broken", "broken.xlsx", "could not be opened as an Excel .xlsx workbook"),
        (b"", "empty.csv", "empty.csv is empty"),
        (b"colour,flavour\nred,mint\n", "sweets.csv", "Could not tell which table sweets.csv is for"),
    ],
)
def test_whole_file_problems_are_one_sentence(lite, data, name, message):
    with pytest.raises(ValueError, match=message):
        imp(lite, data, name)


def test_no_organisation_or_several(sqlite_engine):
    with pytest.raises(ValueError, match="no organisation yet"):
        imp(sqlite_engine, PEOPLE, "people.csv")
    with Session(sqlite_engine) as session:
        for code in ("T1", "T2"):
            crud.create_organisation(session=session, organisation=OrganisationCreate(code=code, name=code))
        session.commit()
    with pytest.raises(ValueError, match=r"several organisations \(T1, T2\)"):
        imp(sqlite_engine, PEOPLE, "people.csv")
    assert imp(sqlite_engine, PEOPLE, "people.csv", organisation_code="T2").added == 2
    assert (
        imp(sqlite_engine, PEOPLE, "people.csv", organisation_code="T1").added == 2
    )  # refs are per organisation


def test_chosen_table_and_sheet(lite):
    data = workbook(
        {
            "Sheet A": [["ref", "involvement_type"], ["P1", "carer"]],
            "Sheet B": [["ref", "involvement_type"], ["P9", "carer"]],
        }
    )
    with pytest.raises(ValueError, match="Sheets 'Sheet A' and 'Sheet B' of two.xlsx both look like people"):
        imp(lite, data, "two.xlsx")
    report = imp(lite, data, "two.xlsx", sheet="Sheet B", table="people")
    assert report.committed and report.sheet == "Sheet B"
    with pytest.raises(ValueError, match="no sheet called 'Sheet C'"):
        imp(lite, data, "two.xlsx", sheet="Sheet C")


# --- Templates and CLI --------------------------------------------------------------------------------------


def test_templates_have_headers_and_notes_and_import_empty(lite, tmp_path):
    paths = write_templates(tmp_path)
    assert sorted(p.name for p in paths) == sorted([f"{t}.csv" for t in TABLES] + ["presence-template.xlsx"])
    book = openpyxl.load_workbook(tmp_path / "presence-template.xlsx", read_only=True)
    assert book.sheetnames == [*TABLES, "Notes"]
    notes = [row for row in book["Notes"].iter_rows(values_only=True)]
    assert ("people", "ethnicity") in {(r[0], r[1]) for r in notes}
    ethnicity = next(r for r in notes if r[:2] == ("people", "ethnicity"))
    assert "AR = Arab" in ethnicity[3] and "Prefer not to say" in ethnicity[3]
    book.close()
    # A blank template is recognised (its headings are right) but has no rows: nothing is imported or logged.
    for table in TABLES:
        with pytest.raises(ValueError, match=f"{table}.csv has headings but no rows"):
            imp(lite, template_bytes(table, "csv"), f"{table}.csv")
    with pytest.raises(ValueError, match="presence-template.xlsx has headings but no rows"):
        imp(lite, (tmp_path / "presence-template.xlsx").read_bytes(), "presence-template.xlsx")


def test_cli_import_exit_codes_and_report(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PRESENCE_DATABASE_URL", url)
    get_settings.cache_clear()
    from models.db import get_engine, upgrade_schema

    engine = get_engine(url)
    upgrade_schema(engine)
    # models.db.get_engine() caches its no-argument call, whatever database was configured first in this
    # process: give the CLI the engine of this test's URL.
    monkeypatch.setattr("models.db.get_engine", lambda url_=None: engine)
    with Session(engine) as session:
        crud.create_organisation(session=session, organisation=OrganisationCreate(code="T1", name="T"))
        session.commit()
    good, bad, report = tmp_path / "people.csv", tmp_path / "bad.csv", tmp_path / "report.csv"
    good.write_text(PEOPLE)
    bad.write_text("ref,involvement_type\nP1,alien\n")
    assert cli_main(["import", str(good), "--dry-run"]) == 0
    assert count(engine, Person) == 0
    assert cli_main(["import", str(good)]) == 0
    assert cli_main(["import", str(bad), "--table", "people", "--report", str(report)]) == 2  # invalid input
    assert "row 2, column involvement_type: 'alien' is not a recognised value" in capsys.readouterr().out
    assert "alien" in report.read_text(encoding="utf-8-sig")
    assert cli_main(["import", str(tmp_path / "missing.csv")]) == 2
    assert cli_main(["template", str(tmp_path / "templates")]) == 0
    assert (tmp_path / "templates" / "attendance.csv").exists()
    assert count(engine, Person) == 2 and count(engine, ImportLog) == 1
    assert count(engine, Meeting) == 0


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("E09000001", "E09000001"),
        ("e09000001", "E09000001"),
        ("Prefer not to say", "not_stated"),
        ("", "not_known"),
        ("Unknown", "not_known"),
    ],
)
def test_local_authority_codes(lite, raw, expected):
    report = imp(lite, f"ref,involvement_type,local_authority\nP1,carer,{raw}\n", "people.csv")
    assert report.committed, report.problems
    with Session(lite) as session:
        assert session.exec(select(Person.local_authority)).one()[0] == expected


def test_local_authority_names_become_codes_and_an_unknown_name_gets_the_closest(lite):
    report = imp(lite, "ref,involvement_type,Borough\nP1,carer,Lambeth\nP2,carer,City of London\n", "people.csv")
    assert report.committed, report.problems
    with Session(lite) as session:
        assert sorted(r[0] for r in session.exec(select(Person.local_authority))) == ["E09000001", "E09000022"]
    report = imp(lite, "ref,involvement_type,local_authority\nP3,carer,Lambith\n", "people.csv")
    assert [(p.row, p.column) for p in report.problems] == [(2, "local_authority")]
    assert "the closest: Lambeth (E09000022)" in report.problems[0].problem


def test_excel_unicode_text_export_utf16_tab_separated(lite):
    content = "ref\tinvolvement_type\tethnicity\nP1\tcarer\tRoma\n"
    report = imp(lite, content.encode("utf-16"), "people.txt")
    assert report.committed, report.problems
    with Session(lite) as session:
        assert session.exec(select(Person.ethnicity)).one()[0] == "RO"


def test_too_long_reference_is_a_problem(lite):
    report = imp(lite, "ref,involvement_type\n" + "P" * 81 + ",carer\n", "people.csv")
    assert problems(report) == [(2, "ref", "is 81 characters long; the most is 80")]


def test_a_database_failure_after_writing_rolls_everything_back(org, monkeypatch):
    """The rows are written, then the log insert fails: the whole file is rolled back; one sentence raised."""
    from models.importer import write

    seed(org)
    before = checksum(org)

    def failing_log(*_args, **_kwargs):
        raise org.dialect.loaded_dbapi.OperationalError("simulated failure")

    monkeypatch.setattr(write, "log_import", failing_log)
    refused = r"^The database refused the import of people.csv \(simulated failure\); nothing was written"
    with pytest.raises(ValueError, match=refused):
        imp(org, PEOPLE + "P3,carer,A,female\n", "people.csv")
    assert checksum(org) == before
