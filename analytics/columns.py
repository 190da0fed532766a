"""Column names of the analytics tables: one place, snake_case constants, imported by every module and test.

The first part names the representation engine's columns, the second the 4PI monitoring frames' (per-meeting
table, summaries, scorecard); both read the same :class:`analytics.loader.Frames`.

The representation engine builds one tidy table, one row per level x period x characteristic x group
(``ROW_COLUMNS``), plus one row per level x period x characteristic for the table-wide figures
(``TABLE_COLUMNS``). Every view in the dashboard is a selection of these.
"""

from __future__ import annotations

from data import characteristics as registry

# Keys
ORGANISATION_ID = "organisation_id"
LEVEL_RANK = "level_rank"  # 1 = individual care ... 5 = board
LEVEL_KEY = "level_key"
LEVEL_NAME = "level_name"
DECISION_MAKING = "decision_making"
PERIOD = "period"  # "2024-Q1" for quarters, "2024" for years (calendar years)
PERIOD_START = "period_start"  # date
CHARACTERISTIC = "characteristic"  # e.g. "ethnicity_broad"
GROUP = "group"  # code, e.g. "M" or "Black or Black British"
GROUP_LABEL = "group_label"  # display label
INVOLVEMENT_FILTER = "involvement_filter"  # "all", "service_user" or "carer"
BASELINE_NAME = "baseline_name"  # plain description of the baseline used

# Per-group statistics
INVOLVED = "involved"  # n
TOTAL = "total"  # N: people with a known value
SHARE = "share"  # n / N
BASELINE_SHARE = "baseline_share"  # p, normalised over known groups
RATIO = "ratio"  # share / p
GAP_PP = "gap_pp"  # (share - p) * 100
EXPECTED = "expected"  # N * p
SHORTFALL = "shortfall"  # people to add: max(0, ceil((N p - n) / (1 - p)))
Z = "z"  # (n - N p) / sqrt(N p (1 - p))
CI_LOW = "ci_low"  # Wilson score interval
CI_HIGH = "ci_high"
P_VALUE = "p_value"  # exact two-sided binomial test
P_ADJUSTED = "p_adjusted"  # Holm within level x period x characteristic (two groups: one test)
STATUS = "status"

# Per-table figures
UNKNOWN = "unknown"  # not stated + not known
NOT_STATED = "not_stated"
NOT_KNOWN = "not_known"
PEOPLE = "people"  # everyone counted at the level in the period, known or not
DECLARATION_RATE = "declaration_rate"  # total / people

KEY_COLUMNS = (LEVEL_RANK, LEVEL_KEY, LEVEL_NAME, DECISION_MAKING, PERIOD, PERIOD_START, CHARACTERISTIC)
ROW_COLUMNS = KEY_COLUMNS + (
    GROUP, GROUP_LABEL, INVOLVEMENT_FILTER, BASELINE_NAME, INVOLVED, TOTAL, SHARE, BASELINE_SHARE, RATIO,
    GAP_PP, EXPECTED, SHORTFALL, Z, CI_LOW, CI_HIGH, P_VALUE, P_ADJUSTED, STATUS,
)
TABLE_COLUMNS = KEY_COLUMNS + (INVOLVEMENT_FILTER, PEOPLE, TOTAL, UNKNOWN, NOT_STATED, NOT_KNOWN, DECLARATION_RATE)

# Status values, decided in this order
STATUS_HIDDEN = "hidden"  # a count behind the row is hidden (small numbers): nothing is derived from it
STATUS_NO_DATA = "no_data"
STATUS_NO_BASELINE = "no_baseline"
STATUS_ABSENT = "absent"
STATUS_WITHIN_RANGE = "within_range"
STATUS_UNDER = "under"
STATUS_OVER = "over"
STATUS_TOO_FEW = "too_few"
STATUS_UNCERTAIN = "uncertain"
STATUSES = (
    STATUS_HIDDEN, STATUS_NO_DATA, STATUS_NO_BASELINE, STATUS_ABSENT, STATUS_WITHIN_RANGE, STATUS_UNDER, STATUS_OVER,
    STATUS_TOO_FEW, STATUS_UNCERTAIN,
)

# What the engine can count by: the registry's characteristics and the recorded fields (data.characteristics)
CHARACTERISTICS: tuple[str, ...] = registry.COUNTABLE


# --- 4PI monitoring ---------------------------------------------------------------------------------------

# Keys and descriptive columns of the record tables, as the 4PI indicators name them
LEVEL_ID = "level_id"
PERIOD_END = "period_end"

ACTIVITY_ID = "activity_id"
ACTIVITY_REF = "activity_ref"
ACTIVITY_NAME = "activity_name"
KIND = "kind"
INVOLVEMENT_AREA = "involvement_area"
INVOLVES = "involves"
PURPOSE = "purpose"
INTENDED_OUTCOMES = "intended_outcomes"
PURPOSE_RECORDED_ON = "purpose_recorded_on"
HIGH_LEVEL = "high_level"
START_DATE = "start_date"
END_DATE = "end_date"

PERSON_ID = "person_id"
PERSON_REF = "person_ref"
INVOLVEMENT_TYPE = "involvement_type"
INVOLVEMENT_ID = "involvement_id"
ROLE = "role"
PAYMENT_BASIS = "payment_basis"
HAS_ROLE_DESCRIPTION = "has_role_description"

MEETING_ID = "meeting_id"
MEETING_REF = "meeting_ref"
DATE = "date"
START_TIME = "start_time"
PAPERS_SENT = "papers_sent"
CAPACITY = "capacity"
ATTENDANCE_STATUS = "attendance_status"

PAYMENT_REF = "payment_ref"
PAYMENT_KIND = "payment_kind"
CLAIM_DATE = "claim_date"
PAID_DATE = "paid_date"
AMOUNT = "amount"

SUPPORT_KIND = "support_kind"
OFFERED_ON = "offered_on"
TAKEN_UP = "taken_up"

IMPACT_REF = "impact_ref"
RECORDED_ON = "recorded_on"
IMPACT_AREA = "impact_area"
IMPACT_AREA_LABEL = "impact_area_label"
WHAT_CHANGED = "what_changed"
EVIDENCE = "evidence"

FEEDBACK_REF = "feedback_ref"
SUBMITTED_ON = "submitted_on"
FELT_VALUED = "felt_valued"
COULD_INFLUENCE = "could_influence"
INFORMED_OF_OUTCOMES = "informed_of_outcomes"
FEEDBACK_QUESTIONS = (FELT_VALUED, COULD_INFLUENCE, INFORMED_OF_OUTCOMES)

CYCLE = "cycle"
REVIEW_STAGE = "review_stage"
COMPLETED_ON = "completed_on"

# Per-meeting presence and process (meeting_table)
SERVICE_USERS = "service_users"  # attended in the capacity of service user
CARERS = "carers"
SU_CARERS = "su_carers"  # service users + carers who attended
RESERVES = "reserves"  # service users / carers listed as reserve
PRESENCE_BAND = "presence_band"  # "0", "1", "2", "3+"
MEETS_MINIMUM = "meets_minimum"
MEETS_IDEAL = "meets_ideal"
ALONE = "alone"  # exactly one service user or carer attended
HAS_RESERVE = "has_reserve"
BOTH_NEEDED = "both_needed"  # the activity involves both service users and carers
BOTH_PRESENT = "both_present"
PAPERS_DAYS = "papers_days"  # days between papers sent and the meeting
PAPERS_ON_TIME = "papers_on_time"  # null when not recorded
STARTS_OK = "starts_ok"  # null when the start time is not recorded

# Summaries
MEETINGS = "meetings"
MEETINGS_0 = "meetings_0"
MEETINGS_1 = "meetings_1"
MEETINGS_2 = "meetings_2"
MEETINGS_3_PLUS = "meetings_3_plus"
SHARE_MINIMUM = "share_minimum"
SHARE_IDEAL = "share_ideal"
HIGH_LEVEL_MEETINGS = "high_level_meetings"
HIGH_LEVEL_WITHOUT_RESERVE = "high_level_without_reserve"
BOTH_NEEDED_MEETINGS = "both_needed_meetings"
BOTH_PRESENT_MEETINGS = "both_present_meetings"
AVERAGE_SU_CARERS = "average_su_carers"

BREACH = "breach"  # plain words

# Purpose
HAS_PURPOSE = "has_purpose"
HAS_OUTCOMES = "has_outcomes"
RECORDED_AT_START = "recorded_at_start"
PURPOSE_OK = "purpose_ok"
REASON = "reason"

# Payments
DAYS_TO_PAY = "days_to_pay"  # paid - claim, or as_of - claim while unpaid
PAYMENT_STATUS = "payment_status"
PAYMENT_ON_TIME = "on_time"
PAYMENT_LATE = "late"
PAYMENT_OVERDUE = "overdue"  # unpaid past the limit: counts as late
PAYMENT_PENDING = "pending"  # unpaid within the limit: not late yet

# Involvements / support
INVOLVEMENTS = "involvements"
WITH_DESCRIPTION = "with_description"
ALL_DESCRIBED = "all_described"
OFFERED = "offered"
TAKEN = "taken"

# Impact, feedback, review
ENTRIES = "entries"
LATEST_ON = "latest_on"
QUESTION = "question"
QUESTION_LABEL = "question_label"
ANSWER = "answer"
ANSWERS = "answers"  # every questionnaire returned for the question
STATED = "stated"  # answers other than not stated / not known
AGREE = "agree"
NEUTRAL = "neutral"
DISAGREE = "disagree"
SHARE_AGREE = "share_agree"  # agree / stated
LATEST_CYCLE = "latest_cycle"
STAGES_DONE = "stages_done"
STAGES_DONE_N = "stages_done_n"
LAST_COMPLETED_ON = "last_completed_on"
NEXT_STAGE = "next_stage"
NEXT_DUE = "next_due"
OVERDUE = "overdue"

# Scorecard
STANDARD = "standard"
INDICATOR = "indicator"
INDICATOR_LABEL = "indicator_label"
EXPLANATION = "explanation"
VALUE = "value"
NUMERATOR = "numerator"
DENOMINATOR = "denominator"
LEFT_OUT = "left_out"  # items left out of the denominator: not recorded, not stated, or still pending
RAG = "rag"
GREEN_FROM = "green_from"  # the value from which the indicator is green
AMBER_FROM = "amber_from"
PREVIOUS_PERIOD = "previous_period"
PREVIOUS_VALUE = "previous_value"
CHANGE_PP = "change_pp"
TREND = "trend"
DETAIL_KEY = "detail_key"

SCORECARD_COLUMNS = (
    STANDARD,
    INDICATOR,
    INDICATOR_LABEL,
    EXPLANATION,
    PERIOD,
    VALUE,
    NUMERATOR,
    DENOMINATOR,
    LEFT_OUT,
    RAG,
    GREEN_FROM,
    AMBER_FROM,
    PREVIOUS_PERIOD,
    PREVIOUS_VALUE,
    CHANGE_PP,
    TREND,
    DETAIL_KEY,
)

RAG_GREEN = "green"
RAG_AMBER = "amber"
RAG_RED = "red"
RAG_NO_DATA = "no_data"
RAGS = (RAG_GREEN, RAG_AMBER, RAG_RED, RAG_NO_DATA)

STANDARDS = ("Principles", "Purpose", "Presence", "Process", "Impact")
