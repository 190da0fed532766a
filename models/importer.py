"""Import of spreadsheet and CSV registers: tolerant reading, a full problem report, all-or-nothing writes.

``import_file`` reads a .csv or .xlsx, works out which table (or tables, one sheet each) it holds, validates
every row with polars expressions, and writes in one transaction: when any row is rejected nothing is written
and the database is exactly as before. Rows are upserted on their organisation-scoped references, so
re-importing the same file changes nothing and an updated file changes only the rows that changed. Every
committed import writes an ``ImportLog`` row per table it read.

A file may carry its organisation (an ``organisations`` sheet of one row, with its ``levels`` and
``baselines``), so an export of one organisation imports into an empty database: the organisation is created
(with the levels of the file, or the five default levels) in the same transaction as its records.

Every call leaves exactly one ``audit_event`` (action ``import``): a committed import writes it in its own
transaction; a rejected file, a dry run or a refused file writes it after the rollback, so the audit trail is
complete while the data tables stay as they were.

Whole-file problems (not a CSV or workbook, too big, cannot tell the table) raise ``ValueError`` with one
sentence; row problems are collected in ``ImportReport.problems`` with the file, sheet, row (as the
spreadsheet shows it, header = row 1), column, value and what would be accepted.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import polars as pl
from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, SQLModel

from data import codes, vocabulary
from models import _tabular, audit, crud, erasure, mapping, references, register, values
from models.db import bump_data_version
from models.encoding import escape_control
from models.settings import get_settings
from models.tables import (
    PLAN_CHARACTERISTICS,
    PLAN_INVOLVEMENT,
    PLAN_STATUSES,
    Activity,
    Attendance,
    Baseline,
    Feedback,
    ImpactLog,
    ImportLog,
    Involvement,
    Level,
    Meeting,
    Organisation,
    OrganisationCreate,
    OutreachPlan,
    Payment,
    Person,
    PlanAction,
    PlanPartner,
    ReviewStep,
    SupportOffer,
)

__all__ = [
    "TABLES",
    "TABLE_ORDER",
    "Column",
    "ImportReport",
    "Problem",
    "TableCounts",
    "TableSpec",
    "cli_user",
    "import_file",
    "import_log_frame",
    "mapping_fields",
    "notes_rows",
    "parse_date",
    "preview_rows",
    "run_cli",
    "run_template_cli",
    "sheet_names",
    "template_bytes",
    "template_headers",
    "workbook_template_bytes",
    "write_templates",
]

# --- Messages (tests import these) --------------------------------------------------------------------------

REQUIRED = "a value is required"
MISSING_COLUMN = "the required column is missing"
DUPLICATE_COLUMN = "two columns mean the same field ({names})"
DUPLICATE_KEY = "appears more than once in this file (rows {rows})"
TOO_LONG = "is {length} characters long; the most is {limit}"
NOT_A_DATE = "is not a date"
NO_SUCH_DATE = "is not a real date (there is no such day)"
FUTURE_DATE = "is in the future"
END_BEFORE_START = "is before the {start} ({value})"
UNKNOWN_LINK = "refers to {what} '{ref}' that is neither in the database nor in this import"
UNKNOWN_CODE = "is not a recognised value"
RAGGED_ROW = "the row has {cells} cells but the header has {headers} columns"
UNKNOWN_TABLE = (
    "Could not tell which table {file} is for from its column headings ({headers}); "
    "choose one with --table (organisations, levels, baselines, people, activities, involvements, meetings, "
    "attendance, payments, support, impacts, feedback or reviews)."
)
AMBIGUOUS_TABLE = "{file} could be any of {tables}; choose one with --table."
CHOOSE_SHEET = "{file} has several sheets ({sheets}); choose the sheet for {table} with --sheet."
SAME_TABLE_SHEETS = (
    "Sheets '{a}' and '{b}' of {file} both look like {table}; import them one at a time with --sheet."
)
NO_TABLE_SHEETS = (
    "No sheet of {file} looks like a Presence table; choose a sheet with --sheet and a table with --table."
)
NO_ROWS = "{file} has headings but no rows, so nothing was imported."
DATABASE_REFUSED = "The database refused the import of {file} ({reason}); nothing was written."
SEVERAL_IN_FILE = (
    "{file} describes several organisations ({codes}); a file holds one organisation: split it into one file "
    "per organisation."
)
OTHER_ORGANISATION_FILE = (
    "{file} holds the records of organisation '{found}', not '{code}' that you are importing into; "
    "choose that organisation, or import a file of '{code}'."
)
OTHER_ORGANISATION = "belongs to another organisation; this import is for '{code}'"
NOT_AN_AREA = "'{value}' is not an ONS area code"
RANK_TAKEN = "is also the rank of level '{other}'; each level needs its own rank"
NOT_A_GROUP = "is not a group of the characteristic '{characteristic}'"
NOT_A_NUMBER = "is not a number"

DATE_ACCEPTED = "a date such as 2024-03-31 or 31/03/2024, not after today"
BOOL_ACCEPTED = "yes or no (blank means no)"
TIME_ACCEPTED = "a time such as 10:00 or 14:30"
CATCHMENT_ACCEPTED = "ONS local authority codes such as E09000001, separated by ';' (blank for none)"
ANY_DATE_ACCEPTED = "a date such as 2027-06-30 or 30/06/2027"
NUMBER_ACCEPTED = "a number of 0 or more, such as 1250 or 12.5"
# Outcomes of an import in the audit trail.
COMMITTED, REJECTED, CHECKED, REFUSED = "committed", "rejected", "checked", "refused"
NOTES_SHEETS = frozenset({"notes", "read me", "readme", "about", "instructions", "help", "allowed values"})
LA_PATTERN = re.compile(r"^[EWSN]\d{8}$")
MAX_SHOWN_VALUE = 200
CHUNK = 10_000


# --- Table specifications -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of an import table: header (``name``), database field, kind of value, header variants."""

    name: str
    # ref | text | code | characteristic | local_authority | level | link | date | time | bool | int | money
    # | number | catchment | organisation (the owning organisation's code, not stored) | group (baselines)
    # | any_date (a date that may be in the future: a plan's target or an action's due date)
    kind: str
    required: bool = False
    default: object = None
    aliases: tuple[str, ...] = ()
    code_list: dict[str, str] | None = None
    link: str | None = None  # people | activities | meetings, for kind "link"
    field: str | None = None  # database column when it differs from name
    max_length: int | None = None
    help: str = ""
    low: int | None = None
    high: int | None = None

    @property
    def db(self) -> str:
        return self.field or self.name


@dataclass(frozen=True)
class TableSpec:
    name: str
    model: type[SQLModel]
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # column names (headers) that identify a row within an organisation
    aliases: tuple[str, ...] = ()
    date_pairs: tuple[tuple[str, str], ...] = ()  # (start column, end column): end must not be before start

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


def _ref(max_length: int, *aliases: str, required: bool = True, help: str = "") -> Column:
    return Column(
        "ref",
        "ref",
        required=required,
        aliases=aliases,
        max_length=max_length,
        help=help or "The organisation's own reference for this row; re-importing updates the same row.",
    )


def _link(name: str, target: str, *aliases: str, required: bool = True, field: str) -> Column:
    what = {"people": "person", "activities": "activity", "meetings": "meeting", "plans": "outreach plan"}[target]
    return Column(
        name,
        "link",
        required=required,
        aliases=aliases,
        link=target,
        field=field,
        help=f"The reference of a {what} already in Presence or in this import.",
    )


def _date(name: str, *aliases: str, required: bool = False, help: str = "") -> Column:
    return Column(
        name, "date", required=required, aliases=aliases, help=help or "Date: " + DATE_ACCEPTED + "."
    )


def _code(
    name: str,
    code_list: dict[str, str],
    *aliases: str,
    default: str | None = None,
    required: bool = False,
    help: str = "",
) -> Column:
    return Column(
        name, "code", required=required, default=default, aliases=aliases, code_list=code_list, help=help
    )


def _characteristic(name: str, *aliases: str) -> Column:
    return Column(
        name,
        "characteristic",
        aliases=aliases,
        code_list=codes.CHARACTERISTIC_CODES[name],
        help="Blank means not known; 'Prefer not to say' means not stated.",
    )


# fmt: off
PERSON_ALIASES = ("person", "person id", "person ref", "person reference", "pseudonym", "participant",
                  "participant id", "member id", "member")
ACTIVITY_ALIASES = ("activity", "activity id", "activity ref", "activity reference", "committee",
                    "committee id", "project", "project id", "group id")
MEETING_ALIASES = ("meeting", "meeting id", "meeting ref", "meeting reference")
ORGANISATION_ALIASES = ("organisation code", "organization code", "org code", "organisation", "organization")
# Characteristics a baseline can describe: the equality fields of a person, and the broad ethnic groups.
BASELINE_CHARACTERISTICS: dict[str, str] = {
    "ethnicity": "Ethnicity", "ethnicity_broad": "Broad ethnic group", "sex": "Sex",
    "gender_same_as_birth": "Gender identity same as sex registered at birth", "age_band": "Age band",
    "disability": "Disability", "sexual_orientation": "Sexual orientation", "religion": "Religion or belief",
}

TABLES: dict[str, TableSpec] = {spec.name: spec for spec in (
    TableSpec("organisations", Organisation, (
        Column("code", "ref", required=True, max_length=40,
               aliases=("organisation code", "organization code", "org code", "trust code", "ods code"),
               help="The organisation's short unique code, e.g. its NHS trust code."),
        Column("name", "text", required=True, max_length=200,
               aliases=("organisation name", "organization name", "trust name")),
        Column("catchment", "catchment",
               aliases=("catchment area", "area codes", "local authorities", "areas served"),
               help="The ONS local authority codes of the area served."),
    ), key=("code",), aliases=("organisation", "organization", "organizations")),
    TableSpec("levels", Level, (
        Column("organisation_code", "organisation", aliases=ORGANISATION_ALIASES,
               help="The organisation's code; blank means the organisation being imported into."),
        Column("rank", "int", required=True, low=1, high=99, aliases=("level rank", "order", "position"),
               help="1 = individual care ... the highest = board; each level its own rank."),
        Column("key", "ref", required=True, max_length=40, aliases=("level key", "level id", "level"),
               help="Short key that the activities sheet's level column uses, e.g. board."),
        Column("name", "text", required=True, max_length=120, aliases=("level name",)),
        Column("decision_making", "bool", default=False,
               aliases=("decision making level", "decisions", "makes decisions"), help=BOOL_ACCEPTED),
    ), key=("key",), aliases=("level", "organisational levels", "organizational levels")),
    TableSpec("baselines", Baseline, (
        Column("source", "text", required=True, max_length=80, aliases=("baseline source", "baseline"),
               help="What the counts are, e.g. caseload or census2021."),
        Column("year", "int", required=True, low=1900, high=2100, aliases=("baseline year",)),
        Column("geography_code", "text", required=True, max_length=20, aliases=("area code", "geography")),
        Column("geography_name", "text", required=True, max_length=200, aliases=("area name", "area")),
        _code("characteristic", BASELINE_CHARACTERISTICS, "equality characteristic", required=True),
        Column("group", "group", required=True, max_length=120, aliases=("category", "group code"),
               help="A code or label of the characteristic's list (see the people columns)."),
        Column("count", "number", required=True, aliases=("people", "number", "population", "n")),
    ), key=("source", "year", "geography_code", "characteristic", "group"),
        aliases=("baseline", "population baselines", "user baselines")),
    TableSpec("people", Person, (
        _ref(80, "person id", "person ref", "person reference", "pseudonym", "participant id", "id",
             "reference", "person"),
        Column("involvement_type", "characteristic", required=True, code_list=codes.INVOLVEMENT_TYPES,
               aliases=("type", "involvement", "service user or carer", "su or carer", "type of involvement",
                        "su / carer", "su/carer", "service user / carer"),
               help="Service user, carer or both."),
        _characteristic("ethnicity", "ethnic group", "ethnic category", "ethnic origin", "ethnic background",
                        "ethnicity code", "ethnic category code"),
        _characteristic("sex", "gender", "sex at birth"),
        _characteristic("gender_same_as_birth", "gender identity same as sex registered at birth",
                        "gender same as sex at birth", "gender identity same"),
        _characteristic("age_band", "age", "age group", "age range"),
        Column("year_of_birth", "int", aliases=("birth year", "yob", "year born"), low=1900,
               help="Four-digit year, optional."),
        _characteristic("disability", "disabled", "disability status", "disabled?", "any disability"),
        _characteristic("sexual_orientation", "sexuality", "orientation"),
        _characteristic("religion", "religion or belief", "faith", "belief"),
        Column("local_authority", "local_authority",
               aliases=("la", "la code", "local authority code", "lad code", "area code", "ons code", "borough",
                        "local authority", "council area", "district"),
               help="ONS local authority code such as E09000001, or its name (Lambeth); blank means not known."),
    ), key=("ref",), aliases=("person", "participants", "members", "register")),
    TableSpec("activities", Activity, (
        _ref(80, "activity id", "activity ref", "activity reference", "committee id", "project id", "id",
             "reference"),
        Column("name", "text", required=True, max_length=200,
               aliases=("activity", "activity name", "title", "committee", "committee name", "project name")),
        _code("kind", codes.ACTIVITY_KINDS, "activity kind", "type", "activity type", default="committee"),
        _code("involvement_area", codes.INVOLVEMENT_AREAS, "area", "4pi area", "4pi level",
              "area of involvement", required=True, help="4PI area A-E."),
        _code("involves", codes.INVOLVEMENT_TYPES, "who", "involves who", "for", default="both"),
        Column("level", "level", required=True, field="level_id",
               aliases=("level key", "organisational level", "organization level", "decision level"),
               help="Level key or name, e.g. board or 'Board and governance'."),
        Column("purpose", "text", max_length=2000),
        Column("intended_outcomes", "text", max_length=2000, aliases=("outcomes", "intended outcome")),
        _date("purpose_recorded_on", "purpose recorded", "purpose date"),
        Column("high_level", "bool", default=False, aliases=("high level", "high level meeting"),
               help=BOOL_ACCEPTED),
        _date("start_date", "start", "started", "from", "start on", required=True),
        _date("end_date", "end", "ended", "to", "end on"),
    ), key=("ref",), aliases=("activity", "committees", "projects"),
        date_pairs=(("start_date", "end_date"),)),
    TableSpec("involvements", Involvement, (
        _ref(200, "involvement id", "involvement ref", "id", "reference", required=False,
             help="Optional; when blank it is person_ref|activity_ref|start_date."),
        _link("person_ref", "people", *PERSON_ALIASES, field="person_id"),
        _link("activity_ref", "activities", *ACTIVITY_ALIASES, field="activity_id"),
        _code("role", codes.INVOLVEMENT_ROLES, "involvement role", default="expert_by_experience"),
        _code("payment_basis", codes.PAYMENT_BASES, "payment", "paid or voluntary", "paid",
              default="voluntary"),
        Column("has_role_description", "bool", default=False, aliases=("role description",),
               help=BOOL_ACCEPTED),
        _date("start_date", "start", "started", "from", "joined", "date joined", "joined on", required=True),
        _date("end_date", "end", "ended", "to", "left", "date left", "left on"),
    ), key=("ref",), aliases=("involvement", "memberships"), date_pairs=(("start_date", "end_date"),)),
    TableSpec("meetings", Meeting, (
        _ref(120, "meeting id", "meeting ref", "meeting reference", "id", "reference"),
        _link("activity_ref", "activities", *ACTIVITY_ALIASES, field="activity_id"),
        _date("date", "meeting date", "held on", "on", required=True),
        Column("start_time", "time", aliases=("time", "start", "starts", "starts at"), help=TIME_ACCEPTED),
        _date("papers_sent", "papers sent on", "papers date", "papers"),
    ), key=("ref",), aliases=("meeting",)),
    TableSpec("attendance", Attendance, (
        _link("meeting_ref", "meetings", *MEETING_ALIASES, field="meeting_id"),
        _link("person_ref", "people", *PERSON_ALIASES, field="person_id"),
        _code("capacity", codes.ATTENDANCE_CAPACITIES, "attending as", "as", default="service_user"),
        _code("status", codes.ATTENDANCE_STATUSES, "attendance", "attended", default="attended"),
    ), key=("meeting_ref", "person_ref"), aliases=("attendances", "attendees", "register of attendance")),
    TableSpec("payments", Payment, (
        _ref(120, "payment id", "payment ref", "claim id", "id", "reference"),
        _link("person_ref", "people", *PERSON_ALIASES, field="person_id"),
        _link("activity_ref", "activities", *ACTIVITY_ALIASES, field="activity_id", required=False),
        _code("kind", codes.PAYMENT_KINDS, "payment kind", "type", "payment type", required=True),
        _date("claim_date", "claimed", "claimed on", "claim", "date claimed", required=True),
        _date("paid_date", "paid", "paid on", "date paid"),
        Column("amount", "money", required=True, aliases=("amount gbp", "sum", "value", "£", "amount (£)",
                                                          "amount £", "amount paid"),
               help="Pounds and pence, e.g. 25.00."),
    ), key=("ref",), aliases=("payment", "claims"), date_pairs=(("claim_date", "paid_date"),)),
    TableSpec("support", SupportOffer, (
        _link("person_ref", "people", *PERSON_ALIASES, field="person_id"),
        _code("kind", codes.SUPPORT_KINDS, "support", "support kind", "type", required=True),
        _date("offered_on", "offered", "date", required=True),
        Column("taken_up", "bool", default=False, aliases=("taken", "accepted"), help=BOOL_ACCEPTED),
    ), key=("person_ref", "kind", "offered_on"), aliases=("support offers", "support offer")),
    TableSpec("impacts", ImpactLog, (
        _ref(120, "impact id", "impact ref", "id", "reference"),
        _link("activity_ref", "activities", *ACTIVITY_ALIASES, field="activity_id"),
        _date("recorded_on", "recorded", "date", required=True),
        _code("area", codes.IMPACT_AREAS, "impact area", required=True),
        Column("what_changed", "text", required=True, max_length=2000, aliases=("change", "impact", "what")),
        Column("evidence", "text", max_length=2000),
    ), key=("ref",), aliases=("impact", "impact log")),
    TableSpec("feedback", Feedback, (
        _ref(120, "feedback id", "feedback ref", "response id", "id", "reference"),
        _link("activity_ref", "activities", *ACTIVITY_ALIASES, field="activity_id"),
        _date("submitted_on", "submitted", "date", required=True),
        _code("felt_valued", codes.FEEDBACK_ANSWERS, "valued", default=codes.NOT_KNOWN),
        _code("could_influence", codes.FEEDBACK_ANSWERS, "influence", default=codes.NOT_KNOWN),
        _code("informed_of_outcomes", codes.FEEDBACK_ANSWERS, "informed", "outcomes",
              default=codes.NOT_KNOWN),
    ), key=("ref",), aliases=("questionnaire", "responses")),
    TableSpec("reviews", ReviewStep, (
        _link("activity_ref", "activities", *ACTIVITY_ALIASES, field="activity_id"),
        Column("cycle", "int", default=1, low=1, aliases=("review cycle", "round"), help="1, 2, 3 ..."),
        _code("stage", codes.REVIEW_STAGES, "review stage", "step", required=True),
        _date("completed_on", "completed", "date", required=True),
    ), key=("activity_ref", "cycle", "stage"), aliases=("review", "review steps")),
    # Outreach plans (issue 18): the plan, its community partners (organisations, no personal data), actions.
    TableSpec("plans", OutreachPlan, (
        _ref(80, "plan id", "plan ref", "plan reference", "id", "reference"),
        Column("title", "text", required=True, max_length=200, aliases=("plan", "plan title", "target")),
        _code("characteristic", PLAN_CHARACTERISTICS, "equality characteristic", required=True),
        Column("group", "text", required=True, max_length=120, aliases=("group code", "community"),
               help="The group's code as in the outreach list, e.g. Black."),
        _code("involvement", PLAN_INVOLVEMENT, "who", default="all"),
        Column("level", "level", required=True, field="level_id", aliases=("level key",),
               help="Level key or name, e.g. board."),
        _link("activity_ref", "activities", *ACTIVITY_ALIASES, field="activity_id", required=False),
        Column("target_people", "int", required=True, low=1, high=10_000,
               aliases=("target", "people to add", "more people")),
        _date("started_on", "start", "start date", "started", required=True),
        Column("target_date", "any_date", required=True, aliases=("by", "due", "target by"),
               help="Date: " + ANY_DATE_ACCEPTED + "."),
        Column("owner_email", "text", max_length=254, aliases=("owner", "owner user")),
        Column("owner_team", "text", max_length=200, aliases=("team", "owning team")),
        _code("status", PLAN_STATUSES, "plan status", default="open"),
        Column("notes", "text", max_length=4000),
    ), key=("ref",), aliases=("outreach plans", "plan"), date_pairs=(("started_on", "target_date"),)),
    TableSpec("plan_partners", PlanPartner, (
        _link("plan_ref", "plans", "plan", "plan id", "plan reference", field="plan_id"),
        Column("name", "text", required=True, max_length=200, aliases=("partner", "organisation name")),
        Column("contact_role", "text", max_length=200, aliases=("contact", "role"),
               help="The contact's role, never their name or contact details."),
    ), key=("plan_ref", "name"), aliases=("partners", "community partners")),
    TableSpec("plan_actions", PlanAction, (
        _link("plan_ref", "plans", "plan", "plan id", "plan reference", field="plan_id"),
        Column("action", "text", required=True, max_length=300, aliases=("step", "what")),
        Column("partner", "text", max_length=200, aliases=("with",)),
        Column("due_date", "any_date", required=True, aliases=("due", "by"), help="Date: " + ANY_DATE_ACCEPTED + "."),
        _date("done_on", "done", "completed"),
    ), key=("plan_ref", "action"), aliases=("actions", "plan steps")),
)}
# fmt: on
TABLE_ORDER: tuple[str, ...] = tuple(TABLES)  # already in dependency order
OWNER_TABLE = "organisations"  # the one table that is not organisation-scoped: it holds the organisation
LINK_WHAT = {"people": "a person", "activities": "an activity", "meetings": "a meeting", "plans": "an outreach plan"}
LINK_MODEL = {"people": Person, "activities": Activity, "meetings": Meeting, "plans": OutreachPlan}


# --- Report -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    problem: str
    accepted: str


@dataclass
class TableCounts:
    table: str
    sheet: str | None
    rows_read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    deleted: int = 0  # rows an import with replace removed because the file no longer has them


PROBLEM_SCHEMA = {
    "file": pl.String,
    "sheet": pl.String,
    "row": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "problem": pl.String,
    "accepted": pl.String,
}


@dataclass
class ImportReport:
    file_name: str
    sheet: str | None
    table: str
    rows_read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    committed: bool = False
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    tables: list[TableCounts] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # columns or sheets that were not read
    organisation: str | None = None  # code of the organisation the file was imported into
    deleted: int = 0
    replace: bool = False
    warnings: list[str] = field(default_factory=list)  # things that will look wrong later, e.g. on the scorecard
    unrecognised: list[tuple[str, str]] = field(default_factory=list)  # (table, heading) to map or ignore
    new_committees: list[str] = field(default_factory=list)  # committees to create once the user confirms
    mapping: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> {heading: field}, as applied

    @property
    def outcome(self) -> str:
        """committed, rejected (problems found: nothing written) or checked (a clean dry run)."""
        if self.committed:
            return COMMITTED
        return REJECTED if self.problems else CHECKED

    def problems_frame(self) -> pl.DataFrame:
        return (
            pl.DataFrame([p.__dict__ for p in self.problems], schema=PROBLEM_SCHEMA, orient="row")
            if self.problems
            else pl.DataFrame(schema=PROBLEM_SCHEMA)
        )

    def to_csv(self) -> str:
        """Every problem as CSV text (columns file, sheet, row, column, value, problem, accepted)."""
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(PROBLEM_SCHEMA)
        for p in self.problems:
            writer.writerow(
                [
                    _tabular.escape_cell(str(v)) if v is not None else ""
                    for v in (p.file, p.sheet, p.row, p.column, p.value, p.problem, p.accepted)
                ]
            )
        return buffer.getvalue()

    def summary(self) -> str:
        """One or two sentences for the CLI and the page."""
        counts = (
            f"{self.rows_read:,} rows read, {self.added:,} added, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged, {self.rejected:,} rejected"
        ) + (f", {self.deleted:,} deleted (not in the file)" if self.replace else "")
        if self.problems:
            return (
                f"{self.file_name}: {counts}. {len(self.problems):,} problems found; nothing was written: "
                f"fix them and import the file again."
            )
        if self.dry_run:
            return f"{self.file_name}: {counts} (dry run: nothing was written)."
        return f"{self.file_name}: {counts}. Imported."


class _Bad(Exception):
    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


class _Rollback(Exception):
    """Raised inside the import transaction to roll it back on purpose (problems found, or a dry run)."""


# --- Value parsers (applied to each distinct value once) ----------------------------------------------------

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_UK = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?::(\d{2})(?:\.\d+)?)?$")
_EXCEL_EPOCH = date(1899, 12, 30)
_TRUE = frozenset({"yes", "y", "true", "t", "1", "x", "ticked"})
_FALSE = frozenset({"no", "n", "false", "f", "0", ""})


def parse_date(raw: str, *, today: date | None = None) -> date:
    """ISO 2024-03-31, UK 31/03/2024 (day first), '31 March 2024' or an Excel date number; not future."""
    value = raw.strip()
    found: date | None = None
    try:
        if m := _ISO.match(value):
            found = date(int(m[1]), int(m[2]), int(m[3]))
        elif m := _UK.match(value):
            found = date(int(m[3]), int(m[2]), int(m[1]))
        elif m := _SERIAL.match(value):
            found = _EXCEL_EPOCH + timedelta(days=int(m[1]))
        else:
            for pattern in ("%d %B %Y", "%d %b %Y"):
                try:
                    found = datetime.strptime(value, pattern).date()
                    break
                except ValueError:
                    continue
    except ValueError as error:
        raise _Bad(NO_SUCH_DATE) from error
    if found is None:
        raise _Bad(NOT_A_DATE)
    if found > (today or date.today()):
        raise _Bad(FUTURE_DATE)
    return found


def parse_time(raw: str) -> time:
    """'18:00', '18.00', '6pm', '6.30pm' (``models.values``)."""
    try:
        return values.parse_time(raw)
    except ValueError as error:
        raise _Bad(str(error)) from error


def parse_bool(raw: str) -> bool:
    folded = vocabulary.key(raw)
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise _Bad(UNKNOWN_CODE)


def parse_money(raw: str) -> str:
    """'12.50', '£12.50', '£1,250.00'; an ambiguous '12,50' is refused (``models.values``)."""
    try:
        return values.parse_money(raw)
    except ValueError as error:
        raise _Bad(str(error)) from error


def parse_number(raw: str) -> float:
    """A count such as 1250, 1,250 or 12.5: finite, not negative."""
    try:
        number = float(raw.strip().replace(",", ""))
    except ValueError as error:
        raise _Bad(NOT_A_NUMBER) from error
    if number != number or number in (float("inf"), float("-inf")):
        raise _Bad(NOT_A_NUMBER)
    if number < 0:
        raise _Bad("is negative")
    if number >= 1e12:
        raise _Bad("is too large")
    return number


def parse_catchment(raw: str) -> str:
    """'E09000001; e09000002' -> 'E09000001;E09000002' (upper case, in order, each once)."""
    found: list[str] = []
    for part in re.split(r"[;,\s]+", raw.strip()):
        if not part:
            continue
        upper = part.upper()
        if not LA_PATTERN.match(upper):
            raise _Bad(NOT_AN_AREA.format(value=part[:40]))
        if upper not in found:
            found.append(upper)
    return ";".join(found)


def _int_parser(column: Column) -> Callable[[str], int]:
    high = column.high or (date.today().year if column.name == "year_of_birth" else 1_000_000)

    def parse(raw: str) -> int:
        try:
            number = float(raw.strip())
        except ValueError as error:
            raise _Bad("is not a whole number") from error
        if not number.is_integer():
            raise _Bad("is not a whole number")
        if column.low is not None and number < column.low or number > high:
            raise _Bad(f"is outside {column.low} to {high}")
        return int(number)

    return parse


def _code_table(code_list: dict[str, str]) -> dict[str, str]:
    table = {vocabulary.key(c): c for c in code_list} | {
        vocabulary.key(label): c for c, label in code_list.items()
    }
    if codes.NOT_STATED in code_list:
        table.update({vocabulary.key(a): codes.NOT_STATED for a in vocabulary.NOT_STATED_ALIASES})
    if codes.NOT_KNOWN in code_list:
        table.update({vocabulary.key(a): codes.NOT_KNOWN for a in vocabulary.NOT_KNOWN_ALIASES if a})
    return table


def _parse_local_authority(raw: str) -> str:
    upper = raw.strip().upper()
    if LA_PATTERN.match(upper):
        return upper
    folded = vocabulary.key(raw)
    if folded in {vocabulary.key(a) for a in vocabulary.NOT_STATED_ALIASES} | {"not stated"}:
        return codes.NOT_STATED
    if folded in {vocabulary.key(a) for a in vocabulary.NOT_KNOWN_ALIASES} | {"not known"}:
        return codes.NOT_KNOWN
    try:
        return values.local_authority_code(raw)  # a name: 'Lambeth' -> E09000022
    except ValueError as error:
        raise _Bad(str(error)) from error


def _accepted(column: Column, spec: TableSpec) -> str:
    """What a column accepts, in words (the 'accepted' of a problem and the notes sheet of the templates)."""
    kind = column.kind
    if kind in {"code", "characteristic"}:
        values = list(column.code_list or {})
        shown = ", ".join(values)
        labels = "; labels such as " + ", ".join(
            f"'{v}'" for v in list((column.code_list or {}).values())[:3]
        )
        return f"one of: {shown}{labels}" + ("; blank means not known" if kind == "characteristic" else "")
    if kind == "local_authority":
        return "an ONS local authority code such as E09000001, 'prefer not to say', or blank for not known"
    if kind == "level":
        return "a level key such as individual, community, operational, strategic or board, or a level name"
    if kind == "link":
        return f"the reference of {LINK_WHAT[column.link or 'people']} in the database or in this import"
    if kind == "date":
        return DATE_ACCEPTED
    if kind == "any_date":
        return ANY_DATE_ACCEPTED
    if kind == "time":
        return TIME_ACCEPTED
    if kind == "bool":
        return BOOL_ACCEPTED
    if kind == "int":
        high = column.high or ("this year" if column.name == "year_of_birth" else "1000000")
        return f"a whole number from {column.low} to {high}"
    if kind == "money":
        return "an amount such as 25.00 (not negative)"
    if kind == "number":
        return NUMBER_ACCEPTED
    if kind == "catchment":
        return CATCHMENT_ACCEPTED
    if kind == "organisation":
        return "the code of the organisation being imported into, or blank"
    if kind == "group":
        return (
            "a code or label of the characteristic's list (as in the people columns); for ethnicity_broad "
            "one of: " + ", ".join(codes.BROAD_GROUPS)
        )
    if column.max_length:
        return f"text of at most {column.max_length:,} characters" + (
            " (required)" if column.required else ""
        )
    return "text"


# --- Reading files into sheets ------------------------------------------------------------------------------


def _read_bytes(path_or_bytes: str | Path | bytes, file_name: str | None, limit: int) -> tuple[bytes, str]:
    if isinstance(path_or_bytes, bytes | bytearray | memoryview):
        data = bytes(path_or_bytes)
        name = file_name or "the uploaded file"
        _tabular.check_size(len(data), file_name=name, limit=limit)
        return data, name
    path = Path(path_or_bytes)
    name = file_name or path.name
    if not path.is_file():
        raise ValueError(f"{name} does not exist or is not a file.")
    _tabular.check_size(path.stat().st_size, file_name=name, limit=limit)
    return path.read_bytes(), name


def preview_rows(data: bytes, *, file_name: str, rows: int = 20) -> pl.DataFrame:
    """The first rows of a file's first sheet as read (text cells under their own headings), for a preview."""
    settings = get_settings()
    if _tabular.is_workbook(data, file_name):
        sheets = _tabular.read_workbook(data, file_name=file_name, sheets=None, max_rows=settings.max_import_rows,
                                        limit=settings.max_import_bytes)
        sheet = next((s for s in sheets if not _is_notes(s)), None)
    else:
        sheet = _tabular.read_csv(data, file_name=file_name, max_rows=settings.max_import_rows)
    if sheet is None or not sheet.headers:
        raise ValueError(_tabular.EMPTY_FILE.format(file=file_name))
    headers = [h or f"column {i + 1}" for i, h in enumerate(sheet.headers)]
    unique = [h if headers.count(h) == 1 else f"{h} ({i + 1})" for i, h in enumerate(headers)]
    cells = [[(row[i] if i < len(row) else "") for i in range(len(unique))] for row in sheet.rows[:rows]]
    return pl.DataFrame(cells, schema={h: pl.String for h in unique}, orient="row")


def sheet_names(data: bytes, *, file_name: str) -> list[str]:
    """The sheets of an .xlsx (empty for a CSV), for the page's sheet chooser."""
    if not _tabular.is_workbook(data, file_name):
        return []
    return _tabular.workbook_sheet_names(data, file_name=file_name, limit=get_settings().max_import_bytes)


def _header_map(spec: TableSpec) -> dict[str, str]:
    names: dict[str, str] = {}
    for column in spec.columns:
        for variant in (column.name, *column.aliases):
            names.setdefault(vocabulary.key(variant), column.name)
    return names


HEADER_MAPS = {name: _header_map(spec) for name, spec in TABLES.items()}
REGISTER_MAP = register.header_map(HEADER_MAPS["people"], HEADER_MAPS["involvements"])


def _name_hint(name: str | None) -> str | None:
    """The table a file or sheet name points at ('People', 'attendance_2024.csv'), or None."""
    if not name:
        return None
    folded = vocabulary.key(Path(name).stem if "." in name else name)
    for table, spec in TABLES.items():
        variants = {vocabulary.key(v) for v in (table, *spec.aliases)}
        if folded in variants:
            return table
    tokens = set(folded.split())
    hits = [
        t
        for t, spec in TABLES.items()
        if tokens & {vocabulary.key(v) for v in (t, *spec.aliases) if " " not in vocabulary.key(v)}
    ]
    return hits[0] if len(hits) == 1 else None


def table_scores(headers: Sequence[str]) -> dict[str, int]:
    """Every table whose required columns the headings have (the one-sheet register too), scored by how many
    headings it recognises."""
    folded = {vocabulary.key(h) for h in headers}
    scores: dict[str, int] = {}
    for table, spec in TABLES.items():
        mapping = HEADER_MAPS[table]
        present = {mapping[h] for h in folded if h in mapping}
        if all(r in present for r in spec.required):
            scores[table] = len(present)
    flat = register.score(headers, REGISTER_MAP)
    if flat is not None:
        scores[register.REGISTER] = flat
    return scores


def _detect_table(headers: Sequence[str], *, label: str, hint_name: str | None) -> str:
    """The table the headings score best for; a file or sheet name settles it when it names a candidate.
    Two candidates that recognise the same number of headings are too close to call: the user chooses."""
    scores = table_scores(headers)
    hint = _name_hint(hint_name)
    if hint and (not scores or scores.get(hint) == max(scores.values())):
        return hint
    if not scores:
        shown = ", ".join(h for h in headers[:12] if h) or "none"
        raise ValueError(UNKNOWN_TABLE.format(file=label, headers=shown))
    best = max(scores.values())
    top = [t for t, s in scores.items() if s == best]
    if len(top) > 1:
        raise ValueError(AMBIGUOUS_TABLE.format(file=label, tables=" or ".join(top)))
    return top[0]


def _is_notes(sheet: _tabular.Sheet) -> bool:
    return vocabulary.key(sheet.name) in NOTES_SHEETS or not sheet.headers


def _plan(
    data: bytes, file_name: str, *, table: str | None, sheet: str | None, max_rows: int, limit: int
) -> tuple[list[tuple[str, _tabular.Sheet]], list[str]]:
    """Which table each sheet holds, in dependency order; plus the sheets left out."""
    if table is not None and table not in TABLES and table != register.REGISTER:
        raise ValueError(f"'{table}' is not a table Presence imports; use one of: {', '.join(TABLES)}.")
    if not _tabular.is_workbook(data, file_name):
        if data.startswith(_tabular.OLE_MAGIC):
            raise ValueError(_tabular.OLD_EXCEL.format(file=file_name))
        only = _tabular.read_csv(data, file_name=file_name, max_rows=max_rows)
        if not only.headers:
            raise ValueError(_tabular.EMPTY_FILE.format(file=file_name))
        chosen = table or _detect_table(only.headers, label=file_name, hint_name=file_name)
        return [(chosen, only)], []
    names = _tabular.workbook_sheet_names(data, file_name=file_name, limit=limit)
    if sheet is not None:
        read = _tabular.read_workbook(
            data, file_name=file_name, sheets=[sheet], max_rows=max_rows, limit=limit
        )
        only = read[0]
        if not only.headers:
            raise ValueError(f"Sheet '{sheet}' of {file_name} is empty.")
        label = f"sheet '{sheet}' of {file_name}"
        return [(table or _detect_table(only.headers, label=label, hint_name=sheet), only)], []
    sheets = _tabular.read_workbook(data, file_name=file_name, sheets=None, max_rows=max_rows, limit=limit)
    content = [s for s in sheets if not _is_notes(s)]
    left_out = [f"sheet '{s.name}'" for s in sheets if _is_notes(s)]
    if not content:
        raise ValueError(_tabular.EMPTY_FILE.format(file=file_name))
    if table is not None:
        if len(content) == 1:
            return [(table, content[0])], left_out
        named = [s for s in content if _name_hint(s.name) == table]
        if len(named) == 1:
            return [(table, named[0])], left_out + [f"sheet '{s.name}'" for s in content if s is not named[0]]
        raise ValueError(CHOOSE_SHEET.format(file=file_name, sheets=", ".join(names), table=table))
    if len(content) == 1:
        only = content[0]
        label = f"sheet '{only.name}' of {file_name}"
        return [(_detect_table(only.headers, label=label, hint_name=only.name), only)], left_out
    found: dict[str, _tabular.Sheet] = {}
    for s in content:
        try:
            t = _detect_table(s.headers, label=f"sheet '{s.name}' of {file_name}", hint_name=s.name)
        except ValueError:
            left_out.append(f"sheet '{s.name}'")
            continue
        if t in found:
            raise ValueError(SAME_TABLE_SHEETS.format(a=found[t].name, b=s.name, file=file_name, table=t))
        found[t] = s
    if not found:
        raise ValueError(NO_TABLE_SHEETS.format(file=file_name))
    return [(t, found[t]) for t in TABLE_ORDER if t in found], left_out


# --- Validation ---------------------------------------------------------------------------------------------


@dataclass
class _Lookups:
    """What rows may refer to: references known in the database, per kind, and those arriving in this import;
    the organisation's levels; the code of the organisation being imported into."""

    refs: dict[str, pl.DataFrame]  # people/activities/meetings -> frame(ref, id)
    levels: dict[str, str]  # folded key or name -> level key
    level_ids: dict[str, int] = field(default_factory=dict)  # level key -> id, in the database
    level_ranks: dict[str, int] = field(default_factory=dict)  # level key -> rank, in the database
    organisation_code: str | None = None
    incoming: dict[str, set[str]] = field(default_factory=dict)


@dataclass
class _Validated:
    spec: TableSpec
    sheet: _tabular.Sheet
    frame: pl.DataFrame  # typed columns by header name, plus _row
    problems: pl.DataFrame
    counts: TableCounts


def _problem_rows(
    frame: pl.DataFrame,
    mask: pl.Expr,
    column: str,
    problem: str | pl.Expr,
    accepted: str,
    value: pl.Expr | None = None,
) -> pl.DataFrame:
    value_expr = value if value is not None else pl.col(column) if column in frame.columns else pl.lit(None)
    return frame.filter(mask).select(
        pl.col("_row").cast(pl.Int64).alias("row"),
        pl.lit(column).alias("column"),
        value_expr.cast(pl.String).str.slice(0, MAX_SHOWN_VALUE).alias("value"),
        (problem if isinstance(problem, pl.Expr) else pl.lit(problem)).cast(pl.String).alias("problem"),
        pl.lit(accepted).alias("accepted"),
    )


def _map_distinct(
    series: pl.Series, parse: Callable[[str], object], dtype: pl.DataType
) -> tuple[pl.Series, dict[str, str]]:
    """Parse each distinct value once; returns the parsed column and {bad value: problem}."""
    good: dict[str, object] = {}
    bad: dict[str, str] = {}
    for value in series.drop_nulls().unique().to_list():
        try:
            good[value] = parse(value)
        except _Bad as error:
            bad[value] = error.problem
    parsed = series.replace_strict(good, default=None, return_dtype=dtype).alias(series.name)
    return parsed, bad


def _raw_frame(
    spec: TableSpec, sheet: _tabular.Sheet, label: str
) -> tuple[pl.DataFrame, list[pl.DataFrame], list[str]]:
    """Cells of the known columns (cleaned, blank = null) by header name; header problems; ignored headers."""
    mapping = HEADER_MAPS[spec.name]
    positions: dict[str, list[int]] = {}
    ignored = []
    for index, header in enumerate(sheet.headers):
        name = mapping.get(vocabulary.key(header))
        if name is None:
            if header.strip():
                ignored.append(f"column '{header.strip()[:60]}' of {label}")
            continue
        positions.setdefault(name, []).append(index)
    problems = []
    columns: dict[str, list[str]] = {}
    for name, found in positions.items():
        if len(found) > 1:
            shown = ", ".join(f"'{sheet.headers[i]}'" for i in found)
            problems.append(
                pl.DataFrame(
                    {
                        "row": [1],
                        "column": [name],
                        "value": [shown],
                        "problem": [DUPLICATE_COLUMN.format(names=shown)],
                        "accepted": ["one column for each field"],
                    }
                )
            )
        columns[name] = [row[found[0]] for row in sheet.rows]
    for column in spec.columns:
        if column.required and column.name not in positions:
            variants = ", ".join(f"'{v}'" for v in (column.name, *column.aliases[:3]))
            problems.append(
                pl.DataFrame(
                    {
                        "row": [1],
                        "column": [column.name],
                        "value": [None],
                        "problem": [MISSING_COLUMN],
                        "accepted": [f"a column headed {variants}"],
                    },
                    schema={k: PROBLEM_SCHEMA[k] for k in ("row", "column", "value", "problem", "accepted")},
                )
            )
    frame = pl.DataFrame(
        {"_row": sheet.row_numbers, **columns}, schema={"_row": pl.Int64, **{n: pl.String for n in columns}}
    )
    cleaned = [
        pl.when(pl.col(n).str.contains(r"^'[=+\-@\t\r]"))
        .then(pl.col(n).str.slice(1))
        .otherwise(pl.col(n))
        .str.strip_chars()
        .alias(n)
        for n in columns
    ]
    frame = frame.with_columns(cleaned).with_columns(
        [pl.when(pl.col(n) == "").then(None).otherwise(pl.col(n)).alias(n) for n in columns]
    )
    missing = [pl.lit(None, dtype=pl.String).alias(c.name) for c in spec.columns if c.name not in columns]
    return frame.with_columns(missing), problems, ignored


def _parse_column(
    frame: pl.DataFrame, spec: TableSpec, column: Column, lookups: _Lookups, *, present: bool
) -> tuple[pl.Series, list[pl.DataFrame]]:
    """The typed column and its problems (unparseable values and blanks in required columns)."""
    raw = frame.get_column(column.name)
    accepted = _accepted(column, spec)
    problems: list[pl.DataFrame] = []
    kind = column.kind
    if kind in {"ref", "text", "link", "group"}:
        parsed = raw
        if column.max_length:
            too_long = pl.col(column.name).str.len_chars() > column.max_length
            problems.append(
                _problem_rows(
                    frame,
                    too_long,
                    column.name,
                    pl.format(
                        TOO_LONG.format(length="{}", limit=column.max_length),
                        pl.col(column.name).str.len_chars(),
                    ),
                    accepted,
                )
            )
        bad: dict[str, str] = {}
    elif kind == "characteristic":
        table = vocabulary.ALIASES[column.name]
        if column.required:
            parsed, bad = _map_distinct(
                raw, lambda v: table.get(vocabulary.key(v)) or _raise(UNKNOWN_CODE), pl.String
            )
        else:
            filled = raw.fill_null("")
            parsed, bad = _map_distinct(
                filled, lambda v: table.get(vocabulary.key(v)) or _raise(UNKNOWN_CODE), pl.String
            )
            parsed = parsed.alias(column.name)
    elif kind == "code":
        table = _code_table(column.code_list or {}) | values.code_words(spec.name, column.name)
        parsed, bad = _map_distinct(
            raw, lambda v: table.get(vocabulary.key(v)) or _raise(UNKNOWN_CODE), pl.String
        )
    elif kind == "local_authority":
        parsed, bad = _map_distinct(raw.fill_null(codes.NOT_KNOWN), _parse_local_authority, pl.String)
    elif kind == "level":
        parsed, bad = _map_distinct(
            raw, lambda v: lookups.levels.get(vocabulary.key(v)) or _raise(UNKNOWN_CODE), pl.String
        )
    elif kind == "organisation":
        own = lookups.organisation_code
        parsed, bad = _map_distinct(
            raw, lambda v: v if v == own else _raise(OTHER_ORGANISATION.format(code=own)), pl.String
        )
    elif kind == "number":
        parsed, bad = _map_distinct(raw, parse_number, pl.Float64)
    elif kind == "catchment":
        parsed, bad = _map_distinct(raw, parse_catchment, pl.String)
    elif kind == "date":
        today = date.today()
        parsed, bad = _map_distinct(raw, lambda v: parse_date(v, today=today), pl.Date)
    elif kind == "any_date":
        parsed, bad = _map_distinct(raw, lambda v: parse_date(v, today=date.max), pl.Date)
    elif kind == "time":
        parsed, bad = _map_distinct(raw, parse_time, pl.Time)
    elif kind == "bool":
        parsed, bad = _map_distinct(raw, parse_bool, pl.Boolean)
    elif kind == "int":
        parsed, bad = _map_distinct(raw, _int_parser(column), pl.Int64)
    elif kind == "money":
        parsed, bad = _map_distinct(raw, parse_money, pl.String)
    else:  # pragma: no cover - a spec error
        raise AssertionError(kind)
    if bad:
        problems.append(
            _problem_rows(
                frame,
                pl.col(column.name).is_in(list(bad)),
                column.name,
                pl.col(column.name).replace_strict(bad, default=None),
                accepted,
            )
        )
    if column.default is not None:
        parsed = parsed.fill_null(pl.lit(column.default, dtype=parsed.dtype))
    if column.required and present:
        problems.append(_problem_rows(frame, pl.col(column.name).is_null(), column.name, REQUIRED, accepted))
    return parsed.alias(column.name), problems


def _raise(problem: str):
    raise _Bad(problem)


def _unrecognised_problems(spec: TableSpec, sheet: _tabular.Sheet) -> list[pl.DataFrame]:
    """A heading the table does not know is a problem to resolve (map it, or mark it ignore), never dropped."""
    known = HEADER_MAPS[spec.name]
    unknown = [h.strip()[:MAX_SHOWN_VALUE] for h in sheet.headers if h.strip() and vocabulary.key(h) not in known]
    if not unknown:
        return []
    return [
        pl.DataFrame(
            {
                "row": [1] * len(unknown),
                "column": unknown,
                "value": [None] * len(unknown),
                "problem": [mapping.UNRECOGNISED] * len(unknown),
                "accepted": [mapping.accepted_for_unrecognised()] * len(unknown),
            },
            schema={k: PROBLEM_SCHEMA[k] for k in ("row", "column", "value", "problem", "accepted")},
        )
    ]


def _validate(
    spec: TableSpec, sheet: _tabular.Sheet, *, file_name: str, lookups: _Lookups, ignored: list[str]
) -> _Validated:
    label = f"sheet '{sheet.name}'" if sheet.name else file_name
    frame, problems, _unknown = _raw_frame(spec, sheet, label)
    frame, reference_problems = references.check(  # pseudonyms only, one spelling each, no look-alikes
        frame,
        table=spec.name,
        columns=[(c.name, c.kind, c.link) for c in spec.columns],
        known={t: [*f.get_column("ref").to_list(), *sorted(lookups.incoming.get(t, ()))]
               for t, f in lookups.refs.items()},
    )
    problems.extend(reference_problems)
    present = {vocabulary.key(h) for h in sheet.headers}
    present = {HEADER_MAPS[spec.name][h] for h in present if h in HEADER_MAPS[spec.name]}
    problems.extend(_unrecognised_problems(spec, sheet))
    if sheet.ragged:
        rows, cells = zip(*sheet.ragged, strict=True)
        problems.append(
            pl.DataFrame(
                {
                    "row": list(rows),
                    "column": [None] * len(rows),
                    "value": [None] * len(rows),
                    "problem": [RAGGED_ROW.format(cells=c, headers=len(sheet.headers)) for c in cells],
                    "accepted": ["one cell per column; remove the extra cells or add a heading"] * len(rows),
                },
                schema={k: PROBLEM_SCHEMA[k] for k in ("row", "column", "value", "problem", "accepted")},
            )
        )
    typed = []
    for column in spec.columns:
        series, column_problems = _parse_column(frame, spec, column, lookups, present=column.name in present)
        typed.append(series)
        problems.extend(column_problems)
    parsed = pl.DataFrame([frame.get_column("_row"), *typed])
    if spec.name == "involvements":
        parsed = parsed.with_columns(
            pl.coalesce(
                pl.col("ref"),
                pl.concat_str(
                    [pl.col("person_ref"), pl.col("activity_ref"), pl.col("start_date").cast(pl.String)],
                    separator="|",
                ),
            ).alias("ref")
        )
    if spec.name == "baselines":
        parsed, group_problems = _baseline_groups(parsed, spec)
        problems.extend(group_problems)
    if spec.name == "levels":
        problems.extend(_rank_problems(parsed, spec, lookups))
    for start, end in spec.date_pairs:
        words = start.replace("_", " ")
        problem = pl.format(END_BEFORE_START.format(start=words, value="{}"), pl.col(start).cast(pl.String))
        problems.append(
            _problem_rows(
                parsed,
                pl.col(end) < pl.col(start),
                end,
                problem,
                f"a date on or after the {words}",
                pl.col(end),
            )
        )
    problems.extend(_link_problems(parsed, spec, lookups))
    problems.extend(_duplicate_problems(parsed, spec))
    problems = [p for p in problems if p.height]
    table_problems = (
        pl.concat(problems, how="vertical_relaxed")
        if problems
        else pl.DataFrame(
            schema={k: PROBLEM_SCHEMA[k] for k in ("row", "column", "value", "problem", "accepted")}
        )
    )
    header_broken = table_problems.filter(pl.col("row") == 1).height > 0
    rejected = parsed.height if header_broken else table_problems.filter(pl.col("row") > 1)["row"].n_unique()
    counts = TableCounts(table=spec.name, sheet=sheet.name, rows_read=parsed.height, rejected=rejected)
    return _Validated(spec=spec, sheet=sheet, frame=parsed, problems=table_problems, counts=counts)


def _group_code(characteristic: str, raw: str) -> str:
    """A baseline group as Presence codes it: the person field's code, or a broad ethnic group's name."""
    if characteristic == "ethnicity_broad":
        found = {vocabulary.key(g): g for g in codes.BROAD_GROUPS}.get(vocabulary.key(raw))
    else:
        found = vocabulary.try_normalise(characteristic, raw)
    if found is None:
        raise _Bad(NOT_A_GROUP.format(characteristic=characteristic))
    return found


def _baseline_groups(parsed: pl.DataFrame, spec: TableSpec) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Each (characteristic, group) pair mapped once to its code; a group that does not map is a problem."""
    pairs = parsed.select("characteristic", "group").drop_nulls().unique()
    mapped = []
    for characteristic, raw in pairs.iter_rows():
        try:
            mapped.append((characteristic, raw, _group_code(characteristic, raw)))
        except _Bad:
            continue
    codes_frame = pl.DataFrame(
        mapped, schema={"characteristic": pl.String, "group": pl.String, "_group": pl.String}, orient="row"
    )
    joined = parsed.join(codes_frame, on=["characteristic", "group"], how="left", maintain_order="left")
    unmapped = (
        pl.col("characteristic").is_not_null() & pl.col("group").is_not_null() & pl.col("_group").is_null()
    )
    problem = pl.format(NOT_A_GROUP.replace("{characteristic}", "{}"), pl.col("characteristic"))
    problems = [_problem_rows(joined, unmapped, "group", problem, _accepted(spec.column("group"), spec))]
    return joined.with_columns(pl.coalesce("_group", "group").alias("group")).drop("_group"), problems


def _rank_problems(parsed: pl.DataFrame, spec: TableSpec, lookups: _Lookups) -> list[pl.DataFrame]:
    """A level whose rank another level (in the file, or in the database and not in the file) also has."""
    incoming = parsed.filter(pl.col("key").is_not_null() & pl.col("rank").is_not_null())
    stored = pl.DataFrame(
        {"key": list(lookups.level_ranks), "rank": list(lookups.level_ranks.values())},
        schema={"key": pl.String, "rank": pl.Int64},
    ).filter(~pl.col("key").is_in(incoming.get_column("key").implode()))
    final = pl.concat([incoming.select("key", "rank"), stored]).rename({"key": "_other"})
    clashes = (
        incoming.join(final, on="rank", how="inner")
        .filter(pl.col("_other") != pl.col("key"))
        .sort("_row", "_other")
        .unique(subset="_row", keep="first", maintain_order=True)
    )
    problem = pl.format(RANK_TAKEN.replace("{other}", "{}"), pl.col("_other"))
    return [_problem_rows(clashes, pl.lit(True), "rank", problem, _accepted(spec.column("rank"), spec))]


def _link_problems(parsed: pl.DataFrame, spec: TableSpec, lookups: _Lookups) -> list[pl.DataFrame]:
    out = []
    for column in spec.columns:
        if column.kind != "link":
            continue
        target = column.link or "people"
        known = lookups.refs[target].get_column("ref")
        incoming = pl.Series(sorted(lookups.incoming.get(target, set())), dtype=pl.String)
        missing = (
            pl.col(column.name).is_not_null()
            & ~pl.col(column.name).is_in(known.implode())
            & ~pl.col(column.name).is_in(incoming.implode())
        )
        problem = pl.format(UNKNOWN_LINK.format(what=LINK_WHAT[target], ref="{}"), pl.col(column.name))
        out.append(_problem_rows(parsed, missing, column.name, problem, _accepted(column, spec)))
    return out


def _duplicate_problems(parsed: pl.DataFrame, spec: TableSpec) -> list[pl.DataFrame]:
    key = list(spec.key)
    keyed = parsed.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in key))
    duplicated = keyed.filter(pl.struct(key).is_duplicated())
    if not duplicated.height:
        return []
    rows = duplicated.group_by(key).agg(pl.col("_row").sort().alias("_rows"))
    shown = duplicated.join(rows, on=key, how="left", nulls_equal=True).with_columns(
        pl.col("_rows").list.head(10).cast(pl.List(pl.String)).list.join(", ").alias("_shown")
    )
    value = pl.concat_str([pl.col(k).cast(pl.String) for k in key], separator=" / ")
    problem = pl.format(DUPLICATE_KEY.replace("{rows}", "{}"), pl.col("_shown"))
    return [
        _problem_rows(
            shown, pl.lit(True), " + ".join(key), problem, "each " + " + ".join(key) + " once per file", value
        )
    ]


# --- Database: lookups, diff and write ----------------------------------------------------------------------


def _begin(connection: Connection, tables: Sequence[str]) -> None:
    """Serialise imports: SQLite takes the write lock now (BEGIN IMMEDIATE); on PostgreSQL a file that
    carries its organisation locks the organisation table, so two imports creating it take turns."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql" and OWNER_TABLE in tables:
        connection.exec_driver_sql("LOCK TABLE organisation IN SHARE ROW EXCLUSIVE MODE")


@dataclass(frozen=True)
class _Target:
    id: int | None  # None only while the organisation the file describes has not been written (rejected)
    code: str | None


def _lock_organisation(connection: Connection, organisation_code: str | None, *, missing_ok: bool = False):
    """The organisation row, locked for this transaction (PostgreSQL: FOR UPDATE; SQLite: BEGIN IMMEDIATE)."""
    table = Organisation.__table__
    query = select(table.c.id, table.c.code).order_by(table.c.id)
    if organisation_code is not None:
        query = query.where(table.c.code == organisation_code)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    rows = connection.execute(query).all()
    if organisation_code is not None and not rows:
        if missing_ok:
            return _Target(id=None, code=organisation_code)
        raise ValueError(f"There is no organisation with the code '{organisation_code}'.")
    if not rows:
        raise ValueError("There is no organisation yet: run 'presence demo' or create one before importing.")
    if len(rows) > 1:
        raise ValueError(
            f"There are several organisations ({', '.join(r.code for r in rows)}): "
            "name one with --organisation."
        )
    return _Target(id=rows[0].id, code=rows[0].code)


def _file_organisation(validated: _Validated, organisation_code: str | None, file_name: str) -> str | None:
    """The organisation a file's organisations sheet names; it must be the one chosen, when one was."""
    found = sorted(set(validated.frame.get_column("code").drop_nulls().to_list()))
    if len(found) > 1:
        shown = ", ".join(found[:5]) + (", ..." if len(found) > 5 else "")
        raise ValueError(SEVERAL_IN_FILE.format(file=file_name, codes=shown))
    if found and organisation_code is not None and found[0] != organisation_code:
        raise ValueError(
            OTHER_ORGANISATION_FILE.format(file=file_name, found=found[0], code=organisation_code)
        )
    return found[0] if found else organisation_code


def _ref_frame(connection: Connection, target: str, organisation_id: int) -> pl.DataFrame:
    table = LINK_MODEL[target].__table__
    rows = connection.execute(
        select(table.c.ref, table.c.id).where(table.c.organisation_id == organisation_id)
    )
    return pl.DataFrame(rows.all(), schema={"ref": pl.String, "id": pl.Int64}, orient="row")


def _load_lookups(
    connection: Connection, organisation_id: int | None, organisation_code: str | None
) -> _Lookups:
    """What the organisation has in the database (nothing when it does not exist yet)."""
    lookups = _Lookups(
        refs={target: _ref_frame(connection, target, organisation_id or 0) for target in LINK_MODEL},
        levels={},
        organisation_code=organisation_code,
    )
    _load_levels(connection, lookups, organisation_id or 0)
    return lookups


def _load_levels(connection: Connection, lookups: _Lookups, organisation_id: int) -> None:
    level = Level.__table__
    rows = connection.execute(
        select(level.c.id, level.c.key, level.c.name, level.c.rank)
        .where(level.c.organisation_id == organisation_id)
        .order_by(level.c.rank)
    ).all()
    lookups.level_ids = {r.key: r.id for r in rows}
    lookups.level_ranks = {r.key: r.rank for r in rows}
    for row in rows:
        lookups.levels.setdefault(vocabulary.key(row.key), row.key)
        lookups.levels.setdefault(vocabulary.key(row.name), row.key)


def _add_incoming_levels(lookups: _Lookups, pairs: Iterable[tuple[str, str]]) -> None:
    """Levels arriving in this import can be named by the activities that follow them."""
    pairs = list(pairs)
    for key, _name in pairs:
        lookups.levels[vocabulary.key(key)] = key
    for key, name in pairs:
        lookups.levels.setdefault(vocabulary.key(name), key)


def _db_frame(validated: _Validated, lookups: _Lookups) -> pl.DataFrame:
    """The parsed rows with links resolved to ids, named by database column."""
    frame = validated.frame
    for column in validated.spec.columns:
        if column.kind == "link":
            ids = lookups.refs[column.link or "people"].rename({"ref": column.name, "id": column.db})
            frame = frame.join(ids, on=column.name, how="left", nulls_equal=False, maintain_order="left")
        elif column.kind == "level":
            frame = frame.with_columns(
                pl.col(column.name)
                .replace_strict(lookups.level_ids, default=None, return_dtype=pl.Int64)
                .alias(column.db)
            )
        elif column.db != column.name:
            frame = frame.rename({column.name: column.db})
    names = [c.db for c in validated.spec.columns if c.kind != "organisation"]
    return frame.select(names)


def _key_fields(spec: TableSpec) -> list[str]:
    return [spec.column(k).db for k in spec.key]


def _existing(
    connection: Connection, spec: TableSpec, organisation_id: int, schema: pl.Schema
) -> pl.DataFrame:
    table = spec.model.__table__
    fields = list(schema)
    rows = connection.execute(
        select(table.c.id, *(table.c[f] for f in fields)).where(table.c.organisation_id == organisation_id)
    ).all()
    money = [c.db for c in spec.columns if c.kind == "money"]
    if money:
        position = {f: i + 1 for i, f in enumerate(fields)}
        rows = [
            tuple(
                str(Decimal(v).quantize(Decimal("0.01")))
                if i in {position[m] for m in money} and v is not None
                else v
                for i, v in enumerate(r)
            )
            for r in rows
        ]
    return pl.DataFrame(rows, schema={"_id": pl.Int64, **dict(schema)}, orient="row")


def _diff(
    connection: Connection, validated: _Validated, lookups: _Lookups, organisation_id: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows to add, and the rows to update (with their database ``_id``); counts go into the report."""
    spec = validated.spec
    frame = _db_frame(validated, lookups)
    key = _key_fields(spec)
    values = [f for f in frame.columns if f not in key]
    existing = _existing(connection, spec, organisation_id, frame.schema)
    joined = frame.join(existing, on=key, how="left", suffix="_db", nulls_equal=True)
    changed = pl.any_horizontal([~pl.col(f).eq_missing(pl.col(f + "_db")) for f in values])
    added = joined.filter(pl.col("_id").is_null()).select(frame.columns)
    updated = joined.filter(pl.col("_id").is_not_null() & changed).select("_id", *values)
    counts = validated.counts
    counts.added, counts.updated = added.height, updated.height
    counts.unchanged = frame.height - added.height - updated.height
    return added, updated


def _write(connection: Connection, validated: _Validated, lookups: _Lookups, organisation_id: int) -> None:
    spec = validated.spec
    added, updated = _diff(connection, validated, lookups, organisation_id)
    table = spec.model.__table__
    money = [c.db for c in spec.columns if c.kind == "money"]
    stamp = {"updated_at": datetime.now(UTC)} if "updated_at" in table.c else {}
    if spec.model is Level and updated.height:
        # Ranks are unique per organisation: move the changing levels out of the way first, so that two
        # levels can swap ranks and a new level can take a rank that an updated level gives up.
        moving = updated.get_column("_id").to_list()
        connection.execute(update(table).where(table.c.id.in_(moving)).values(rank=table.c.rank + 1000))
    for chunk in added.iter_slices(CHUNK):
        _insert(connection, table, _with_money(chunk, money), {"organisation_id": organisation_id} | stamp)
    if updated.height:
        values = [c for c in updated.columns if c != "_id"]
        statement = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({f: bindparam("v_" + f) for f in [*values, *stamp]})
        )
        for chunk in updated.iter_slices(CHUNK):
            rows = [
                {"_id": row["_id"]}
                | {"v_" + f: row[f] for f in values}
                | {"v_" + k: v for k, v in stamp.items()}
                for row in _with_money(chunk, money).iter_rows(named=True)
            ]
            connection.execute(statement, rows)
    target = next((t for t, model in LINK_MODEL.items() if model is spec.model), None)
    if target is not None:
        lookups.refs[target] = _ref_frame(connection, target, organisation_id)
    if spec.model is Level:
        _load_levels(connection, lookups, organisation_id)


def _write_organisation(
    connection: Connection, validated: _Validated, *, with_levels_from_file: bool
) -> None:
    """Upsert the file's organisation on its code. A new one gets the file's levels (written next) or, when
    the file has none, the five default levels."""
    counts = validated.counts
    rows = validated.frame.select("code", "name", "catchment").to_dicts()
    counts.added = counts.updated = counts.unchanged = 0
    table = Organisation.__table__
    for row in rows:
        catchment = [c for c in (row["catchment"] or "").split(";") if c]
        found = connection.execute(
            select(table.c.id, table.c.name, table.c.catchment).where(table.c.code == row["code"])
        ).first()
        if found is None:
            counts.added += 1
            if with_levels_from_file:
                connection.execute(
                    table.insert().values(
                        code=row["code"], name=row["name"], catchment=catchment, created_at=datetime.now(UTC)
                    )
                )
                continue
            with Session(bind=connection) as session:
                crud.create_organisation(
                    session=session,
                    organisation=OrganisationCreate(code=row["code"], name=row["name"], catchment=catchment),
                )
        elif (found.name, list(found.catchment or [])) != (row["name"], catchment):
            counts.updated += 1
            connection.execute(
                update(table).where(table.c.id == found.id).values(name=row["name"], catchment=catchment)
            )
        else:
            counts.unchanged += 1


def _with_money(frame: pl.DataFrame, money: list[str]) -> pl.DataFrame:
    """Money is validated text ("12.50"); the database takes a Decimal."""
    if not money:
        return frame
    return frame.with_columns(pl.col(m).cast(pl.Decimal(12, 2)) for m in money)


def _insert(connection: Connection, table, frame: pl.DataFrame, constants: dict[str, object]) -> None:
    """Insert many rows: COPY on PostgreSQL (inside this transaction), one driver executemany elsewhere.

    Values go through each column type's own bind processor, as SQLAlchemy would, without building a
    dictionary per row.
    """
    if not frame.height:
        return
    names = [*frame.columns, *constants]
    quoted = ", ".join(f'"{n}"' for n in names)
    dialect = connection.dialect
    if dialect.name == "postgresql" and frame.height > 100:
        cursor = connection.connection.driver_connection.cursor()
        fixed = list(constants.values())
        with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            for row in frame.iter_rows():
                copy.write_row([*row, *fixed])
        return
    columns = []
    for name in names:
        values = (
            frame.get_column(name).to_list() if name in frame.columns else [constants[name]] * frame.height
        )
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        columns.append([process(v) for v in values] if process else values)
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    statement = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join([marker] * len(names))})'
    connection.exec_driver_sql(statement, list(zip(*columns, strict=True)))


def _log(connection: Connection, report: ImportReport, organisation_id: int, user: str) -> None:
    now = datetime.now(UTC)
    rows = [
        dict(
            at=now,
            user=user[:254],
            organisation_id=organisation_id,
            file_name=report.file_name[:400],
            table_name=t.table,
            rows_read=t.rows_read,
            added=t.added,
            updated=t.updated,
            unchanged=t.unchanged,
            rejected=t.rejected,
            committed=True,
        )
        for t in report.tables
        if t.rows_read or t is report.tables[0]
    ]
    connection.execute(ImportLog.__table__.insert(), rows)


# --- The public entry point ---------------------------------------------------------------------------------


def import_file(
    *,
    engine: Engine,
    path_or_bytes: str | Path | bytes,
    file_name: str | None = None,
    table: str | None = None,
    sheet: str | None = None,
    organisation_code: str | None = None,
    dry_run: bool = False,
    user: str = "cli",
    column_map: dict[str, str] | None = None,
    create_committees: bool = False,
    committee_level: str = "operational",
    replace: bool = False,
    wording: str = mapping.CLI,
) -> ImportReport:
    """Validate a CSV or .xlsx; when every row is good and this is not a dry run, write it in one transaction.

    ``organisation_code`` chooses the organisation; without it, the organisation the file carries (its
    organisations sheet), else the only one in the database. ``user`` (the signed-in email, or
    ``cli:<login>``) goes into the import log and the audit trail. Returns the report (counts, problems).
    Raises ``ValueError`` for a problem with the whole file. Every call writes exactly one audit event,
    whatever the outcome.

    ``column_map`` ({heading: field or "ignore"}) resolves headings Presence does not recognise; with the
    organisation's remembered mappings it is applied before checking, and a committed import remembers it.
    A one-sheet register becomes people and involvements; its committees that Presence does not have become
    activities (at ``committee_level``) only with ``create_committees``. ``replace`` makes each table hold
    exactly the file's rows: the organisation's rows the file does not have are deleted (check with
    ``dry_run`` first). ``wording`` words the advice for the command line (``cli``) or the page (``web``).
    """
    with mapping.wording(wording):
        return _import_file(
            engine=engine, path_or_bytes=path_or_bytes, file_name=file_name, table=table, sheet=sheet,
            organisation_code=organisation_code, dry_run=dry_run, user=user,
            options=_Options(column_map=mapping.parse_maps(f"{k}={v}" for k, v in (column_map or {}).items()),
                             create_committees=create_committees, committee_level=committee_level,
                             replace=replace),
        )


@dataclass(frozen=True)
class _Options:
    column_map: dict[str, str] = field(default_factory=dict)
    create_committees: bool = False
    committee_level: str = "operational"
    replace: bool = False


def _import_file(
    *,
    engine: Engine,
    path_or_bytes: str | Path | bytes,
    file_name: str | None,
    table: str | None,
    sheet: str | None,
    organisation_code: str | None,
    dry_run: bool,
    user: str,
    options: _Options,
) -> ImportReport:
    if not isinstance(user, str) or not user.strip():
        raise ValueError(audit.ERROR_USER)
    in_memory = isinstance(path_or_bytes, bytes | bytearray | memoryview)
    label = file_name or ("the uploaded file" if in_memory else Path(path_or_bytes).name)
    try:
        report = _import(
            engine=engine,
            path_or_bytes=path_or_bytes,
            file_name=file_name,
            table=table,
            sheet=sheet,
            organisation_code=organisation_code,
            dry_run=dry_run,
            user=user,
            options=options,
        )
    except ValueError as error:
        error = ValueError(mapping.say(str(error)))
        _audit_refused(
            engine,
            user=user,
            file_name=label,
            table=table,
            organisation_code=organisation_code,
            dry_run=dry_run,
            error=error,
        )
        raise error from None
    if not report.committed:  # the committed import recorded its event in its own transaction
        audit.record_event(
            engine=engine,
            user=user,
            action=audit.IMPORT,
            organisation_id=_organisation_id(engine, report.organisation),
            detail=audit_detail(report),
        )
    return report


def _import(
    *,
    engine: Engine,
    path_or_bytes: str | Path | bytes,
    file_name: str | None,
    table: str | None,
    sheet: str | None,
    organisation_code: str | None,
    dry_run: bool,
    user: str,
    options: _Options,
) -> ImportReport:
    settings = get_settings()
    data, name = _read_bytes(path_or_bytes, file_name, settings.max_import_bytes)
    plan, left_out = _plan(
        data,
        name,
        table=table,
        sheet=sheet,
        max_rows=settings.max_import_rows,
        limit=settings.max_import_bytes,
    )
    remembered = mapping.remembered(engine, _organisation_id(engine, organisation_code) or _only_id(engine))
    plan, applied, committees = _prepare(engine, plan, remembered, options, organisation_code)
    total_rows = sum(len(s.rows) for _, s in plan)
    if total_rows == 0:
        raise ValueError(NO_ROWS.format(file=name))
    if total_rows > settings.max_import_rows:
        raise ValueError(_tabular.TOO_MANY_ROWS.format(file=name, limit=settings.max_import_rows))
    report = ImportReport(
        file_name=name,
        sheet=", ".join(s.name for _, s in plan if s.name) or None,
        table=", ".join(t for t, _ in plan),
        dry_run=dry_run,
        ignored=list(left_out),
        organisation=organisation_code,
        replace=options.replace,
        mapping=applied,
    )
    report.ignored.extend(
        f"column '{h}' (marked ignore)" for t in applied.values() for h, f in t.items() if f == mapping.IGNORE
    )
    try:
        with engine.connect() as connection:
            try:
                with connection.begin():
                    _run(
                        connection,
                        plan,
                        report,
                        organisation_code=organisation_code,
                        dry_run=dry_run,
                        user=user,
                        options=options,
                    )
            except _Rollback:
                pass
    except (SQLAlchemyError, engine.dialect.loaded_dbapi.Error) as error:  # e.g. a lost connection
        lines = str(getattr(error, "orig", error)).splitlines() or [type(error).__name__]
        raise ValueError(DATABASE_REFUSED.format(file=name, reason=lines[0][:300])) from error
    _explain(report, committees)
    return report


def _only_id(engine: Engine) -> int | None:
    table = Organisation.__table__
    with engine.connect() as connection:
        ids = connection.execute(select(table.c.id).limit(2)).scalars().all()
    return ids[0] if len(ids) == 1 else None


def _activity_names(engine: Engine, organisation_id: int | None) -> dict[str, str]:
    """Folded reference or name -> reference of the organisation's activities."""
    if organisation_id is None:
        return {}
    table = Activity.__table__
    with engine.connect() as connection:
        rows = connection.execute(
            select(table.c.ref, table.c.name).where(table.c.organisation_id == organisation_id)
        ).all()
    found = {vocabulary.key(r.name): r.ref for r in rows}
    found.update({vocabulary.key(r.ref): r.ref for r in rows})
    return found


def _table_fields(table: str) -> list[str]:
    if table == register.REGISTER:
        return register.fields([c.name for c in TABLES["people"].columns])
    return [c.name for c in TABLES[table].columns]


def mapping_fields(report: ImportReport) -> list[str]:
    """The fields a heading of this report's file can be mapped to (the one-sheet register's, or the table's)."""
    tables = [t.strip() for t in report.table.split(",")]
    if "people" in tables and "involvements" in tables:
        return _table_fields(register.REGISTER)
    return _table_fields(tables[0]) if tables and tables[0] in TABLES else []


def _apply_map(sheet: _tabular.Sheet, table_map: dict[str, str]) -> tuple[_tabular.Sheet, dict[str, str]]:
    """Headings renamed to the fields they are mapped to; headings marked ignore blanked (not read)."""
    headers, applied = [], {}
    for heading in sheet.headers:
        target = table_map.get(vocabulary.key(heading))
        if target is None:
            headers.append(heading)
            continue
        applied[heading.strip()] = target
        headers.append("" if target == mapping.IGNORE else target)
    if not applied:
        return sheet, applied
    return _tabular.Sheet(name=sheet.name, headers=headers, rows=sheet.rows, row_numbers=sheet.row_numbers,
                          ragged=sheet.ragged), applied


def _prepare(
    engine: Engine,
    plan: list[tuple[str, _tabular.Sheet]],
    remembered: dict[str, dict[str, str]],
    options: _Options,
    organisation_code: str | None,
) -> tuple[list[tuple[str, _tabular.Sheet]], dict[str, dict[str, str]], register.Expanded | None]:
    """Mappings applied to each sheet, and a one-sheet register expanded into the tables it holds."""
    out: list[tuple[str, _tabular.Sheet]] = []
    applied: dict[str, dict[str, str]] = {}
    committees = None
    for table, sheet in plan:
        known = HEADER_MAPS.get(table, REGISTER_MAP)
        present = {vocabulary.key(h) for h in sheet.headers}
        explicit = {h: f for h, f in options.column_map.items()
                    if h in present and (h not in known or table == register.REGISTER)}
        mapping.check_fields(explicit, table, _table_fields(table))
        table_map = {**remembered.get(table, {}), **explicit}
        sheet, used = _apply_map(sheet, table_map)
        if used:
            applied[table] = used
        if table != register.REGISTER:
            out.append((table, sheet))
            continue
        organisation_id = _organisation_id(engine, organisation_code) or _only_id(engine)
        committees = register.expand(
            sheet, REGISTER_MAP, activities=_activity_names(engine, organisation_id),
            create_committees=options.create_committees, committee_level=options.committee_level,
            parse_date=parse_date,
        )
        out.extend(committees.sheets)
    order = {t: i for i, t in enumerate(TABLE_ORDER)}
    return sorted(out, key=lambda pair: order[pair[0]]), applied, committees


def _explain(report: ImportReport, committees: register.Expanded | None) -> None:
    """Problems and warnings that need more than the row: headings to map, committees to confirm."""
    report.unrecognised = sorted({(p.sheet or "", p.column or "") for p in report.problems
                                  if p.problem == mapping.UNRECOGNISED})
    if committees is None or not committees.new_committees:
        return
    report.new_committees = list(committees.new_committees)
    new = set(committees.new_committees)
    report.problems = [
        Problem(file=p.file, sheet=p.sheet, row=p.row, column=p.column, value=p.value,
                problem=mapping.say(register.NEW_COMMITTEE), accepted=p.accepted)
        if p.column == "activity_ref" and p.value in new else p
        for p in report.problems
    ]


def _run(
    connection: Connection,
    plan: list[tuple[str, _tabular.Sheet]],
    report: ImportReport,
    *,
    organisation_code: str | None,
    dry_run: bool,
    user: str,
    options: _Options,
) -> None:
    _begin(connection, [name for name, _ in plan])
    validated: list[_Validated] = []
    target_code, owner_rejected = organisation_code, False
    if plan and plan[0][0] == OWNER_TABLE:  # the organisation first: the other sheets belong to it
        owner = _validate(
            TABLES[OWNER_TABLE],
            plan[0][1],
            file_name=report.file_name,
            lookups=_Lookups(refs={}, levels={}),
            ignored=report.ignored,
        )
        validated.append(owner)
        target_code = _file_organisation(owner, organisation_code, report.file_name)
        owner_rejected = owner.problems.height > 0
        if not owner_rejected:
            levels_given = any(name == "levels" and sheet.rows for name, sheet in plan)
            _write_organisation(connection, owner, with_levels_from_file=levels_given)
    organisation = _lock_organisation(connection, target_code, missing_ok=owner_rejected)
    report.organisation = organisation.code
    lookups = _load_lookups(connection, organisation.id, organisation.code)
    if organisation.id is None and not any(name == "levels" for name, _ in plan):
        _add_incoming_levels(lookups, [(key, name) for _, key, name, _ in codes.DEFAULT_LEVELS])
    # Dependency order: a table's references are known before it is checked.
    for name, sheet in plan[len(validated) :]:
        checked = _validate(
            TABLES[name], sheet, file_name=report.file_name, lookups=lookups, ignored=report.ignored
        )
        validated.append(checked)
        if name in LINK_MODEL:
            lookups.incoming[name] = set(checked.frame.get_column("ref").drop_nulls().to_list())
        if name == "levels":
            _add_incoming_levels(lookups, checked.frame.select("key", "name").drop_nulls().iter_rows())
    report.tables = [v.counts for v in validated]
    report.warnings.extend(_purpose_warnings(validated))
    problems = [
        v.problems.with_columns(pl.lit(v.sheet.name, dtype=pl.String).alias("sheet"))
        for v in validated
        if v.problems.height
    ]
    if problems:
        frame = pl.concat(problems, how="vertical_relaxed").sort("sheet", "row", "column", nulls_last=True)
        report.problems = [
            Problem(
                file=report.file_name,
                sheet=r["sheet"],
                row=r["row"],
                column=r["column"],
                value=r["value"],
                problem=r["problem"],
                accepted=r["accepted"],
            )
            for r in frame.iter_rows(named=True)
        ]
        _total(report)
        raise _Rollback
    assert organisation.id is not None  # only a rejected organisations sheet leaves it unwritten
    for v in validated:
        if v.spec.name != OWNER_TABLE:
            _write(connection, v, lookups, organisation.id)
    if options.replace:
        for v in reversed(validated):
            if v.spec.name != OWNER_TABLE:
                v.counts.deleted = erasure.delete_missing(
                    connection, v.spec.model, organisation.id, _db_frame(v, lookups).select(_key_fields(v.spec))
                )
    _total(report)
    if dry_run:
        raise _Rollback
    _log(connection, report, organisation.id, user)
    for name, used in report.mapping.items():
        mapping.remember(connection, organisation.id, name, used)
    added_only = [v.spec.name for v in validated if v.counts.updated == 0 and v.counts.deleted == 0]
    bump_data_version(
        connection, organisation.id, [v.spec.name for v in validated] + ["levels"], added_only=added_only
    )
    report.committed = True
    with Session(bind=connection) as session:  # in the import's transaction: written only if the import is
        audit.record_event(
            session=session,
            user=user,
            action=audit.IMPORT,
            organisation_id=organisation.id,
            detail=audit_detail(report),
        )


PURPOSE_WITHOUT_DATE = (
    "{n} of the activities in this file have a purpose or intended outcomes but no 'purpose recorded on' date: "
    "the 4PI scorecard counts an activity as having its purpose written down at the start only when that date "
    "is on or before its start, so 'Purpose and outcomes written down at the start' will not count {them}. "
    "Add the date in the purpose_recorded_on column."
)


def _purpose_warnings(validated: list[_Validated]) -> list[str]:
    """An activity with a purpose but no date it was recorded: the scorecard will show it as not written down."""
    found = []
    for v in validated:
        if v.spec.name != "activities":
            continue
        n = v.frame.filter(
            (pl.col("purpose").is_not_null() | pl.col("intended_outcomes").is_not_null())
            & pl.col("purpose_recorded_on").is_null()
        ).height
        if n:
            found.append(PURPOSE_WITHOUT_DATE.format(n=n, them="it" if n == 1 else "them"))
    return found


# --- Audit --------------------------------------------------------------------------------------------------


def audit_detail(report: ImportReport, *, limit: int = audit.MAX_DETAIL_CHARS - 200) -> dict[str, object]:
    """What an import's audit event says: file, tables, organisation, outcome, counts; never cell values."""
    detail: dict[str, object] = {
        "file": report.file_name[:300],
        "table": report.table,
        "sheet": report.sheet,
        "organisation": report.organisation,
        "outcome": report.outcome,
        "dry_run": report.dry_run,
        "rows_read": report.rows_read,
        "added": report.added,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": report.rejected,
        "problems": len(report.problems),
    }
    if report.replace:
        detail["replace"] = True
        detail["deleted"] = report.deleted
    if len(report.tables) > 1:
        detail["tables"] = {
            t.table: {
                "rows_read": t.rows_read,
                "added": t.added,
                "updated": t.updated,
                "unchanged": t.unchanged,
                "rejected": t.rejected,
            }
            for t in report.tables
        }
    if len(json.dumps(detail, default=str)) > limit:  # many long sheet names: keep the totals
        detail.pop("tables", None)
        detail["sheet"] = str(report.sheet or "")[:300] or None
    return detail


def _organisation_id(engine: Engine, code: str | None) -> int | None:
    if code is None:
        return None
    table = Organisation.__table__
    with engine.connect() as connection:
        return connection.execute(select(table.c.id).where(table.c.code == code)).scalar_one_or_none()


def _audit_refused(
    engine: Engine,
    *,
    user: str,
    file_name: str,
    table: str | None,
    organisation_code: str | None,
    dry_run: bool,
    error: ValueError,
) -> None:
    """A file refused as a whole is audited too, after the rollback; the file's own error is what the caller
    sees, even when the database cannot take the audit event either (then the import wrote nothing)."""
    detail = {
        "file": file_name[:300],
        "table": table,
        "organisation": organisation_code,
        "outcome": REFUSED,
        "dry_run": dry_run,
        "reason": " ".join(str(error).split())[:500],
    }
    try:
        audit.record_event(
            engine=engine,
            user=user,
            action=audit.IMPORT,
            organisation_id=_organisation_id(engine, organisation_code),
            detail=detail,
        )
    except (SQLAlchemyError, engine.dialect.loaded_dbapi.Error) as audit_error:
        error.add_note(f"The audit event could not be written either: {audit_error}")


def _total(report: ImportReport) -> None:
    for name in ("rows_read", "added", "updated", "unchanged", "rejected", "deleted"):
        setattr(report, name, sum(getattr(t, name) for t in report.tables))


# --- Import log ---------------------------------------------------------------------------------------------


def import_log_frame(
    *, engine: Engine, organisation_code: str | None = None, limit: int = 200
) -> pl.DataFrame:
    """The newest committed imports (who, when, file, table, counts), newest first."""
    log = ImportLog.__table__
    organisation = Organisation.__table__
    query = (
        select(
            log.c.at,
            log.c.user,
            organisation.c.code.label("organisation"),
            log.c.file_name,
            log.c.table_name,
            log.c.rows_read,
            log.c.added,
            log.c.updated,
            log.c.unchanged,
            log.c.rejected,
        )
        .join(organisation, organisation.c.id == log.c.organisation_id)
        .order_by(log.c.at.desc(), log.c.id.desc())
        .limit(limit)
    )
    if organisation_code is not None:
        query = query.where(organisation.c.code == organisation_code)
    schema = {
        "at": pl.Datetime("us"),
        "user": pl.String,
        "organisation": pl.String,
        "file_name": pl.String,
        "table_name": pl.String,
        "rows_read": pl.Int64,
        "added": pl.Int64,
        "updated": pl.Int64,
        "unchanged": pl.Int64,
        "rejected": pl.Int64,
    }
    with engine.connect() as connection:
        rows = [tuple(r) for r in connection.execute(query)]
    rows = [(r[0].replace(tzinfo=None) if r[0] is not None else None, *r[1:]) for r in rows]
    return pl.DataFrame(rows, schema=schema, orient="row")


# --- Templates ----------------------------------------------------------------------------------------------


def template_headers(table: str) -> list[str]:
    return [c.name for c in TABLES[table].columns]


def notes_rows(tables: Iterable[str] = TABLE_ORDER) -> list[list[str]]:
    """table, column, required, what it accepts, other headings that are recognised."""
    rows = []
    for name in tables:
        spec = TABLES[name]
        for column in spec.columns:
            accepted = _accepted(column, spec)
            if column.kind in {"code", "characteristic"}:
                accepted = "; ".join(f"{code} = {label}" for code, label in (column.code_list or {}).items())
                if column.kind == "characteristic":
                    accepted += "; blank = not known; 'Prefer not to say' = not stated"
            rows.append(
                [
                    name,
                    column.name,
                    "yes" if column.required else "no",
                    (column.help + " " if column.help else "")
                    + accepted
                    + (f" Default: {column.default}." if column.default not in (None, False) else ""),
                    ", ".join(column.aliases),
                ]
            )
    return rows


NOTES_HEADERS = ["table", "column", "required", "what it accepts", "other headings recognised"]


def template_bytes(table: str, kind: str = "csv") -> bytes:
    """A blank template for one table: a CSV header row, or an .xlsx with its sheet and a Notes sheet."""
    if table not in TABLES:
        raise ValueError(f"'{table}' is not a table Presence imports; use one of: {', '.join(TABLES)}.")
    if kind == "csv":
        return _tabular.csv_bytes(template_headers(table), [])
    if kind == "xlsx":
        return _tabular.xlsx_bytes(
            [(table, template_headers(table), []), ("Notes", NOTES_HEADERS, notes_rows([table]))]
        )
    raise ValueError(f"A template is a 'csv' or an 'xlsx', not '{kind}'.")


def workbook_template_bytes() -> bytes:
    """One .xlsx with a blank sheet per table, in import order, and a Notes sheet of the allowed values."""
    sheets = [(t, template_headers(t), []) for t in TABLE_ORDER]
    return _tabular.xlsx_bytes([*sheets, ("Notes", NOTES_HEADERS, notes_rows())])


def write_templates(directory: str | Path) -> list[Path]:
    """Write <table>.csv for every table and presence-template.xlsx into ``directory``; returns the paths."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in TABLE_ORDER:
        path = folder / f"{table}.csv"
        path.write_bytes(template_bytes(table, "csv"))
        paths.append(path)
    path = folder / "presence-template.xlsx"
    path.write_bytes(workbook_template_bytes())
    paths.append(path)
    return paths


# --- CLI ----------------------------------------------------------------------------------------------------


def cli_user() -> str:
    """Who runs the command line, for the import log and the audit trail: ``cli:<login name>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "cli"


EXIT_INVALID = 2  # the file (or a value in it) is not valid input: the README's exit code


def run_cli(args: argparse.Namespace) -> int:
    """``presence import FILE``: 0 when imported (or a clean dry run), 2 when the file was rejected.

    With ``--replace`` a dry run comes first and its summary (including what would be deleted) is shown; the
    import then goes ahead only after confirmation (or with ``--yes``)."""
    from models.db import get_engine, upgrade_schema

    engine = get_engine()
    upgrade_schema(engine)
    column_map = dict(item.split("=", 1) for item in (getattr(args, "map", None) or []) if "=" in item)
    mapping.parse_maps(getattr(args, "map", None))  # refuses a malformed --map with a sentence
    options = dict(
        engine=engine,
        path_or_bytes=Path(args.file),
        table=args.table,
        sheet=getattr(args, "sheet", None),
        organisation_code=getattr(args, "organisation", None),
        user=cli_user(),
        column_map=column_map,
        create_committees=bool(getattr(args, "create_committees", False)),
        committee_level=getattr(args, "committee_level", None) or "operational",
        replace=bool(getattr(args, "replace", False)),
    )
    dry_run = bool(getattr(args, "dry_run", False))
    if options["replace"] and not dry_run:
        check = import_file(**options, dry_run=True)
        _print_report(args, check)
        if check.problems:
            return EXIT_INVALID
        if not getattr(args, "yes", False) and not _confirm_replace(check):
            print("Nothing was written.")
            return 1
    report = import_file(**options, dry_run=dry_run)
    _print_report(args, report)
    return EXIT_INVALID if report.problems else 0


def _confirm_replace(report: ImportReport) -> bool:
    try:
        answer = input(f"Replace: {report.deleted:,} rows not in the file will be deleted. Go ahead? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in {"y", "yes"}


def _print_report(args: argparse.Namespace, report: ImportReport) -> None:
    if getattr(args, "report", None):
        Path(args.report).write_text(report.to_csv(), encoding="utf-8-sig")
    for t in report.tables:
        print(escape_control(
            f"  {t.table}{f' (sheet {t.sheet})' if t.sheet else ''}: {t.rows_read:,} read, "
            f"{t.added:,} added, "
            f"{t.updated:,} updated, {t.unchanged:,} unchanged, {t.rejected:,} rejected"
            + (f", {t.deleted:,} deleted" if report.replace else "")
        ))
    for item in report.ignored:
        print(escape_control(f"  not read: {item}"))
    shown = report.problems[:50]
    for p in shown:
        where = f"row {p.row}" + (f", column {p.column}" if p.column else "")
        sheet_label = f"sheet {p.sheet}, " if p.sheet else ""
        value = f" '{p.value}'" if p.value is not None else ""
        print(escape_control(f"  {sheet_label}{where}:{value} {p.problem}; accepted: {p.accepted}"))
    if len(report.problems) > len(shown):
        print(
            f"  ... and {len(report.problems) - len(shown):,} more problems"
            + ("; see the report file." if getattr(args, "report", None) else "; use --report FILE.csv.")
        )
    for warning in report.warnings:
        print(escape_control(f"  warning: {warning}"))
    if report.unrecognised:
        headers = ", ".join(f"'{h}'" for _, h in report.unrecognised)
        example = f'--map "{report.unrecognised[0][1]}=ignore"'
        print(escape_control(f"  columns to map or ignore: {headers}; for example {example}"))
    if report.new_committees:
        committees = ", ".join(report.new_committees)
        print(escape_control(f"  new committees (create them with --create-committees): {committees}"))
    print(escape_control(report.summary()))


def run_template_cli(args: argparse.Namespace) -> int:
    """``presence template DIR``: write the blank templates."""
    paths = write_templates(args.directory)
    print(f"Wrote {len(paths)} templates to {Path(args.directory)}: " + ", ".join(p.name for p in paths))
    return 0
