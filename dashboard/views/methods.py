"""Methods and glossary: what each number means, from METHODS.md at the root of the project, in the words of
the concepts (the parts written for developers, which name modules and source files, are left out here)."""

from __future__ import annotations

import re
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
    st.markdown(f"- **{cache.STATUS_MARKS[status]} {cache.STATUS_WORDS[status]}**: {meaning}")
