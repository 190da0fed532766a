"""Activity view: for a committee chair before the next meeting. How the activity's last meetings met the 4PI
presence rules, papers and start times, its purpose, payments, review cycle, impact and feedback, in sentences
first and then the tables behind them."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics import fourpi_columns as k
from analytics import fourpi_disclosure
from dashboard import cache, display, filters

YES_NO = {True: "Yes", False: "No"}
DATES = {name: st.column_config.DateColumn(format=filters.DATE_FORMAT) for name in ("Date", "Claimed", "Paid")}
HEAD_LABELS = {k.SERVICE_USERS: "Service users", k.CARERS: "Carers", k.RESERVES: "Reserves"}

st.title("Activity view")
f, viewer = filters.require("activity_view")
exact = viewer.exact(f.organisation_id)
activities = filters.load(cache.fourpi_activities, f, viewer)
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
summary = filters.load(cache.fourpi_activity_summary, f, viewer, ref, int(last_n))
st.caption(
    f"{f.organisation_name} · {summary.activity_name} · {summary.level_name or 'no level'}"
    + (" · a high-level activity: a reserve is expected at its meetings" if summary.high_level else "")
)
filters.disclosure_caption(f)

st.subheader("Before your next meeting")
for sentence in summary.sentences:
    st.markdown(f"- {sentence}")

st.subheader("Recent meetings")
if not exact:
    st.caption(
        "How many service users and carers came to each meeting is a count of people, so it is not shown "
        "here; whether each meeting met the 4PI minimum and ideal is."
    )
if summary.meetings.height == 0:
    st.caption("No meetings of this activity have been held yet.")
else:
    meetings = display.for_display(summary.meetings)
    heads = [
        pl.col(name).alias(label)
        for name, label in HEAD_LABELS.items()
        if name in meetings.columns
    ]
    st.dataframe(
        meetings.select(
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
            *heads,
            pl.col(k.MEETS_MINIMUM).replace_strict(YES_NO).alias("Minimum met"),
            pl.col(k.MEETS_IDEAL).replace_strict(YES_NO).alias("Ideal met"),
            pl.col(k.HAS_RESERVE).replace_strict(YES_NO).alias("Reserve listed"),
        ).reverse(),
        hide_index=True,
        width="stretch",
        column_config=DATES,
    )

st.subheader("Presence rules broken")
if summary.breaches.height == 0:
    st.success("No meeting of this activity has broken a presence rule.", icon=":material/check_circle:")
else:
    st.caption("Every meeting of this activity that broke one of the 4PI presence rules, newest first.")
    breaches = display.for_display(summary.breaches)
    heads = [
        pl.col(name).alias(label)
        for name, label in HEAD_LABELS.items()
        if name in breaches.columns
    ]
    st.dataframe(
        breaches.select(pl.col(k.DATE).alias("Date"), pl.col(k.BREACH).alias("What happened"), *heads),
        hide_index=True,
        width="stretch",
        column_config=DATES,
    )

payments_tab, impact_tab, feedback_tab = st.tabs(["Fees and expenses", "Impact log", "Feedback"])
with payments_tab:
    if not exact:  # claims counted by status: each claim is one person's money
        claims = display.for_display(summary.payments)
        if claims.get_column(fourpi_disclosure.CLAIMS)[0] == "0":
            st.caption("No claims recorded for this activity.")
        else:
            st.caption(
                "Claims counted by what happened to them. Each claim is one person's money, so the "
                f"list of claims is for equality leads and data stewards. {display.HIDDEN_HELP}"
            )
            st.dataframe(
                claims.select(
                    pl.col(fourpi_disclosure.CLAIMS).alias("Claims"),
                    pl.col(k.PAYMENT_ON_TIME).alias("Paid on time"),
                    pl.col(k.PAYMENT_LATE).alias("Paid late"),
                    pl.col(k.PAYMENT_OVERDUE).alias("Unpaid, overdue"),
                    pl.col(k.PAYMENT_PENDING).alias("Waiting, not yet due"),
                ),
                hide_index=True,
                width="stretch",
            )
    elif summary.payments.height == 0:
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
        feedback = display.for_display(summary.feedback.with_columns(
            (pl.col(k.SHARE_AGREE) * 100).round(0).alias(k.SHARE_AGREE)))
        st.dataframe(
            feedback.select(
                pl.col(k.QUESTION_LABEL).alias("Question"),
                pl.col(k.ANSWERS).alias("Questionnaires"),
                pl.col(k.AGREE).alias("Agree"),
                pl.col(k.NEUTRAL).alias("Neither"),
                pl.col(k.DISAGREE).alias("Disagree"),
                pl.col(k.NOT_STATED).alias("Not stated"),
                pl.col(k.NOT_KNOWN).alias("Not known"),
                pl.col(k.SHARE_AGREE).alias("Agree % (of those who answered)"),
            ),
            hide_index=True,
            width="stretch",
        )
