"""Methods and glossary: what each number means, from METHODS.md at the root of the project."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import cache
from models.settings import get_settings

METHODS = Path(__file__).resolve().parents[2] / "METHODS.md"

STATUS_MEANINGS = {
    "absent": "No one from the group is involved at this level, though a matching share would include some.",
    "under": "The group's share is below {under:g} times its share of the baseline, and chance is an "
    "unlikely explanation (after allowing for testing many groups at once).",
    "within_range": "The group's share is close to its share of the baseline.",
    "over": "The group's share is above {over:g} times its share of the baseline, and chance is an unlikely "
    "explanation.",
    "uncertain": "The share looks different from the baseline, but the numbers could be chance.",
    "too_few": "Too few people with a known answer at this level for the statistics to tell: look at the "
    "counts.",
    "no_baseline": "There is no baseline figure for this group, so no comparison is made.",
    "no_data": "No one with a known answer is involved at this level in this period.",
}

st.title("Methods and glossary")
if METHODS.exists():
    st.markdown(METHODS.read_text(encoding="utf-8"))
else:
    st.info(
        "The methods document (METHODS.md) is not part of this installation yet. The status words below "
        "explain what the dashboard shows.",
        icon=":material/info:",
    )

st.subheader("Status words used in this dashboard")
settings = get_settings()
for status, meaning in STATUS_MEANINGS.items():
    meaning = meaning.format(under=settings.under_threshold, over=round(settings.upper_threshold, 2))
    st.markdown(f"- **{cache.STATUS_MARKS[status]} {cache.STATUS_WORDS[status]}**: {meaning}")
