"""Presence: the Streamlit entry point (``streamlit run dashboard/app.py``). Page set-up, navigation and the
shared sidebar filters only; each page is a file in ``dashboard/views``.

The pages live in ``views/``, not ``pages/``: Streamlit treats a ``pages/`` folder beside the main script as an
old-style multipage app, runs a deep-linked page without this script on the first visit after a start, and lists
raw file names in the sidebar. Nothing here touches ``sys.path``: no module in ``dashboard/`` is named like a
top-level package, so the folder Streamlit puts first on the path hides nothing.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

st.set_page_config(page_title="Presence", page_icon=":material/diversity_3:", layout="wide")
OPENED = "_presence_opened"  # st.session_state: this session's first run has finished
# A session's first run imports the code and reads the records: say so at once (st.spinner would wait 0.5 s
# before showing), and only then, so that a filter change does not flash it.
opening = st.empty()
if OPENED not in st.session_state:
    opening.info("Opening Presence…", icon="spinner")

# The first run after the server starts reads the organisation's records in a child process while this one
# imports the rest (dashboard.warm): the two cores work at once.
from dashboard import warm  # noqa: E402

warm.start()
# Imported whole before any page draws: plotly looks pandas up in sys.modules and would use a half-imported
# module while another session's thread is still importing it ("partially initialized module 'pandas' has no
# attribute 'Series'" under concurrent first visits). An import statement waits for the import to finish.
import pandas  # noqa: E402, F401

from analytics import roles  # noqa: E402
from dashboard import auth, cache, filters, preview  # noqa: E402
from models.settings import UnsafeSettingsError  # noqa: E402

HERE = Path(__file__).resolve().parent
PAGES = HERE / "views"


def _page(file: str, title: str, icon: str, allowed: set[str], *, default: bool = False) -> st.Page | None:
    """A page when its file exists (pages owned by other parts of the project may not be there yet) and the
    viewer's role includes it (every page checks again)."""
    if not (PAGES / file).exists() or Path(file).stem not in allowed:
        return None
    return st.Page(PAGES / file, title=title, icon=icon, default=default)


def _sections(allowed: set[str], *, first_run: bool = False) -> dict[str, list[st.Page]]:
    """The menu; on an empty database the Set up page (the first-run screen) opens first."""
    sections = {
        "Presence": [
            _page("overview.py", "Overview", ":material/dashboard:", allowed, default=not first_run),
            _page("representation.py", "Representation", ":material/grid_on:", allowed),
            _page("decision_making.py", "Decision-making", ":material/account_balance:", allowed),
            _page("trends.py", "Trends", ":material/trending_up:", allowed),
            _page("outreach.py", "Outreach", ":material/campaign:", allowed),
            _page("network.py", "Network", ":material/hub:", allowed),
            _page("board_pack.py", "Board pack", ":material/description:", allowed),
        ],
        "4PI standards": [
            _page("scorecard.py", "4PI scorecard", ":material/fact_check:", allowed),
            _page("activity_view.py", "Activity view", ":material/groups:", allowed),
        ],
        "Data": [
            _page("data_quality.py", "Data quality", ":material/rule:", allowed),
            _page("import_data.py", "Import data", ":material/upload:", allowed),
            _page("records.py", "Records", ":material/edit_note:", allowed),
            _page("corrections.py", "Corrections and erasure", ":material/delete:", allowed),
            _page("setup.py", "Set up", ":material/settings:", allowed, default=first_run),
            _page("methods.py", "Methods and glossary", ":material/menu_book:", allowed),
            _page("admin.py", "Admin", ":material/admin_panel_settings:", allowed),
        ],
    }
    return {name: [p for p in pages if p is not None] for name, pages in sections.items()
            if any(p is not None for p in pages)}


# Two accessibility fixes Streamlit's theme cannot make: a focus outline that is always visible (WCAG 2.4.7,
# 2.4.11), and room for the text box of a multiselect full of chosen items (target size, WCAG 2.5.8).
STYLE = """<style>
a:focus-visible, button:focus-visible, input:focus-visible, [role="tab"]:focus-visible,
[tabindex]:focus-visible, summary:focus-visible {
  outline: 3px solid #005EB8 !important; outline-offset: 2px;
}
[data-testid="stMultiSelect"] input[role="combobox"] { min-width: 1.75rem; }
</style>"""


def menu(sections: dict[str, list[st.Page]]) -> None:
    """The sidebar menu: a heading per section and a link per page (the current page is marked by Streamlit
    with aria-current and a highlighted background)."""
    with st.sidebar.container(key="menu"):
        for name, pages in sections.items():
            st.markdown(f"**{name}**")
            for page in pages:
                st.page_link(page, label=page.title, icon=page.icon)


cache.begin_run()  # the change counters are read at most once in this run
try:  # the opening message goes when the page starts drawing, or when a message stops the run
    try:
        auth.refuse_unsafe_secrets()  # production: a forgeable sign-in cookie secret stops the app here
        cache.engine()  # create or upgrade the schema on start; refuses unsafe production settings
    except UnsafeSettingsError as error:
        # The project's own sentence, never Streamlit's redacted "This app has encountered an error".
        st.error(str(error), icon=":material/error:")
        st.stop()
    viewer = filters.current_viewer()
    if not viewer.local_mode:
        viewer = auth.sign_in_gate()  # production: the sign-in page, or a sentence for a user with no role
    auth.local_mode_banner()
    organisation_id = filters.chosen_organisation(viewer)
    viewer = preview.view_as(viewer, organisation_id)  # a data steward may look as another role would
    sections = _sections(roles.allowed_pages(viewer, organisation_id), first_run=not cache.all_organisations())
    if not sections:
        st.info(filters.NO_VISIBLE_ORGANISATION, icon=":material/lock:")
        st.stop()
    # Streamlit's own sectioned menu puts <div>s inside its <ul> (invalid list markup for screen readers); the
    # menu is drawn with st.page_link instead, one link per page under a plain section heading.
    navigation = st.navigation(sections, position="hidden")
    st.html(STYLE)
    menu(sections)
    filters.sidebar(viewer)
    auth.sign_out_button(viewer)
finally:
    opening.empty()
    st.session_state[OPENED] = True
navigation.run()
warm.discard()  # a background read the page did not take (another organisation) stops here
