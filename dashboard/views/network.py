"""Network: how organisations compare with their own catchments (funnel plot and benchmark table), on each
organisation's published figures."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics import columns as c
from analytics import network
from dashboard import cache, charts, display, filters, network_charts

st.title("Network: organisations compared")
st.markdown(
    "Each organisation against the people of **its own** catchment (Census 2021), so that a trust serving "
    "inner London and one serving a rural county are judged fairly. Small organisations vary more by chance: "
    "the funnel shows how far chance alone goes at each size."
)
f, viewer = filters.require("network")
members = filters.load(cache.network_members, f, viewer)
st.caption(
    f"{len(members)} organisation{'s' if len(members) != 1 else ''} you may see · "
    f"{display.CHARACTERISTIC_LABELS.get(f.characteristic, f.characteristic)} · "
    f"{display.PERIOD_KINDS.get(f.period, f.period)} · {display.INVOLVEMENT_FILTERS.get(f.involvement)}. "
    "Every figure here is published (small numbers hidden, others rounded), whatever your role. "
    + network.NETWORK_COUNT_NOTE
)

rows = pl.concat([m.representation.rows for m in members], how="diagonal_relaxed")
if rows.height == 0:
    st.info("No one is recorded as involved in these organisations yet.", icon=":material/info:")
    st.stop()
levels = rows.select(c.LEVEL_RANK, c.LEVEL_KEY, c.LEVEL_NAME).unique().sort(c.LEVEL_RANK, descending=True)
groups = rows.select(c.GROUP, c.GROUP_LABEL).unique().sort(c.GROUP)
periods = sorted(rows[c.PERIOD].unique().to_list(), reverse=True)
left, middle, right = st.columns(3)
level = left.selectbox("Level", levels[c.LEVEL_KEY].to_list(), key="network_level",
                       format_func=dict(zip(levels[c.LEVEL_KEY], levels[c.LEVEL_NAME], strict=True)).get,
                       help="The level compared; the board is first.")
group_labels = dict(zip(groups[c.GROUP], groups[c.GROUP_LABEL], strict=True))
default_group = groups[c.GROUP].to_list().index("Ethnic minority") if "Ethnic minority" in group_labels else 0
group = middle.selectbox("Group", list(group_labels), index=default_group, key="network_group",
                         format_func=group_labels.get, help="The group whose presence is compared.")
period = right.selectbox("Period", periods, key="network_period", help="The latest period is first.")

funnel = filters.load(cache.network_funnel, members, level, group, period)
st.header("Funnel plot")
sentence = network.funnel_sentence(funnel)
st.markdown(f"**{sentence}**")
level_name = levels.filter(pl.col(c.LEVEL_KEY) == level)[c.LEVEL_NAME][0]
title = f"{group_labels[group]} at {charts.short_level(level_name)}, {period}: ratio to own catchment"
charts.show(
    network_charts.funnel_chart(funnel, title),
    "Each mark is one organisation (its code beside it): how many people it counted (across, log scale) and "
    "its group's share over its catchment's share (up; 1 = the same). The grey whisker is the range chance "
    "alone would give at its size and catchment (99.8%); dashed and dotted lines show the 95% and 99.8% limits "
    "for a typical catchment. Triangles pointing down are below the limits, up above; circles within.",
    display.funnel_table(funnel),
    key="network-funnel",
)

st.header("Benchmark table")
st.markdown("Sort by any column; every share and ratio has the range it is likely to lie in (95%). "
            "A * is a small number hidden so that no one can be identified.")
benchmark = display.benchmark_table(funnel)
st.dataframe(benchmark, hide_index=True, width="stretch", column_config=display.help_config(benchmark))
totals = network.network_totals(funnel)
st.markdown(
    f"**Network total:** {totals[c.INVOLVED]:,} of {totals[c.TOTAL]:,} people with a known answer are in the "
    f"group, across {totals['organisations'] - totals['organisations_hidden']} organisations whose counts are "
    f"shown ({totals['organisations_hidden']} hidden). {totals['note']}"
)
