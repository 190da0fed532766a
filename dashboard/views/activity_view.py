"""Activity view: for a committee chair before the next meeting. How the activity's last meetings met the 4PI
presence rules, papers and start times, its purpose, payments, review cycle, impact and feedback, in sentences
first and then the tables behind them."""

from __future__ import annotations

import streamlit as st

from analytics import columns as k
from dashboard import cache, display, display_4pi, filters

DATES = {name: st.column_config.DateColumn(format=filters.DATE_FORMAT) for name in ("Date", "Claimed", "Paid")}

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
    st.dataframe(display_4pi.meetings_table(summary.meetings), hide_index=True, width="stretch",
                 column_config=DATES)

st.subheader("Presence rules broken")
if summary.breaches.height == 0:
    st.success("No meeting of this activity has broken a presence rule.", icon=":material/check_circle:")
else:
    st.caption("Every meeting of this activity that broke one of the 4PI presence rules, newest first.")
    st.dataframe(display_4pi.breaches_table(summary.breaches), hide_index=True, width="stretch",
                 column_config=DATES)

payments_tab, impact_tab, feedback_tab = st.tabs(["Fees and expenses", "Impact log", "Feedback"])
with payments_tab:
    if not exact:  # claims counted by status: each claim is one person's money
        if display_4pi.no_claims(summary.payments):
            st.caption("No claims recorded for this activity.")
        else:
            st.caption(
                "Claims counted by what happened to them. Each claim is one person's money, so the "
                f"list of claims is for equality leads and data stewards. {display.HIDDEN_HELP}"
            )
            st.dataframe(display_4pi.claims_by_status_table(summary.payments), hide_index=True, width="stretch")
    elif summary.payments.height == 0:
        st.caption("No claims recorded for this activity.")
    else:
        st.dataframe(display_4pi.payments_table(summary.payments), hide_index=True, width="stretch",
                     column_config=DATES)
with impact_tab:
    if summary.impact.height == 0:
        st.caption("No changes logged yet. Record what difference involvement made, and the evidence.")
    else:
        st.dataframe(display_4pi.impact_table(summary.impact), hide_index=True, width="stretch",
                     column_config=DATES)
with feedback_tab:
    if summary.feedback.height == 0:
        st.caption("No end-of-involvement questionnaires returned yet.")
    else:
        st.dataframe(display_4pi.feedback_table(summary.feedback), hide_index=True, width="stretch")
