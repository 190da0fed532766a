"""Methods and glossary: what each number means, from METHODS.md at the root of the project."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analytics.wording import STATUS_MARKS, STATUS_MEANINGS, STATUS_WORDS
from models.settings import get_settings

METHODS = Path(__file__).resolve().parents[2] / "METHODS.md"

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
    st.markdown(f"- **{STATUS_MARKS[status]} {STATUS_WORDS[status]}**: {meaning}")
