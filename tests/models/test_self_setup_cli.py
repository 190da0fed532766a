"""The same steps as the browser test, from the command line: create an organisation, import the register a team
really keeps (mapping its unrecognised columns, confirming its committees), its meetings with "Yes" attendance and
its payments in pounds, correct and delete records, erase a person (aggregates before and after), and
``import --replace``. Plus the values registers are written in."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from analytics import columns as c
from analytics.baselines import BaselineSpec
from analytics.loader import load_frames
from analytics.representation import representation_table
from models import erasure, importer, mapping, values
from models.importer import import_file
from models.mapping import UNRECOGNISED
from models.register import NEW_COMMITTEE
from presence_cli import main as cli_main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "registers"


@pytest.fixture
def cli(tmp_path, monkeypatch) -> Engine:
    """The CLI on a database of this test's own (as test_importer's CLI test does)."""
    from models.db import get_engine, upgrade_schema
    from models.settings import get_settings

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PRESENCE_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = get_engine(url)
    upgrade_schema(engine)
    monkeypatch.setattr("models.db.get_engine", lambda url_=None: engine)
    return engine


def rows(engine: Engine, sql: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(sql))]


def register_args(*extra: str) -> list[str]:
    return ["import", str(FIXTURES / "committee_register.csv"), *extra]


def set_up(cli: Engine) -> None:
    assert cli_main(["organisation", "add", "--code", "STP", "--name", "South Thames Partnership",
                     "--catchment", "Lambeth; E09000028; Croydon"]) == 0
    assert cli_main(register_args("--map", "Notes=ignore", "--map", "Amount (£)=ignore", "--create-committees",
                                  "--committee-level", "strategic")) == 0


def test_organisation_add_and_list_with_catchment_names_and_codes(cli, capsys):
    assert cli_main(["organisation", "add", "--code", "STP", "--name", "South Thames Partnership",
                     "--catchment", "Lambeth; E09000028; Croydon"]) == 0
    assert rows(cli, "SELECT code, name, catchment FROM organisation")[0][:2] == ("STP", "South Thames Partnership")
    assert "E09000022;E09000028;E09000008" in capsys.readouterr().out
    assert cli_main(["organisation", "add", "--code", "STP", "--name", "Again"]) == 2  # code taken
    assert cli_main(["organisation", "add", "--code", "X1", "--name", "X", "--catchment", "Lambith"]) == 2
    assert "the closest: Lambeth (E09000022)" in capsys.readouterr().err
    assert cli_main(["organisation", "list"]) == 0
    assert "STP\tSouth Thames Partnership" in capsys.readouterr().out


def test_levels_can_be_renamed_reordered_flagged_added_and_removed(cli, capsys):
    assert cli_main(["organisation", "add", "--code", "STP", "--name", "S"]) == 0
    assert cli_main(["level", "set", "board", "--name", "Trust board"]) == 0
    assert cli_main(["level", "add", "council", "--name", "Council of governors", "--rank", "5",
                     "--decision-making", "yes"]) == 0
    assert cli_main(["level", "set", "community", "--rank", "1"]) == 0
    assert cli_main(["level", "remove", "operational"]) == 0
    assert rows(cli, "SELECT rank, key, name, decision_making FROM level ORDER BY rank") == [
        (1, "community", "Community", False),
        (2, "individual", "Individual care and treatment", False),
        (3, "strategic", "Strategic (commissioning, policy, service development)", True),
        (4, "council", "Council of governors", True),
        (5, "board", "Trust board", True),
    ]
    assert cli_main(["level", "set", "nowhere"]) == 2
    assert [r[0] for r in rows(cli, "SELECT action FROM audit_event ORDER BY id")].count("levels_changed") == 4


def test_a_real_register_needs_its_columns_resolved_then_imports_people_and_involvements(cli, capsys):
    assert cli_main(["organisation", "add", "--code", "STP", "--name", "S"]) == 0
    capsys.readouterr()
    assert cli_main(register_args()) == 2  # unrecognised columns and new committees: invalid until resolved
    out = capsys.readouterr().out
    assert "columns to map or ignore: 'Amount (£)', 'Notes'" in out
    assert "new committees (create them with --create-committees): Quality and Safety Committee" in out
    assert rows(cli, "SELECT count(*) FROM person") == [(0,)]
    assert cli_main(register_args("--map", "Notes=ignore", "--map", "Amount (£)=ignore", "--create-committees",
                                  "--committee-level", "strategic")) == 0
    people = dict(((r[0]), r[1:]) for r in rows(
        cli, "SELECT ref, involvement_type, disability, local_authority, ethnicity FROM person"))
    assert people == {
        "P001": ("service_user", "yes", "E09000022", "N"),  # "Lambeth" -> its ONS code
        "P002": ("carer", "no", "E09000028", "A"),
        "P003": ("service_user", "no", "E09000008", "H"),
        "P004": ("both", "not_stated", "E09000001", "Z"),  # "City of London", "Prefer not to say"
        "P005": ("carer", "no", "E09000023", "M"),
    }
    involvements = rows(cli, "SELECT p.ref, a.name, i.payment_basis, i.start_date FROM involvement i "
                             "JOIN person p ON p.id = i.person_id JOIN activity a ON a.id = i.activity_id "
                             "ORDER BY p.ref, a.name")
    assert len(involvements) == 6
    assert involvements[0][:3] == ("P001", "Mental Health Strategy Board", "paid")
    assert rows(cli, "SELECT DISTINCT l.key FROM activity a JOIN level l ON l.id = a.level_id") == [("strategic",)]
    capsys.readouterr()
    assert cli_main(register_args()) == 0  # the mapping is remembered; committees now exist
    assert "0 added, 0 updated, 11 unchanged, 0 rejected. Imported." in capsys.readouterr().out
    assert rows(cli, "SELECT count(*) FROM involvement") == [(6,)]


def test_meetings_with_6pm_and_yes_attendance_and_payments_in_pounds(cli, capsys):
    set_up(cli)
    assert cli_main(["import", str(FIXTURES / "meetings.csv")]) == 0
    assert cli_main(["import", str(FIXTURES / "attendance.csv")]) == 0
    assert cli_main(["import", str(FIXTURES / "payments.csv")]) == 0  # detected as payments, not people
    assert rows(cli, "SELECT ref, start_time FROM meeting ORDER BY ref")[1] == ("QSC-2024-10", "18:00:00.000000")
    assert sorted(rows(cli, "SELECT status FROM attendance")) == [
        ("apologies",), ("apologies",), ("attended",), ("attended",), ("attended",), ("reserve",)]
    amounts = sorted(Decimal(str(r[0])) for r in rows(cli, "SELECT amount FROM payment"))
    assert amounts == [Decimal("12.50"), Decimal("25.00"), Decimal("1250.00")]


def test_an_ambiguous_amount_is_refused_with_a_sentence(cli, capsys, tmp_path):
    set_up(cli)
    bad = tmp_path / "payments.csv"
    bad.write_text("Claim ID,Person,Type,Date claimed,Amount (£)\nC-9,P001,Fee,11/10/2024,\"£12,50\"\n")
    assert cli_main(["import", str(bad)]) == 2
    assert "'£12,50' is ambiguous: a comma followed by exactly two digits" in capsys.readouterr().out
    assert rows(cli, "SELECT count(*) FROM payment") == [(0,)]


def test_delete_a_mistaken_record_and_erase_a_person_with_aggregates_before_and_after(cli, capsys, monkeypatch):
    set_up(cli)
    assert cli_main(["import", str(FIXTURES / "meetings.csv")]) == 0
    assert cli_main(["import", str(FIXTURES / "attendance.csv")]) == 0
    assert cli_main(["import", str(FIXTURES / "payments.csv")]) == 0
    assert cli_main(["delete", "payments", "C-002", "--yes"]) == 0
    assert rows(cli, "SELECT ref FROM payment ORDER BY ref") == [("C-001",), ("C-003",)]

    def strategic_people() -> int:
        rep = representation_table(load_frames(cli, organisation_id=1), "ethnicity_broad", period="quarter",
                                   baseline=BaselineSpec(kind="census"))
        latest = rep.tables.filter(pl.col(c.LEVEL_KEY) == "strategic").sort(c.PERIOD).tail(1)
        return int(latest.get_column(c.PEOPLE).item())

    before = strategic_people()
    monkeypatch.setattr("builtins.input", lambda prompt="": "no")
    assert cli_main(["erase", "P001"]) == 1  # not confirmed: nothing erased
    assert ("P001",) in rows(cli, "SELECT ref FROM person")
    capsys.readouterr()
    monkeypatch.setattr("builtins.input", lambda prompt="": "P001")
    assert cli_main(["erase", "P001"]) == 0
    receipt = capsys.readouterr().out
    assert "Erasure receipt: people 'P001'" in receipt
    assert "involvements: 2 removed" in receipt and "attendance records: 2 removed" in receipt
    assert "payments: 1 removed" in receipt
    assert ("P001",) not in rows(cli, "SELECT ref FROM person")
    for table in ("involvement", "attendance", "payment", "support_offer"):
        assert rows(cli, f"SELECT count(*) FROM {table} t JOIN person p ON p.id = t.person_id "
                         "WHERE p.ref = 'P001'") == [(0,)]
    assert strategic_people() == before - 1  # the aggregates no longer count the person
    events = rows(cli, "SELECT detail FROM audit_event WHERE action = 'person_erased'")
    assert len(events) == 1 and "P001" not in str(events[0][0])  # the event, not the data
    assert cli_main(["erase", "P001", "--yes"]) == 2  # no such person any more


def test_import_replace_shows_a_dry_run_then_makes_the_table_match_the_file(cli, capsys, monkeypatch, tmp_path):
    set_up(cli)
    capsys.readouterr()
    fewer = tmp_path / "people.csv"
    fewer.write_text("ref,involvement_type\nP001,service_user\nP002,carer\n")
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")
    assert cli_main(["import", str(fewer), "--replace"]) == 1
    out = capsys.readouterr().out
    assert "3 deleted (not in the file)" in out and "dry run" in out
    assert rows(cli, "SELECT count(*) FROM person") == [(5,)]
    assert cli_main(["import", str(fewer), "--replace", "--yes"]) == 0
    assert rows(cli, "SELECT ref FROM person ORDER BY ref") == [("P001",), ("P002",)]


def test_purpose_without_recorded_on_warns_what_the_scorecard_will_show(cli, capsys, tmp_path):
    set_up(cli)
    capsys.readouterr()
    file = tmp_path / "activities.csv"
    file.write_text("ref,name,involvement_area,level,start_date,purpose,intended_outcomes\n"
                    "A1,Forum,B,community,2024-01-01,To hear from carers,Better leaflets\n")
    assert cli_main(["import", str(file)]) == 0
    assert "'Purpose and outcomes written down at the start' will not count it" in capsys.readouterr().out


@pytest.mark.parametrize("raw,stored", [
    ("12.50", "12.50"), ("£12.50", "12.50"), ("£ 12.50", "12.50"), ("1,250", "1250.00"), ("£1,250.00", "1250.00"),
    ("25", "25.00"), ("GBP 3.5", "3.50"),
])
def test_amounts(raw, stored):
    assert values.parse_money(raw) == stored


@pytest.mark.parametrize("raw", ["12,50", "£12,50", "1,25", "1,2500"])
def test_amounts_refused(raw):
    with pytest.raises(ValueError):
        values.parse_money(raw)


@pytest.mark.parametrize("raw,stored", [
    ("18:00", time(18)), ("6pm", time(18)), ("6.30pm", time(18, 30)), ("10am", time(10)), ("12pm", time(12)),
    ("12am", time(0)), ("09.15", time(9, 15)),
])
def test_times(raw, stored):
    assert values.parse_time(raw) == stored


@pytest.mark.parametrize("raw", ["6", "13pm", "25:00", "noonish"])
def test_times_refused(raw):
    with pytest.raises(ValueError):
        values.parse_time(raw)


def test_table_detection_scores_every_table_and_asks_when_close():
    payments = ["Claim ID", "Person", "Type", "Date claimed", "Amount (£)"]
    scores = importer.table_scores(payments)
    assert max(scores, key=scores.get) == "payments" and scores["payments"] > scores.get("people", 0)
    register = ["Person", "SU / Carer", "Committee", "Date joined", "Borough", "Disabled?"]
    assert max(importer.table_scores(register), key=importer.table_scores(register).get) == "register"


def test_the_web_wording_names_the_page_controls(sqlite_engine):
    from sqlmodel import Session

    from models import crud
    from models.tables import OrganisationCreate

    with Session(sqlite_engine) as session:
        crud.create_organisation(session=session, organisation=OrganisationCreate(code="T1", name="T"))
        session.commit()
    with pytest.raises(ValueError) as web:
        import_file(engine=sqlite_engine, path_or_bytes=b"colour,size\nred,big\n", file_name="x.csv", wording="web")
    assert "--table" not in str(web.value) and "'Table' box" in str(web.value)
    report = import_file(engine=sqlite_engine, path_or_bytes=b"ref,involvement_type,Notes\nP1,carer,x\n",
                         file_name="people.csv", wording="web")
    assert report.problems[0].problem == UNRECOGNISED and "--map" not in report.problems[0].accepted
    with mapping.wording(mapping.WEB):
        assert "tick 'Create the new committees' below" in mapping.say(NEW_COMMITTEE)


def test_erase_receipt_lists_what_was_removed(sqlite_engine):
    from sqlmodel import Session

    from models import crud
    from models.tables import OrganisationCreate

    with Session(sqlite_engine) as session:
        crud.create_organisation(session=session, organisation=OrganisationCreate(code="T1", name="T"))
        session.commit()
    import_file(engine=sqlite_engine, path_or_bytes=b"ref,involvement_type\nP1,carer\n", file_name="people.csv")
    receipt = erasure.erase_person(engine=sqlite_engine, person_ref="P1", user="steward@example.org")
    assert receipt.removed["person"] == 1 and receipt.total == 1
    assert receipt.lines()[0].startswith("Erasure receipt: people 'P1' of T1")
