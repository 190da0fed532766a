"""Data quality: how much equality monitoring is declared, at each level and over time, and which records
miss key fields."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics import columns as c
from analytics.wording import QUALITY_LABELS
from dashboard import cache, charts, display, filters

st.title("Data quality")
st.markdown(
    "Every figure in Presence leaves out people whose answer is not recorded. This page shows how "
    "many that is, and which records are missing something the 4PI standards expect to be written "
    "down."
)
f, viewer = filters.require("data_quality")
quality = filters.load(cache.data_quality, f, viewer)
filters.context_caption(f, frame=quality)

if quality.height == 0 or quality.get_column(c.PEOPLE).sum() == 0:
    st.info(
        "No one is recorded as involved in the chosen periods, so there is nothing to check yet.",
        icon=":material/info:",
    )
else:
    latest = quality.filter(pl.col(c.PEOPLE) > 0).get_column(c.PERIOD).max()
    st.subheader(f"Declared, by level and characteristic ({latest})")
    st.caption(
        "The share of people at each level whose answer is recorded. 'Not stated' means asked but "
        "declined; 'not known' means never asked or not written down, which better recording can fix."
    )
    grid = display.declared_grid(quality, latest, QUALITY_LABELS)
    st.dataframe(grid, hide_index=True, width="stretch")

    default = "ethnicity" if f.characteristic.startswith("ethnicity") else f.characteristic
    options = list(QUALITY_LABELS)
    characteristic = st.selectbox(
        "Characteristic over time",
        options,
        format_func=QUALITY_LABELS.get,
        index=options.index(default) if default in options else 0,
        key="quality_char",
    )
    chosen = quality.filter(pl.col(c.CHARACTERISTIC) == characteristic)
    order = chosen.sort(c.LEVEL_RANK, descending=True).get_column(c.LEVEL_NAME).unique(maintain_order=True)
    lowest = (
        chosen.filter(pl.col(c.PERIOD) == latest)
        .filter(pl.col(c.DECLARATION_RATE).is_not_null())
        .sort(c.DECLARATION_RATE)
    )
    title = (
        charts.declaration_finding(lowest, QUALITY_LABELS[characteristic]) + f" in {latest}"
        if lowest.height
        else f"{QUALITY_LABELS[characteristic]}: no one recorded in {latest}"
    )
    charts.show(
        charts.rate_over_time_chart(
            chosen.filter(pl.col(c.PEOPLE) > 0),
            series=c.LEVEL_NAME,
            value=c.DECLARATION_RATE,
            title=title,
            order=order.to_list(),
        ),
        "Each line is one level: the share of its people whose answer is recorded, period by period.",
        display.quality_table(chosen),
        key="quality",
    )

st.subheader("Records missing key fields")
if not viewer.can("record_level", f.organisation_id):
    st.info(
        "Lists of the records that miss a key field name each record, so they are for equality leads and "
        "data stewards: ask one of them to check and complete the records. The declaration rates above "
        "show how complete the equality monitoring is.",
        icon=":material/lock:",
    )
    st.stop()
missing = filters.load(cache.missing_fields, f, viewer)
if missing.height == 0:
    st.success("Every record has its key fields.", icon=":material/check_circle:")
else:
    summary = (
        missing.group_by("table", "field", "problem")
        .agg(pl.len().alias("Records"))
        .sort("Records", descending=True)
        .select(
            pl.col("problem").alias("What is missing"),
            pl.col("table").alias("Table"),
            pl.col("field").alias("Field"),
            "Records",
        )
    )
    st.dataframe(summary, hide_index=True, width="stretch")
    with st.expander(f"All {missing.height:,} records, by reference"):
        listed = display.for_display(missing)
        st.dataframe(listed, hide_index=True, width="stretch")
        filters.downloads(listed, "presence-missing-fields", "Missing fields")
