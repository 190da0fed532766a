"""Set up: the first-run screen (your own organisation, or the fictional demo trust), then the organisation's
levels and its own baselines. The work is in ``models.organisations`` and ``models.importer``."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import cache, filters
from models import importer, organisations, values

st.title("Set up")
viewer = filters.viewer()
known = cache.all_organisations()
engine = cache.engine()

if not known:
    st.markdown(
        "**Welcome to Presence.** The database is empty. Set up your own organisation below (its name, code and "
        "the local authorities it serves), then bring in your register on the **Import data** page, or load a "
        "fictional demo trust to look around first."
    )
    if st.button("Load the fictional demo trust", icon=":material/science:", key="setup_demo"):
        with st.spinner("Creating the demo trust (fictional people only)…"):
            summary = organisations.load_demo(engine=engine)
        st.success(summary, icon=":material/check_circle:")
        st.rerun()

AREAS = values.local_authority_choices()
AREA_LABEL = {code: f"{name} ({code})" for code, name in AREAS}

st.subheader("Create an organisation")
with st.form("setup_organisation", clear_on_submit=False):
    name = st.text_input("Name", placeholder="e.g. South London Mental Health NHS Trust", max_chars=200)
    code = st.text_input("Code", placeholder="e.g. RV5 (your NHS trust code)", max_chars=40,
                         help="A short code that files and commands use to name the organisation.")
    catchment = st.multiselect(
        "Catchment: the local authorities you serve", list(AREA_LABEL), format_func=AREA_LABEL.get,
        placeholder="Type a local authority's name", key="setup_catchment",
        help="The Census baseline is the population of these areas. Each is shown with its ONS code.",
    )
    created = st.form_submit_button("Create organisation", type="primary", icon=":material/add_business:")
if created:
    try:
        organisation = organisations.add_organisation(
            engine=engine, code=code, name=name, catchment=list(catchment), user=viewer.email,
            steward=None if viewer.local_mode else viewer.email,
        )
    except ValueError as error:
        st.error(str(error), icon=":material/error:")
    else:
        st.session_state["f_organisation"] = organisation.id
        st.session_state["setup_created"] = f"Created {organisation.name} ({organisation.code})."
        st.switch_page("views/setup.py")  # not the Overview, which becomes the start page once there is data
if message := st.session_state.pop("setup_created", None):
    st.success(message + " Next: check its levels below, then bring in your register on the Import data page.",
               icon=":material/check_circle:")

f = filters.current()
if f is None:
    st.stop()
if not viewer.can("admin", f.organisation_id):
    st.info("Only a data steward of this organisation can change its levels and baselines.", icon=":material/lock:")
    st.stop()

st.subheader(f"Levels of {f.organisation_name}")
st.caption(
    "From individual care (top row) to the board (bottom row). Rename a level, change the order with the "
    "'Order' numbers, add a row for a level of your own, and tick the levels where decisions are made: the "
    "Overview and the Decision-making page look at those."
)
levels = organisations.levels_frame(engine=engine, organisation_id=f.organisation_id)
edited = st.data_editor(
    levels.select(pl.col("rank").alias("Order"), pl.col("key").alias("Key"), pl.col("name").alias("Name"),
                  pl.col("decision_making").alias("Decisions made here"),
                  pl.col("activities").alias("Activities")),
    num_rows="dynamic", hide_index=True, width="stretch", key=f"setup_levels_{f.organisation_id}",
    disabled=["Activities"],
    column_config={"Key": st.column_config.TextColumn(help="Short key files use, e.g. board")},
)
if st.button("Save levels", icon=":material/save:", key="setup_save_levels"):
    rows = pl.DataFrame(edited) if not isinstance(edited, pl.DataFrame) else edited
    rows = rows.filter(pl.col("Key").is_not_null()).sort("Order", nulls_last=True, maintain_order=True)
    choices = [organisations.LevelChoice(str(k).strip(), str(n or k), bool(d))
               for k, n, d in rows.select("Key", "Name", "Decisions made here").iter_rows()]
    try:
        changes = organisations.set_levels(engine=engine, organisation_id=f.organisation_id, levels=choices,
                                           user=viewer.email)
    except ValueError as error:
        st.error(str(error), icon=":material/error:")
    else:
        st.success("Levels saved: " + ("; ".join(f"{k} {', '.join(v)}" for k, v in changes.items() if v)
                                       or "nothing changed") + ".", icon=":material/check_circle:")

st.subheader("Your own baseline")
st.caption(
    "Compare involvement with a population of your own, such as your caseload by ethnicity. The file needs the "
    "columns source, year, geography_code, geography_name, characteristic, group and count (see the README). "
    "You see a preview and a check first; nothing is written until you press 'Import baseline'."
)
uploaded = st.file_uploader("Baseline file (.csv or .xlsx)", type=["csv", "xlsx"], key="setup_baseline")
if uploaded is not None:
    organisation = next(o for o in known if o["id"] == f.organisation_id)
    try:
        preview = importer.preview_rows(uploaded.getvalue(), file_name=uploaded.name)
        check = importer.import_file(engine=engine, path_or_bytes=uploaded.getvalue(), file_name=uploaded.name,
                                     table="baselines", organisation_code=organisation["code"], dry_run=True,
                                     user=viewer.email, wording="web")
    except ValueError as error:
        st.error(str(error), icon=":material/error:")
        st.stop()
    st.markdown("**Preview** (the first rows as read)")
    st.dataframe(preview, hide_index=True, width="stretch")
    if check.problems:
        st.error(check.summary(), icon=":material/error:")
        st.dataframe(check.problems_frame().drop("file"), hide_index=True, width="stretch")
    else:
        st.info(check.summary(), icon=":material/info:")
        if st.button("Import baseline", type="primary", icon=":material/upload:", key="setup_baseline_import"):
            report = importer.import_file(
                engine=engine, path_or_bytes=uploaded.getvalue(), file_name=uploaded.name, table="baselines",
                organisation_code=organisation["code"], user=viewer.email, wording="web",
            )
            st.success(report.summary() + " Choose 'A baseline you supplied' in the sidebar to compare with it.",
                       icon=":material/check_circle:")
