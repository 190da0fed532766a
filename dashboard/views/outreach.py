"""Outreach: whom to approach, where, and how many people are missing: a working list to filter and
download."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics import columns as c
from analytics import outreach as o
from dashboard import cache, charts, filters

st.title("Outreach")
st.markdown(
    "Groups that are absent or under-represented, most people missing first: per level, and per "
    "committee, project or group within it."
)
f, viewer = filters.require("outreach")
full = filters.load(cache.outreach, f, viewer)
filters.context_caption(f, frame=full)

if full.height == 0:
    st.success(
        "No group is clearly under-represented or absent at any level or activity in the latest "
        "period of the chosen range.",
        icon=":material/check_circle:",
    )
    st.stop()

left, middle, right = st.columns(3)
scopes = {"level": "Whole levels", "activity": "Single activities"}
scope = left.multiselect(
    "Show", list(scopes), default=list(scopes), format_func=scopes.get, key="outreach_scope"
)
level_names = full.sort(c.LEVEL_RANK, descending=True).get_column(c.LEVEL_NAME).unique(maintain_order=True)
levels = middle.multiselect(
    "Levels",
    level_names.to_list(),
    key="outreach_levels",
    placeholder="All levels",
    help="Leave empty for every level.",
)
group_names = full.get_column(c.GROUP_LABEL).unique(maintain_order=True).to_list()
groups = right.multiselect(
    "Groups",
    group_names,
    key=f"outreach_groups_{f.characteristic}",
    placeholder="All groups",
    help="Leave empty for every group.",
)

chosen = full.filter(pl.col(o.UNIT).is_in(scope))
if levels:
    chosen = chosen.filter(pl.col(c.LEVEL_NAME).is_in(levels))
if groups:
    chosen = chosen.filter(pl.col(c.GROUP_LABEL).is_in(groups))
if chosen.height == 0:
    st.info(
        "Nothing matches these choices: clear a filter above to see more.", icon=":material/filter_alt_off:"
    )
    st.stop()

table = cache.outreach_table(chosen)
people_missing = int(chosen.filter(pl.col(o.UNIT) == "level").get_column(c.SHORTFALL).sum())
st.metric(
    "People missing at whole levels",
    f"{people_missing:,}",
    border=True,
    help="Added up over the levels shown: how many more people from each group would give it a share "
    "matching the baseline (whole people). Activities overlap their levels, so they are not "
    "added.",
)
charts.show(
    charts.shortfall_chart(chosen, f.characteristic),
    "Each bar is one group at one level or activity; its length is how many more people from that group a "
    "matching share would need. The label on each bar says how strong the evidence is.",
    table,
    key="outreach",
)
st.subheader("The working list")
st.dataframe(table, hide_index=True, width="stretch")
filters.downloads(table, f"presence-outreach-{f.characteristic}", "Outreach")
