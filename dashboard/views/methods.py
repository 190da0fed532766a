"""Methods and glossary: what each number means, from METHODS.md at the root of the project, in the words of
the concepts (the parts written for developers, which name modules and source files, are left out here)."""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

from analytics.wording import STATUS_MARKS, STATUS_MEANINGS, STATUS_WORDS
from models.settings import get_settings

METHODS = Path(__file__).resolve().parents[2] / "METHODS.md"

DEVELOPER_SECTIONS = ("Where each figure is computed",)
CODE_IN_BRACKETS = re.compile(r"\s*\((?:`[^`]+`(?:,\s*|\s+and\s+)?)+\)")  # " (`scorecard`, `fix_first`)"
SNAKE_HEADING = re.compile(r"^(#+) ([a-z]+(?:_[a-z]+)*)$", re.MULTILINE)  # "## level_rank"


def _mentions_code(sentence: str) -> bool:
    return bool(re.search(r"`[^`]*(\.py|/)`|`analytics\.|`tests/", sentence))


def reader_text(markdown: str) -> str:
    """METHODS.md for readers: developer-only sections dropped, sentences that point at source files or
    modules dropped, code names in brackets after a concept removed, column-name headings as words."""
    sections = re.split(r"(?m)^(?=## )", markdown)
    kept = [part for part in sections if not part.startswith(tuple(f"## {t}" for t in DEVELOPER_SECTIONS))]
    text = "".join(kept)
    paragraphs = []
    for paragraph in text.split("\n\n"):
        if "`" in paragraph and not paragraph.lstrip().startswith(("|", "#")):
            sentences = re.split(r"(?<=[.;])\s+(?=[A-Z(`])", paragraph.replace("\n", " "))
            paragraph = " ".join(s for s in sentences if not _mentions_code(s))
        paragraphs.append(paragraph)
    text = CODE_IN_BRACKETS.sub("", "\n\n".join(p for p in paragraphs if p.strip()))
    return SNAKE_HEADING.sub(lambda m: f"{m.group(1)} {m.group(2).replace('_', ' ').capitalize()}", text)


st.title("Methods and glossary")
if METHODS.exists():
    st.markdown(reader_text(METHODS.read_text(encoding="utf-8")))
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
