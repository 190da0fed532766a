"""What the importer reads: one ``TableSpec`` per table (its columns, key, header variants), in dependency order,
and the folded-heading maps that recognise a column whatever the spreadsheet calls it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import SQLModel

from data import characteristics, codes, vocabulary
from models import register
from models.importer.messages import ANY_DATE_ACCEPTED, BOOL_ACCEPTED, DATE_ACCEPTED, TIME_ACCEPTED
from models.tables import (
    PLAN_CHARACTERISTICS,
    PLAN_INVOLVEMENT,
    PLAN_STATUSES,
    Activity,
    Attendance,
    Baseline,
    Feedback,
    ImpactLog,
    Involvement,
    Level,
    Meeting,
    Organisation,
    OutreachPlan,
    Payment,
    Person,
    PlanAction,
    PlanPartner,
    ReviewStep,
    SupportOffer,
)


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
# The characteristics a baseline file may give figures for, by the words it uses: read from the registry.
BASELINE_CHARACTERISTICS: dict[str, str] = {
    c.key: c.upload_label for c in characteristics.REGISTRY if c.upload_label is not None
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
LINK_MODEL: dict[str, type[SQLModel]] = {
    "people": Person, "activities": Activity, "meetings": Meeting, "plans": OutreachPlan
}


def _header_map(spec: TableSpec) -> dict[str, str]:
    names: dict[str, str] = {}
    for column in spec.columns:
        for variant in (column.name, *column.aliases):
            names.setdefault(vocabulary.key(variant), column.name)
    return names


HEADER_MAPS = {name: _header_map(spec) for name, spec in TABLES.items()}
REGISTER_MAP = register.header_map(HEADER_MAPS["people"], HEADER_MAPS["involvements"])
