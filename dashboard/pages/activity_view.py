"""Activity view: for a committee chair before the next meeting. How the activity's last meetings met the 4PI
presence rules, papers and start times, its purpose, payments, review cycle, impact and feedback, in sentences
first and then the tables behind them."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics import fourpi
from analytics import fourpi_columns as k
from analytics.loader_4pi import load_frames_4pi
from dashboard import data, filters

YES_NO = {True: "Yes", False: "No"}
DATES = {name: st.column_config.DateColumn(format="D MMM YYYY") for name in ("Date", "Claimed", "Paid")}

st.title("Activity view")
f, viewer = filters.require()
if not viewer.can("aggregates", f.organisation_id):
    st.warning(data.NO_ACCESS, icon=":material/lock:")
    st.stop()

_frames_cache: list = []


def _frames():
    """This organisation's 4PI records, read once per run (until dashboard/data.py caches the results)."""
    if not _frames_cache:
        _frames_cache.append(filters.load(load_frames_4pi, data.engine(), f.organisation_id))
    return _frames_cache[0]


def _result(name: str, *args):
    """A 4PI result: the cached ``dashboard.data.fourpi_<name>`` when it exists, else computed here."""
    wrapper = getattr(data, f"fourpi_{name}", None)
    if wrapper is not None:
        return filters.load(wrapper, f, viewer, *args)
    direct = {"activities": fourpi.activity_list, "activity_summary": fourpi.activity_summary}[name]
    return filters.load(direct, _frames(), *args)


activities = _result("activities")
if activities.height == 0:
    st.info(
        "There are no activities yet: import activities (committees, projects, groups) and their meetings "
        "to see them here.",
        icon=":material/info:",
    )
    st.stop()

labels = {
    r[k.ACTIVITY_REF]: f"{r[k.ACTIVITY_NAME]} ({r[k.LEVEL_NAME] or 'no level'})"
    + (" · ended" if r["ended"] else "")
    for r in activities.iter_rows(named=True)
}
left, right = st.columns([3, 1])
ref = left.selectbox(
    "Activity",
    list(labels),
    format_func=labels.get,
    key="activity_ref",
    help="Your committee, project or group. Activities that have ended are listed last.",
)
last_n = right.number_input(
    "Meetings to look back over", min_value=1, max_value=24, value=4, step=1, key="activity_last_n"
)
summary = _result("activity_summary", ref, int(last_n))
st.caption(
    f"{f.organisation_name} · {summary.activity_name} · {summary.level_name or 'no level'}"
    + (" · a high-level activity: a reserve is expected at its meetings" if summary.high_level else "")
)

st.subheader("Before your next meeting")
for sentence in summary.sentences:
    st.markdown(f"- {sentence}")

st.subheader("Recent meetings")
if summary.meetings.height == 0:
    st.caption("No meetings of this activity have been held yet.")
else:
    st.dataframe(
        summary.meetings.select(
            pl.col(k.DATE).alias("Date"),
            pl.col(k.START_TIME)
            .cast(pl.String)
            .str.slice(0, 5)
            .fill_null("not recorded")
            .alias("Start time"),
            pl.col(k.PAPERS_DAYS)
            .cast(pl.String)
            .fill_null("not recorded")
            .alias("Papers sent (days before)"),
            pl.col(k.SERVICE_USERS).alias("Service users"),
            pl.col(k.CARERS).alias("Carers"),
            pl.col(k.RESERVES).alias("Reserves"),
            pl.col(k.MEETS_MINIMUM).replace_strict(YES_NO).alias("Minimum met"),
            pl.col(k.MEETS_IDEAL).replace_strict(YES_NO).alias("Ideal met"),
        ).reverse(),
        hide_index=True,
        width="stretch",
    )

st.subheader("Presence rules broken")
if summary.breaches.height == 0:
    st.success("No meeting of this activity has broken a presence rule.", icon=":material/check_circle:")
else:
    st.caption("Every meeting of this activity that broke one of the 4PI presence rules, newest first.")
    st.dataframe(
        summary.breaches.select(
            pl.col(k.DATE).alias("Date"),
            pl.col(k.BREACH).alias("What happened"),
            pl.col(k.SERVICE_USERS).alias("Service users"),
            pl.col(k.CARERS).alias("Carers"),
            pl.col(k.RESERVES).alias("Reserves"),
        ),
        hide_index=True,
        width="stretch",
    )

payments_tab, impact_tab, feedback_tab = st.tabs(["Fees and expenses", "Impact log", "Feedback"])
with payments_tab:
    if summary.payments.height == 0:
        st.caption("No claims recorded for this activity.")
    else:
        st.dataframe(
            summary.payments.select(
                pl.col(k.CLAIM_DATE).alias("Claimed"),
                pl.col(k.PAYMENT_KIND).alias("Kind"),
                pl.col(k.PAID_DATE).alias("Paid"),
                pl.col(k.DAYS_TO_PAY).alias("Days (so far)"),
                pl.col(k.PAYMENT_STATUS).str.replace("_", " ").alias("Status"),
            ),
            hide_index=True,
            width="stretch",
            column_config=DATES,
        )
with impact_tab:
    if summary.impact.height == 0:
        st.caption("No changes logged yet. Record what difference involvement made, and the evidence.")
    else:
        st.dataframe(
            summary.impact.select(
                pl.col(k.RECORDED_ON).alias("Date"),
                pl.col(k.IMPACT_AREA_LABEL).alias("Area"),
                pl.col(k.WHAT_CHANGED).alias("What changed"),
                pl.col(k.EVIDENCE).alias("Evidence"),
            ),
            hide_index=True,
            width="stretch",
            column_config=DATES,
        )
with feedback_tab:
    if summary.feedback.height == 0:
        st.caption("No end-of-involvement questionnaires returned yet.")
    else:
        st.dataframe(
            summary.feedback.select(
                pl.col(k.QUESTION_LABEL).alias("Question"),
                pl.col(k.ANSWERS).alias("Questionnaires"),
                pl.col(k.AGREE).alias("Agree"),
                pl.col(k.NEUTRAL).alias("Neither"),
                pl.col(k.DISAGREE).alias("Disagree"),
                (pl.col(k.NOT_STATED) + pl.col(k.NOT_KNOWN)).alias("Not stated or not known"),
                ((pl.col(k.SHARE_AGREE) * 100).round(0).cast(pl.Int64).cast(pl.String) + "%")
                .fill_null("–")
                .alias("Agree (of those who answered)"),
            ),
            hide_index=True,
            width="stretch",
            column_config=DATES,
        )
