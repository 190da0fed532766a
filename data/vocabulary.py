"""Tolerant reading of coded values as people type them in spreadsheets.

``normalise(characteristic, raw)`` turns a cell into a Presence code, or raises ``UnmappedValueError`` with the
values that would be accepted. It never guesses: a value is accepted only when it is a code, a label, or a listed
alias. Blank means "not known"; "prefer not to say" and the like mean "not stated".
"""

from __future__ import annotations

import re

from data import codes

_SPACES = re.compile(r"[\s_\-/,:;()'.]+")

# Values that always mean "asked, but declined" or "not recorded", for any characteristic.
NOT_STATED_ALIASES = (
    "not stated", "prefer not to say", "prefer not to answer", "declined", "refused", "not disclosed",
    "did not wish to state", "not given", "z",
)
NOT_KNOWN_ALIASES = ("not known", "unknown", "n/a", "na", "none recorded", "not recorded", "missing", "99", "")


def key(raw: object) -> str:
    """Fold case, spaces and punctuation: ' White - British ' -> 'white british'."""
    if raw is None:
        return ""
    return _SPACES.sub(" ", str(raw).strip().lower()).strip()


class UnmappedValueError(ValueError):
    def __init__(self, characteristic: str, raw: object, accepted: list[str]):
        self.characteristic = characteristic
        self.raw = raw
        self.accepted = accepted
        shown = ", ".join(accepted[:12]) + (" ..." if len(accepted) > 12 else "")
        super().__init__(f"'{raw}' is not a recognised {characteristic.replace('_', ' ')} value; use one of: {shown}")


def _ethnicity_aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for c in codes.ETHNIC_CATEGORIES:
        names = [c.code, c.label, c.ons_category, str(c.ons_code) + " " + c.ons_category]
        if c.nhs_description:
            names.append(c.nhs_description)
        # ONS names without the broad prefix: "Asian, Asian British or Asian Welsh: Indian" -> "Indian"
        names.append(c.ons_category.split(":", 1)[-1])
        for name in names:
            table[key(name)] = c.code
    extra = {
        "white british": "A", "british": "A", "english": "A", "welsh": "A", "scottish": "A",
        "white english welsh scottish northern irish or british": "A",
        "irish": "B", "white irish": "B",
        "other white": "C", "white other": "C", "any other white": "C",
        "gypsy": "GT", "irish traveller": "GT", "traveller": "GT", "gypsy traveller": "GT",
        "white and black caribbean": "D", "mixed white and black caribbean": "D",
        "white and black african": "E", "mixed white and black african": "E",
        "white and asian": "F", "mixed white and asian": "F",
        "other mixed": "G", "mixed other": "G", "any other mixed": "G",
        "asian indian": "H", "asian pakistani": "J", "asian bangladeshi": "K", "asian chinese": "R",
        "other asian": "L", "asian other": "L", "any other asian": "L",
        "black caribbean": "M", "black african": "N", "other black": "P", "black other": "P",
        "any other black": "P",
        "other": "S", "other ethnic group": "S", "any other": "S", "any other ethnic group": "S",
        "arab": "AR",
    }
    table.update({key(k): v for k, v in extra.items()})
    for alias in NOT_STATED_ALIASES:
        table[key(alias)] = codes.ETHNICITY_NOT_STATED
    for alias in NOT_KNOWN_ALIASES:
        table[key(alias)] = codes.ETHNICITY_NOT_KNOWN
    return table


def _simple_aliases(code_list: dict[str, str], extra: dict[str, str] | None = None) -> dict[str, str]:
    table = {key(code): code for code in code_list} | {key(label): code for code, label in code_list.items()}
    table.update({key(k): v for k, v in (extra or {}).items()})
    for alias in NOT_STATED_ALIASES:
        table[key(alias)] = codes.NOT_STATED
    for alias in NOT_KNOWN_ALIASES:
        table[key(alias)] = codes.NOT_KNOWN
    return table


ALIASES: dict[str, dict[str, str]] = {
    "ethnicity": _ethnicity_aliases(),
    "sex": _simple_aliases(codes.SEX, {"f": "female", "m": "male", "woman": "female", "man": "male"}),
    "gender_same_as_birth": _simple_aliases(codes.GENDER_SAME_AS_BIRTH, {"y": "yes", "n": "no"}),
    "age_band": _simple_aliases(codes.AGE_BANDS, {"under 16": "0-15", "85 and over": "85+", "85 plus": "85+"}),
    "disability": _simple_aliases(codes.DISABILITY, {"y": "yes", "n": "no", "disabled": "yes",
                                                     "not disabled": "no"}),
    "sexual_orientation": _simple_aliases(codes.SEXUAL_ORIENTATION, {
        "heterosexual": "straight", "straight or heterosexual": "straight", "gay": "gay_lesbian",
        "lesbian": "gay_lesbian", "gay or lesbian": "gay_lesbian", "bi": "bisexual",
        "all other sexual orientations": "other"}),
    "religion": _simple_aliases(codes.RELIGION, {"none": "no_religion", "no religion": "no_religion",
                                                 "christianity": "christian", "islam": "muslim",
                                                 "judaism": "jewish", "buddhism": "buddhist",
                                                 "hinduism": "hindu", "sikhism": "sikh",
                                                 "not answered": codes.NOT_STATED}),
    "involvement_type": {key(k): k for k in codes.INVOLVEMENT_TYPES}
    | {key(v): k for k, v in codes.INVOLVEMENT_TYPES.items()}
    | {"su": "service_user", "service user": "service_user", "user": "service_user", "carer": "carer",
       "service user and carer": "both", "both": "both", "su and carer": "both"},
}


def normalise(characteristic: str, raw: object) -> str:
    """The Presence code for a typed value, or ``UnmappedValueError`` naming what would be accepted."""
    table = ALIASES[characteristic]
    code = table.get(key(raw))
    if code is None:
        accepted = sorted(codes.CHARACTERISTIC_CODES[characteristic])
        raise UnmappedValueError(characteristic, raw, accepted)
    return code


def try_normalise(characteristic: str, raw: object) -> str | None:
    """Like ``normalise`` but returns None for a value it cannot map."""
    return ALIASES[characteristic].get(key(raw))
