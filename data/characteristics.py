"""The registry of equality characteristics: one declaration per characteristic Presence can count people by.

Everything that lists characteristics reads this module: the counting engine (which person column, which
groups), the baselines (which Census 2021 table, if any, is shipped; need weighting), disclosure control
(characteristics of one family count the same people in finer or coarser groups, so their tables are
protected together), the outreach plans' code list, the sentences of the headlines and the dashboard's
sidebar; the importer reads the words a baseline file uses for each (``upload_label``). Adding a characteristic
is one :class:`Characteristic` in :data:`REGISTRY` (plus its baseline figures, when there are any to ship).

:data:`FIELDS` is the other list here: the equality fields a person record carries (what the import, the
records form and the data-quality page ask about). A characteristic reads one of them (or the person's
involvement type); the three ethnicity characteristics all read ``ethnicity``.

Plain reference code: imports nothing from ``models``, ``analytics`` or ``dashboard``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from data import codes

UNKNOWN_CHARACTERISTIC = "'{key}' is not a characteristic Presence can count by; use one of: {keys}."


@dataclass(frozen=True)
class Characteristic:
    """One characteristic: what it is called, where it is recorded, and which baselines exist for it.

    ``census`` names the Census 2021 table the shipped baseline comes from (None: no Census figures are
    shipped, so only a supplied baseline such as the caseload applies). ``need_weighted``: Mental Health Act
    detention rates exist for its groups. ``family``: the characteristics that read the same column at
    different detail share a family, and disclosure control protects a family's tables together.
    """

    key: str
    label: str  # in menus, tables and plans: "Ethnicity (5 broad groups)"
    words: str  # inside a sentence: "ethnicity", "gender identity"
    column: str  # the person column it is counted from
    code_list: Mapping[str, str]  # the column's recorded codes -> labels (not stated / not known included)
    family: str
    census: str | None
    need_weighted: bool = False
    # the word a baseline file names it by in its characteristic column (None: no baseline is uploaded for it
    # on its own, e.g. White / ethnic minority, which is folded from the broad groups)
    upload_label: str | None = None

    @property
    def baseline_kinds(self) -> tuple[str, ...]:
        """The kinds of baseline that can have figures for it (a supplied one always can)."""
        kinds = ("census",) if self.census else ()
        kinds += ("user",)
        return kinds + (("need_weighted",) if self.need_weighted else ())


REGISTRY: tuple[Characteristic, ...] = (
    Characteristic(
        "ethnicity", "Ethnicity (detailed categories)", "ethnicity", "ethnicity", codes.ETHNICITY_LABELS,
        family="ethnicity", census="TS021", need_weighted=True, upload_label="Ethnicity",
    ),
    Characteristic(
        "ethnicity_broad", "Ethnicity (5 broad groups)", "ethnicity", "ethnicity", codes.ETHNICITY_LABELS,
        family="ethnicity", census="TS021", need_weighted=True, upload_label="Broad ethnic group",
    ),
    Characteristic(
        "ethnicity_binary", "Ethnicity (White / ethnic minority)", "ethnicity", "ethnicity",
        codes.ETHNICITY_LABELS, family="ethnicity", census="TS021", need_weighted=True,
    ),
    Characteristic("sex", "Sex", "sex", "sex", codes.SEX, family="sex", census="RM032", upload_label="Sex"),
    Characteristic(  # Census 2021 TS078 (gender identity) is not shipped: a supplied baseline applies
        "gender_same_as_birth", "Gender identity same as sex registered at birth", "gender identity",
        "gender_same_as_birth", codes.GENDER_SAME_AS_BIRTH, family="gender_same_as_birth", census=None,
        upload_label="Gender identity same as sex registered at birth",
    ),
    Characteristic(
        "age_band", "Age band", "age", "age_band", codes.AGE_BANDS, family="age_band", census="TS007",
        upload_label="Age band",
    ),
    Characteristic(
        "disability", "Disability", "disability", "disability", codes.DISABILITY, family="disability",
        census="TS038", upload_label="Disability",
    ),
    Characteristic(
        "sexual_orientation", "Sexual orientation", "sexual orientation", "sexual_orientation",
        codes.SEXUAL_ORIENTATION, family="sexual_orientation", census="TS077", upload_label="Sexual orientation",
    ),
    Characteristic(
        "religion", "Religion or belief", "religion or belief", "religion", codes.RELIGION, family="religion",
        census="TS030", upload_label="Religion or belief",
    ),
    Characteristic(
        "involvement_type", "Service user or carer", "service user or carer role", "involvement_type",
        codes.INVOLVEMENT_TYPES, family="involvement_type", census=None,
    ),
)
BY_KEY: dict[str, Characteristic] = {c.key: c for c in REGISTRY}
KEYS: tuple[str, ...] = tuple(BY_KEY)
DEFAULT = "ethnicity_broad"  # the one the dashboard shows first

# What the menus show: the default first, then in the order declared.
LABELS: dict[str, str] = {DEFAULT: BY_KEY[DEFAULT].label} | {c.key: c.label for c in REGISTRY}

# The equality fields a person record carries (column -> how forms and the data-quality page name it).
FIELDS: dict[str, str] = {
    "ethnicity": "Ethnicity",
    "sex": "Sex",
    "gender_same_as_birth": "Gender same as at birth",
    "age_band": "Age band",
    "disability": "Disability",
    "sexual_orientation": "Sexual orientation",
    "religion": "Religion or belief",
}

# What the counting engine accepts: every characteristic, and every recorded field (the data-quality page counts
# how often each field is stated, whether or not it is a characteristic to compare with a baseline).
COUNTABLE: tuple[str, ...] = KEYS + tuple(name for name in FIELDS if name not in BY_KEY)


def get(key: str) -> Characteristic:
    """The declaration of ``key``; ``ValueError`` naming the characteristics there are otherwise."""
    try:
        return BY_KEY[key]
    except KeyError:
        raise ValueError(UNKNOWN_CHARACTERISTIC.format(key=key, keys=", ".join(KEYS))) from None


def family(key: str) -> tuple[str, ...]:
    """The characteristics of ``key``'s family (``key`` alone when it is in none or unknown)."""
    found = BY_KEY.get(key)
    if found is None:
        return (key,)
    return tuple(c.key for c in REGISTRY if c.family == found.family)


ETHNICITY_FAMILY: tuple[str, ...] = family("ethnicity")
