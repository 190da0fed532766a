"""Security review, finding 4: small spreadsheets that stalled the importer are refused quickly, in one
sentence. The hostile files are generated here (tests/models/hostile_workbooks.py); their time and memory
are measured in bench/bench_hostile_files.py. The command-line tests run the importer in a child process
with a CPU-time limit, so that on the old code (which ran for minutes) they fail instead of hanging."""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from hostile_workbooks import blank_rows_workbook, far_row_workbook
from sqlmodel import Session, select

from models import crud, spreadsheet_limits
from models.db import get_engine, upgrade_schema
from models.importer import import_file, sheet_names
from models.settings import get_settings
from models.tables import OrganisationCreate, Person

ROOT = Path(__file__).resolve().parents[2]
CPU_SECONDS = 60  # generous: the refusals take well under a second of CPU


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    return {
        "far_row": far_row_workbook(folder / "far_row.xlsx"),
        "blank_rows": blank_rows_workbook(folder / "blank_rows.xlsx"),
    }


@pytest.fixture
def database(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'presence.db'}"
    engine = get_engine(url)
    upgrade_schema(engine)
    with Session(engine) as session:
        crud.create_organisation(session=session, organisation=OrganisationCreate(code="T1", name="Trust"))
        session.commit()
    return url


def _limited() -> None:  # pragma: no cover - runs in the child process
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


@pytest.mark.parametrize(
    "name,sentence",
    [
        ("far_row", "(sheet 'People') has a row numbered 1,048,576,000, beyond Excel's last row (1,048,576)"),
        ("blank_rows", "(sheet 'People') has more than 1,048,576 rows, blank rows included"),
    ],
)
def test_hostile_workbooks_are_refused_by_the_command(hostile, database, name, sentence):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESENCE_")}
    env["PRESENCE_DATABASE_URL"] = database
    done = subprocess.run(
        [sys.executable, "-m", "presence_cli", "import", str(hostile[name]), "--organisation", "T1"],
        cwd=ROOT, env=env, capture_output=True, text=True, preexec_fn=_limited, timeout=600,
    )
    assert done.returncode == 2, (done.returncode, done.stderr[-500:])
    assert sentence in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


@pytest.mark.parametrize("name", ["far_row", "blank_rows"])
def test_hostile_workbooks_are_refused_on_the_page_path_and_nothing_is_stored(hostile, database, name):
    engine = get_engine(database)
    data = hostile[name].read_bytes()
    with pytest.raises(ValueError, match=r"\(sheet 'People'\) has"):
        sheet_names(data, file_name=f"{name}.xlsx")
    with pytest.raises(ValueError, match=r"\(sheet 'People'\) has"):
        import_file(engine=engine, path_or_bytes=data, file_name=f"{name}.xlsx", organisation_code="T1")
    with Session(engine) as session:
        assert session.exec(select(Person)).first() is None


def _workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "People"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_cell_far_to_the_right_is_refused(database):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "People"
    sheet.append(["ref", "involvement_type"])
    sheet.append(["P1", "carer"])
    sheet["XFD2"] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ValueError, match=r"has a cell in column 16,384, beyond the 1,000 columns"):
        import_file(engine=get_engine(database), path_or_bytes=buffer.getvalue(), file_name="wide.xlsx",
                    organisation_code="T1")


def test_the_cell_cap_counts_blank_cells(database, monkeypatch):
    monkeypatch.setenv("PRESENCE_MAX_IMPORT_CELLS", "50")
    get_settings.cache_clear()
    rows = [["ref", "involvement_type"]] + [[f"P{i}", "carer"] for i in range(10)] + [[None, None]] * 40
    with pytest.raises(ValueError, match="has more than 50 cells, blank cells included"):
        import_file(engine=get_engine(database), path_or_bytes=_workbook(rows), file_name="x.xlsx",
                    organisation_code="T1")
    csv = "ref,involvement_type\n" + "P1,carer\n" + ",\n" * 60
    with pytest.raises(ValueError, match="has more than 50 cells, blank cells included"):
        import_file(engine=get_engine(database), path_or_bytes=csv.encode(), file_name="x.csv",
                    organisation_code="T1")


def test_reading_is_time_limited(database, monkeypatch):
    monkeypatch.setenv("PRESENCE_MAX_IMPORT_SECONDS", "0.000001")
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="took more than 1e-06 seconds to read, so reading was stopped"):
        import_file(engine=get_engine(database), path_or_bytes=_workbook([["ref", "involvement_type"]]),
                    file_name="x.xlsx", organisation_code="T1")


def test_an_ordinary_workbook_still_imports(database):
    rows = [["ref", "involvement_type"], ["P1", "carer"], ["P2", "service_user"]]
    report = import_file(engine=get_engine(database), path_or_bytes=_workbook(rows), file_name="ok.xlsx",
                         organisation_code="T1")
    assert report.committed and report.added == 2


@pytest.mark.parametrize("letters,number", [("A", 1), ("Z", 26), ("AA", 27), ("ALL", 1000), ("XFD", 16384)])
def test_column_numbers(letters, number):
    assert spreadsheet_limits.column_number(letters) == number
