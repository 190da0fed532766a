"""Trends: each group's share at a level over time, whether it is really changing, and when its status
moved."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics import columns as c
from analytics import trends as t
from dashboard import cache, charts, display, filters

st.title("Trends")
f, viewer = filters.require("trends")
trend = filters.load(cache.trends, f, viewer)
filters.context_caption(f, frame=trend.series)

periods = trend.series.get_column(c.PERIOD).n_unique() if trend.series.height else 0
if periods < 2:
    st.info(
        f"A trend needs at least two periods; the chosen range has {periods}. Widen the period range in "
        "the sidebar, or switch to quarters.",
        icon=":material/info:",
    )
    st.stop()

levels = trend.series.select(c.LEVEL_RANK, c.LEVEL_NAME).unique().sort(c.LEVEL_RANK, descending=True)
level = st.selectbox(
    "Level",
    levels.get_column(c.LEVEL_NAME).to_list(),
    key="trends_level",
    help="The level whose groups are shown; the board is first.",
)
series = t.with_status_crossings(trend.series.filter(pl.col(c.LEVEL_NAME) == level))
summary = trend.summary.filter(pl.col(c.LEVEL_NAME) == level)
groups = series.get_column(c.GROUP_LABEL).unique(maintain_order=True).to_list()
chosen = st.multiselect(
    "Groups",
    groups,
    default=charts.top_groups(series, limit=charts.MAX_LINES),
    key=f"trends_groups_{f.characteristic}_{f.cross_with}",
    help=f"At first the {charts.MAX_LINES} groups furthest below their baseline share (or every group, when "
    "there are fewer). Pick fewer groups to make the chart easier to read.",
)
series = series.filter(pl.col(c.GROUP_LABEL).is_in(chosen))
summary = summary.filter(pl.col(c.GROUP_LABEL).is_in(chosen))
if series.height == 0:
    st.info("Choose at least one group.", icon=":material/info:")
    st.stop()

charts.show(
    charts.trend_chart(series.with_columns(pl.col(t.CROSSED).alias(t.STATUS_CHANGED)),
                       charts.trend_finding(summary, f.characteristic, level)),
    "Each line is one group's share of the people involved at this level in each period; the shaded band is "
    "the range the true share is likely to lie in (95%). A star marks a period where the group's status "
    "crossed between missing (under-represented or absent) and not (within range or over-represented).",
    display.trend_table(series),
    key="trend",
)

st.subheader("Is it really changing?")
st.caption(
    "The test for a steady rise or fall (the Cochran-Armitage trend test) asks whether the shares "
    "move in one direction more than chance would explain."
)
for row in summary.sort(t.COCHRAN_ARMITAGE_P, nulls_last=True).iter_rows(named=True):
    st.markdown(f"- **{row[c.GROUP_LABEL]}**: {row[t.TREND_WORDS]}")

changes = series.filter(pl.col(t.CROSSED))
st.subheader("When the status changed")
st.caption(
    "Only changes between missing (under-represented or absent) and not missing (within range or "
    "over-represented). Moves to or from 'uncertain' or 'too few to tell' are left out: they are not a change "
    "to act on."
)
if changes.height == 0:
    st.markdown("No group moved between missing and not missing at this level in the chosen periods.")
else:
    for row in changes.sort(c.PERIOD_START).iter_rows(named=True):
        st.markdown(
            f"- {row[c.PERIOD]}: **{row[c.GROUP_LABEL]}** became "
            f"*{display.STATUS_WORDS.get(row[c.STATUS], row[c.STATUS]).lower()}*."
        )
