"""The Import data page in Streamlit's AppTest: upload, dry run, the problem report, import, and the log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import Session, select
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from models import crud
from models.audit import audit_frame
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
    at.switch_page("views/import_data.py")
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


def test_import_and_downloads_are_audited_as_the_signed_in_user(app):
    engine = get_engine(get_settings().database_url)
    _submit(app, "people.csv", BAD, dry_run=False)
    _submit(app, "people.csv", GOOD, dry_run=False)
    events = audit_frame(engine, action="import").sort("id")
    assert list(events["user"]) == [get_settings().local_user] * 2
    outcomes = [json.loads(d)["outcome"] for d in events["detail"]]
    assert outcomes == ["rejected", "committed"]
    buttons = app.get("download_button")
    assert [b.proto.label for b in buttons] == [
        "Workbook template (.xlsx, all tables)",
        "People template (.csv)",
    ]
    assert all(b.proto.deferred_file_id for b in buttons)  # each file is built, and audited, when pressed


@pytest.fixture
def deferred(monkeypatch) -> dict[str, object]:
    """The builders of deferred downloads by file id (AppTest's runtime is gone once a run ends)."""
    builders: dict[str, object] = {}
    add = MediaFileManager.add_deferred

    def recording_add(self, data, *args, **kwargs):
        file_id = add(self, data, *args, **kwargs)
        builders[file_id] = data
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", recording_add)
    return builders


def test_template_and_problem_downloads_are_audited_when_pressed(app, deferred):
    engine = get_engine(get_settings().database_url)

    def press(button) -> None:  # what the browser's click makes the server do: build the file
        assert deferred[button.proto.deferred_file_id]()

    _submit(app, "people.csv", BAD, dry_run=False)
    buttons = {b.proto.label: b for b in app.get("download_button")}
    assert audit_frame(engine, action="download").height == 0  # drawing a button is not a download
    press(buttons["Workbook template (.xlsx, all tables)"])
    press(buttons["Download the problems (.csv)"])
    events = audit_frame(engine, action="download").sort("id")
    assert list(events["user"]) == [get_settings().local_user] * 2
    details = [json.loads(d) for d in events["detail"]]
    assert [(d["what"], d["format"], d["rows"]) for d in details] == [
        ("import template (all tables)", "xlsx", 0),
        ("import problems of people.csv", "csv", 1),
    ]
