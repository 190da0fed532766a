"""The Import data page in Streamlit's AppTest: upload, dry run, the problem report, import, and the log."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models import crud
from models.db import get_engine, upgrade_schema
from models.settings import get_settings
from models.tables import OrganisationCreate, Person

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
GOOD = b"Person ID,Type,Ethnic group\nP1,Service user,White British\nP2,Carer,Prefer not to say\n"
BAD = b"Person ID,Type,Ethnic group\nP1,Service user,Martian\n"


@pytest.fixture
def app(tmp_path, monkeypatch) -> AppTest:
    url = f"sqlite:///{tmp_path / 'page.db'}"
    engine = get_engine(url)
    upgrade_schema(engine)
    with Session(engine) as session:
        crud.create_organisation(
            session=session, organisation=OrganisationCreate(code="T1", name="Test trust")
        )
        session.commit()
    monkeypatch.setenv("PRESENCE_DATABASE_URL", url)
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/import_data.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _submit(at: AppTest, name: str, content: bytes, *, dry_run: bool) -> None:
    at.file_uploader(key="import_file").set_value((name, content, "text/csv"))
    at.run()
    at.toggle(key="import_dry").set_value(dry_run)
    at.run()
    at.button[-1].click()
    at.run()
    assert not at.exception, at.exception


def test_page_shows_templates_uploader_and_empty_log(app):
    assert [t.value for t in app.title] == ["Import data"]
    assert app.file_uploader(key="import_file") is not None
    assert any("Nothing has been imported" in i.value for i in app.info)


def test_bad_file_lists_problems_and_writes_nothing(app):
    _submit(app, "people.csv", BAD, dry_run=False)
    assert any("nothing was written" in e.value for e in app.error)
    problems = app.dataframe[-1].value
    assert list(problems["column"]) == ["ethnicity"] and list(problems["row"]) == [2]
    with Session(get_engine(get_settings().database_url)) as session:
        assert session.exec(select(Person)).all() == []


def test_dry_run_then_import_then_log(app):
    _submit(app, "people.csv", GOOD, dry_run=True)
    assert any("dry run" in i.value for i in app.info)
    assert [m.value for m in app.metric] == ["2", "2", "0", "0", "0"]
    _submit(app, "people.csv", GOOD, dry_run=False)
    assert any("Imported" in s.value for s in app.success)
    log = app.dataframe[-1].value
    assert list(log["file_name"]) == ["people.csv"] and list(log["added"]) == [2]
    assert list(log["user"]) == [get_settings().local_user]
