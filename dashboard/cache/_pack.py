"""The board pack and the one-page public summary: their figures and sections cached per scope key, filters,
period and data version (``analytics.report`` gathers and renders them).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from analytics import roles
from analytics.roles import Viewer

from ._core import Filters, _require, all_organisations, engine
from ._representation import _baseline_spec

# --- The board pack ------------------------------------------------------------------------------------------

@st.cache_data(show_spinner="Putting the board pack together…", max_entries=8)
def _pack_figures(organisation_id: int, scope_key: str, characteristic: str, baseline_kind: str,
                  baseline_source: str | None, involvement: str, period: str | None, exact: bool, version: str,
                  as_of: date):
    from analytics import report

    code = next(o["code"] for o in all_organisations() if o["id"] == organisation_id)
    baseline = _baseline_spec(baseline_kind, baseline_source)
    request = report.PackRequest(organisation_code=code, period=period, exact=exact,
                                 characteristic=characteristic, baseline=baseline, involvement=involvement,
                                 as_of=as_of)
    return report.gather(engine(), request, roles.scoped_viewer(scope_key))


def board_pack(f: Filters, viewer: Viewer, period: str | None, exact: bool):
    """The figures of the board pack (``analytics.report.PackFigures``) for the sidebar's characteristic,
    baseline and who is counted, one quarter (None: the latest complete one), published or, for roles that
    may see them, exact."""
    scope_key = _require(viewer, f.organisation_id)
    if exact and not viewer.exact(f.organisation_id):
        raise PermissionError("Your role does not allow exact figures: the pack uses published figures.")
    return _pack_figures(f.organisation_id, scope_key, f.characteristic, f.baseline_kind, f.baseline_source,
                         f.involvement, period, exact, f.data_version, date.today())


@st.cache_data(show_spinner=False, max_entries=8)
def _pack_document(organisation_id: int, scope_key: str, characteristic: str, baseline_kind: str,
                   baseline_source: str | None, involvement: str, period: str | None, exact: bool, version: str,
                   as_of: date, kind: str):
    from analytics import report

    figures = _pack_figures(organisation_id, scope_key, characteristic, baseline_kind, baseline_source,
                            involvement, period, exact, version, as_of)
    return report.public_summary(figures) if kind == "public" else report.board_pack(figures)


def board_pack_document(f: Filters, viewer: Viewer, period: str | None, exact: bool, kind: str = "board"):
    """The board pack (or, with ``kind="public"``, the one-page public summary, always published) as sections
    (``analytics.report.Pack``), for the preview and the files."""
    board_pack(f, viewer, period, exact)  # the access checks
    exact = exact and kind != "public"
    return _pack_document(f.organisation_id, viewer.scope_key(f.organisation_id), f.characteristic,
                          f.baseline_kind, f.baseline_source, f.involvement, period, exact, f.data_version,
                          date.today(), kind)


def board_pack_file(f: Filters, viewer: Viewer, period: str | None, exact: bool, file_format: str) -> bytes:
    """The pack (or, for "public", the one-page public summary, always published) as a file."""
    from analytics import report

    pack = board_pack_document(f, viewer, period, exact, "public" if file_format == "public" else "board")
    return report.render(pack, file_format)
