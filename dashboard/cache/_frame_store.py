"""The record-level ``Frames`` (person-level: never in ``st.cache_data``).

One ``st.cache_resource`` entry (:class:`_FrameStore`) holds the ``Frames`` (every table, the 4PI ones
included) of the last two organisations looked at, one entry per organisation and data version. They are read
only inside ``dashboard.cache``, to build aggregates, and never returned to a page. After an import only the
tables whose change counters moved are read again, and rows only added are appended.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

import polars as pl
import streamlit as st

import analytics
from analytics.loader import Frames, load_tables
from analytics.roles import Viewer
from dashboard import warm
from models.db import GLOBAL, NEWEST_ID, REWRITTEN
from models.organisations import people_count
from models.settings import get_settings

from ._core import _version_of, engine


def _table_versions(version: str, organisation_id: int) -> dict[str, int]:
    """{"organisation.table": counter} of one organisation (and the global entries) from its
    :func:`data_version` string."""
    found = {}
    for part in version.split(":", 1)[-1].split("|"):
        if "=" in part:
            key, value = part.rsplit("=", 1)
            if int(key.split(".", 1)[0]) in (GLOBAL, organisation_id):
                found[key] = int(value)
    return found


def _fed(key: str) -> tuple[str, ...]:
    """The Frames tables a counter of :func:`_table_versions` stands for."""
    table = key.split(".", 1)[1].removesuffix(NEWEST_ID).removesuffix(REWRITTEN)
    return FRAMES_FED_BY.get(table, ())



# --- Frames (person-level: never in st.cache_data) ----------------------------------------------------------

# Importer table name -> the Frames tables it feeds.
FRAMES_FED_BY = {
    "organisations": ("organisation",),
    "levels": ("levels",),
    "activities": ("activities",),
    "people": ("people",),
    "involvements": ("involvements",),
    "meetings": ("meetings",),
    "attendance": ("attendance",),
    "baselines": ("baselines",),
    "payments": ("payments",),
    "support": ("support_offers",),
    "impacts": ("impact_log",),
    "feedback": ("feedback",),
    "reviews": ("review_steps",),
}


# The Frames tables with an ``id`` whose new rows may be appended after an import that only added rows.
APPENDABLE = {"people": "people", "activities": "activities", "involvements": "involvements",
              "meetings": "meetings", "attendance": "attendance"}  # Frames table -> importer table
APPEND_RECHUNK = 8  # an appended frame is made contiguous again once it has this many chunks


@dataclass
class _Loaded:
    version: str
    tables: dict[str, int]
    frames: Frames


class _FrameStore:
    """The newest ``Frames`` of the last organisations looked at (at most ``size``), shared by every session.

    After a change only the tables whose change counters moved are read again (an import of attendance
    re-reads the attendance table, not the people), and of a table that only gained rows (an import that added
    rows and updated none) only the rows with a higher id are read and appended; everything else is reused.
    Loads are serialised, so two sessions never read the same organisation at once."""

    def __init__(self, size: int = 2) -> None:
        self.size = size
        self.loaded: dict[int, _Loaded] = {}
        self.lock = threading.Lock()

    def current(self, organisation_id: int, version: str) -> Frames | None:
        """The frames when they are already at least as new as ``version``."""
        found = self.loaded.get(organisation_id)
        if found is None:
            return None
        if found.version == version:
            return found.frames
        wanted = _table_versions(version, organisation_id)
        if all(found.tables.get(t, 0) >= v for t, v in wanted.items()):
            return found.frames  # a request from a run that read the counters before a newer load
        return None

    def changed_tables(self, organisation_id: int, version: str) -> tuple[str, ...] | None:
        """The Frames tables to read again for ``version``; None when everything must be read."""
        found = self.loaded.get(organisation_id)
        if found is None:
            return None
        wanted = _table_versions(version, organisation_id)
        moved = {t for t in set(wanted) | set(found.tables) if wanted.get(t, 0) != found.tables.get(t, 0)}
        return tuple(sorted({frame for t in moved for frame in _fed(t)}))

    def appendable(self, organisation_id: int, version: str) -> dict[str, int]:
        """{Frames table: the highest id read} of the changed tables that only gained rows since they were read:
        the organisation's own counter moved, its last update or deletion is not newer than the version read,
        and nothing else that feeds the table moved (see ``models.db.bump_data_version``)."""
        found = self.loaded.get(organisation_id)
        if found is None:
            return {}
        wanted = _table_versions(version, organisation_id)
        moved = {t for t in set(wanted) | set(found.tables) if wanted.get(t, 0) != found.tables.get(t, 0)}
        result = {}
        for frame, table in APPENDABLE.items():
            own = f"{organisation_id}.{table}"
            feeding = {t for t in moved if frame in _fed(t)}
            if own not in feeding or not feeding <= {own, f"{GLOBAL}.{table}{NEWEST_ID}"}:
                continue
            if wanted.get(own + REWRITTEN, wanted[own]) > found.tables.get(own, 0):
                continue  # updated or deleted since: read it again
            newest = getattr(found.frames, frame)["id"].max()
            result[frame] = int(newest) if newest is not None else 0  # type: ignore[arg-type]
        return result

    def get(self, organisation_id: int, version: str) -> Frames:
        frames = self.current(organisation_id, version)
        if frames is not None:
            return frames
        with self.lock:
            if organisation_id not in self.loaded:
                self._take_head_start(organisation_id)
            frames = self.current(organisation_id, version)
            if frames is not None:
                return frames
            changed = self.changed_tables(organisation_id, version)
            if changed is None:
                frames = analytics.load_frames(engine(), organisation_id=organisation_id)
            else:
                previous = self.loaded[organisation_id].frames
                after = self.appendable(organisation_id, version)
                fresh = load_tables(engine(), organisation_id, changed, after_ids=after) if changed else {}
                for name in after:  # the rows added since, after the ones already read
                    old = getattr(previous, name)
                    fresh[name] = pl.concat([old, fresh[name]], rechunk=old.n_chunks() >= APPEND_RECHUNK)
                frames = replace(previous, **fresh)
            self._keep(organisation_id, version, frames)
            return frames

    def _take_head_start(self, organisation_id: int) -> None:
        """The frames ``app.py`` started reading in the background (``dashboard.warm``), when they are this
        organisation's: kept as of the counters read before them, so whatever changed since is read again."""
        found = warm.take(get_settings().database_url, organisation_id)
        if found is not None:
            counters, frames = found
            self._keep(organisation_id, _version_of(counters, organisation_id), frames)

    def _keep(self, organisation_id: int, version: str, frames: Frames) -> None:
        self.loaded.pop(organisation_id, None)
        while len(self.loaded) >= self.size:
            self.loaded.pop(next(iter(self.loaded)))
        self.loaded[organisation_id] = _Loaded(version, _table_versions(version, organisation_id), frames)


@st.cache_resource(show_spinner=False)
def _store() -> _FrameStore:
    return _FrameStore()


def _frames(organisation_id: int, version: str) -> Frames:
    """One organisation's records for building aggregates, as of ``version``; read only inside ``dashboard.cache``.
    Person-level: kept in :class:`_FrameStore`, never in ``st.cache_data``."""
    return _store().get(organisation_id, version)


def prepare(organisation_id: int, version: str, viewer: Viewer) -> None:
    """Load the organisation's records now, with a spinner that says what is happening ("Loading 151,944
    people…", or "Reading the latest changes…" after an import), so the first page of a session is never
    blank. The sidebar calls this before its first data call; nothing happens when they are loaded already or
    the viewer may not see the organisation's figures."""
    store = _store()
    if not viewer.can("aggregates", organisation_id) or store.current(organisation_id, version) is not None:
        return
    if store.changed_tables(organisation_id, version) is not None:
        message = "Reading the latest changes…"
    else:
        people = people_count(engine=engine(), organisation_id=organisation_id)
        message = f"Loading {people:,} people…"
    with st.spinner(message, show_time=True):
        store.get(organisation_id, version)
