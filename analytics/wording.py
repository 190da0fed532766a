"""The words and marks every output uses for a representation status (pages, board pack, glossary): one
definition, so that a status reads the same wherever it appears."""

from __future__ import annotations

from analytics import columns as c
from analytics import columns as k
from analytics import stats
from data import characteristics as registry

INVOLVEMENT_FILTERS = {"all": "Service users and carers", "service_user": "Service users", "carer": "Carers"}
CHARACTERISTIC_LABELS = registry.LABELS  # the registry's (data.characteristics), default first
STATUS_WORDS = stats.STATUS_WORDS  # the words live with the rules (analytics.stats)
STATUS_MARKS = stats.STATUS_MARKS

STATUS_MEANINGS = {
    c.STATUS_ABSENT: "No one from the group is involved at this level, though a matching share would include "
    "some.",
    c.STATUS_UNDER: "The group's share is below {under:g} times its share of the baseline, and chance is an "
    "unlikely explanation (after allowing for testing many groups at once).",
    c.STATUS_WITHIN_RANGE: "The group's share is close to its share of the baseline.",
    c.STATUS_OVER: "The group's share is above {over:g} times its share of the baseline, and chance is an "
    "unlikely explanation.",
    c.STATUS_UNCERTAIN: "The share looks different from the baseline, but the numbers could be chance.",
    c.STATUS_TOO_FEW: "Too few people with a known answer at this level for the statistics to tell: look at "
    "the counts.",
    c.STATUS_NO_BASELINE: "There is no baseline figure for this group, so no comparison is made.",
    c.STATUS_NO_DATA: "No one with a known answer is involved at this level in this period.",
}

# The 4PI scorecard's status: a word and a mark as well as a colour (readable in black and white).
RAG_WORDS = {
    k.RAG_GREEN: "● Meets the standard",
    k.RAG_AMBER: "▲ Close",
    k.RAG_RED: "✕ Falls short",
    k.RAG_NO_DATA: "– Nothing to count",
}
RAG_COLOURS = {k.RAG_GREEN: "#009E73", k.RAG_AMBER: "#E69F00", k.RAG_RED: "#D55E00", k.RAG_NO_DATA: "#768692"}
STANDARD_WORDS = {
    "Principles": "Respect, openness and a commitment to change in response to service users and carers.",
    "Purpose": "Why people are involved, and what should change, agreed and written down at the start.",
    "Presence": "At least two, ideally three, service users or carers in every meeting; never one alone; a "
    "reserve at high-level meetings.",
    "Process": "Papers in good time, meetings not too early, fees and expenses paid on time, role "
    "descriptions, support and training.",
    "Impact": "What difference involvement made, whether people were told, and a cycle of act, evaluate, "
    "reflect and learn.",
}

# The recorded characteristics, as the data-quality page and the board pack name them.
QUALITY_LABELS = registry.FIELDS
