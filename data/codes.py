"""Code lists used everywhere in Presence.

Ethnic categories follow the NHS Data Dictionary ETHNIC CATEGORY codes (A-S, Z not stated, 99 not known),
extended with the three ONS 2021 Census groups that have no NHS code (Gypsy or Irish Traveller, Roma, Arab),
so that the 19 ONS 2021 categories can all be recorded. Other equality fields use short snake_case codes;
every field has explicit ``not_stated`` (asked, declined) and ``not_known`` (not asked / not recorded) values.

This module is plain data: no database, no Streamlit. ``models`` and ``analytics`` both read it.
"""

from __future__ import annotations

from dataclasses import dataclass

NOT_STATED = "not_stated"
NOT_KNOWN = "not_known"
UNKNOWN_VALUES = frozenset({NOT_STATED, NOT_KNOWN})

# --- Ethnicity ------------------------------------------------------------------------------------------

ETHNICITY_NOT_STATED = "Z"
ETHNICITY_NOT_KNOWN = "99"
ETHNICITY_UNKNOWN_CODES = frozenset({ETHNICITY_NOT_STATED, ETHNICITY_NOT_KNOWN})

# Broad groups (ONS 2021 wording, shortened for display) and the White / ethnic minority split.
BROAD_WHITE = "White"
BROAD_MIXED = "Mixed or Multiple ethnic groups"
BROAD_ASIAN = "Asian or Asian British"
BROAD_BLACK = "Black or Black British"
BROAD_OTHER = "Other ethnic group"
BROAD_GROUPS: tuple[str, ...] = (BROAD_WHITE, BROAD_MIXED, BROAD_ASIAN, BROAD_BLACK, BROAD_OTHER)

BINARY_WHITE = "White"
BINARY_MINORITY = "Ethnic minority"
BINARY_GROUPS: tuple[str, ...] = (BINARY_WHITE, BINARY_MINORITY)


@dataclass(frozen=True)
class EthnicCategory:
    code: str  # NHS Data Dictionary code, or a Presence code for ONS-only groups
    label: str  # short display label
    nhs_description: str | None  # NHS DD description ("White - British"); None for ONS-only groups
    ons_code: int  # ONS 2021 TS021 category code 1-19
    ons_category: str  # ONS 2021 TS021 category name
    broad: str  # broad group (ONS 2021 convention)
    nhs_fold: str  # NHS code the category folds into when only NHS codes are used


# Ordered as the NHS Data Dictionary lists them, ONS-only groups beside their NHS neighbour.
ETHNIC_CATEGORIES: tuple[EthnicCategory, ...] = (
    EthnicCategory("A", "White British", "White - British", 13,
                   "White: English, Welsh, Scottish, Northern Irish or British", BROAD_WHITE, "A"),
    EthnicCategory("B", "White Irish", "White - Irish", 14, "White: Irish", BROAD_WHITE, "B"),
    EthnicCategory("GT", "Gypsy or Irish Traveller", None, 15, "White: Gypsy or Irish Traveller",
                   BROAD_WHITE, "C"),
    EthnicCategory("RO", "Roma", None, 16, "White: Roma", BROAD_WHITE, "C"),
    EthnicCategory("C", "Any other White background", "White - Any other White background", 17,
                   "White: Other White", BROAD_WHITE, "C"),
    EthnicCategory("D", "White and Black Caribbean", "Mixed - White and Black Caribbean", 11,
                   "Mixed or Multiple ethnic groups: White and Black Caribbean", BROAD_MIXED, "D"),
    EthnicCategory("E", "White and Black African", "Mixed - White and Black African", 10,
                   "Mixed or Multiple ethnic groups: White and Black African", BROAD_MIXED, "E"),
    EthnicCategory("F", "White and Asian", "Mixed - White and Asian", 9,
                   "Mixed or Multiple ethnic groups: White and Asian", BROAD_MIXED, "F"),
    EthnicCategory("G", "Any other Mixed background", "Mixed - Any other mixed background", 12,
                   "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups", BROAD_MIXED, "G"),
    EthnicCategory("H", "Indian", "Asian or Asian British - Indian", 3,
                   "Asian, Asian British or Asian Welsh: Indian", BROAD_ASIAN, "H"),
    EthnicCategory("J", "Pakistani", "Asian or Asian British - Pakistani", 4,
                   "Asian, Asian British or Asian Welsh: Pakistani", BROAD_ASIAN, "J"),
    EthnicCategory("K", "Bangladeshi", "Asian or Asian British - Bangladeshi", 1,
                   "Asian, Asian British or Asian Welsh: Bangladeshi", BROAD_ASIAN, "K"),
    EthnicCategory("R", "Chinese", "Other Ethnic Groups - Chinese", 2,
                   "Asian, Asian British or Asian Welsh: Chinese", BROAD_ASIAN, "R"),
    EthnicCategory("L", "Any other Asian background", "Asian or Asian British - Any other Asian background", 5,
                   "Asian, Asian British or Asian Welsh: Other Asian", BROAD_ASIAN, "L"),
    EthnicCategory("M", "Caribbean", "Black or Black British - Caribbean", 7,
                   "Black, Black British, Black Welsh, Caribbean or African: Caribbean", BROAD_BLACK, "M"),
    EthnicCategory("N", "African", "Black or Black British - African", 6,
                   "Black, Black British, Black Welsh, Caribbean or African: African", BROAD_BLACK, "N"),
    EthnicCategory("P", "Any other Black background", "Black or Black British - Any other Black background", 8,
                   "Black, Black British, Black Welsh, Caribbean or African: Other Black", BROAD_BLACK, "P"),
    EthnicCategory("AR", "Arab", None, 18, "Other ethnic group: Arab", BROAD_OTHER, "S"),
    EthnicCategory("S", "Any other ethnic group", "Other Ethnic Groups - Any other ethnic group", 19,
                   "Other ethnic group: Any other ethnic group", BROAD_OTHER, "S"),
)

ETHNICITY_BY_CODE: dict[str, EthnicCategory] = {c.code: c for c in ETHNIC_CATEGORIES}
ETHNICITY_BY_ONS_CODE: dict[int, EthnicCategory] = {c.ons_code: c for c in ETHNIC_CATEGORIES}
ETHNICITY_CODES: tuple[str, ...] = tuple(c.code for c in ETHNIC_CATEGORIES) + (
    ETHNICITY_NOT_STATED,
    ETHNICITY_NOT_KNOWN,
)
ETHNICITY_LABELS: dict[str, str] = {c.code: c.label for c in ETHNIC_CATEGORIES} | {
    ETHNICITY_NOT_STATED: "Not stated",
    ETHNICITY_NOT_KNOWN: "Not known",
}
# NHS 2001 convention (NHS Data Dictionary, NHS England MHA statistics): Chinese in "Other ethnic group".
CHINESE_CODE = "R"


def ethnicity_broad(code: str, *, chinese_as_asian: bool = True) -> str | None:
    """Broad group of an ethnic category code; None for not stated / not known / unrecognised codes."""
    category = ETHNICITY_BY_CODE.get(code)
    if category is None:
        return None
    if code == CHINESE_CODE and not chinese_as_asian:
        return BROAD_OTHER
    return category.broad


def ethnicity_binary(code: str) -> str | None:
    """White (all White groups, as NHS WRES counts them) or ethnic minority; None for unknown codes."""
    category = ETHNICITY_BY_CODE.get(code)
    if category is None:
        return None
    return BINARY_WHITE if category.broad == BROAD_WHITE else BINARY_MINORITY


# --- Other equality-monitoring fields (Equality Act 2010 protected characteristics) --------------------------

def _with_unknowns(values: dict[str, str]) -> dict[str, str]:
    return values | {NOT_STATED: "Not stated", NOT_KNOWN: "Not known"}


SEX = _with_unknowns({"female": "Female", "male": "Male"})
GENDER_SAME_AS_BIRTH = _with_unknowns({"yes": "Yes", "no": "No"})
AGE_BANDS = _with_unknowns({
    "0-15": "Under 16",
    "16-17": "16 to 17",
    "18-24": "18 to 24",
    "25-34": "25 to 34",
    "35-44": "35 to 44",
    "45-54": "45 to 54",
    "55-64": "55 to 64",
    "65-74": "65 to 74",
    "75-84": "75 to 84",
    "85+": "85 and over",
})
DISABILITY = _with_unknowns({
    "yes": "Disabled under the Equality Act",
    "no": "Not disabled under the Equality Act",
})
SEXUAL_ORIENTATION = _with_unknowns({
    "straight": "Straight or heterosexual",
    "gay_lesbian": "Gay or lesbian",
    "bisexual": "Bisexual",
    "other": "Other sexual orientation",
})
RELIGION = _with_unknowns({
    "no_religion": "No religion",
    "christian": "Christian",
    "buddhist": "Buddhist",
    "hindu": "Hindu",
    "jewish": "Jewish",
    "muslim": "Muslim",
    "sikh": "Sikh",
    "other": "Other religion",
})
INVOLVEMENT_TYPES = {"service_user": "Service user", "carer": "Carer", "both": "Service user and carer"}

# Roles the 4PI standards name for people who are involved.
INVOLVEMENT_ROLES = {
    "ambassador": "Ambassador",
    "critical_friend": "Critical friend",
    "co_worker": "Co-worker",
    "consultant": "Consultant",
    "expert_by_experience": "Expert by experience",
    "other": "Other",
}
PAYMENT_BASES = {"paid": "Paid", "voluntary": "Voluntary"}

ACTIVITY_KINDS = {
    "committee": "Committee",
    "project": "Project",
    "programme": "Programme",
    "group": "Group",
    "event": "Event",
}

# 4PI involvement areas (the standards' "levels of involvement").
INVOLVEMENT_AREAS = {
    "A": "Individual care and treatment",
    "B": "Community",
    "C": "Operational",
    "D": "Strategic",
    "E": "Monitoring and evaluation",
}

ATTENDANCE_CAPACITIES = {"service_user": "Service user", "carer": "Carer", "staff": "Staff"}
ATTENDANCE_STATUSES = {"attended": "Attended", "apologies": "Apologies", "reserve": "Reserve"}

PAYMENT_KINDS = {"fee": "Fee", "expense": "Expense", "childcare": "Childcare", "travel": "Travel"}
SUPPORT_KINDS = {
    "training": "Training",
    "administrative": "Administrative support",
    "supervision": "Supervision",
    "emotional": "Emotional support",
    "peer": "Peer support",
}
IMPACT_AREAS = {
    "ethos_culture": "Ethos and culture",
    "policy_planning": "Policy and planning",
    "delivery": "Delivery",
    "outcomes_outputs": "Outcomes and outputs",
    "diversity_equality": "Diversity and equality of opportunity",
    "experience": "Service user and carer experience",
}
REVIEW_STAGES = {"act": "Act", "evaluate": "Evaluate", "reflect": "Reflect", "learn": "Learn"}
FEEDBACK_ANSWERS = _with_unknowns({
    "strongly_agree": "Strongly agree",
    "agree": "Agree",
    "neutral": "Neither agree nor disagree",
    "disagree": "Disagree",
    "strongly_disagree": "Strongly disagree",
})

USER_ROLES = {
    "data_steward": "Data steward",
    "equality_lead": "Equality lead",
    "board_member": "Board member",
    "outreach_worker": "Outreach worker",
    "viewer": "Viewer",
}
# A network viewer is granted a set of organisations (an ICB, a region, all, or one organisation at a time),
# not a role in one: see models.network_grants. It sees only published figures, on the Network page.
NETWORK_VIEWER = "network_viewer"
ROLE_LABELS = {**USER_ROLES, NETWORK_VIEWER: "Network viewer"}
NETWORK_SCOPES = {
    "all": "Every organisation",
    "region": "The organisations of an NHS region (or Wales)",
    "icb": "The organisations of an integrated care board (ICB)",
    "organisation": "One organisation",
}

# Default organisational levels, ordered from individual care (1) to board (5).
DEFAULT_LEVELS: tuple[tuple[int, str, str, bool], ...] = (
    (1, "individual", "Individual care and treatment", False),
    (2, "community", "Community", False),
    (3, "operational", "Operational (services, projects, training and education)", False),
    (4, "strategic", "Strategic (commissioning, policy, service development)", True),
    (5, "board", "Board and governance", True),
)

# Equality characteristics a person record carries: column name -> code list.
CHARACTERISTIC_CODES: dict[str, dict[str, str]] = {
    "ethnicity": ETHNICITY_LABELS,
    "sex": SEX,
    "gender_same_as_birth": GENDER_SAME_AS_BIRTH,
    "age_band": AGE_BANDS,
    "disability": DISABILITY,
    "sexual_orientation": SEXUAL_ORIENTATION,
    "religion": RELIGION,
    "involvement_type": INVOLVEMENT_TYPES,
}


def is_unknown(characteristic: str, value: str | None) -> bool:
    """True when a recorded value means 'not stated' or 'not known' (blank counts as not known)."""
    if value is None or value == "":
        return True
    if characteristic == "ethnicity":
        return value in ETHNICITY_UNKNOWN_CODES
    return value in UNKNOWN_VALUES
