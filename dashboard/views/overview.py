"""Overview: the latest picture in sentences, the key numbers with their change, and who is missing where
decisions are made."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics import columns as c
from dashboard import cache, filters

st.title("Overview")
f, viewer, rep, period = filters.representation_page(
    "overview",
    empty="No one is recorded as involved in the chosen periods. Widen the period range in the sidebar, or "
    "choose 'Service users and carers'.",
)

st.subheader(f"In {period}, in plain words")
sentences = filters.load(cache.headlines, f, viewer)
for sentence in sentences[:6]:
    st.markdown(f"- {sentence}")
if len(sentences) > 6:
    with st.expander(f"{len(sentences) - 6} more"):
        for sentence in sentences[6:]:
            st.markdown(f"- {sentence}")

st.subheader("Key numbers")
st.caption(
    f"For {period} at the levels where decisions are made, with the change since the same period a "
    "year before."
)
for level_name, numbers in cache.key_numbers(rep):
    st.markdown(f"**{level_name}**")
    for column, number in zip(st.columns(len(numbers)), numbers, strict=True):
        column.metric(
            number.label,
            number.value,
            delta=number.delta,
            delta_color=number.delta_color,
            help=number.help,
            border=True,
        )

st.subheader("Who is missing where decisions are made")
missing = cache.missing_at_decision_levels(rep.rows)
if missing.height == 0:
    st.success(
        f"In {period}, no group is clearly under-represented or absent at the decision-making levels.",
        icon=":material/check_circle:",
    )
else:
    st.caption(
        f"Groups that are absent, or clearly fewer than their share of the population (below "
        f"{rep.under_threshold:g} times and statistically clear after allowing for chance), at the "
        "decision-making levels. "
        "'People missing' is how many more people from the group a matching share would need."
    )
    shown = cache.with_rate_marks(cache.with_status_words(missing), {c.SHARE: 0})
    st.dataframe(
        shown.select(
            pl.col(c.LEVEL_NAME).alias("Level"),
            pl.col(c.GROUP_LABEL).alias("Group"),
            cache.part_of_whole(shown).alias("People"),
            cache.shown_percent(shown, c.SHARE, 0).alias("Share %"),
            (pl.col(c.BASELINE_SHARE) * 100).round(0).alias("Baseline %"),
            pl.col(c.SHORTFALL).alias("People missing"),
            pl.col("status_words").alias("Status"),
        ),
        hide_index=True,
        width="stretch",
    )
small = cache.too_small_levels(rep.rows).filter(pl.col(c.DECISION_MAKING))
for level in small.get_column(c.LEVEL_NAME).unique(maintain_order=True).to_list():
    st.info(
        f"{level}: for most groups, too few people with a known answer for the statistics to tell a gap "
        "from chance. "
        "See the Representation page for the counts and how many people a matching share would need.",
        icon=":material/info:",
    )
