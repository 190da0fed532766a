"""Column names of the analytics tables: one place, snake_case constants, imported by every module and test.

The representation engine builds one tidy table, one row per level x period x characteristic x group
(``ROW_COLUMNS``), plus one row per level x period x characteristic for the table-wide figures
(``TABLE_COLUMNS``). Every view in the dashboard is a selection of these.
"""

from __future__ import annotations

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

# Characteristics the engine can count by (person columns, or derived from ethnicity)
CHARACTERISTICS = (
    "ethnicity", "ethnicity_broad", "ethnicity_binary", "sex", "gender_same_as_birth", "age_band",
    "disability", "sexual_orientation", "religion", "involvement_type",
)
