"""Import data: the data steward brings in a spreadsheet or CSV register, reads what is wrong, fixes it.

All the work is in ``models.importer``; this page reads the widgets, calls it, and draws the report.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from dashboard import auth, cache, filters
from models import importer

AUTO = "Work it out from the column headings"
MAP_PREFIX = "import_map::"
CHOOSE = "(choose)"
ALL_SHEETS = "Every sheet (one table per sheet)"
TABLE_WORDS = {
    "register": "One-sheet register (people and their committees)",
    "organisations": "Organisation (code, name, catchment)",
    "levels": "Levels of the organisation",
    "baselines": "Baselines the organisation supplies",
    "people": "People",
    "activities": "Activities (committees, projects)",
    "involvements": "Involvements",
    "meetings": "Meetings",
    "attendance": "Attendance",
    "payments": "Payments",
    "support": "Support offered",
    "impacts": "Impact log",
    "feedback": "Feedback",
    "reviews": "Review steps",
}

st.title("Import data")
st.markdown(
    "Bring in your involvement registers from a spreadsheet (.xlsx) or a CSV file. Every row is checked "
    "first: if anything is wrong, **nothing is written** and you get a list of exactly what to fix. "
    "Importing the same file again changes nothing; an updated file changes only the rows that changed."
)
f, viewer = filters.require()
organisation = next(o for o in cache.all_organisations() if o["id"] == f.organisation_id)
if not viewer.can("import", f.organisation_id):
    st.warning(
        "Your role does not allow you to import data for this organisation: ask its data steward.",
        icon=":material/lock:",
    )
    st.stop()
st.caption(
    f"Importing into {organisation['name']} ({organisation['code']}). A backup written by `presence export` "
    "(presence-export.xlsx) imports as it is, when it is this organisation's."
)


def audited(
    what: str, build: Callable[[], bytes | str], file_format: str, rows: int
) -> Callable[[], bytes | str]:
    """A download built only when pressed, and written to the audit trail then."""

    def download() -> bytes | str:
        auth.record_download(viewer, f.organisation_id, what, rows=rows, file_format=file_format)
        return build()

    return download


with st.expander("Templates: blank files with the right column headings", icon=":material/download:"):
    st.markdown(
        "The workbook has a sheet per table, in the order to fill them in, and a **Notes** sheet listing "
        "every column and the values it accepts. Leave a column blank when you do not know the answer."
    )
    st.download_button(
        "Workbook template (.xlsx, all tables)",
        audited("import template (all tables)", importer.workbook_template_bytes, "xlsx", 0),
        file_name="presence-template.xlsx",
        icon=":material/table_view:",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        key="import_template_xlsx",
    )
    chosen_template = st.selectbox(
        "Or one table as CSV",
        list(TABLE_WORDS),
        index=list(TABLE_WORDS).index("people"),
        format_func=TABLE_WORDS.get,
        key="import_template_table",
    )
    st.download_button(
        f"{TABLE_WORDS[chosen_template]} template (.csv)",
        audited(
            f"import template ({chosen_template})",
            lambda: importer.template_bytes(chosen_template, "csv"),
            "csv",
            0,
        ),
        file_name=f"{chosen_template}.csv",
        mime="text/csv",
        icon=":material/description:",
        on_click="ignore",
        key="import_template_csv",
    )

uploaded = st.file_uploader(
    "File to import",
    type=["csv", "xlsx", "txt", "tsv"],
    key="import_file",
    help="CSV (UTF-8 or Windows; comma, semicolon or tab) or Excel .xlsx, up to 50 MB.",
)
left, middle = st.columns(2)
table_choice = left.selectbox(
    "Table", [AUTO, *TABLE_WORDS], format_func=lambda t: TABLE_WORDS.get(t, t), key="import_table"
)
sheet_choice = ALL_SHEETS
if uploaded is not None:
    try:
        sheets = importer.sheet_names(uploaded.getvalue(), file_name=uploaded.name)
    except ValueError as error:
        st.error(str(error), icon=":material/error:")
        st.stop()
    if sheets:
        sheet_choice = middle.selectbox("Sheet", [ALL_SHEETS, *sheets], key="import_sheet")
dry_run = st.toggle(
    "Check only (dry run): show what would change, write nothing", value=True, key="import_dry"
)
replace = st.toggle(
    "Replace: make each table match this file exactly (rows not in the file are deleted)", value=False,
    key="import_replace", help="Check first: the report says how many rows would be deleted.",
)
# The mapping step's choices outlive its select boxes (they go once every column is resolved).
column_map = st.session_state.setdefault("import_column_map", {})
column_map.update({key.removeprefix(MAP_PREFIX): value for key, value in st.session_state.items()
                   if str(key).startswith(MAP_PREFIX) and value != CHOOSE})
if "import_create_committees" in st.session_state:
    st.session_state["import_committees_confirmed"] = (bool(st.session_state["import_create_committees"]),
                                                       st.session_state.get("import_committee_level"))
create_committees, committee_level = st.session_state.get("import_committees_confirmed", (False, None))
committee_level = committee_level or "operational"

if uploaded is not None and st.button(
    "Check file" if dry_run else "Import file", type="primary", icon=":material/upload:"
):
    try:
        with st.spinner("Checking every row…"):
            report = importer.import_file(
                engine=cache.engine(),
                path_or_bytes=uploaded.getvalue(),
                file_name=uploaded.name,
                table=None if table_choice == AUTO else table_choice,
                sheet=None if sheet_choice == ALL_SHEETS else sheet_choice,
                organisation_code=organisation["code"],
                dry_run=dry_run,
                user=viewer.email,
                column_map=column_map,
                create_committees=create_committees,
                committee_level=committee_level,
                replace=replace,
                wording="web",
            )
    except ValueError as error:
        st.error(str(error), icon=":material/error:")
        st.stop()
    st.session_state["import_report"] = report

report: importer.ImportReport | None = st.session_state.get("import_report")
if report is not None:
    st.subheader(f"Report: {report.file_name}")
    if report.problems:
        st.error(report.summary(), icon=":material/error:")
    elif report.committed:
        st.success(report.summary(), icon=":material/check_circle:")
    else:
        st.info(report.summary(), icon=":material/info:")
    cells = st.columns(5)
    for cell, (label, value) in zip(
        cells,
        [
            ("Rows read", report.rows_read),
            ("Added", report.added),
            ("Updated", report.updated),
            ("Unchanged", report.unchanged),
            ("Rejected", report.rejected),
        ],
        strict=True,
    ):
        cell.metric(label, f"{value:,}")
    if len(report.tables) > 1:
        st.dataframe([t.__dict__ for t in report.tables], hide_index=True, width="stretch")
    if report.ignored:
        st.caption("Not read: " + "; ".join(report.ignored) + ".")
    for warning in report.warnings:
        st.warning(warning, icon=":material/warning:")
    if report.unrecognised:
        st.markdown("**Column mapping.** These columns are not ones Presence recognises. For each, choose the "
                    "field it holds, or 'ignore' to leave it out; then press the button above again. Your choices "
                    "are remembered for this organisation's next import.")
        fields = importer.mapping_fields(report)
        for sheet_name, heading in report.unrecognised:
            st.selectbox(f"Column '{heading}'" + (f" (sheet {sheet_name})" if sheet_name else ""),
                         [CHOOSE, "ignore", *fields], key=MAP_PREFIX + heading)
    if report.new_committees:
        st.markdown("**New committees.** " + ", ".join(report.new_committees) + (
            " are not activities in Presence yet." if len(report.new_committees) > 1 else
            " is not an activity in Presence yet."))
        st.checkbox("Create the new committees", key="import_create_committees",
                    help="Each becomes a committee at the level chosen below; press the button above again.")
        st.selectbox("Level of the new committees", ["individual", "community", "operational", "strategic",
                                                    "board"], index=2, key="import_committee_level")
    if report.problems:
        st.dataframe(report.problems_frame().drop("file"), hide_index=True, width="stretch")
        st.download_button(
            "Download the problems (.csv)",
            audited(f"import problems of {report.file_name}", report.to_csv, "csv", len(report.problems)),
            file_name=f"{Path(report.file_name).stem}-problems.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
            key="import_problems_csv",
        )

st.subheader("Import log")
st.caption("Every import that was written: who, when, which file, and what changed.")
log = importer.import_log_frame(engine=cache.engine(), organisation_code=organisation["code"])
if log.height:
    st.dataframe(log.drop("organisation"), hide_index=True, width="stretch")
else:
    st.info("Nothing has been imported into this organisation yet.", icon=":material/info:")
