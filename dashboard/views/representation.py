"""Representation: every level against the baseline, group by group, with the full table to download."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics import columns as c
from analytics import selections
from dashboard import charts, display, filters

st.title("Representation")
f, viewer, rep, period = filters.representation_page("representation")
latest = selections.at_period(rep.rows, period)

st.subheader(f"Every level and group, {period}")
counts_table = display.display_table(latest, rep.tables)
groups = charts.top_groups(latest)
every = latest.get_column(c.GROUP_LABEL).n_unique()
if len(groups) < every:
    st.info(
        f"There are {every} groups: the chart shows the {len(groups)} with the largest gaps (most people "
        "missing at any level). Every group is in the table under the chart and in the full table below.",
        icon=":material/filter_list:",
    )
charts.show(
    charts.heatmap(latest, groups),
    "Each cell compares a group's share of the people involved at a level with its share of the baseline "
    "population: 1× is a matching share, below 1× fewer, above 1× more. Red cells are below, blue above; the "
    "status is written in each cell (▼ under-represented, ✕ absent, ● within range, ▲ over-represented, "
    "… too few people to tell, ? uncertain).",
    counts_table,
    key="heatmap",
)

small = selections.too_small_levels(latest)
for (level,), level_rows in small.group_by(c.LEVEL_NAME, maintain_order=True):
    total = display.count_text(level_rows.get_column(c.TOTAL)[0])
    st.warning(
        f"{level}: with {total} people with a known answer, most groups are too few for the "
        "statistics to tell a gap from chance. Here are the counts, and how many more people from each "
        "group a matching share would need (whole people).",
        icon=":material/info:",
    )
    shown = display.small_level_table(level_rows)
    st.dataframe(shown, hide_index=True, column_config=display.help_config(shown))

st.subheader("Share against the baseline, with uncertainty")
levels = latest.select(c.LEVEL_RANK, c.LEVEL_NAME).unique().sort(c.LEVEL_RANK, descending=True)
names = levels.get_column(c.LEVEL_NAME).to_list()
level = st.selectbox(
    "Level",
    names,
    key="representation_level",
    help="The level whose groups are shown below; the board is first.",
)
level_rows = latest.filter(pl.col(c.LEVEL_NAME) == level)
charts.show(
    charts.share_chart(level_rows.filter(pl.col(c.GROUP_LABEL).is_in(groups))),
    "Dots are the share of people involved from each group, with a line showing the range the true share is "
    "likely to lie in (95% Wilson interval); the orange bar is the group's share of the baseline. Where the "
    "orange bar falls outside the dot's line, the gap is unlikely to be chance. " + rep.baseline_description
    + (f" The {len(groups)} groups with the largest gaps are charted; the table has all {every}."
       if len(groups) < every else ""),
    display.display_table(level_rows, rep.tables),
    key="share",
)

st.subheader("The full table")
st.caption(
    "Every level, period and group in the chosen range: counts, the people with a known answer "
    "(the denominator), those not stated or not known, shares, the baseline, intervals, p-values "
    "(exact binomial test; adjusted with Holm's method for testing many groups at once) and the "
    "status."
)
full = display.display_table(rep.rows, rep.tables)
st.dataframe(full, hide_index=True, width="stretch", height=360, column_config=display.help_config(full))
filters.downloads(full, f"presence-representation-{f.characteristic}-{f.period}", "Representation")
