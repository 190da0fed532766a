"""Corrections and erasure: delete a mistaken record, or erase a person on request (UK GDPR Article 17).

The page shows what would be removed, asks for confirmation, and gives a receipt. The work and the audit are in
``models.erasure``; the audit trail keeps the event and the counts, never the person's reference or answers.
"""

from __future__ import annotations

import streamlit as st

from dashboard import cache, filters
from models import erasure, records

TABLE_WORDS = {
    "people": "A person", "activities": "An activity", "involvements": "An involvement", "meetings": "A meeting",
    "attendance": "An attendance record (meeting/person)", "payments": "A payment", "impacts": "An impact entry",
    "feedback": "A feedback response",
}

st.title("Corrections and erasure")
f, viewer = filters.require("corrections")
engine = cache.engine()
organisation = next(o for o in cache.all_organisations() if o["id"] == f.organisation_id)


def removes(would: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {erasure.TABLE_WORDS.get(t, t)}" for t, n in would.items() if n) or "nothing else"


if receipt := st.session_state.get("corrections_receipt"):
    st.success(receipt[0], icon=":material/check_circle:")
    st.code("\n".join(receipt), language=None)
    st.download_button("Download the receipt (.txt)", "\n".join(receipt) + "\n", file_name="presence-receipt.txt",
                       mime="text/plain", icon=":material/download:", key="corrections_receipt_download")

st.subheader("Erase a person")
st.markdown(
    "When someone asks for their data to be erased: the person and **everything that refers to them** "
    "(involvements, attendance, payments, support offers) are removed in one step. The audit trail records that "
    "an erasure happened and how many rows it removed; it does not keep their reference or any answer."
)
people = records.references(engine=engine, organisation_id=f.organisation_id, table="people")
if not people:
    st.info("There is no one to erase.", icon=":material/info:")
else:
    person = st.selectbox("Person to erase", people, index=None, placeholder="Choose a reference",
                          key="erase_person")
    if person is not None:
        would = erasure.preview(engine=engine, table="people", ref=person, organisation_code=organisation["code"])
        st.warning(f"Erasing {person} removes: {removes(would)}. This cannot be undone.", icon=":material/warning:")
        with st.form(f"erase_form_{person}"):
            typed = st.text_input(f"Type {person} to confirm")
            confirmed = st.form_submit_button("Erase this person", type="primary", icon=":material/delete_forever:")
        if confirmed:
            if typed.strip() != person:
                st.error(f"Nothing was erased: type {person} exactly to confirm.", icon=":material/error:")
            else:
                done = erasure.erase_person(engine=engine, person_ref=person, user=viewer.email,
                                            organisation_code=organisation["code"])
                st.session_state["corrections_receipt"] = done.lines()
                st.rerun()

st.subheader("Delete a mistaken record")
table = st.selectbox("What to delete", list(TABLE_WORDS), format_func=TABLE_WORDS.get, key="delete_table")
refs = records.references(engine=engine, organisation_id=f.organisation_id, table=table)
if not refs:
    st.info("There is nothing of this kind to delete.", icon=":material/info:")
else:
    ref = st.selectbox("Record", refs, index=None, placeholder="Choose a reference", key=f"delete_ref_{table}")
    if ref is not None:
        would = erasure.preview(engine=engine, table=table, ref=ref, organisation_code=organisation["code"])
        st.warning(f"Deleting {ref} removes: {removes(would)}.", icon=":material/warning:")
        if st.button("Delete this record", icon=":material/delete:", key=f"delete_go_{table}_{ref}"):
            done = erasure.delete_record(engine=engine, table=table, ref=ref, user=viewer.email,
                                         organisation_code=organisation["code"])
            st.session_state["corrections_receipt"] = done.lines()
            st.rerun()
