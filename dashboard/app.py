"""Presence: the Streamlit entry point (``streamlit run dashboard/app.py``). Page set-up, navigation and the
shared sidebar filters only; each page is a file in ``dashboard/pages``."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# `streamlit run dashboard/app.py` puts dashboard/ first on sys.path, where dashboard/data.py would hide the
# top-level `data` package (code lists, demo): import everything from the project root instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))
if getattr(sys.modules.get("data"), "__file__", "") == str(HERE / "data.py"):
    del sys.modules["data"]

import streamlit as st  # noqa: E402

from analytics import access  # noqa: E402
from dashboard import auth, data, filters  # noqa: E402

PAGES = HERE / "pages"

st.set_page_config(page_title="Presence", page_icon=":material/diversity_3:", layout="wide")


def _page(file: str, title: str, icon: str, allowed: set[str], *, default: bool = False) -> st.Page | None:
    """A page when its file exists (pages owned by other parts of the project may not be there yet) and the
    viewer's role includes it (every page checks again)."""
    if not (PAGES / file).exists() or Path(file).stem not in allowed:
        return None
    return st.Page(PAGES / file, title=title, icon=icon, default=default)


def _sections(allowed: set[str]) -> dict[str, list[st.Page]]:
    sections = {
        "Presence": [
            _page("overview.py", "Overview", ":material/dashboard:", allowed, default=True),
            _page("representation.py", "Representation", ":material/grid_on:", allowed),
            _page("decision_making.py", "Decision-making", ":material/account_balance:", allowed),
            _page("trends.py", "Trends", ":material/trending_up:", allowed),
            _page("outreach.py", "Outreach", ":material/campaign:", allowed),
        ],
        "4PI standards": [
            _page("scorecard.py", "4PI scorecard", ":material/fact_check:", allowed),
            _page("activity_view.py", "Activity view", ":material/groups:", allowed),
        ],
        "Data": [
            _page("data_quality.py", "Data quality", ":material/rule:", allowed),
            _page("import_data.py", "Import data", ":material/upload:", allowed),
            _page("methods.py", "Methods and glossary", ":material/menu_book:", allowed),
            _page("admin.py", "Admin", ":material/admin_panel_settings:", allowed),
        ],
    }
    return {name: [p for p in pages if p is not None] for name, pages in sections.items()
            if any(p is not None for p in pages)}


auth.refuse_unsafe_secrets()  # production: a forgeable sign-in cookie secret stops the app here
data.engine()  # create or upgrade the schema on start
viewer = filters.current_viewer()
if not viewer.local_mode:
    viewer = auth.sign_in_gate()  # production: the sign-in page, or a sentence for a user with no role
auth.local_mode_banner()
sections = _sections(access.allowed_pages(viewer, filters.chosen_organisation(viewer)))
if not sections:
    st.info(filters.NO_VISIBLE_ORGANISATION, icon=":material/lock:")
    st.stop()
navigation = st.navigation(sections)
filters.sidebar(viewer)
auth.sign_out_button(viewer)
navigation.run()
