"""Network: how organisations compare with their own catchments (funnel plot, benchmark table and change over
time), on each organisation's published figures."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics import columns as c
from analytics import network, trends
from analytics import network_benchmark as nb
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
levels = cache.network_levels(rows)
groups = rows.select(c.GROUP, c.GROUP_LABEL).unique().sort(c.GROUP)
periods = sorted(rows[c.PERIOD].unique().to_list(), reverse=True)
left, middle, right = st.columns(3)
level_names = dict(zip(levels[c.LEVEL_KEY], levels[c.LEVEL_NAME], strict=True))
level = left.selectbox("Level", list(level_names), key="network_level", format_func=level_names.get,
                       help="The level compared: the board first, then the decision-making levels together "
                            "(everyone at any level where decisions are made, each person once).")
group_labels = dict(zip(groups[c.GROUP], groups[c.GROUP_LABEL], strict=True))
default_group = list(group_labels).index("Ethnic minority") if "Ethnic minority" in group_labels else 0
group = middle.selectbox("Group", list(group_labels), index=default_group, key="network_group",
                         format_func=group_labels.get, help="The group whose presence is compared.")
period = right.selectbox("Period", periods, key="network_period", help="The latest period is first.")

funnel = filters.load(cache.network_funnel, members, level, group, period)
st.header("Funnel plot")
sentence = network.funnel_sentence(funnel)
st.markdown(f"**{sentence}**")
title = f"{group_labels[group]} at {charts.short_level(level_names[level])}, {period}: ratio to own catchment"
charts.show(
    network_charts.funnel_chart(funnel, title),
    "Each mark is one organisation (its code beside it): how many people it counted (across, log scale) and "
    "its group's share over its catchment's share (up; 1 = the same). The grey whisker is the range chance "
    "alone would give at its size and catchment (99.8%); dashed and dotted lines show the 95% and 99.8% limits "
    "for a typical catchment. Triangles pointing down are below the limits, up above; circles within.",
    display.funnel_table(funnel),
    key="network-funnel",
)
totals = filters.load(cache.network_totals, members, level, group, period)
st.markdown(
    f"**Network total:** {totals[c.INVOLVED]:,} of {totals[c.TOTAL]:,} people with a known answer are in the "
    f"group, across {totals['organisations'] - totals['organisations_hidden']} organisations whose counts are "
    f"shown ({totals['organisations_hidden']} hidden). {totals['note']}"
)

st.header("Benchmark table")
st.markdown(
    f"**{group_labels[group]} at the decision-making levels together, {period}.** Each organisation's share "
    "with the range it is likely to lie in (95%), its ratio to its own catchment, the ranks that ratio could "
    "hold given every organisation's range (there is no bare rank), its 4PI scorecard, how many people "
    "declared their answer and the trend. Sort by any column (click its heading, or choose below). "
    "A * or an empty cell is a small number hidden so that no one can be identified."
)
benchmark = filters.load(cache.network_benchmark, members, group, period)
SORTS = {
    c.RATIO: "Ratio to own catchment", c.SHARE: "Share", c.PEOPLE: "People at these levels",
    c.DECLARATION_RATE: "Declared", nb.FOURPI_GREEN: "4PI standards met", network.ORGANISATION_NAME: "Name",
}
sort_left, sort_right = st.columns([3, 1])
sort_by = sort_left.selectbox("Sort by", list(SORTS), format_func=SORTS.get, key="network_sort")
descending = sort_right.toggle("Highest first", value=sort_by != network.ORGANISATION_NAME, key="network_desc")
table = display.with_status_words(
    nb.sort_benchmark(benchmark, sort_by, descending=descending).with_columns(
        pl.col(c.STATUS).fill_null(c.STATUS_NO_DATA)))
st.dataframe(
    table.select(
        pl.col(network.ORGANISATION_NAME).alias("Organisation"),
        pl.col(c.PEOPLE).alias("People at these levels"),
        pl.col(c.INVOLVED).cast(pl.String).fill_null("*").alias("In the group"),
        (pl.col(c.SHARE) * 100).round(1).alias("Share %"),
        (pl.col(c.CI_LOW) * 100).round(1).alias("Share from %"),
        (pl.col(c.CI_HIGH) * 100).round(1).alias("Share to %"),
        (pl.col(c.BASELINE_SHARE) * 100).round(1).alias("Catchment %"),
        pl.col(c.RATIO).round(2).alias("Ratio"),
        pl.col(network.RATIO_CI_LOW).round(2).alias("Ratio from"),
        pl.col(network.RATIO_CI_HIGH).round(2).alias("Ratio to"),
        pl.when(pl.col(nb.RANK_FROM).is_null()).then(pl.lit("—"))
        .when(pl.col(nb.RANK_FROM) == pl.col(nb.RANK_TO)).then(pl.col(nb.RANK_FROM).cast(pl.String))
        .otherwise(pl.col(nb.RANK_FROM).cast(pl.String) + "–" + pl.col(nb.RANK_TO).cast(pl.String))
        .alias("Could rank"),
        pl.col("status_words").alias("Status"),
        (pl.col(c.DECLARATION_RATE) * 100).round(0).alias("Declared %"),
        (pl.col(nb.DECLARATION_CI_LOW) * 100).round(0).alias("Declared from %"),
        (pl.col(nb.DECLARATION_CI_HIGH) * 100).round(0).alias("Declared to %"),
        pl.col(nb.FOURPI_STATUS).alias("4PI scorecard"),
        pl.col(trends.TREND_WORDS).alias("Trend"),
    ),
    hide_index=True, width="stretch", key="network-benchmark",
)

st.header("Over time")
changes = filters.load(cache.network_over_time, members, level, group)
st.markdown(f"**{nb.over_time_sentence(changes)}**")
st.caption(
    f"{group_labels[group]} at {level_names[level]}: each organisation's trend over the last four years, tested "
    "on published counts (people who joined each period), with the p-values corrected again across the "
    "organisations compared. Improved: the share rose from below the catchment's; worsened: it fell and ends "
    "below it."
)
st.dataframe(
    changes.select(
        pl.col(network.ORGANISATION_NAME).alias("Organisation"),
        pl.col(nb.VERDICT).alias("Change"),
        (pl.col(trends.FIRST_SHARE) * 100).round(1).alias("First share %"),
        (pl.col(trends.LATEST_SHARE) * 100).round(1).alias("Latest share %"),
        (pl.col(c.BASELINE_SHARE) * 100).round(1).alias("Catchment %"),
        pl.col(trends.PERIODS_WITH_DATA).alias("Periods"),
        pl.col(nb.NETWORK_P_ADJUSTED).round(4).alias("p (corrected)"),
        pl.col(trends.TREND_WORDS).alias("In words"),
    ),
    hide_index=True, width="stretch", key="network-over-time",
)
