"""Security review, findings 8 and 9: what the importer prints and which files it reads.

- A bad cell value is echoed with its control characters escaped, so an ANSI escape in a file cannot clear
  or rewrite the terminal.
- A file that is not UTF-8 and not plausibly Windows-1252 (Shift-JIS) is refused with "save it as UTF-8",
  instead of being stored garbled.
- A file with headings and no rows imports nothing, says "no rows" and writes no import-log entry.
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models import crud
from models.importer import NO_ROWS, import_file
from models.settings import get_settings
from models.tables import ImportLog, OrganisationCreate, Person
from presence_cli import main


@pytest.fixture
def org(sqlite_engine: Engine, monkeypatch) -> Engine:
    monkeypatch.setenv("PRESENCE_DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    with Session(sqlite_engine) as session:
        crud.create_organisation(session=session, organisation=OrganisationCreate(code="T1", name="Test trust"))
        session.commit()
    return sqlite_engine


def _rows(engine: Engine, model) -> list:
    with Session(engine) as session:
        return session.exec(select(model)).all()


def test_control_characters_in_echoed_values_are_escaped(org, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text('ref,involvement_type\nP1,"\x1b[2J\x1b[Hcarer\x07\rfake line"\n', encoding="utf-8")
    assert main(["import", str(path)]) == 2  # invalid input exits with 2, as the README says
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert "\\x1b[2J\\x1b[Hcarer\\x07\\rfake line" in out


def test_control_characters_in_a_refusal_are_escaped(org, tmp_path, capsys):
    path = tmp_path / "bad\x1b[31m.csv"
    path.write_text("nothing,we,know\n1,2,3\n", encoding="utf-8")
    assert main(["import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "bad\\x1b[31m.csv" in err and err.count("\n") == 1


JAPANESE = "ref,involvement_type\n山田太郎,carer\nテスト,service_user\n"


def test_a_shift_jis_file_is_refused_with_save_it_as_utf8(org, tmp_path, capsys):
    data = JAPANESE.encode("shift_jis")
    with pytest.raises(ValueError, match="save it as UTF-8"):
        import_file(engine=org, path_or_bytes=data, file_name="people.csv")
    assert _rows(org, Person) == []
    path = tmp_path / "people.csv"
    path.write_bytes(data)
    assert main(["import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "people.csv is not UTF-8 text" in err and "save it as UTF-8" in err


def test_windows_1252_is_still_read(org):
    data = "ref,involvement_type\nP\u00e91 \u201cx\u201d,carer\n".encode("cp1252")
    report = import_file(engine=org, path_or_bytes=data, file_name="people.csv")
    assert report.committed
    assert [p.ref for p in _rows(org, Person)] == ["P\u00e91 \u201cx\u201d"]


@pytest.mark.parametrize(
    "content", ["ref,involvement_type\n", "ref,involvement_type\n,\n\n", "\ufeffref;involvement_type\r\n"]
)
def test_a_header_only_file_imports_nothing_and_says_no_rows(org, tmp_path, capsys, content):
    with pytest.raises(ValueError, match="has headings but no rows, so nothing was imported"):
        import_file(engine=org, path_or_bytes=content.encode("utf-8"), file_name="people.csv")
    assert _rows(org, ImportLog) == []
    path = tmp_path / "people.csv"
    path.write_text(content, encoding="utf-8")
    assert main(["import", str(path)]) == 2
    assert capsys.readouterr().err.strip() == "presence: " + NO_ROWS.format(file="people.csv")
    assert _rows(org, ImportLog) == []
