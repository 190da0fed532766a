"""Overview: what matters most first (who is missing where decisions are made, in each level and each of its
committees), then the caveats, the key numbers with their change, and the gaps as a table."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics import columns as c
from analytics import key_numbers, selections
from dashboard import cache, display, filters

SHOWN = 6  # sentences shown before "more"

st.title("Overview")
f, viewer, rep, period = filters.representation_page(
    "overview",
    empty="No one is recorded as involved in the chosen periods. Widen the period range in the sidebar, or "
    "choose 'Service users and carers'.",
)

st.subheader(f"In {period}, in plain words")
sentences = filters.load(cache.headlines, f, viewer)
for sentence in sentences[:SHOWN]:
    st.markdown(f"- {sentence}")
if len(sentences) > SHOWN:
    with st.expander(f"{len(sentences) - SHOWN} more"):
        for sentence in sentences[SHOWN:]:
            st.markdown(f"- {sentence}")

gaps = filters.load(cache.decision_gaps, f, viewer)
st.subheader("Key numbers")
st.caption(
    f"For {period} at the levels where decisions are made, with the change since the same period a year before."
)
for level_name, numbers in key_numbers.key_numbers(rep, gaps):
    st.markdown(f"**{level_name}**")
    for column, number in zip(st.columns(len(numbers)), numbers, strict=True):
        column.metric(
            number.label,
            number.value,
            delta=number.delta,
            delta_color=number.delta_color,
            delta_arrow=number.delta_arrow,
            help=number.help,
            border=True,
        )

st.subheader("Who is missing where decisions are made")
if selections.no_baseline(selections.at_period(rep.rows, period)):
    st.warning(
        f"There is no baseline for {f.characteristic_label.lower()} in the chosen comparison, so Presence cannot "
        "say whether any group is missing. Choose another baseline in the sidebar.",
        icon=":material/warning:",
    )
elif gaps.height == 0:
    small = selections.too_small_levels(rep.rows).filter(pl.col(c.DECISION_MAKING))
    if small.height:
        st.info(
            f"In {period}, no group is clearly under-represented or absent at the decision-making levels or in "
            "their committees where there are enough people to tell. At "
            + " and ".join(small.get_column(c.LEVEL_NAME).unique(maintain_order=True).to_list())
            + ", most groups are too few for the statistics to tell a gap from chance: see the Representation "
            "page for the counts.",
            icon=":material/info:",
        )
    else:
        st.success(
            f"In {period}, no group is clearly under-represented or absent at the decision-making levels or in "
            "any of their committees.",
            icon=":material/check_circle:",
        )
else:
    st.caption(
        f"Groups that are absent, or clearly fewer than their share of the population (below "
        f"{rep.under_threshold:g} times and statistically clear after allowing for chance), at a decision-making "
        "level as a whole or in one of its committees, most people missing first. 'People missing' is how many "
        "more people from the group a matching share would need."
    )
    shown = display.gaps_table(gaps)
    st.dataframe(shown, hide_index=True, width="stretch", column_config=display.help_config(shown))
