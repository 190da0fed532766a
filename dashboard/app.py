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

from dashboard import data, filters  # noqa: E402

PAGES = HERE / "pages"

st.set_page_config(page_title="Presence", page_icon=":material/diversity_3:", layout="wide")


def _page(file: str, title: str, icon: str, *, default: bool = False) -> st.Page | None:
    """A page when its file exists (pages owned by other parts of the project may not be there yet)."""
    if not (PAGES / file).exists():
        return None
    return st.Page(PAGES / file, title=title, icon=icon, default=default)


def _sections() -> dict[str, list[st.Page]]:
    sections = {
        "Presence": [
            _page("overview.py", "Overview", ":material/dashboard:", default=True),
            _page("representation.py", "Representation", ":material/grid_on:"),
            _page("decision_making.py", "Decision-making", ":material/account_balance:"),
            _page("trends.py", "Trends", ":material/trending_up:"),
            _page("outreach.py", "Outreach", ":material/campaign:"),
        ],
        "4PI standards": [
            _page("scorecard.py", "4PI scorecard", ":material/fact_check:"),
            _page("activity_view.py", "Activity view", ":material/groups:"),
        ],
        "Data": [
            _page("data_quality.py", "Data quality", ":material/rule:"),
            _page("import_data.py", "Import data", ":material/upload:"),
            _page("methods.py", "Methods and glossary", ":material/menu_book:"),
        ],
    }
    return {name: [p for p in pages if p is not None] for name, pages in sections.items()
            if any(p is not None for p in pages)}


data.engine()  # create or upgrade the schema on start
navigation = st.navigation(_sections())
filters.sidebar()
navigation.run()
