"""Security review, findings 5 and 6: a person reference must be a pseudonym, and look-alike references must
not become separate people. Through the importer, as a data steward would meet them."""

from __future__ import annotations

import polars as pl
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models import crud, references
from models.importer import import_file
from models.tables import OrganisationCreate, Person

HEADER = "ref,involvement_type\n"


@pytest.fixture
def org(engine: Engine) -> Engine:
    with Session(engine) as session:
        crud.create_organisation(session=session, organisation=OrganisationCreate(code="T1", name="Test trust"))
        session.commit()
    return engine


def _people(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(session.exec(select(Person.ref)).all())


def _import(engine: Engine, refs: list[str]):
    text = HEADER + "".join(f'"{r}",carer\n' for r in refs)
    return import_file(engine=engine, path_or_bytes=text.encode("utf-8"), file_name="people.csv")


# The identifiers the review stored as "pseudonyms" (all fictional: 943 476 5919 is the NHS's own test
# number, 07700 900xxx and 020 7946 0xxx are Ofcom's drama numbers, QQ 12 34 56 C is HMRC's example).
IDENTIFIERS = [
    ("John Smith", references.LOOKS_LIKE_NAME),
    ("Mary-Jane O'Neil", references.LOOKS_LIKE_NAME),
    ("943 476 5919", references.LOOKS_LIKE_NHS),
    ("9434765919", references.LOOKS_LIKE_NHS),
    ("943-476-5919", references.LOOKS_LIKE_NHS),
    ("john.smith@example.org", references.LOOKS_LIKE_EMAIL),
    ("07700 900123", references.LOOKS_LIKE_PHONE),
    ("+44 20 7946 0018", references.LOOKS_LIKE_PHONE),
    ("SW1A 1AA", references.LOOKS_LIKE_POSTCODE),
    ("QQ 12 34 56 C", references.LOOKS_LIKE_NI),
    ("DOB 01/02/1980", references.LOOKS_LIKE_DATE),
    ("born 1980-02-01", references.LOOKS_LIKE_DATE),
]


@pytest.mark.parametrize("ref,problem", IDENTIFIERS)
def test_a_real_identifier_is_refused_naming_the_row(org, ref, problem):
    report = _import(org, ["P1", ref])
    assert not report.committed
    [found] = report.problems
    assert (found.row, found.column, found.value, found.problem) == (3, "ref", ref, problem)
    assert "pseudonym" in found.accepted
    assert _people(org) == []


@pytest.mark.parametrize("ref", ["P1", "P000123", "SU-0042", "CARER 17", "Group A", "ACT-2024-7", "9434765918",
                                 "X7Y9Z2"])
def test_pseudonyms_are_accepted(org, ref):
    """9434765918 has the wrong check digit for an NHS number; 'Group A' is one capitalised word and a letter."""
    assert _import(org, [ref]).committed
    assert _people(org) == [ref]


def test_the_nhs_check_digit_is_computed(org):
    # 943 476 591: 9*10 + 4*9 + 3*8 + 4*7 + 7*6 + 6*5 + 5*4 + 9*3 + 1*2 = 299; 299 % 11 = 2; 11 - 2 = 9
    frame = pl.DataFrame({"_row": [2, 3], "ref": ["9434765919", "9434765911"]})
    assert references.identifier_problems(frame, "ref")["row"].to_list() == [2]


SAME_AS_P1 = ["p1", "Ｐ1", "P\u200b1", "P\u00ad1", " P1 ", "P\u200d1\u2060"]


@pytest.mark.parametrize("spelling", SAME_AS_P1)
def test_case_width_and_invisible_characters_are_the_same_person(org, spelling):
    assert _import(org, ["P1"]).committed
    report = _import(org, [spelling])
    assert report.committed and report.added == 0
    assert _people(org) == ["P1"]


def test_accents_written_two_ways_are_the_same_person(org):
    assert _import(org, ["\u00e9x"]).committed  # é as one character
    report = _import(org, ["e\u0301x"])  # e followed by a combining acute accent
    assert report.committed and report.added == 0
    assert _people(org) == ["\u00e9x"]


@pytest.mark.parametrize("spelling", ["\u04201", "\u03a11", "\u0420\u0031"])
def test_a_look_alike_of_a_stored_reference_is_refused_naming_both(org, spelling):
    """Cyrillic Р and Greek Ρ look exactly like Latin P."""
    assert _import(org, ["P1"]).committed
    report = _import(org, [spelling])
    assert not report.committed
    [found] = report.problems
    assert found.row == 2 and found.value == spelling
    assert "looks the same as 'P1' (already in Presence)" in found.problem
    assert _people(org) == ["P1"]


def test_the_reviews_ten_spellings_in_one_file_are_never_ten_people(org):
    spellings = ["P1", "p1", "\u04201", "Ｐ1", "P\u200b1", "P\u00ad1", "e\u0301x", "\u00e9x", "P\u20131", "P-1"]
    report = _import(org, spellings)
    assert not report.committed and _people(org) == []
    problems = {(p.row, p.problem.split(" (")[0]) for p in report.problems}
    assert (4, "looks the same as 'P1'") in problems  # the Cyrillic one, naming row 2
    assert any(p.row == 10 and "looks the same as 'P-1' (row 11" in p.problem for p in report.problems)
    assert any("appears more than once in this file" in p.problem for p in report.problems)


def test_links_use_the_stored_spelling(org):
    assert _import(org, ["P1"]).committed
    activities = "ref,name,involvement_area,level,start_date\nQSC,Quality,D,board,2023-04-01\n"
    assert import_file(engine=org, path_or_bytes=activities.encode(), file_name="activities.csv").committed
    involvements = "person_ref,activity_ref,start_date\np\u200b1,qsc,2023-05-01\n"
    report = import_file(engine=org, path_or_bytes=involvements.encode(), file_name="involvements.csv")
    assert report.committed and report.added == 1, report.problems
