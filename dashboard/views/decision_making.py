"""Decision-making (board view): who is at the tables where decisions are made, on one page."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics import columns as c
from analytics import selections
from dashboard import cache, charts, display, filters

st.title("Decision-making: the board view")
st.markdown(
    "Are the people involved where decisions are made like the people the organisation serves? "
    "Four answers, each with what it means beside it."
)
f, viewer, rep, period = filters.representation_page("decision_making")
latest = selections.at_period(rep.rows, period)
decision_levels = latest.filter(pl.col(c.DECISION_MAKING))

st.header(f"1. Who is at the decision-making levels ({period})")
if decision_levels.height == 0:
    st.info("No level is marked as decision-making for this organisation.", icon=":material/info:")
else:
    level_frames = decision_levels.sort(c.LEVEL_RANK, descending=True).partition_by(
        c.LEVEL_RANK, maintain_order=True
    )
    for column, level_rows in zip(st.columns(len(level_frames)), level_frames, strict=True):
        with column:
            level_key = level_rows.get_column(c.LEVEL_KEY)[0]
            if level_rows.get_column(c.TOTAL)[0] == 0:
                st.info(f"{level_rows.get_column(c.LEVEL_NAME)[0]}: no one with a known answer in {period}.")
                continue
            charts.show(
                charts.share_chart(level_rows.filter(pl.col(c.GROUP_LABEL).is_in(charts.top_groups(latest))),
                                   title_width=48),
                "Dot: the share of people here from each group, with the range it is likely to lie in (95%). "
                "Orange bar: the group's share of the population. A dot clearly left of its bar means fewer "
                "people from that group than a matching share.",
                display.display_table(level_rows, rep.tables),
                key=f"presence-{level_key}",
            )
    gaps = filters.load(cache.decision_gaps, f, viewer)
    if gaps.height:
        where, total_missing = selections.gap_summary(gaps)
        people = f"{total_missing} more {'person' if total_missing == 1 else 'people'}"
        st.markdown(
            f"**{gaps.height} gap{'s' if gaps.height != 1 else ''} at these levels or in their committees "
            f"({where} place{'s' if where != 1 else ''}); about {people} would give every group a matching share "
            "there.** The Overview lists them."
        )
    elif selections.no_baseline(latest):
        st.markdown("**There is no baseline to compare with, so no gap can be judged.**")
    else:
        st.markdown("**No group is clearly missing at these levels or in their committees, where there are enough "
                    "people to tell.**")

st.header("2. From individual care to the board")
pipe = filters.load(cache.pipeline, f, viewer)
lines = charts.top_groups(latest, limit=charts.MAX_LINES)
every = pipe.get_column(c.GROUP_LABEL).n_unique()
charts.show(
    charts.pipeline_chart(pipe.filter(pl.col(c.GROUP_LABEL).is_in(lines))),
    "Each line is one group's share of the people involved at each level, from individual care (left) to the "
    "board (right). A line that falls to the right means the group thins out on the way to where decisions "
    "are made."
    + (f" With {every} groups, the {len(lines)} with the largest gaps are drawn; the table has them all."
       if len(lines) < every else ""),
    display.pipeline_table(pipe),
    key="pipeline",
)

st.header("3. How likely each group is to reach a decision-making level")
likelihood = filters.load(cache.relative_likelihood, f, viewer)
if likelihood.height == 0:
    st.info("No one with a known answer is involved in the chosen periods.", icon=":material/info:")
else:
    rl_periods = likelihood.get_column(c.PERIOD)
    rl_period = period if period in rl_periods.to_list() else rl_periods.max()
    rl = likelihood.filter(pl.col(c.PERIOD) == rl_period)
    reference = rl.get_column("reference_group")[0]
    reference_label = rl.filter(pl.col(c.GROUP) == reference).get_column(c.GROUP_LABEL)
    reference_label = reference_label[0] if reference_label.len() else reference
    charts.show(
        charts.likelihood_chart(rl, f.characteristic),
        f"Relative likelihood, {rl_period}: how much less likely people in a group are than "
        f"{reference_label} people to be involved at a decision-making level rather than only at other "
        "levels (the NHS Workforce Race Equality Standard way). 1 means equally likely; 2 means half as "
        "likely. The line across each diamond is the 95% interval: when it does not cross 1, the difference "
        "is unlikely to be chance.",
        display.likelihood_table(rl),
        key="likelihood",
    )
    if rl.get_column("relative_likelihood").is_null().all():
        st.info(
            f"In {rl_period} no group has enough people at and away from the decision-making levels for a "
            "likelihood to be shown without giving away small numbers.",
            icon=":material/info:",
        )

st.header("4. How complete the records are")
tables = selections.at_period(rep.tables, period)
charts.show(
    charts.declaration_chart(tables, f.characteristic_label.split(" (")[0]),
    "Declaration rate: the share of people at each level whose answer is recorded. People who did not state "
    "it, or whose answer was never asked, are left out of every figure above, so a low rate makes them less "
    "certain.",
    display.declaration_table(tables, f"{f.characteristic_label.split(' (')[0]} recorded"),
    key="declaration",
)

st.header("5. Against your peers")
peer_group = "Ethnic minority" if f.characteristic == "ethnicity_binary" else None
groups = latest.select(c.GROUP, c.GROUP_LABEL).unique().sort(c.GROUP)
labels = dict(zip(groups[c.GROUP], groups[c.GROUP_LABEL], strict=True))
if f.cross_with:
    st.info("Choose one characteristic (nothing crossed) to compare with other organisations.",
            icon=":material/info:")
elif labels:
    chosen = st.selectbox("Group", list(labels), format_func=labels.get, key="peer_group",
                          index=list(labels).index(peer_group) if peer_group in labels else 0,
                          help="The group whose presence at the decision-making levels is compared.")
    found = filters.load(cache.peers, f, viewer, chosen)
    if found is None:
        st.info("There is no other organisation in Presence to compare with.", icon=":material/info:")
    else:
        sentence, peer_rows, compared = found
        st.markdown(f"**{sentence}**")
        st.caption(
            "Published figures only (small numbers hidden, others rounded), at the decision-making levels "
            "together. Each group's total adds up the published people of its organisations against the people "
            "of all their catchments together; someone involved in two organisations counts once in each. "
            "Other organisations are not named."
        )
        st.dataframe(
            display.with_status_words(peer_rows.with_columns(pl.col(c.STATUS).fill_null(c.STATUS_NO_DATA))).select(
                pl.col("peer_group").alias("Compared with"),
                pl.col("organisations").alias("Organisations"),
                pl.col(c.INVOLVED).cast(pl.Int64).cast(pl.String).fill_null("*").alias("In the group"),
                pl.col(c.TOTAL).cast(pl.Int64).cast(pl.String).fill_null("*").alias("People with a known answer"),
                (pl.col(c.SHARE) * 100).round(1).alias("Share %"),
                (pl.col(c.CI_LOW) * 100).round(1).alias("Share from %"),
                (pl.col(c.CI_HIGH) * 100).round(1).alias("Share to %"),
                (pl.col(c.BASELINE_SHARE) * 100).round(1).alias("Catchment %"),
                pl.col(c.RATIO).round(2).alias("Ratio"),
                pl.col("status_words").alias("Status"),
            ),
            hide_index=True, width="stretch", key="peers",
        )
