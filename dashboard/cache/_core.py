"""The small things every room of the cache shares: the sidebar's :class:`Filters`, the database engine, the
change counters and the data version built from them, the list of organisations, and the access gate every
result passes (``_require`` before, ``_protect`` / ``_scoped`` after).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import streamlit as st
from sqlalchemy.engine import Engine

from analytics import protection, roles
from analytics.roles import Viewer
from analytics.wording import CHARACTERISTIC_LABELS
from models.db import GLOBAL, get_engine, read_all_data_versions, upgrade_schema
from models.organisations import organisation_list
from models.settings import get_settings

NO_ACCESS = "You do not have access to this organisation's figures: ask its data steward for a role."


@dataclass(frozen=True)
class Filters:
    """The sidebar's choices, shared by every page (small, hashable values only)."""

    organisation_id: int
    organisation_name: str
    characteristic: str = "ethnicity_broad"
    period: str = "quarter"
    baseline_kind: str = "census"
    baseline_source: str | None = None
    involvement: str = "all"
    period_from: str | None = None
    period_to: str | None = None
    data_version: str = ""
    cross_with: str | None = None  # a second characteristic for intersectional (crossed) tables

    @property
    def characteristic_label(self) -> str:
        label = CHARACTERISTIC_LABELS.get(self.characteristic, self.characteristic)
        if self.cross_with:
            label += " × " + CHARACTERISTIC_LABELS.get(self.cross_with, self.cross_with).lower()
        return label



# --- Engine, organisations and the data version ------------------------------------------------------------

@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    """One engine per database URL, with the schema brought up to date on first use."""
    engine = get_engine(url)
    upgrade_schema(engine)
    return engine


def engine() -> Engine:
    return _engine(get_settings().database_url)


def _database_key() -> str:
    return hashlib.sha1(get_settings().database_url.encode()).hexdigest()[:10]


RUN_VERSIONS = "_data_versions_this_run"  # st.session_state: the change counters read in this script run


def begin_run() -> None:
    """Called by ``app.py`` first on every run: the change counters are then read at most once per run."""
    st.session_state[RUN_VERSIONS] = None


def _counters() -> dict[tuple[int, str], int]:
    """Every change counter (``models.db.read_data_versions``: a few rows by primary key), read once per
    script run when ``app.py`` started the run with :func:`begin_run` (a page run on its own reads them on
    each call)."""
    memo_on = RUN_VERSIONS in st.session_state
    found = st.session_state.get(RUN_VERSIONS) if memo_on else None
    if found is None:
        with engine().connect() as connection:
            found = read_all_data_versions(connection)
        if memo_on:
            st.session_state[RUN_VERSIONS] = found
    return found


def forget_data_version() -> None:
    """After a write in this run (an import, a form), read the counters again on the next call."""
    if RUN_VERSIONS in st.session_state:
        st.session_state[RUN_VERSIONS] = None


def data_version(organisation_id: int | None = None) -> str:
    """A fingerprint of the database (and of which database) for an organisation: the change counters that
    every import and form bumps in its own transaction (``models.db.bump_data_version``), so cached results
    are never stale, and :func:`_frames` can tell which tables changed. ``None``: the list of organisations."""
    return _version_of(_counters(), organisation_id)


def _version_of(counters: dict[tuple[int, str], int], organisation_id: int | None) -> str:
    wanted = {GLOBAL, organisation_id or GLOBAL}
    parts = [f"{o}.{t}={v}" for (o, t), v in sorted(counters.items()) if o in wanted]
    return _database_key() + ":" + "|".join(parts)




@st.cache_data(show_spinner=False, max_entries=16)
def _organisations(version: str) -> list[dict]:
    return organisation_list(engine=engine())


def all_organisations() -> list[dict]:
    """Every organisation in the database (id, code, name), by name. Not filtered by viewer: see
    :func:`visible_organisations`."""
    return _organisations(data_version())


def visible_organisations(viewer: Viewer, permission: str = "aggregates") -> list[dict]:
    """The organisations this viewer may see (deny by default); with ``permission="network"`` those whose
    published figures they may compare on the Network page (a network viewer's, too)."""
    organisations = all_organisations()
    allowed = set(roles.visible_organisation_ids(viewer, [o["id"] for o in organisations], permission))
    return [o for o in organisations if o["id"] in allowed]


# --- Access ------------------------------------------------------------------------------------------------

def _protect(result: Any, viewer: Viewer, organisation_id: int) -> Any:
    """The single gate every result passes on its way to a page: the viewer's access rules and disclosure
    control (suppressed and rounded counts for restricted roles; exact figures marked not for publication for
    the others). Applying it to an already protected result changes nothing."""
    return protection.protect(result, viewer, organisation_id)


def _scoped(result: Any, scope_key: str, organisation_id: int) -> Any:
    """:func:`_protect` inside a cached function, for the scope the cache key stands for: what is cached is
    already the version that scope may see."""
    return protection.protect(result, roles.scoped_viewer(scope_key), organisation_id)


def _published_scope(scope_key: str, organisation_id: int) -> bool:
    """Whether the scope sees published figures (lists built from records then choose from published ones)."""
    return not roles.scoped_viewer(scope_key).exact(organisation_id)


def _require(viewer: Viewer, organisation_id: int, permission: str = "aggregates") -> str:
    """The viewer's scope key for this organisation; ``PermissionError`` when they may not see it."""
    if not viewer.can(permission, organisation_id):
        raise PermissionError(NO_ACCESS)
    return viewer.scope_key(organisation_id)
