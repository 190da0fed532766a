"""The sidebar filters every page shares: organisation, periods, characteristic, baseline, who is counted.

``sidebar()`` is called once per run by ``app.py`` and keeps its state in ``st.session_state`` (widget keys
start with ``f_``), so a choice made on one page holds on every other. Pages call ``require()`` to get the
current :class:`~dashboard.cache.Filters` and the viewer, or a helpful empty state when there is nothing to
show.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path

import polars as pl
import streamlit as st

from analytics import protection, selections, suppression
from analytics.representation import Representation
from analytics.roles import Viewer
from dashboard import auth, cache, display
from dashboard.auth import current_viewer

STATE_KEY = "filters"
VIEWER_KEY = "_viewer"  # the viewer of this run (roles are read again on every run)
DEFAULT_SPAN = {"quarter": 12, "year": 5}  # periods shown at first: the last three years, or five years
PAGES_DIR = Path(__file__).with_name("views")

DOWNLOAD_HELP = {
    True: "Exact figures, not for publication: the file says so in a not_for_publication column.",
    False: "Suppressed for publication: the same * and rounded counts as on screen.",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NO_ORGANISATION = (
    "There is no data yet. Load the fictional demo trust with `presence demo` (or `make run`), "
    "or bring in your own records on the **Import data** page."
)
NO_VISIBLE_ORGANISATION = "You do not have a role in any organisation yet: ask a data steward to add you."


DATE_FORMAT = "D MMM YYYY"  # every date on every page: "4 Sep 2026" (never "2026-09-04 00:00:00")
DATETIME_FORMAT = "D MMM YYYY, HH:mm"


def date_columns(frame: pl.DataFrame) -> dict:
    """``column_config`` that shows every date column of ``frame`` one way (dates without a time of day)."""
    config = {}
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            config[name] = st.column_config.DateColumn(format=DATE_FORMAT)
        elif isinstance(dtype, pl.Datetime):
            config[name] = st.column_config.DatetimeColumn(format=DATETIME_FORMAT)
    return config


def _keep_valid(key: str, options: list) -> None:
    """Forget a remembered choice that is no longer one of the options (e.g. after a new import)."""
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]


def chosen_organisation(viewer: Viewer) -> int | None:
    """The organisation chosen in the sidebar (before it is drawn): the remembered choice if the viewer may
    still see it, else the first they may see; None when there is none."""
    ids = [o["id"] for o in cache.visible_organisations(viewer, "network")]
    remembered = st.session_state.get("f_organisation")
    return remembered if remembered in ids else (ids[0] if ids else None)


def _organisation(viewer: Viewer) -> dict | None:
    """The sidebar's organisation choice: every organisation the viewer may see at least on the Network page
    (what else they may open for it is decided per page, deny by default)."""
    organisations = cache.visible_organisations(viewer, "network")
    if not organisations:
        return None
    by_id = {o["id"]: o for o in organisations}
    _keep_valid("f_organisation", list(by_id))
    chosen = st.sidebar.selectbox(
        "Organisation", list(by_id), key="f_organisation", format_func=lambda i: by_id[i]["name"],
        help="The organisation whose involvement you are looking at.",
    )
    return by_id[chosen]


def _baseline(organisation_id: int, viewer: Viewer, version: str) -> tuple[str, str | None]:
    sources = cache.baseline_sources(organisation_id, viewer, version)
    kinds = [k for k in display.BASELINE_KINDS if k != "user" or sources]
    _keep_valid("f_baseline", kinds)
    kind = st.sidebar.radio(
        "Compare with", kinds, key="f_baseline", format_func=display.BASELINE_KINDS.get,
        help="The population that involvement is compared with. Census: everyone living in the area the "
             "organisation serves. Need-weighted: the Census adjusted by how often each group is detained "
             "under the Mental Health Act, a sign of need for services. Your own: a baseline you imported, "
             "such as your caseload.",
    )
    source = None
    if kind == "user":
        _keep_valid("f_baseline_source", sources)
        source = st.sidebar.selectbox("Your baseline", sources, key="f_baseline_source")
    elif not sources:
        st.sidebar.caption("No baseline of your own yet: import one (for example your caseload) to compare "
                           "with it.")
    return kind, source


def _period_range(base: cache.Filters, viewer: Viewer) -> tuple[str | None, str | None]:
    try:
        periods = cache.available_periods(base, viewer)
    except ValueError as error:
        st.sidebar.warning(str(error))
        return None, None
    if len(periods) < 2:
        return None, None
    key = f"f_range_{base.period}"
    if key in st.session_state:
        start, end = st.session_state[key]
        if start not in periods or end not in periods:
            del st.session_state[key]
    default_start = periods[max(0, len(periods) - DEFAULT_SPAN[base.period])]
    chosen = st.sidebar.select_slider(
        "Periods", options=periods, value=(default_start, periods[-1]), key=key,
        help="The range of periods shown (at first the last three years, or five years). 'Latest' figures "
             "are for the last period in the range.",
    )
    return chosen[0], chosen[1]


def sidebar(viewer: Viewer) -> cache.Filters | None:
    """Draw the shared filters and remember them (and the viewer) for the pages; None when there is nothing
    to filter."""
    st.session_state[VIEWER_KEY] = viewer
    st.session_state[STATE_KEY] = None
    st.sidebar.header("Show")
    organisation = _organisation(viewer)
    if organisation is None:
        return None
    organisation_id = organisation["id"]
    version = cache.data_version(organisation_id)
    figures = viewer.can("aggregates", organisation_id)  # False for a network viewer: published figures only
    if figures:
        cache.prepare(organisation_id, version, viewer)  # "Loading 151,944 people…" rather than a blank page
    characteristic = st.sidebar.selectbox(
        "Characteristic", list(display.CHARACTERISTIC_LABELS), key="f_characteristic",
        format_func=display.CHARACTERISTIC_LABELS.get,
        help="The equality characteristic to count people by. Ethnicity can be shown in detail, in five "
             "broad groups, or as White / ethnic minority.",
    )
    same_family = suppression.family(characteristic)  # finer or coarser views of the same column
    crossable = [k for k in display.CHARACTERISTIC_LABELS if k not in same_family]
    cross_with = st.sidebar.selectbox(
        "Crossed with", [None, *crossable], key="f_cross_with",
        format_func=lambda k: "Nothing (one characteristic)" if k is None else display.CHARACTERISTIC_LABELS[k],
        help="Intersectional view: count people by two characteristics together, for example Black women. "
             "The baseline multiplies the two population shares, as if the characteristics were independent.",
    )
    period = st.sidebar.segmented_control(
        "Period", list(display.PERIOD_KINDS), key="f_period", default="quarter",
        format_func=display.PERIOD_KINDS.get, help="Count people per calendar quarter or per calendar year.",
    ) or "quarter"
    involvement = st.sidebar.radio(
        "Who is counted", list(display.INVOLVEMENT_FILTERS), key="f_involvement",
        format_func=display.INVOLVEMENT_FILTERS.get,
        help="People who are both service users and carers are counted in both.",
    )
    baseline_kind, baseline_source = _baseline(organisation_id, viewer, version) if figures else ("census", None)
    base = cache.Filters(
        organisation_id=organisation_id, organisation_name=organisation["name"],
        characteristic=characteristic, cross_with=cross_with,
        period=period, baseline_kind=baseline_kind, baseline_source=baseline_source, involvement=involvement,
        data_version=version,
    )
    period_from, period_to = _period_range(base, viewer) if figures else (None, None)
    filters = cache.Filters(**{**base.__dict__, "period_from": period_from, "period_to": period_to})
    st.session_state[STATE_KEY] = filters
    return filters


def current() -> cache.Filters | None:
    return st.session_state.get(STATE_KEY)


def viewer() -> Viewer:
    """The viewer of this run, as ``app.py`` found it."""
    found = st.session_state.get(VIEWER_KEY)
    return found if found is not None else current_viewer()


def empty_state() -> None:
    """The message shown when there is no organisation to look at."""
    viewer_ = viewer()
    if cache.all_organisations() and not cache.visible_organisations(viewer_):
        st.info(NO_VISIBLE_ORGANISATION)
        return
    st.info(NO_ORGANISATION, icon=":material/info:")
    if (PAGES_DIR / "import_data.py").exists():
        st.page_link(PAGES_DIR / "import_data.py", label="Import data", icon=":material/upload:")


def require(page: str | None = None) -> tuple[cache.Filters, Viewer]:
    """The current filters and viewer; otherwise show the empty state and stop the page. With ``page``, also
    stop unless the viewer's role includes that page (hiding it from the menu is not enough)."""
    filters = current()
    if filters is None:
        empty_state()
        st.stop()
    who = viewer()
    if page is not None:
        auth.require_page(page, who, filters.organisation_id)
    return filters, who


def context_caption(f: cache.Filters, rep=None, frame=None) -> None:
    """One line under a page title saying what is being shown, and one saying what disclosure control did to
    it: "suppressed for publication" (with the rule) for restricted roles, the "not for publication" mark for
    roles that see exact figures."""
    parts = [f.organisation_name, f.characteristic_label, display.INVOLVEMENT_FILTERS[f.involvement].lower()]
    if f.period_from and f.period_to:
        parts.append(f"{f.period_from} to {f.period_to}")
    if rep is not None and getattr(rep, "baseline_description", ""):
        parts.append(f"compared with {rep.baseline_description}")
    st.caption(" · ".join(parts))
    disclosure_caption(f)


def disclosure_caption(f: cache.Filters) -> None:
    """The disclosure note for this viewer and organisation (every page with figures shows it)."""
    who = viewer()
    note = display.disclosure_note(who, f.organisation_id)
    if who.exact(f.organisation_id):
        st.warning(note, icon=":material/policy:")
    else:
        st.caption(f":material/shield: {note}")


def load(function, *args):
    """Call a ``dashboard.cache`` function; show its one-sentence error and stop the page when it fails."""
    try:
        return function(*args)
    except PermissionError as error:
        st.warning(str(error), icon=":material/lock:")
    except ValueError as error:
        st.error(str(error), icon=":material/error:")
    st.stop()


NOBODY_IN_RANGE = "No one is recorded as involved in the chosen periods: widen the period range in the sidebar."


def representation_page(
    page: str, *, empty: str = NOBODY_IN_RANGE
) -> tuple[cache.Filters, Viewer, Representation, str]:
    """The start every representation page shares: the role check, the protected representation for the
    filters with its captions and baseline notice, and its latest period; a helpful message and stop when nobody
    is counted in the chosen periods."""
    f, viewer = require(page)
    rep = load(cache.representation, f, viewer)
    context_caption(f, rep)
    baseline_notice(f, rep)
    period = selections.latest_period(rep.rows)
    if period is None or not selections.has_people(rep):
        st.info(empty, icon=":material/info:")
        st.stop()
    return f, viewer, rep, period


def download_context(f: cache.Filters | None, *, exact: bool, what: str) -> list[tuple[str, str]]:
    """What a downloaded file shows, written into it (Excel: the first sheet; CSV: "# " lines at the top)."""
    rows = [("What", what)]
    if f is not None:
        rows += [
            ("Organisation", f.organisation_name),
            ("Characteristic", f.characteristic_label),
            ("Who is counted", display.INVOLVEMENT_FILTERS.get(f.involvement, f.involvement)),
            ("Periods", f"{f.period_from or 'first'} to {f.period_to or 'latest'} "
                        f"({display.PERIOD_KINDS.get(f.period, f.period).lower()}s)"),
            ("Baseline", display.BASELINE_KINDS.get(f.baseline_kind, f.baseline_kind)
             + (f" ({f.baseline_source})" if f.baseline_source else "")),
        ]
    rows += [
        ("Downloaded", date.today().isoformat()),
        ("Publication", "NOT FOR PUBLICATION: exact figures" if exact else
         "Suppressed for publication: counts of 1 to 7 shown as *, others rounded to the nearest 5"),
        ("Made by", "Presence (open-source); Census 2021 figures: Office for National Statistics, "
                    "Open Government Licence v3.0"),
    ]
    return rows


def download_file(frame: pl.DataFrame, kind: str, sheet: str, *, exact: bool,
                  context: list[tuple[str, str]] | None = None) -> bytes:
    """The bytes of a download: hidden counts as "*", spreadsheet formulas defused
    (``protection.publishable``), and for exact figures a ``not_for_publication`` column so the file carries
    its mark; the context (``download_context``) is written into the file."""
    if exact:
        frame = frame.with_columns(pl.lit(True).alias(suppression.NOT_FOR_PUBLICATION))
    safe = protection.safe_for_spreadsheet(protection.publishable(frame))
    context = context or download_context(current(), exact=exact, what=sheet)
    return display.to_csv(safe, context) if kind == "csv" else display.to_excel(safe, sheet, context)


def downloads(frame: pl.DataFrame, stem: str, sheet: str) -> None:
    """CSV and Excel download buttons for a (protected) table. The files are built only when a button is
    pressed; each download is written to the audit trail (``auth.record_download``) as it happens."""
    f, who = current(), viewer()
    if f is None:
        return
    exact = who.exact(f.organisation_id)
    left, right = st.columns(2)
    buttons = ((left, "csv", "Download CSV", "text/csv"), (right, "xlsx", "Download Excel", XLSX))
    for column, kind, label, mime in buttons:
        column.download_button(
            label, partial(download_file, frame, kind, sheet, exact=exact,
                           context=download_context(f, exact=exact, what=sheet)), file_name=f"{stem}.{kind}",
            mime=mime, icon=":material/download:", key=f"{stem}-{kind}",
            on_click=auth.record_download, args=(who, f.organisation_id, stem),
            kwargs={"rows": frame.height, "file_format": kind}, help=DOWNLOAD_HELP[exact],
        )


def baseline_notice(f: cache.Filters, rep) -> None:
    """Say so when the chosen baseline has no figures for this characteristic (nothing can be compared)."""
    if selections.no_baseline(rep.rows):
        st.warning(f"{rep.baseline_description}. The counts are shown, but nothing can be compared: choose "
                   "another baseline in the sidebar, or import one of your own for "
                   f"{f.characteristic_label.lower()}.", icon=":material/warning:")
