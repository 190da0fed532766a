"""Everything a page reads, and the only package that caches (``st.cache_data`` / ``st.cache_resource``).

Cache keys are small values: the organisation id, the viewer's scope key (organisation and role), the filter
values and a data version (a cheap fingerprint of the database, so a new import shows up at once).

Person-level rows are never put in ``st.cache_data``. One ``st.cache_resource`` entry (``_FrameStore``) holds
the record-level ``Frames`` (every table, the 4PI ones included) of the last two organisations looked at, one
entry per organisation and data version; they are read only inside this package, to build aggregates,
and never returned to a page.
Record-level results (missing fields, 4PI detail tables, an activity summary) are computed on each call.

Every result a page gets passes through the viewer's access and disclosure rules (``analytics.roles``
says who may see what, ``analytics.protection`` protects each result by its type: ``protect``,
``build_protected`` (a representation with its sibling views), ``protect_likelihood``,
``protect_frame`` with explicit counts for the 4PI results, by the policy of ``analytics.fourpi.disclosure``);
cached aggregates are protected inside the cache for the scope their key stands for. How the results are shown
(hidden counts as "*", readable columns, the disclosure note) is ``dashboard.display``; what they mean is worked
out in ``analytics``: this package only reads, protects and caches.

The rooms, one job each (pages import only this package: ``from dashboard import cache``, then ``cache.X``):

- ``_core``: the sidebar's ``Filters``, the engine, the change counters and data version, the organisations,
  and the access gate (``_require``, ``_protect``, ``_scoped``).
- ``_frame_store``: the record-level ``Frames`` store (``st.cache_resource``) and ``prepare``.
- ``_representation``: the representation and its views (headlines, gaps, trends, outreach, likelihood,
  pipeline) and data quality.
- ``_fourpi``: the 4PI scorecard, its details and the activity pages.
- ``_network``: the Network page and the peer view.
- ``_plans``: outreach plans and the recruitment plan (never cached).
- ``_pack``: the board pack and the public summary.
"""

from __future__ import annotations

from ._core import (
    NO_ACCESS,
    RUN_VERSIONS,
    Filters,
    all_organisations,
    begin_run,
    data_version,
    engine,
    forget_data_version,
    visible_organisations,
)
from ._fourpi import (
    fourpi_activities,
    fourpi_activity_summary,
    fourpi_detail,
    fourpi_periods,
    fourpi_scorecard,
)
from ._frame_store import (
    APPEND_RECHUNK,
    APPENDABLE,
    FRAMES_FED_BY,
    prepare,
)
from ._network import (
    network_benchmark,
    network_funnel,
    network_levels,
    network_members,
    network_over_time,
    network_totals,
    peers,
)
from ._pack import board_pack, board_pack_document, board_pack_file
from ._plans import plan_progress, plan_series, plans, recruitment
from ._representation import (
    available_periods,
    baseline_sources,
    data_quality,
    decision_gaps,
    headlines,
    missing_fields,
    outreach,
    pipeline,
    relative_likelihood,
    representation,
    trends,
)

__all__ = [
    "APPENDABLE",
    "APPEND_RECHUNK",
    "FRAMES_FED_BY",
    "Filters",
    "NO_ACCESS",
    "RUN_VERSIONS",
    "all_organisations",
    "available_periods",
    "baseline_sources",
    "begin_run",
    "board_pack",
    "board_pack_document",
    "board_pack_file",
    "data_quality",
    "data_version",
    "decision_gaps",
    "engine",
    "forget_data_version",
    "fourpi_activities",
    "fourpi_activity_summary",
    "fourpi_detail",
    "fourpi_periods",
    "fourpi_scorecard",
    "headlines",
    "missing_fields",
    "network_benchmark",
    "network_funnel",
    "network_levels",
    "network_members",
    "network_over_time",
    "network_totals",
    "outreach",
    "peers",
    "pipeline",
    "plan_progress",
    "plan_series",
    "plans",
    "prepare",
    "recruitment",
    "relative_likelihood",
    "representation",
    "trends",
    "visible_organisations",
]

# The two st.cache_resource entries, re-exported for the tests and benches that start from a cold cache
# (``cache._engine.clear()``, ``cache._store.clear()``); not for pages.
from ._core import _engine as _engine  # noqa: E402
from ._frame_store import _store as _store  # noqa: E402
