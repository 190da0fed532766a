"""4PI scorecard: how far involvement meets each of the five 4PI standards (Principles, Purpose, Presence,
Process, Impact), with a status in words and a mark as well as colour, the trend, what to fix first, and the
detail behind every indicator."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics import columns as k
from analytics import fourpi
from analytics.fourpi import disclosure as fourpi_disclosure
from analytics.wording import STANDARD_WORDS
from dashboard import cache, charts, display, display_4pi, filters, fourpi_charts

DETAIL_TITLES = {
    "meetings": "Meetings in this period",
    "breaches": "Meetings that broke a presence rule",
    "purpose": "Purpose and intended outcomes of each activity",
    "payments": "Fees and expenses claims",
    "role_descriptions": "Role descriptions per activity",
    "support": "Support and training offered",
    "impact": "Impact log: the latest change per activity",
    "feedback": "End-of-involvement feedback",
    "review": "Review cycle of each activity",
}
PERSON_COLUMNS = (k.PERSON_ID, k.PERSON_REF)  # never shown: references of people stay in the records


st.title("4PI scorecard")
f, viewer = filters.require("scorecard")

kind = f.period if f.period in ("quarter", "year") else "year"
periods, latest = filters.load(cache.fourpi_periods, f, viewer, kind)
if st.session_state.get("scorecard_period") not in periods:
    st.session_state["scorecard_period"] = latest
period = st.selectbox(
    "Period",
    periods,
    key="scorecard_period",
    help="The calendar year or quarter to score (the sidebar's Period chooses years or quarters). The trend "
    "compares it with the same period a year earlier.",
)
card = filters.load(cache.fourpi_scorecard, f, viewer, period)
st.caption(
    f"{f.organisation_name} · {period} · each figure is a share: how many of the meetings, activities, "
    "people or claims met the standard."
)
filters.disclosure_caption(f)
if not viewer.exact(f.organisation_id):
    st.caption(
        "Counts of meetings and activities are exact: they say nothing about any one person. Counts of "
        "people (questionnaires, support, roles) and of fees and expenses claims are suppressed for "
        "publication, and their shares and statuses are worked out from the counts shown."
    )

st.subheader("In plain words")
st.markdown(fourpi_disclosure.fourpi_headline(card))
first = fourpi.fix_first(card)
if first.height:
    st.markdown("**What to fix first**")
    for line in display_4pi.fix_first_lines(first):
        st.markdown(f"- {line}")


caption = fourpi_charts.scorecard_caption(card)
if caption:
    charts.show(fourpi_charts.scorecard_chart(card), caption, key="scorecard-chart")


for standard in k.STANDARDS:
    rows = card.filter(pl.col(k.STANDARD) == standard)
    st.subheader(standard)
    st.caption(STANDARD_WORDS[standard])
    st.dataframe(display_4pi.scorecard_table(rows), hide_index=True, width="stretch")
    # what each indicator means, in full (a table cell would cut the sentence off)
    st.markdown("\n".join(f"- **{r[k.INDICATOR_LABEL]}**: {r[k.EXPLANATION]}" for r in rows.iter_rows(named=True)))
    for detail_key in rows.get_column(k.DETAIL_KEY).unique(maintain_order=True).to_list():
        with st.expander(f"Detail: {DETAIL_TITLES[detail_key].lower()}"):
            detail = filters.load(cache.fourpi_detail, f, viewer, detail_key, period)
            if detail is None:
                st.caption(
                    "Each claim belongs to one person, so claims are listed one by one only for equality "
                    "leads and data stewards. The scorecard row above gives the share paid on time."
                )
                continue
            detail = display.for_display(detail.drop([n for n in PERSON_COLUMNS if n in detail.columns]))
            if detail.height == 0:
                st.caption("Nothing recorded for this period.")
            else:
                st.dataframe(detail, hide_index=True, width="stretch", column_config=filters.date_columns(detail))
                filters.downloads(detail, f"4pi-{standard.lower()}-{detail_key}-{period}", detail_key[:31])

st.caption(
    "'Not counted': meetings with no papers date or start time recorded, questionnaire answers not "
    "stated or not known, and claims still within the payment limit. They are left out of the share "
    "rather than counted as failures. See Methods and glossary for how each figure is worked out."
)
