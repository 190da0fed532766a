"""The synthetic demo trust: fictional people, activities, meetings and 4PI records, with known patterns.

``build_demo(scale=1, seed=2021)`` plans "Northfield and Riverside Mental Health NHS Foundation Trust (demo)"
as polars frames, without a database (``models.seeding.seed_demo`` writes it): a fictional trust serving four
real London boroughs (Lambeth, Southwark, Lewisham, Croydon), with about 1,500 x ``scale`` pseudonymous people
involved over the 12 quarters 2023-Q4 to 2026-Q3 at all five levels. Nothing is real except the local-authority
codes; no date depends on the clock, so the same seed gives identical rows.

How the data are made (all vectorised with numpy and polars; one numpy Generator per named stream):

1. Activities come from ``ACTIVITY_TEMPLATES`` (committees, projects, programmes), repeated ``scale`` times
   (copies after the first are named "... (unit 2)" and so on).
   Each has a number of seats. ``PURPOSE_MISSING_SHARE`` of activities have no purpose recorded and
   ``OUTCOMES_MISSING_SHARE`` no intended outcomes.
2. Each seat is held by a chain of tenures (gamma-distributed lengths, mean by level in ``TENURE_MEAN_DAYS``,
   with gaps between holders), so people move in and out and every level has people in every quarter.
   Each tenure is one involvement.
3. The involvement type and ethnicity of a tenure's holder are drawn from the activity's ``involves`` and the
   catchment ethnicity mix ``CATCHMENT_ETHNICITY_SHARES`` (about Census 2021 for the four boroughs) plus
   ``ETHNICITY_UNKNOWN_SHARES`` (about 15% not stated / not known), bent by the deliberate patterns below.
4. ``REUSE_SHARE`` of operational, strategic and board tenures go to a person already involved at individual
   care or community level with the same involvement type and ethnicity (people progress upwards); the rest
   are new people. Other equality fields are drawn per person.
5. Meetings (monthly or bi-monthly per committee), attendance of the members in post on the day, payments,
   support offers, impact logs, end-of-involvement feedback and review cycles follow.

Deliberate patterns that the dashboard must reveal:

(a) ``PATTERN_BLACK_CARERS``: Black African and Caribbean (codes N, M) carers (type carer or both) are drawn
    with weight x ``BLACK_CARER_BOARD_FACTOR`` at board level and never join the committees in
    ``BLACK_CARER_ABSENT_COMMITTEES``: under-represented at board, absent from some committees.
(b) ``PATTERN_SOUTH_ASIAN_RISE``: at strategic level, the weight of Indian, Pakistani and Bangladeshi
    (H, J, K) service users (type service_user or both) rises with the tenure's start date from
    ``SOUTH_ASIAN_WEIGHT_START`` (before 2023-Q4) to ``SOUTH_ASIAN_WEIGHT_END`` (2026-Q3): a rising share.
(c) ``PATTERN_SINGLE_MEMBER``: the ``SINGLE_MEMBER_COMMITTEE`` ("Estates and Facilities Committee") has only
    two service-user seats, one of them often the meeting's named reserve, and members attend with probability
    ``SINGLE_MEMBER_ATTENDANCE``, so it often meets with one service user or carer (the 4PI standards ask for
    at least two).
(d) ``PATTERN_4PI_GAPS``: ``PAPERS_LATE_SHARE`` of meetings have papers sent fewer than 7 days before,
    ``EARLY_START_SHARE`` start before 10:00, ``HIGH_LEVEL_NO_RESERVE_SHARE`` of high-level meetings have no
    reserve, some activities lack purpose or outcomes (1 above) and ``PURPOSE_LATE_SHARE`` of the others
    recorded it more than three months after the start, ``LATE_PAYMENT_SHARE`` of paid claims are paid after
    30 days and ``UNPAID_SHARE`` are never paid.

Attendance status "reserve" means the member was the meeting's named reserve (on call, not in a seat).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
import polars as pl

from data import codes

__all__ = ["DEMO_ACTIONS", "DEMO_PARTNERS", "DEMO_PLANS", "DemoPlan", "DemoSummary", "build_demo"]

# --- The trust and its time window ------------------------------------------------------------------------

DEMO_NAME = "Northfield and Riverside Mental Health NHS Foundation Trust (demo)"
CATCHMENT: dict[str, str] = {  # ONS code -> name; weights are mid-2021 usual residents (thousands)
    "E09000022": "Lambeth",
    "E09000028": "Southwark",
    "E09000023": "Lewisham",
    "E09000008": "Croydon",
}
CATCHMENT_POPULATION = {"E09000022": 317.6, "E09000028": 307.7, "E09000023": 300.6, "E09000008": 390.8}
LOCAL_AUTHORITY_UNKNOWN_SHARES = {codes.NOT_STATED: 0.01, codes.NOT_KNOWN: 0.05}

WINDOW_START = date(2023, 10, 1)  # first day of 2023-Q4
WINDOW_END = date(2026, 9, 30)  # last day of 2026-Q3
QUARTERS = 12
STAMP = datetime(2026, 9, 30, 12, 0, tzinfo=UTC)  # created_at / updated_at of every demo row

# --- Levels ------------------------------------------------------------------------------------------------

# 4PI involvement area of each level; board and governance is where the trust monitors and evaluates (E).
LEVEL_AREA = {"individual": "A", "community": "B", "operational": "C", "strategic": "D", "board": "E"}
HIGH_LEVELS = frozenset({"strategic", "board"})
TENURE_MEAN_DAYS = {"individual": 270, "community": 450, "operational": 365, "strategic": 600, "board": 900}
TENURE_MIN_DAYS = 28
TENURE_GAP_MEAN_DAYS = 45
TENURE_SLOTS = 40  # tenures drawn per seat; checked to reach past the window
HISTORY_TENURES = 3  # seats start this many mean tenures before the window (or when the activity starts)
PAID_SHARE = {"individual": 0.2, "community": 0.3, "operational": 0.7, "strategic": 0.85, "board": 0.95}
ROLE_SHARES = {
    "individual": {"expert_by_experience": 0.7, "critical_friend": 0.1, "ambassador": 0.05, "other": 0.15},
    "community": {"ambassador": 0.35, "expert_by_experience": 0.4, "critical_friend": 0.15, "other": 0.1},
    "operational": {"co_worker": 0.4, "expert_by_experience": 0.3, "critical_friend": 0.15, "consultant": 0.1,
                    "other": 0.05},
    "strategic": {"critical_friend": 0.35, "consultant": 0.25, "expert_by_experience": 0.25,
                  "co_worker": 0.15},
    "board": {"critical_friend": 0.5, "consultant": 0.3, "expert_by_experience": 0.2},
}
ROLE_DESCRIPTION_SHARE = 0.85
REUSE_LEVELS = ("operational", "strategic", "board")
DONOR_LEVELS = ("individual", "community")
REUSE_SHARE = 0.5

# --- Activities --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityTemplate:
    name: str
    level: str  # level key of data.codes.DEFAULT_LEVELS
    kind: str
    involves: str
    seats: int  # people in post at any one time
    meets_every: int | None  # months between meetings; None: no meetings
    focus: str  # completes "shape ..." in the purpose
    start: date
    end: date | None = None


def _t(name, level, kind, involves, seats, meets_every, focus, start=date(2016, 4, 1),
       end=None) -> ActivityTemplate:
    return ActivityTemplate(name, level, kind, involves, seats, meets_every, focus, start, end)


ACTIVITY_TEMPLATES: tuple[ActivityTemplate, ...] = (
    _t("Co-produced care planning programme", "individual", "programme", "service_user", 90, None,
       "their own care plans", date(2017, 4, 1)),
    _t("Carers' involvement in care reviews", "individual", "programme", "carer", 50, None,
       "the care reviews of the people they care for", date(2018, 1, 1)),
    _t("Shared decisions on medication project", "individual", "project", "service_user", 40, None,
       "decisions about their medication", date(2022, 6, 1)),
    _t("Ward community meetings", "individual", "committee", "both", 30, 1,
       "day-to-day life on the wards"),
    _t("Lambeth Community Mental Health Forum", "community", "committee", "both", 18, 2,
       "community mental health services in Lambeth"),
    _t("Southwark Community Mental Health Forum", "community", "committee", "both", 18, 2,
       "community mental health services in Southwark"),
    _t("Lewisham Community Mental Health Forum", "community", "committee", "both", 16, 2,
       "community mental health services in Lewisham"),
    _t("Croydon Community Mental Health Forum", "community", "committee", "both", 18, 2,
       "community mental health services in Croydon"),
    _t("Peer Support Network", "community", "programme", "both", 30, None,
       "peer support across the boroughs"),
    _t("Carers' Cafe network", "community", "programme", "carer", 20, None, "support for carers"),
    _t("Recruitment and interview panels", "operational", "programme", "both", 20, None,
       "who the trust employs"),
    _t("Recovery College co-delivery", "operational", "programme", "both", 20, None,
       "Recovery College courses"),
    _t("Acute Inpatient Improvement Project", "operational", "project", "service_user", 12, 1,
       "improvements to acute inpatient care", date(2023, 6, 1), date(2026, 3, 31)),
    _t("Crisis Pathway Redesign Project", "operational", "project", "both", 10, 1,
       "the redesign of the crisis pathway", date(2024, 4, 1), date(2025, 12, 31)),
    _t("Patient Experience Group", "operational", "committee", "both", 12, 1,
       "how the trust listens to patient experience"),
    _t("Medicines Information Group", "operational", "committee", "service_user", 8, 2,
       "information about medicines"),
    _t("Staff Training Co-design Project", "operational", "project", "both", 8, None,
       "training for staff", date(2024, 1, 1), date(2025, 6, 30)),
    _t("Mental Health Strategy Board", "strategic", "committee", "both", 8, 1,
       "the trust's mental health strategy"),
    _t("Commissioning Partnership Group", "strategic", "committee", "both", 6, 2,
       "what services are commissioned"),
    _t("Equality, Diversity and Inclusion Steering Group", "strategic", "committee", "both", 8, 2,
       "the trust's equality objectives"),
    _t("Carers' Strategy Group", "strategic", "committee", "carer", 6, 2, "the trust's carers' strategy"),
    _t("Community Mental Health Transformation Programme", "strategic", "programme", "both", 14, 1,
       "the transformation of community mental health services", date(2021, 4, 1)),
    _t("Suicide Prevention Strategy Project", "strategic", "project", "both", 8, None,
       "the suicide prevention strategy", date(2023, 1, 1), date(2026, 6, 30)),
    _t("Board of Directors (lived experience partners)", "board", "committee", "both", 3, 1,
       "the decisions of the Board of Directors"),
    _t("Council of Governors (service user and carer governors)", "board", "committee", "both", 8, 2,
       "how the trust is held to account"),
    _t("Quality and Safety Committee", "board", "committee", "both", 4, 1, "the quality and safety of care"),
    _t("Mental Health Act Scrutiny Committee", "board", "committee", "both", 4, 2,
       "how the Mental Health Act is used"),
    _t("People and Culture Committee", "board", "committee", "both", 3, 2, "the trust's workforce plans"),
    _t("Estates and Facilities Committee", "board", "committee", "service_user", 2, 1,
       "the trust's buildings and grounds"),
)
PURPOSE_MISSING_SHARE = 0.2
OUTCOMES_MISSING_SHARE = 0.3  # includes every activity without a purpose
PURPOSE_LATE_SHARE = 0.25  # purpose recorded more than three months after the start
INVOLVEMENT_TYPE_SHARES = {
    "both": {"service_user": 0.6, "carer": 0.3, "both": 0.1},
    "service_user": {"service_user": 0.9, "both": 0.1},
    "carer": {"carer": 0.85, "both": 0.15},
}

# --- Ethnicity and the deliberate patterns ---------------------------------------------------------------

# Approximate Census 2021 (TS021) mix of the four boroughs together; synthetic, hard-coded on purpose.
CATCHMENT_ETHNICITY_SHARES = {
    "A": 0.370, "B": 0.020, "GT": 0.001, "RO": 0.003, "C": 0.130,
    "D": 0.030, "E": 0.015, "F": 0.015, "G": 0.025,
    "H": 0.040, "J": 0.015, "K": 0.010, "R": 0.015, "L": 0.035,
    "M": 0.085, "N": 0.115, "P": 0.035, "AR": 0.007, "S": 0.030,
}
ETHNICITY_UNKNOWN_SHARES = {codes.ETHNICITY_NOT_STATED: 0.07, codes.ETHNICITY_NOT_KNOWN: 0.08}

# The trust's own caseload by ethnicity, a user-supplied baseline ("caseload"): the catchment mix weighted by
# how much more often each broad group uses secondary mental-health care (synthetic weights, in the direction the
# national Mental Health Act figures show), with unknowns recorded as the trust would have them.
CASELOAD_SOURCE = "caseload"
CASELOAD_YEAR = 2026
CASELOAD_PEOPLE = 12_000
CASELOAD_USE_WEIGHTS = {codes.BROAD_WHITE: 1.0, codes.BROAD_MIXED: 1.6, codes.BROAD_ASIAN: 0.9,
                        codes.BROAD_BLACK: 2.4, codes.BROAD_OTHER: 1.5}
CASELOAD_UNKNOWN_SHARES = {codes.ETHNICITY_NOT_STATED: 0.04, codes.ETHNICITY_NOT_KNOWN: 0.06}

PATTERN_BLACK_CARERS = (
    "Black African and Caribbean carers under-represented at board, absent from some committees"
)
BLACK_CARER_CODES = ("N", "M")
BLACK_CARER_BOARD_FACTOR = 0.15
BLACK_CARER_ABSENT_COMMITTEES = (
    "Quality and Safety Committee", "Mental Health Act Scrutiny Committee", "Commissioning Partnership Group",
)
PATTERN_SOUTH_ASIAN_RISE = "Rising share of South Asian service users at strategic level"
SOUTH_ASIAN_CODES = ("H", "J", "K")
SOUTH_ASIAN_WEIGHT_START = 0.3
SOUTH_ASIAN_WEIGHT_END = 8.0
PATTERN_SINGLE_MEMBER = "One committee often meets with a single service user"
SINGLE_MEMBER_COMMITTEE = "Estates and Facilities Committee"
SINGLE_MEMBER_ATTENDANCE = 0.6
PATTERN_4PI_GAPS = "Late papers, early starts, no reserve, purpose not recorded, late or missing payments"

# --- Meetings and attendance -------------------------------------------------------------------------------

START_TIME_SHARES = {  # minutes after midnight; 540 and 570 (09:00, 09:30) start before 10:00
    540: 0.08, 570: 0.08, 600: 0.20, 630: 0.15, 660: 0.10, 810: 0.15, 840: 0.14, 1050: 0.10,
}
EARLY_START_SHARE = sum(share for minute, share in START_TIME_SHARES.items() if minute < 600)
PAPERS_LATE_SHARE = 0.2  # papers 2-6 days before; otherwise 7-14 days
PAPERS_NOT_RECORDED_SHARE = 0.05
ATTENDANCE_SHARE = 0.78
STAFF_CAPACITY_SHARE = 0.02  # involved people who attend in a staff capacity (peer workers)
BOTH_AS_CARER_SHARE = 0.4
HIGH_LEVEL_NO_RESERVE_SHARE = 0.3
OTHER_RESERVE_SHARE = 0.05

# --- 4PI process and impact --------------------------------------------------------------------------------

FEE_AMOUNTS = (25.0, 50.0, 75.0, 100.0, 150.0, 200.0)
TRAVEL_CLAIM_SHARE = 0.35
CHILDCARE_CLAIM_SHARE = 0.03
LATE_PAYMENT_SHARE = 0.15  # paid 31-90 days after the claim; otherwise 3-30 days
UNPAID_SHARE = 0.03
SUPPORT_OFFER_SHARES = {"training": 0.65, "administrative": 0.45, "supervision": 0.3, "emotional": 0.35,
                        "peer": 0.4}
SUPPORT_TAKEN_UP_SHARE = 0.6
IMPACTS_PER_ACTIVITY = 3.0  # Poisson mean
IMPACT_EVIDENCE_SHARE = 0.6
IMPACT_TEXT = {
    "ethos_culture": ("Staff now open each meeting by asking what matters to the people involved.",
                      "Lived-experience voices are heard first on every agenda item about care."),
    "policy_planning": ("A draft policy was rewritten after comments from service users and carers.",
                        "The annual plan added a priority proposed by the people involved."),
    "delivery": ("An information leaflet was rewritten in plain English.",
                 "Appointment letters now say who to call when something goes wrong."),
    "outcomes_outputs": ("Waiting times for a first appointment were added to the monthly report.",
                         "A new recovery measure agreed with service users is now reported."),
    "diversity_equality": ("Meetings moved to community venues to reach under-represented groups.",
                           "Materials were translated into the five most spoken community languages."),
    "experience": ("Carers are now told the name of the ward contact on admission.",
                   "Quiet rooms were set aside after service users asked for them."),
}
IMPACT_EVIDENCE = ("Meeting minutes", "Before-and-after survey", "Revised document on the intranet",
                   "Service user and carer feedback report")
FEEDBACK_RETURN_SHARE = 0.45
FEEDBACK_SHARES = {  # question -> answer shares; people are rarely told the outcomes
    "felt_valued": (0.25, 0.40, 0.15, 0.08, 0.04, 0.05, 0.03),
    "could_influence": (0.15, 0.35, 0.22, 0.14, 0.06, 0.05, 0.03),
    "informed_of_outcomes": (0.08, 0.22, 0.20, 0.25, 0.17, 0.05, 0.03),
}
FEEDBACK_ANSWER_ORDER = ("strongly_agree", "agree", "neutral", "disagree", "strongly_disagree",
                         codes.NOT_STATED, codes.NOT_KNOWN)
REVIEW_CYCLE_SHARES = (0.1, 0.1, 0.15, 0.25, 0.4)  # 1..5 cycles per activity; 5 cover the window, fewer stall
REVIEW_STAGE_DAYS = 60
REVIEW_CYCLE_DAYS = 240  # four stages of REVIEW_STAGE_DAYS, back to back

# --- Other equality fields -------------------------------------------------------------------------------

SEX_SHARES = {
    "service_user": {"female": 0.52, "male": 0.45, codes.NOT_STATED: 0.01, codes.NOT_KNOWN: 0.02},
    "carer": {"female": 0.68, "male": 0.29, codes.NOT_STATED: 0.01, codes.NOT_KNOWN: 0.02},
}
GENDER_SAME_SHARES = {"yes": 0.90, "no": 0.015, codes.NOT_STATED: 0.035, codes.NOT_KNOWN: 0.05}
AGE_SHARES = {
    "service_user": {"16-17": 0.02, "18-24": 0.12, "25-34": 0.22, "35-44": 0.20, "45-54": 0.17,
                     "55-64": 0.12, "65-74": 0.07, "75-84": 0.03, "85+": 0.005, codes.NOT_STATED: 0.01,
                     codes.NOT_KNOWN: 0.025},
    "carer": {"18-24": 0.04, "25-34": 0.08, "35-44": 0.15, "45-54": 0.22, "55-64": 0.22, "65-74": 0.15,
              "75-84": 0.07, "85+": 0.02, codes.NOT_STATED: 0.02, codes.NOT_KNOWN: 0.03},
}
YEAR_OF_BIRTH_SHARE = 0.4
DISABILITY_SHARES = {
    "service_user": {"yes": 0.45, "no": 0.35, codes.NOT_STATED: 0.08, codes.NOT_KNOWN: 0.12},
    "carer": {"yes": 0.20, "no": 0.60, codes.NOT_STATED: 0.08, codes.NOT_KNOWN: 0.12},
}
SEXUAL_ORIENTATION_SHARES = {"straight": 0.78, "gay_lesbian": 0.04, "bisexual": 0.04, "other": 0.01,
                             codes.NOT_STATED: 0.07, codes.NOT_KNOWN: 0.06}
RELIGION_SHARES = {
    "default": {"no_religion": 0.34, "christian": 0.42, "muslim": 0.04, "hindu": 0.01, "buddhist": 0.01,
                "jewish": 0.005, "sikh": 0.002, "other": 0.013, codes.NOT_STATED: 0.09,
                codes.NOT_KNOWN: 0.07},
    "H": {"hindu": 0.50, "sikh": 0.15, "muslim": 0.12, "christian": 0.05, "no_religion": 0.08,
          codes.NOT_STATED: 0.05, codes.NOT_KNOWN: 0.05},
    "J": {"muslim": 0.88, "no_religion": 0.02, "christian": 0.01, codes.NOT_STATED: 0.05,
          codes.NOT_KNOWN: 0.04},
    "K": {"muslim": 0.90, "no_religion": 0.01, "hindu": 0.01, codes.NOT_STATED: 0.04, codes.NOT_KNOWN: 0.04},
}


# --- Result types ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DemoPlan:
    """Every demo row as polars frames keyed by generator keys (database ids are added on insert)."""

    activities: pl.DataFrame
    people: pl.DataFrame
    involvements: pl.DataFrame
    meetings: pl.DataFrame
    attendance: pl.DataFrame
    payments: pl.DataFrame
    support: pl.DataFrame
    impacts: pl.DataFrame
    feedback: pl.DataFrame
    reviews: pl.DataFrame
    caseload: pl.DataFrame

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name).height for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class DemoSummary:
    """What ``models.seeding.seed_demo`` added; ``str()`` is a one-paragraph summary with each table's rows."""

    organisation_code: str
    organisation_name: str
    organisation_id: int
    scale: int
    seed: int
    counts: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        c = self.counts
        return (
            f"Added the fictional demo trust {self.organisation_name} ({self.organisation_code}, scale "
            f"{self.scale}, seed {self.seed}) serving {', '.join(CATCHMENT.values())}, over the quarters "
            f"{_quarter_label(WINDOW_START)} to {_quarter_label(WINDOW_END)}: {c['people']:,} people, "
            f"{c['activities']:,} activities, {c['involvements']:,} involvements, "
            f"{c['meetings']:,} meetings, {c['attendance']:,} attendance records, "
            f"{c['payments']:,} payments, {c['support']:,} support offers, "
            f"{c['impacts']:,} impact log entries, {c['feedback']:,} feedback returns and "
            f"{c['reviews']:,} review steps."
        )


def _quarter_label(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


# --- Small helpers -----------------------------------------------------------------------------------------

def _rng(seed: int, stream: str) -> np.random.Generator:
    """An independent, reproducible generator per named stream (changing one stream leaves the others)."""
    return np.random.default_rng([seed, zlib.crc32(stream.encode())])


def _days(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def _to_date(days: np.ndarray | pl.Series) -> pl.Series:
    return pl.Series(days).cast(pl.Int32).cast(pl.Date)


def _pick(rng: np.random.Generator, shares: dict, size: int) -> np.ndarray:
    """``size`` values drawn with the (normalised) shares of a dict value -> share."""
    values = list(shares)
    weights = np.array([shares[v] for v in values], dtype=float)
    return np.array(values, dtype=object)[rng.choice(len(values), size=size, p=weights / weights.sum())]


def _pick_rows(rng: np.random.Generator, values: list, weights: np.ndarray) -> np.ndarray:
    """One value per row of a weights matrix (rows need not be normalised)."""
    cumulative = np.cumsum(weights, axis=1)
    draws = rng.random(len(weights)) * cumulative[:, -1]
    index = (cumulative < draws[:, None]).sum(axis=1)
    return np.array(values, dtype=object)[np.minimum(index, len(values) - 1)]


def _pick_by(rng: np.random.Generator, keys: np.ndarray, shares_by_key: dict[str, dict]) -> np.ndarray:
    """Per row, a value drawn from the shares of that row's key."""
    out = np.empty(len(keys), dtype=object)
    for key, shares in shares_by_key.items():
        mask = keys == key
        out[mask] = _pick(rng, shares, int(mask.sum()))
    return out


def _exact_flags(rng: np.random.Generator, size: int, share: float) -> np.ndarray:
    """Exactly round(size * share) True values at random places (so small runs still show the pattern)."""
    flags = np.zeros(size, dtype=bool)
    flags[rng.permutation(size)[: round(size * share)]] = True
    return flags


def _refs(prefix: str, count: int, width: int) -> pl.Series:
    """prefix + 1..count, zero-padded to ``width`` digits (wider when count needs it): P000001, ACT-001."""
    width = max(width, len(str(count)))
    number = pl.int_range(1, count + 1, eager=True).cast(pl.String).str.zfill(width)
    return (prefix + number).rename("ref")


# --- Activities --------------------------------------------------------------------------------------------

def _activities(scale: int, rng: np.random.Generator) -> pl.DataFrame:
    templates = [t for _ in range(scale) for t in ACTIVITY_TEMPLATES]
    unit = np.repeat(np.arange(1, scale + 1), len(ACTIVITY_TEMPLATES))
    n = len(templates)
    frame = pl.DataFrame({
        "activity_key": np.arange(n),
        "ref": _refs("ACT-", n, 3),
        "name": [t.name if u == 1 else f"{t.name} (unit {u})" for t, u in zip(templates, unit, strict=True)],
        "template": [t.name for t in templates],
        "kind": [t.kind for t in templates],
        "level": [t.level for t in templates],
        "involves": [t.involves for t in templates],
        "seats": [t.seats for t in templates],
        "meets_every": pl.Series([t.meets_every for t in templates], dtype=pl.Int32),
        "focus": [t.focus for t in templates],
        "start_date": [t.start for t in templates],
        "end_date": pl.Series([t.end for t in templates], dtype=pl.Date),
    })
    frame = frame.with_columns(
        involvement_area=pl.col("level").replace_strict(LEVEL_AREA),
        high_level=pl.col("level").is_in(list(HIGH_LEVELS)) & (pl.col("kind") == "committee"),
    )
    return _with_purpose(frame, rng)


def _with_purpose(activities: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Purpose, intended outcomes and the date the purpose was recorded; some left blank on purpose."""
    n = activities.height
    no_purpose = _exact_flags(rng, n, PURPOSE_MISSING_SHARE)
    no_outcomes = no_purpose | _exact_flags(rng, n, OUTCOMES_MISSING_SHARE - PURPOSE_MISSING_SHARE)
    delay = np.where(rng.random(n) < PURPOSE_LATE_SHARE, rng.integers(95, 400, n), rng.integers(0, 60, n))
    purpose = pl.format("Service users and carers shape {} and say what should change.", pl.col("focus"))
    outcomes = pl.format(
        "What is decided about {} reflects the views of the people involved; changes are reported back "
        "within three months.", pl.col("focus"))
    recorded = (pl.col("start_date") + pl.duration(days=pl.Series(delay))).clip(upper_bound=WINDOW_END)
    return activities.with_columns(
        _no_purpose=pl.Series(no_purpose), _no_outcomes=pl.Series(no_outcomes),
    ).with_columns(
        purpose=pl.when(pl.col("_no_purpose")).then(None).otherwise(purpose),
        intended_outcomes=pl.when(pl.col("_no_outcomes")).then(None).otherwise(outcomes),
        purpose_recorded_on=pl.when(pl.col("_no_purpose")).then(None).otherwise(recorded),
    ).drop("_no_purpose", "_no_outcomes")


# --- Tenures: who holds each seat, when ------------------------------------------------------------------

def _tenures(activities: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """One row per tenure (a future involvement) that overlaps the window: activity, start and end."""
    seats = activities["seats"].to_numpy()
    activity_key = np.repeat(activities["activity_key"].to_numpy(), seats)
    mean = np.repeat(activities["level"].replace_strict(TENURE_MEAN_DAYS).to_numpy(), seats).astype(float)
    opened = np.repeat(activities["start_date"].cast(pl.Int32).to_numpy(), seats)
    closed = np.repeat(activities["end_date"].fill_null(WINDOW_END).cast(pl.Int32).to_numpy(), seats)
    origin = np.maximum(opened, _days(WINDOW_START) - HISTORY_TENURES * mean)
    shape = (len(mean), TENURE_SLOTS)
    length = np.maximum(rng.gamma(2.0, mean[:, None] / 2.0, shape), TENURE_MIN_DAYS).round()
    gap = rng.exponential(TENURE_GAP_MEAN_DAYS, shape).round()
    start = origin[:, None] + np.cumsum(gap + length, axis=1) - length
    if (start[:, -1] <= closed).any():
        raise RuntimeError("TENURE_SLOTS is too small to fill every seat up to the end of the window.")
    end = np.minimum(start + length, closed[:, None])
    keep = (start <= closed[:, None]) & (end >= _days(WINDOW_START))
    seat, slot = np.nonzero(keep)
    ongoing = (start[seat, slot] + length[seat, slot] > closed[seat]) & (closed[seat] >= _days(WINDOW_END))
    return pl.DataFrame({
        "activity_key": activity_key[seat],
        "start_date": _to_date(start[seat, slot]),
        "end_date": _to_date(np.where(ongoing, -1, end[seat, slot])),
        "ongoing": ongoing,
    }).with_columns(
        end_date=pl.when(pl.col("ongoing")).then(None).otherwise(pl.col("end_date")),
    ).drop("ongoing").join(
        activities.select("activity_key", "level", "template", "involves"), on="activity_key", how="left",
    ).with_row_index("tenure_key")


def _with_holders(tenures: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Involvement type and ethnicity of each tenure's holder, drawn with the deliberate patterns."""
    kinds = _pick_by(rng, tenures["involves"].to_numpy(), INVOLVEMENT_TYPE_SHARES)
    tenures = tenures.with_columns(involvement_type=pl.Series(kinds, dtype=pl.String))
    values = list(CATCHMENT_ETHNICITY_SHARES) + list(ETHNICITY_UNKNOWN_SHARES)
    known = np.array(list(CATCHMENT_ETHNICITY_SHARES.values()))
    base = np.concatenate([known / known.sum() * (1 - sum(ETHNICITY_UNKNOWN_SHARES.values())),
                           list(ETHNICITY_UNKNOWN_SHARES.values())])
    weights = np.tile(base, (tenures.height, 1))
    weights = _bend_black_carers(tenures, weights, values)
    weights = _bend_south_asian(tenures, weights, values)
    return tenures.with_columns(ethnicity=pl.Series(_pick_ethnicity(rng, tenures, values, weights),
                                                    dtype=pl.String))


PATTERN_GROUPS = (BLACK_CARER_CODES, SOUTH_ASIAN_CODES)  # drawn first, in this order, by systematic sampling


def _pick_ethnicity(rng: np.random.Generator, tenures: pl.DataFrame, values: list[str],
                    weights: np.ndarray) -> np.ndarray:
    """Draw in two stages so the patterns show at any seed: the pattern group (or none), then the category
    within it in proportion to the weights."""
    group = _pattern_groups(rng, tenures, values, weights)
    columns = [_columns_of(values, codes_in_group) for codes_in_group in PATTERN_GROUPS]
    in_any = {i for group_columns in columns for i in group_columns}
    columns.insert(0, [i for i in range(len(values)) if i not in in_any])
    allowed = np.zeros_like(weights)
    for number, group_columns in enumerate(columns):
        cells = np.ix_(group == number, group_columns)
        allowed[cells] = weights[cells]
    return _pick_rows(rng, values, allowed)


def _pattern_groups(rng: np.random.Generator, tenures: pl.DataFrame, values: list[str],
                    weights: np.ndarray) -> np.ndarray:
    """0 for no pattern group, else 1 + the index in PATTERN_GROUPS; by systematic sampling along level, type
    and start date, so every run of similar tenures gets its expected count, give or take one."""
    start = tenures["start_date"].cast(pl.Int32).to_numpy()
    order = np.lexsort((start, tenures["involvement_type"].to_numpy(), tenures["level"].to_numpy()))
    group = np.zeros(tenures.height, dtype=int)
    remaining = weights.sum(axis=1)
    for number, codes_in_group in enumerate(PATTERN_GROUPS, start=1):
        in_group = weights[:, _columns_of(values, codes_in_group)].sum(axis=1)
        share = np.divide(in_group, remaining, out=np.zeros_like(in_group), where=remaining > 0)
        free = group[order] == 0
        chosen = _systematic(rng, np.where(free, share[order], 0.0))
        group[order[chosen & free]] = number
        remaining = remaining - in_group
    return group


def _systematic(rng: np.random.Generator, probability: np.ndarray) -> np.ndarray:
    """Systematic sampling: True where the running sum of probabilities (from a random start) passes a whole
    number, so any run of rows has its expected number of True values, plus or minus one."""
    running = rng.random() + np.cumsum(probability)
    return np.floor(running) > np.floor(running - probability)


def _columns_of(values: list[str], chosen: tuple[str, ...]) -> list[int]:
    return [values.index(code) for code in chosen]


def _bend_black_carers(tenures: pl.DataFrame, weights: np.ndarray, values: list[str]) -> np.ndarray:
    """Pattern (a): N and M carers are rare at board and absent from BLACK_CARER_ABSENT_COMMITTEES."""
    carer = tenures["involvement_type"].is_in(["carer", "both"]).to_numpy()
    board = (tenures["level"] == "board").to_numpy()
    absent = tenures["template"].is_in(list(BLACK_CARER_ABSENT_COMMITTEES)).to_numpy()
    factor = np.where(carer & absent, 0.0, np.where(carer & board, BLACK_CARER_BOARD_FACTOR, 1.0))
    columns = _columns_of(values, BLACK_CARER_CODES)
    weights[:, columns] *= factor[:, None]
    return weights


def _bend_south_asian(tenures: pl.DataFrame, weights: np.ndarray, values: list[str]) -> np.ndarray:
    """Pattern (b): at strategic level, H/J/K service users grow more likely the later the tenure starts."""
    service_user = tenures["involvement_type"].is_in(["service_user", "both"]).to_numpy()
    strategic = (tenures["level"] == "strategic").to_numpy()
    start = tenures["start_date"].cast(pl.Int32).to_numpy()
    progress = np.clip((start - _days(WINDOW_START)) / (_days(WINDOW_END) - _days(WINDOW_START)), 0.0, 1.0)
    ramp = SOUTH_ASIAN_WEIGHT_START + (SOUTH_ASIAN_WEIGHT_END - SOUTH_ASIAN_WEIGHT_START) * progress
    factor = np.where(service_user & strategic, ramp, 1.0)
    weights[:, _columns_of(values, SOUTH_ASIAN_CODES)] *= factor[:, None]
    return weights


def _with_people(tenures: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """A person key per tenure: REUSE_SHARE of higher-level tenures go to a lower-level holder alike in type
    and ethnicity (so the drawn patterns stand); every other tenure is a new person."""
    by = ["involvement_type", "ethnicity"]
    order = pl.Series("_order", rng.permutation(tenures.height))
    tenures = tenures.with_columns(order, _reuse=pl.Series(rng.random(tenures.height) < REUSE_SHARE))
    wanted = tenures.filter(pl.col("level").is_in(list(REUSE_LEVELS)) & pl.col("_reuse"))
    donors = tenures.filter(pl.col("level").is_in(list(DONOR_LEVELS)))
    rank = pl.col("_order").rank("ordinal").over(by)
    pairs = wanted.select("tenure_key", *by, _rank=rank).join(
        donors.select(*by, _rank=rank, person_key=pl.col("tenure_key")), on=[*by, "_rank"], how="inner",
    )
    return tenures.join(pairs.select("tenure_key", "person_key"), on="tenure_key", how="left").with_columns(
        person_key=pl.col("person_key").fill_null(pl.col("tenure_key")),
    ).drop("_order", "_reuse").sort("tenure_key")


# --- People ------------------------------------------------------------------------------------------------

def _people(tenures: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """One row per person (the holder of their first tenure), with refs in a shuffled order."""
    people = (tenures.filter(pl.col("person_key") == pl.col("tenure_key"))
              .select("person_key", "involvement_type", "ethnicity"))
    n = people.height
    people = people.with_columns(_ref_order=pl.Series(rng.permutation(n))).sort("_ref_order").with_columns(
        ref=_refs("P", n, 6),
    ).drop("_ref_order").sort("person_key")
    as_carer = np.where(people["involvement_type"].to_numpy() == "carer", "carer", "service_user")
    age_band = _pick_by(rng, as_carer, AGE_SHARES)
    return people.with_columns(
        sex=pl.Series(_pick_by(rng, as_carer, SEX_SHARES), dtype=pl.String),
        gender_same_as_birth=pl.Series(_pick(rng, GENDER_SAME_SHARES, n), dtype=pl.String),
        age_band=pl.Series(age_band, dtype=pl.String),
        year_of_birth=pl.Series(_years_of_birth(rng, age_band), nan_to_null=True).cast(pl.Int32),
        disability=pl.Series(_pick_by(rng, as_carer, DISABILITY_SHARES), dtype=pl.String),
        sexual_orientation=pl.Series(_pick(rng, SEXUAL_ORIENTATION_SHARES, n), dtype=pl.String),
        religion=pl.Series(_religions(rng, people["ethnicity"].to_numpy()), dtype=pl.String),
        local_authority=pl.Series(_local_authorities(rng, n), dtype=pl.String),
    )


def _years_of_birth(rng: np.random.Generator, age_band: np.ndarray) -> np.ndarray:
    """A year of birth that fits the age band on WINDOW_END, for YEAR_OF_BIRTH_SHARE of people (else NaN)."""
    low = np.full(len(age_band), -1)
    high = np.full(len(age_band), -1)
    for band in codes.AGE_BANDS:
        if band in codes.UNKNOWN_VALUES:
            continue
        first, _, last = band.rstrip("+").partition("-")
        mask = age_band == band
        low[mask], high[mask] = int(first), int(last or 95)
    age = low + np.floor(rng.random(len(age_band)) * (high - low + 1)).astype(int)
    known = (low >= 0) & (rng.random(len(age_band)) < YEAR_OF_BIRTH_SHARE)
    years = (WINDOW_END.year - age).astype(float)
    years[~known] = np.nan
    return years


def _religions(rng: np.random.Generator, ethnicity: np.ndarray) -> np.ndarray:
    keys = np.where(np.isin(ethnicity, list(SOUTH_ASIAN_CODES)), ethnicity, "default")
    return _pick_by(rng, keys, RELIGION_SHARES)


def _local_authorities(rng: np.random.Generator, n: int) -> np.ndarray:
    known = 1.0 - sum(LOCAL_AUTHORITY_UNKNOWN_SHARES.values())
    total = sum(CATCHMENT_POPULATION.values())
    shares = {code: known * people / total for code, people in CATCHMENT_POPULATION.items()}
    return _pick(rng, shares | LOCAL_AUTHORITY_UNKNOWN_SHARES, n)


# --- Involvements ------------------------------------------------------------------------------------------

def _involvements(tenures: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    n = tenures.height
    level = tenures["level"].to_numpy()
    paid = rng.random(n) < tenures["level"].replace_strict(PAID_SHARE).to_numpy()
    return tenures.select(
        "tenure_key", "activity_key", "person_key", "level", "involvement_type", "start_date", "end_date",
    ).with_columns(
        ref=_refs("INV-", n, 6),
        role=pl.Series(_pick_by(rng, level, ROLE_SHARES), dtype=pl.String),
        payment_basis=pl.Series(np.where(paid, "paid", "voluntary"), dtype=pl.String),
        has_role_description=pl.Series(rng.random(n) < ROLE_DESCRIPTION_SHARE),
    )


# --- Meetings and attendance -------------------------------------------------------------------------------

def _meetings(activities: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Monthly or bi-monthly meetings of every activity that meets, inside the window and its own dates."""
    meeting = activities.filter(pl.col("meets_every").is_not_null())
    months = QUARTERS * 3
    offset = rng.integers(0, meeting["meets_every"].to_numpy())
    day_of_month = rng.integers(1, 25, meeting.height)
    frame = meeting.select(
        "activity_key", "start_date", "end_date", "high_level",
        _month=pl.int_ranges(pl.Series(offset), months, pl.col("meets_every")),
        _day=pl.Series(day_of_month),
    ).explode("_month").with_columns(
        date=pl.lit(WINDOW_START).dt.offset_by(pl.format("{}mo", pl.col("_month")))
        + pl.duration(days=pl.col("_day") - 1),
    ).with_columns(date=_weekday(pl.col("date"))).filter(
        (pl.col("date") >= pl.col("start_date"))
        & (pl.col("date") <= pl.col("end_date").fill_null(WINDOW_END))
        & (pl.col("date") <= WINDOW_END),
    ).sort("date", "activity_key").with_row_index("meeting_key")
    n = frame.height
    return frame.select("meeting_key", "activity_key", "date", "high_level").with_columns(
        ref=_refs("MTG-", n, 6),
        start_time=pl.Series(_pick(rng, START_TIME_SHARES, n).astype(np.int64) * 60 * 10**9).cast(pl.Time),
        papers_sent=pl.col("date") - pl.duration(
            days=pl.Series(_papers_lead_days(rng, n), nan_to_null=True).cast(pl.Int32)),
    )


def _weekday(day: pl.Expr) -> pl.Expr:
    """Move a Saturday or Sunday meeting to the Monday after."""
    weekday = day.dt.weekday()  # Monday 1 ... Sunday 7
    return day + pl.duration(days=pl.when(weekday >= 6).then(8 - weekday).otherwise(0))


def _papers_lead_days(rng: np.random.Generator, n: int) -> np.ndarray:
    """Days between papers and meeting: PAPERS_LATE_SHARE under a week, some not recorded (null)."""
    late = rng.random(n) < PAPERS_LATE_SHARE
    lead = np.where(late, rng.integers(2, 7, n), rng.integers(7, 15, n)).astype(float)
    lead[rng.random(n) < PAPERS_NOT_RECORDED_SHARE] = np.nan
    return lead


def _attendance(meetings: pl.DataFrame, involvements: pl.DataFrame, activities: pl.DataFrame,
                rng: np.random.Generator) -> pl.DataFrame:
    """Every member in post on a meeting's date: attended or apologies; per meeting at most one reserve."""
    members = involvements.select("activity_key", "person_key", "involvement_type",
                                  _from="start_date", _to=pl.col("end_date").fill_null(WINDOW_END))
    rows = meetings.select("meeting_key", "activity_key", "date", "high_level").join(
        members, on="activity_key", how="inner",
    ).filter(pl.col("date").is_between(pl.col("_from"), pl.col("_to"))).join(
        activities.select("activity_key", "template", "involves"), on="activity_key", how="left",
    ).sort("meeting_key", "person_key")
    n = rows.height
    chance = np.where(rows["template"].to_numpy() == SINGLE_MEMBER_COMMITTEE, SINGLE_MEMBER_ATTENDANCE,
                      ATTENDANCE_SHARE)
    attended = rng.random(n) < chance
    return rows.with_columns(
        capacity=pl.Series(_capacities(rng, rows), dtype=pl.String),
        status=pl.Series(np.where(attended, "attended", "apologies"), dtype=pl.String),
        _pick=pl.Series(rng.random(n)),
        _meeting_draw=pl.Series(rng.random(n)),
    ).with_columns(
        status=pl.when(_is_reserve()).then(pl.lit("reserve")).otherwise(pl.col("status")),
    ).select("meeting_key", "person_key", "capacity", "status")


def _capacities(rng: np.random.Generator, rows: pl.DataFrame) -> np.ndarray:
    """Own type; people of type "both" attend as the activity asks (either way when it asks for both)."""
    person, involves = rows["involvement_type"].to_numpy(), rows["involves"].to_numpy()
    n = rows.height
    either = np.where(rng.random(n) < BOTH_AS_CARER_SHARE, "carer", "service_user")
    as_both = np.where(involves == "both", either, involves)
    capacity = np.where(person == "both", as_both, person)
    return np.where(rng.random(n) < STAFF_CAPACITY_SHARE, "staff", capacity)


def _is_reserve() -> pl.Expr:
    """One member per meeting is the named reserve, except in HIGH_LEVEL_NO_RESERVE_SHARE of high-level
    meetings (and all but OTHER_RESERVE_SHARE of the others)."""
    chosen = pl.col("_pick") == pl.col("_pick").min().over("meeting_key")
    meeting_draw = pl.col("_meeting_draw").first().over("meeting_key")
    share = pl.when(pl.col("high_level")).then(1 - HIGH_LEVEL_NO_RESERVE_SHARE).otherwise(OTHER_RESERVE_SHARE)
    return chosen & (meeting_draw < share)


# --- 4PI process: payments and support ---------------------------------------------------------------------

def _payments(involvements: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """A fee claim per quarter in post for paid involvements, some travel and childcare claims; paid dates
    mostly within 30 days, LATE_PAYMENT_SHARE later, UNPAID_SHARE never (and recent claims not yet)."""
    quarter = _quarter_index
    claims = involvements.filter(pl.col("payment_basis") == "paid").select(
        "person_key", "activity_key",
        _quarter=pl.int_ranges(quarter(pl.col("start_date")).clip(lower_bound=0),
                               quarter(pl.col("end_date").fill_null(WINDOW_END)) + 1),
    ).explode("_quarter").drop_nulls("_quarter")
    claims = pl.concat([
        claims.with_columns(kind=pl.lit("fee")),
        claims.filter(pl.Series(rng.random(claims.height) < TRAVEL_CLAIM_SHARE))
        .with_columns(kind=pl.lit("travel")),
        claims.filter(pl.Series(rng.random(claims.height) < CHILDCARE_CLAIM_SHARE))
        .with_columns(kind=pl.lit("childcare")),
    ]).sort("_quarter", "person_key", "activity_key", "kind")
    n = claims.height
    claim_day = _quarter_end_days(claims["_quarter"].to_numpy()) + rng.integers(1, 22, n)
    paid_day = claim_day + _payment_delays(rng, n)
    claims = claims.with_columns(
        claim_date=_to_date(claim_day), paid_date=_to_date(paid_day), amount=pl.Series(_amounts(rng, claims)),
    ).filter(pl.col("claim_date") <= WINDOW_END)
    return claims.with_columns(
        ref=_refs("PAY-", claims.height, 7),
        paid_date=pl.when(pl.col("paid_date") <= WINDOW_END).then(pl.col("paid_date")),
    ).select("ref", "person_key", "activity_key", "kind", "claim_date", "paid_date", "amount")


def _quarter_index(day: pl.Expr) -> pl.Expr:
    """0 for 2023-Q4 ... 11 for 2026-Q3 (negative before the window)."""
    return ((day.dt.year() - WINDOW_START.year) * 12 + day.dt.month() - WINDOW_START.month) // 3


def _quarter_end_days(quarter: np.ndarray) -> np.ndarray:
    first_month = np.datetime64(WINDOW_START.isoformat()[:7], "M") + quarter * 3
    return ((first_month + 3).astype("datetime64[D]") - np.datetime64("1970-01-01", "D")).astype(int) - 1


def _payment_delays(rng: np.random.Generator, n: int) -> np.ndarray:
    late = rng.random(n) < LATE_PAYMENT_SHARE
    delay = np.where(late, rng.integers(31, 91, n), rng.integers(3, 31, n))
    return np.where(rng.random(n) < UNPAID_SHARE, 10**5, delay)  # 10**5 days: never paid


def _amounts(rng: np.random.Generator, claims: pl.DataFrame) -> np.ndarray:
    kind = claims["kind"].to_numpy()
    fee = np.array(FEE_AMOUNTS)[rng.integers(0, len(FEE_AMOUNTS), len(kind))]
    travel = rng.uniform(3.0, 35.0, len(kind))
    childcare = rng.uniform(20.0, 60.0, len(kind))
    return np.round(np.select([kind == "fee", kind == "travel"], [fee, travel], childcare), 2)


def _support(involvements: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Support offered to each person soon after they first got involved; not to everyone, not every kind."""
    first = involvements.group_by("person_key").agg(pl.col("start_date").min()).sort("person_key")
    frames = []
    for kind, share in SUPPORT_OFFER_SHARES.items():
        offered = first.filter(pl.Series(rng.random(first.height) < share))
        delay = pl.duration(days=pl.Series(rng.integers(0, 46, offered.height)))
        frames.append(offered.with_columns(
            kind=pl.lit(kind),
            offered_on=(pl.col("start_date") + delay).clip(upper_bound=WINDOW_END),
            taken_up=pl.Series(rng.random(offered.height) < SUPPORT_TAKEN_UP_SHARE),
        ))
    return pl.concat(frames).select("person_key", "kind", "offered_on", "taken_up").sort("person_key", "kind")


# --- 4PI impact: impact log, feedback, review cycles --------------------------------------------------------

def _impacts(activities: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    counts = rng.poisson(IMPACTS_PER_ACTIVITY, activities.height)
    rows = activities.select("activity_key", "start_date", "end_date").with_columns(
        _n=pl.Series(counts)).filter(pl.col("_n") > 0).select(
        "activity_key", "start_date", "end_date", _i=pl.int_ranges(0, pl.col("_n"))).explode("_i")
    n = rows.height
    low = rows["start_date"].cast(pl.Int32).to_numpy().clip(min=_days(WINDOW_START))
    high = rows["end_date"].fill_null(WINDOW_END).cast(pl.Int32).to_numpy()
    area = _pick(rng, {a: 1.0 for a in codes.IMPACT_AREAS}, n)
    variant = rng.integers(0, 2, n)
    text = np.array([IMPACT_TEXT[a][i] for a, i in zip(area, variant, strict=True)], dtype=object)
    evidence = np.array(IMPACT_EVIDENCE, dtype=object)[rng.integers(0, len(IMPACT_EVIDENCE), n)]
    evidence[rng.random(n) >= IMPACT_EVIDENCE_SHARE] = None
    frame = rows.with_columns(
        recorded_on=_to_date(low + np.floor(rng.random(n) * (high - low + 1)).astype(int)),
        area=pl.Series(area, dtype=pl.String),
        what_changed=pl.Series(text, dtype=pl.String),
        evidence=pl.Series(evidence.tolist(), dtype=pl.String),
    ).sort("recorded_on", "activity_key", "_i")
    return frame.with_columns(ref=_refs("IMP-", n, 5)).select(
        "ref", "activity_key", "recorded_on", "area", "what_changed", "evidence")


def _feedback(involvements: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Anonymous end-of-involvement questionnaires from FEEDBACK_RETURN_SHARE of involvements that ended."""
    ended = involvements.filter(pl.col("end_date").is_not_null() & (pl.col("end_date") < WINDOW_END))
    returned = ended.filter(pl.Series(rng.random(ended.height) < FEEDBACK_RETURN_SHARE))
    n = returned.height
    answers = {question: pl.Series(_pick(rng, dict(zip(FEEDBACK_ANSWER_ORDER, shares, strict=True)), n),
                                   dtype=pl.String)
               for question, shares in FEEDBACK_SHARES.items()}
    frame = returned.select("activity_key", "end_date").with_columns(
        submitted_on=(pl.col("end_date") + pl.duration(days=pl.Series(rng.integers(0, 29, n))))
        .clip(upper_bound=WINDOW_END),
        **answers,
    ).sort("submitted_on", "activity_key")
    return frame.with_columns(ref=_refs("FB-", n, 6)).select(
        "ref", "activity_key", "submitted_on", *FEEDBACK_SHARES)


def _reviews(activities: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Act-evaluate-reflect-learn cycles, one after another: most activities keep reviewing through the window,
    some stall after a few cycles, and the last cycle often stops part-way."""
    n = activities.height
    cycles = rng.choice(np.arange(1, len(REVIEW_CYCLE_SHARES) + 1), size=n, p=REVIEW_CYCLE_SHARES)
    last_stages = rng.integers(1, len(codes.REVIEW_STAGES) + 1, n)
    stages = pl.DataFrame({"stage": list(codes.REVIEW_STAGES)}).with_row_index("_stage")
    steps = activities.select("activity_key", "start_date").with_columns(
        _cycles=pl.Series(cycles), _last=pl.Series(last_stages),
    ).filter(pl.col("_cycles") > 0).with_columns(cycle=pl.int_ranges(1, pl.col("_cycles") + 1)).explode(
        "cycle").join(stages, how="cross").filter(
        (pl.col("cycle") < pl.col("_cycles")) | (pl.col("_stage") < pl.col("_last")))
    begin = pl.max_horizontal(pl.col("start_date"), pl.lit(WINDOW_START))
    offset = (pl.col("cycle") - 1) * REVIEW_CYCLE_DAYS + (pl.col("_stage") + 1) * REVIEW_STAGE_DAYS
    return steps.with_columns(completed_on=begin + pl.duration(days=offset)).filter(
        pl.col("completed_on") <= WINDOW_END,
    ).select("activity_key", pl.col("cycle").cast(pl.Int32), "stage", "completed_on").sort(
        "activity_key", "cycle", "completed_on")


# --- The whole plan ----------------------------------------------------------------------------------------

def build_demo(*, scale: int = 1, seed: int = 2021) -> DemoPlan:
    """Every row of the demo trust as polars frames (no database); the same arguments give the same frames."""
    if scale < 1:
        raise ValueError(f"The demo scale must be a whole number of 1 or more, not {scale}.")
    activities = _activities(scale, _rng(seed, "activities"))
    tenures = _tenures(activities, _rng(seed, "tenures"))
    tenures = _with_people(_with_holders(tenures, _rng(seed, "holders")), _rng(seed, "people"))
    involvements = _involvements(tenures, _rng(seed, "involvements"))
    meetings = _meetings(activities, _rng(seed, "meetings"))
    return DemoPlan(
        activities=activities,
        people=_people(tenures, _rng(seed, "equality")),
        involvements=involvements,
        meetings=meetings,
        attendance=_attendance(meetings, involvements, activities, _rng(seed, "attendance")),
        payments=_payments(involvements, _rng(seed, "payments")),
        support=_support(involvements, _rng(seed, "support")),
        impacts=_impacts(activities, _rng(seed, "impacts")),
        feedback=_feedback(involvements, _rng(seed, "feedback")),
        reviews=_reviews(activities, _rng(seed, "reviews")),
        caseload=_caseload(scale),
    )


def _caseload(scale: int) -> pl.DataFrame:
    """The trust's caseload by ethnic category (a Baseline the organisation supplies); deterministic."""
    weighted = {code: share * CASELOAD_USE_WEIGHTS[codes.ETHNICITY_BY_CODE[code].broad]
                for code, share in CATCHMENT_ETHNICITY_SHARES.items()}
    known = (1 - sum(CASELOAD_UNKNOWN_SHARES.values())) / sum(weighted.values())
    shares = {code: w * known for code, w in weighted.items()} | CASELOAD_UNKNOWN_SHARES
    people = CASELOAD_PEOPLE * scale
    return pl.DataFrame({
        "source": CASELOAD_SOURCE, "year": CASELOAD_YEAR, "geography_code": "DEMO",
        "geography_name": "Trust caseload (demo)", "characteristic": "ethnicity",
        "group": list(shares), "count": [float(round(people * share)) for share in shares.values()],
    })


# --- Outreach plans -------------------------------------------------------------------------------------------

# Two example plans (issue 18): one on track (Asian people at strategic level, whose share rises by
# pattern (b)), one behind (Black African and Caribbean people on the Mental Health Strategy Board, absent by
# pattern (a)). Their progress is measured from the records, not stored: see analytics.outreach_plans.
DEMO_PLANS = (
    {"ref": "OP-001", "title": "3 more people from Asian communities at strategic level by 2027-Q4",
     "characteristic": "ethnicity_broad", "group": "Asian or Asian British", "involvement": "all",
     "level": "strategic", "committee": None, "target_people": 3, "started_on": date(2025, 7, 1),
     "target_date": date(2027, 12, 31), "owner_team": "Community Engagement Team", "status": "on_track",
     "notes": "Work with South Asian community groups in Croydon and Lewisham; offer paid roles and mentoring."},
    {"ref": "OP-002", "title": "2 more people from Black African and Caribbean communities on the Mental Health "
     "Strategy Board by 2027-Q2", "characteristic": "ethnicity_broad", "group": "Black or Black British",
     "involvement": "all", "level": "strategic", "committee": "Mental Health Strategy Board", "target_people": 2,
     "started_on": date(2025, 10, 1), "target_date": date(2027, 6, 30), "owner_team": "Equality and Inclusion Team",
     "status": "behind", "notes": "No new member yet; the first open day was postponed."},
)
DEMO_PARTNERS = (
    ("OP-001", "Croydon Asian Resource Centre (fictional)", "Community development worker"),
    ("OP-001", "Lewisham South Asian Carers Forum (fictional)", "Forum coordinator"),
    ("OP-002", "Southwark Black Mental Health Network (fictional)", "Outreach lead"),
)
DEMO_ACTIONS = (
    ("OP-001", "Present paid involvement roles at the forum", "Lewisham South Asian Carers Forum (fictional)",
     date(2026, 3, 31), date(2026, 3, 12)),
    ("OP-001", "Run two taster sessions of the strategy group", "Croydon Asian Resource Centre (fictional)",
     date(2027, 3, 31), None),
    ("OP-002", "Hold an open day with the network", "Southwark Black Mental Health Network (fictional)",
     date(2026, 6, 30), None),
    ("OP-002", "Offer mentoring by current members", None, date(2027, 1, 31), None),
)
