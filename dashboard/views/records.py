"""Records: the involvement team's weekly entry. Add or edit one person, activity or involvement; record a
meeting and who attended; record a payment, support offer or impact entry.

Each form is checked by the importer's own rules (``models.records``), so a form refuses exactly what an import
would refuse, with the same sentences, and every save is in the import log and the audit trail.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard import cache, filters
from data import characteristics as registry
from data import codes
from models import records, values

NEW = "(a new person)"
NEW_ACTIVITY = "(a new activity)"
NOT_RECORDED = "Not recorded"
STATUS_WORDS = {NOT_RECORDED: NOT_RECORDED, **{k: codes.ATTENDANCE_STATUSES[k] for k in records.ATTENDANCE_CHOICES}}

st.title("Records")
f, viewer = filters.require("records")
engine = cache.engine()
organisation = next(o for o in cache.all_organisations() if o["id"] == f.organisation_id)
st.caption(f"Recording for {organisation['name']} ({organisation['code']}). Every change is checked as an import "
           "would check it, and written to the import log and the audit trail.")


def saved(report, what: str) -> None:
    st.session_state["records_saved"] = f"{what}: {report.added} added, {report.updated} updated."
    st.rerun()


def show_error(error: ValueError) -> None:
    for sentence in getattr(error, "problems", None) or [str(error)]:
        st.error(sentence, icon=":material/error:")


if message := st.session_state.pop("records_saved", None):
    st.success(message, icon=":material/check_circle:")

AREA_CODES = [codes.NOT_KNOWN, codes.NOT_STATED, *[c for c, _ in values.local_authority_choices()]]
AREA_LABEL = {codes.NOT_KNOWN: "Not known", codes.NOT_STATED: "Not stated",
              **{c: f"{n} ({c})" for c, n in values.local_authority_choices()}}
FIELDS = tuple(registry.FIELDS)  # the equality fields a person record carries (data.characteristics)
FIELD_WORDS = registry.FIELDS

person_tab, activity_tab, involvement_tab, meeting_tab, other_tab = st.tabs(
    ["Person", "Activity", "Involvement", "Meeting and attendance", "Payment, support, impact"]
)

with person_tab:
    people = records.people(engine=engine, organisation_id=f.organisation_id)
    chosen = st.selectbox("Person to edit", [NEW, *people.get_column("ref").to_list()], key="records_person")
    current = {} if chosen == NEW else people.filter(people["ref"] == chosen).to_dicts()[0]
    with st.form(f"person_form_{chosen}"):
        ref = st.text_input("Reference (pseudonym, never a name)", value=current.get("ref", ""),
                            disabled=chosen != NEW, max_chars=80)
        answers = {"involvement_type": st.selectbox(
            "Service user or carer", list(codes.INVOLVEMENT_TYPES), format_func=codes.INVOLVEMENT_TYPES.get,
            index=list(codes.INVOLVEMENT_TYPES).index(current.get("involvement_type") or "service_user"))}
        left, right = st.columns(2)
        for i, name in enumerate(FIELDS):
            options = list(codes.CHARACTERISTIC_CODES[name])
            value = current.get(name) or (codes.ETHNICITY_NOT_KNOWN if name == "ethnicity" else codes.NOT_KNOWN)
            answers[name] = (left if i % 2 == 0 else right).selectbox(
                FIELD_WORDS[name], options, index=options.index(value) if value in options else 0,
                format_func=codes.CHARACTERISTIC_CODES[name].get)
        area = current.get("local_authority") or codes.NOT_KNOWN
        answers["local_authority"] = st.selectbox(
            "Local authority where they live", AREA_CODES, format_func=AREA_LABEL.get,
            index=AREA_CODES.index(area) if area in AREA_CODES else 0)
        born = st.text_input("Year of birth (optional)", value=str(current.get("year_of_birth") or ""))
        submitted = st.form_submit_button("Save person", type="primary", icon=":material/save:")
    if submitted:
        try:
            report = records.save_person(engine=engine, organisation=organisation, user=viewer.email,
                                         values={"ref": ref if chosen == NEW else chosen, **answers,
                                                 "year_of_birth": born})
        except ValueError as error:
            show_error(error)
        else:
            saved(report, f"Person {ref if chosen == NEW else chosen}")

activities = records.activities(engine=engine, organisation_id=f.organisation_id)
ACTIVITY_NAME = dict(activities.iter_rows())
levels = records.level_names(engine=engine, organisation_id=f.organisation_id)

with activity_tab:
    chosen_activity = st.selectbox("Activity to edit", [NEW_ACTIVITY, *ACTIVITY_NAME], key="records_activity",
                                   format_func=lambda r: ACTIVITY_NAME.get(r, r))
    current = {} if chosen_activity == NEW_ACTIVITY else records.activity(
        engine=engine, organisation_id=f.organisation_id, ref=chosen_activity)
    with st.form(f"activity_form_{chosen_activity}"):
        a_ref = st.text_input("Reference", value=current.get("ref", ""), disabled=chosen_activity != NEW_ACTIVITY)
        a_name = st.text_input("Name", value=current.get("name", ""))
        level_keys = [k for k, _ in levels]
        a_level = st.selectbox("Level", level_keys, format_func=dict(levels).get,
                               index=level_keys.index(current["level"]) if current.get("level") in level_keys else 0)
        a_area = st.selectbox("4PI involvement area", list(codes.INVOLVEMENT_AREAS),
                              format_func=lambda a: f"{a}: {codes.INVOLVEMENT_AREAS[a]}",
                              index=list(codes.INVOLVEMENT_AREAS).index(current.get("involvement_area") or "C"))
        a_kind = st.selectbox("Kind", list(codes.ACTIVITY_KINDS), format_func=codes.ACTIVITY_KINDS.get,
                              index=list(codes.ACTIVITY_KINDS).index(current.get("kind") or "committee"))
        a_purpose = st.text_area("Purpose", value=current.get("purpose") or "")
        a_outcomes = st.text_area("Intended outcomes", value=current.get("intended_outcomes") or "")
        a_recorded = st.date_input("Purpose recorded on", value=current.get("purpose_recorded_on"),
                                   max_value=date.today(), format="DD/MM/YYYY")
        a_start = st.date_input("Started", value=current.get("start_date") or date.today(), max_value=date.today(),
                                format="DD/MM/YYYY")
        a_end = st.date_input("Ended (blank while it runs)", value=current.get("end_date"), format="DD/MM/YYYY")
        submitted = st.form_submit_button("Save activity", type="primary", icon=":material/save:")
    if submitted:
        try:
            report = records.save_activity(engine=engine, organisation=organisation, user=viewer.email, values={
                "ref": a_ref if chosen_activity == NEW_ACTIVITY else chosen_activity, "name": a_name,
                "level": a_level, "involvement_area": a_area, "kind": a_kind, "purpose": a_purpose,
                "intended_outcomes": a_outcomes, "purpose_recorded_on": a_recorded, "start_date": a_start,
                "end_date": a_end})
        except ValueError as error:
            show_error(error)
        else:
            if report.warnings:
                st.session_state["records_warning"] = report.warnings
            saved(report, f"Activity {a_name}")
    for warning in st.session_state.pop("records_warning", []):
        st.warning(warning, icon=":material/warning:")

with involvement_tab:
    if not ACTIVITY_NAME:
        st.info("Add an activity first (the Activity tab), or import your register.", icon=":material/info:")
    else:
        i_activity = st.selectbox("Activity", list(ACTIVITY_NAME), format_func=ACTIVITY_NAME.get,
                                  key="records_involvement_activity")
        current_members = records.members(engine=engine, organisation_id=f.organisation_id,
                                          activity_ref=i_activity)
        with st.form("involvement_join"):
            st.markdown("**Someone joins**")
            i_person = st.selectbox("Person", people.get_column("ref").to_list(), key="records_join_person")
            i_role = st.selectbox("Role", list(codes.INVOLVEMENT_ROLES), format_func=codes.INVOLVEMENT_ROLES.get,
                                  index=list(codes.INVOLVEMENT_ROLES).index("expert_by_experience"))
            i_paid = st.radio("Paid or voluntary", list(codes.PAYMENT_BASES), format_func=codes.PAYMENT_BASES.get,
                              horizontal=True)
            i_start = st.date_input("Joined on", value=date.today(), max_value=date.today(), format="DD/MM/YYYY")
            joined = st.form_submit_button("Record joining", type="primary", icon=":material/person_add:")
        if joined:
            try:
                report = records.save_involvement(engine=engine, organisation=organisation, user=viewer.email,
                                                  values={"person_ref": i_person, "activity_ref": i_activity,
                                                          "role": i_role, "payment_basis": i_paid,
                                                          "start_date": i_start})
            except ValueError as error:
                show_error(error)
            else:
                saved(report, f"{i_person} joined {ACTIVITY_NAME[i_activity]}")
        active = current_members.filter(current_members["end_date"].is_null())
        if active.height:
            with st.form("involvement_leave"):
                st.markdown("**Someone leaves**")
                leaving = st.selectbox("Involvement", active.get_column("ref").to_list(),
                                       format_func=lambda r: r.split("|")[0] + " (joined " + r.split("|")[-1] + ")")
                left_on = st.date_input("Left on", value=date.today(), max_value=date.today(), format="DD/MM/YYYY")
                left = st.form_submit_button("Record leaving", icon=":material/person_remove:")
            if left:
                row = active.filter(active["ref"] == leaving).to_dicts()[0]
                try:
                    report = records.save_involvement(engine=engine, organisation=organisation, user=viewer.email,
                                                      values={"ref": leaving, "person_ref": row["person_ref"],
                                                              "activity_ref": i_activity, "role": row["role"],
                                                              "start_date": row["start_date"], "end_date": left_on})
                except ValueError as error:
                    show_error(error)
                else:
                    saved(report, f"{row['person_ref']} left {ACTIVITY_NAME[i_activity]}")

with meeting_tab:
    if not ACTIVITY_NAME:
        st.info("Add an activity first (the Activity tab), or import your register.", icon=":material/info:")
    else:
        m_activity = st.selectbox("Committee or activity", list(ACTIVITY_NAME), format_func=ACTIVITY_NAME.get,
                                  key="records_meeting_activity")
        m_date = st.date_input("Meeting date", value=date.today(), max_value=date.today(), format="DD/MM/YYYY",
                               key="records_meeting_date")
        expected = records.members(engine=engine, organisation_id=f.organisation_id, activity_ref=m_activity,
                                   on=m_date)
        with st.form(f"meeting_form_{m_activity}_{m_date}"):
            m_ref = st.text_input("Meeting reference", value=f"{m_activity[:60]} {m_date.isoformat()}")
            m_time = st.text_input("Start time (optional)", placeholder="18:00 or 6pm")
            m_papers = st.date_input("Papers sent on", value=None, max_value=date.today(), format="DD/MM/YYYY")
            st.markdown("**Attendance**: for each member, who attended, sent apologies or was a reserve.")
            if not expected.height:
                st.caption("No one is a member of this activity on that date.")
            ticks = {}
            for person_ref in expected.get_column("person_ref").unique(maintain_order=True).to_list():
                ticks[person_ref] = st.radio(person_ref, list(STATUS_WORDS), format_func=STATUS_WORDS.get,
                                             horizontal=True, key=f"attendance_{m_activity}_{m_date}_{person_ref}")
            submitted = st.form_submit_button("Save meeting", type="primary", icon=":material/save:")
        if submitted:
            try:
                report = records.save_meeting(
                    engine=engine, organisation=organisation, user=viewer.email,
                    meeting={"ref": m_ref, "activity_ref": m_activity, "date": m_date, "start_time": m_time,
                             "papers_sent": m_papers},
                    attendance={p: s for p, s in ticks.items() if s != NOT_RECORDED})
            except ValueError as error:
                show_error(error)
            else:
                saved(report, f"Meeting {m_ref}")

with other_tab:
    kind = st.radio("Record", ["payments", "support", "impacts"], horizontal=True, key="records_other_kind",
                    format_func={"payments": "A payment", "support": "A support offer",
                                 "impacts": "An impact entry"}.get)
    person_refs = people.get_column("ref").to_list()
    with st.form(f"other_form_{kind}"):
        if kind == "payments":
            entry = {
                "ref": st.text_input("Payment reference", placeholder="e.g. CLAIM-0042"),
                "person_ref": st.selectbox("Person", person_refs),
                "activity_ref": st.selectbox("For the activity (optional)", [None, *ACTIVITY_NAME],
                                             format_func=lambda r: "—" if r is None else ACTIVITY_NAME[r]),
                "kind": st.selectbox("Kind", list(codes.PAYMENT_KINDS), format_func=codes.PAYMENT_KINDS.get),
                "amount": st.text_input("Amount (£)", placeholder="12.50"),
                "claim_date": st.date_input("Claimed on", value=date.today(), max_value=date.today(),
                                            format="DD/MM/YYYY"),
                "paid_date": st.date_input("Paid on (blank if not yet)", value=None, max_value=date.today(),
                                           format="DD/MM/YYYY"),
            }
        elif kind == "support":
            entry = {
                "person_ref": st.selectbox("Person", person_refs),
                "kind": st.selectbox("Support", list(codes.SUPPORT_KINDS), format_func=codes.SUPPORT_KINDS.get),
                "offered_on": st.date_input("Offered on", value=date.today(), max_value=date.today(),
                                            format="DD/MM/YYYY"),
                "taken_up": st.checkbox("Taken up"),
            }
        else:
            entry = {
                "ref": st.text_input("Impact reference", placeholder="e.g. IMP-0007"),
                "activity_ref": st.selectbox("Activity", list(ACTIVITY_NAME), format_func=ACTIVITY_NAME.get),
                "recorded_on": st.date_input("Recorded on", value=date.today(), max_value=date.today(),
                                             format="DD/MM/YYYY"),
                "area": st.selectbox("Area", list(codes.IMPACT_AREAS), format_func=codes.IMPACT_AREAS.get),
                "what_changed": st.text_area("What changed"),
                "evidence": st.text_area("Evidence (optional)"),
            }
        submitted = st.form_submit_button("Save", type="primary", icon=":material/save:")
    if submitted:
        try:
            report = records.save_one(engine=engine, organisation=organisation, table=kind, values=entry,
                                      user=viewer.email)
        except ValueError as error:
            show_error(error)
        else:
            saved(report, {"payments": "Payment", "support": "Support offer", "impacts": "Impact entry"}[kind])
