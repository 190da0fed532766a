"""A head start for the first page after the server starts: the records of the organisation a new session opens
are read in a child process while this process imports the rest of the dashboard (the two cores work at once).

``app.py`` calls :func:`start` at the top of its first run, before its heavy imports; the frame store of
``dashboard.cache`` calls :func:`take` when it needs an organisation's frames and has none: it gets the
frames with the change counters read before the child started (so the store reads again whatever changed
since), or None. Only the first run of a server process starts a read: later sessions find the frames in the
store. A read nobody took is stopped when the run ends (:func:`discard`) or the process exits.

This module holds record-level frames only on their way into the store, never in a Streamlit cache.
"""

from __future__ import annotations

import atexit
import logging
import threading
from dataclasses import dataclass

from analytics.loader import Frames, Loading, start_loading
from models.db import get_engine, read_all_data_versions
from models.organisations import organisation_list
from models.settings import get_settings

Counters = dict[tuple[int, str], int]


@dataclass
class _Read:
    url: str
    organisation_id: int
    counters: Counters
    loading: Loading


_lock = threading.Lock()
_started = False
_pending: _Read | None = None


def start(remembered: int | None = None) -> None:
    """On the first call in this process only: read the change counters, choose the organisation (the
    remembered one, else the first by name) and start reading its records in a child process. Does nothing
    when there is nothing to read yet or the settings are unusable (``app.py`` says why, later)."""
    global _started, _pending
    with _lock:
        if _started:
            return
        _started = True
        try:
            url = get_settings().database_url
            engine = get_engine(url)
            with engine.connect() as connection:
                counters = read_all_data_versions(connection)
            # a new session opens the first organisation by name (``cache.all_organisations``)
            organisations = [] if remembered else organisation_list(engine=engine)
            chosen = remembered or (organisations[0]["id"] if organisations else None)
        except Exception as error:  # noqa: BLE001 - a new or older database, or unsafe settings: no head start
            logging.getLogger(__name__).debug("no background read: %s", error)
            return
        if chosen is None:
            return
        _pending = _Read(url, int(chosen), counters, start_loading(engine, int(chosen)))


def take(url: str, organisation_id: int) -> tuple[Counters, Frames] | None:
    """The frames read in the background for this database and organisation, with the change counters read
    before them; None when there are none (any other read is stopped)."""
    global _pending
    with _lock:
        found, _pending = _pending, None
    if found is None:
        return None
    if (found.url, found.organisation_id) != (url, organisation_id):
        found.loading.cancel()
        return None
    return found.counters, found.loading.frames()


def discard() -> None:
    """Stop a background read that nobody took (the first run looked at another page or organisation)."""
    global _pending
    with _lock:
        found, _pending = _pending, None
    if found is not None:
        found.loading.cancel()


atexit.register(discard)
