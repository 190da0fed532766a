"""The record tables as the 4PI indicators read them: the same :class:`analytics.loader.Frames`, with the
columns named in the 4PI vocabulary of :mod:`analytics.columns`.

The loader names columns as the database does (a meeting's ``id``, an attendance's ``status``). The 4PI
functions join many tables, so they name each key after its table (``meeting_id``, ``person_ref``,
``attendance_status``). :data:`RENAMES` is the one place that says how; renaming is free in polars (no data
is copied). :func:`frames_from_rows` goes the other way, for tests and small examples written in the 4PI names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import polars as pl

from analytics import columns as c
from analytics.loader import Frames, make_frames, schemas

RENAMES: dict[str, dict[str, str]] = {
    "organisation": {"id": c.ORGANISATION_ID},
    "levels": {"id": c.LEVEL_ID, "rank": c.LEVEL_RANK, "key": c.LEVEL_KEY, "name": c.LEVEL_NAME},
    "activities": {"id": c.ACTIVITY_ID, "ref": c.ACTIVITY_REF, "name": c.ACTIVITY_NAME},
    "people": {"id": c.PERSON_ID, "ref": c.PERSON_REF},
    "involvements": {"id": c.INVOLVEMENT_ID},
    "meetings": {"id": c.MEETING_ID, "ref": c.MEETING_REF},
    "attendance": {"status": c.ATTENDANCE_STATUS},
    "payments": {"ref": c.PAYMENT_REF, "kind": c.PAYMENT_KIND},
    "support_offers": {"kind": c.SUPPORT_KIND},
    "impact_log": {"ref": c.IMPACT_REF, "area": c.IMPACT_AREA},
    "feedback": {"ref": c.FEEDBACK_REF},
    "review_steps": {"stage": c.REVIEW_STAGE},
}


def table(frames: Frames, name: str) -> pl.LazyFrame:
    """Frame ``name`` of ``frames`` with its columns in the 4PI names."""
    frame: pl.DataFrame = getattr(frames, name)
    return frame.lazy().rename(RENAMES.get(name, {}), strict=False)


def levels(frames: Frames) -> pl.LazyFrame:
    return table(frames, "levels")


def activities(frames: Frames) -> pl.LazyFrame:
    return table(frames, "activities")


def people(frames: Frames) -> pl.LazyFrame:
    return table(frames, "people")


def involvements(frames: Frames) -> pl.LazyFrame:
    return table(frames, "involvements")


def meetings(frames: Frames) -> pl.LazyFrame:
    return table(frames, "meetings")


def attendance(frames: Frames) -> pl.LazyFrame:
    return table(frames, "attendance")


def payments(frames: Frames) -> pl.LazyFrame:
    return table(frames, "payments")


def support_offers(frames: Frames) -> pl.LazyFrame:
    return table(frames, "support_offers")


def impact_log(frames: Frames) -> pl.LazyFrame:
    return table(frames, "impact_log")


def feedback(frames: Frames) -> pl.LazyFrame:
    return table(frames, "feedback")


def review_steps(frames: Frames) -> pl.LazyFrame:
    return table(frames, "review_steps")


def schema(name: str) -> dict[str, pl.DataType]:
    """The schema of frame ``name`` in the 4PI names (derived, like every schema, from ``models.tables``)."""
    renames = RENAMES.get(name, {})
    return {renames.get(col, col): dtype for col, dtype in schemas()[name].items()}


def frames_from_rows(*, as_of: date | None = None, **tables: Sequence[Mapping[str, Any]]) -> Frames:
    """:class:`Frames` from lists of row dicts written in the 4PI names (handy for tests and small examples);
    tables not given are empty, columns not given are null."""
    unknown = set(tables) - set(RENAMES)
    if unknown:
        raise ValueError(f"Frames have no table called {sorted(unknown)[0]!r}.")
    found: dict[str, pl.DataFrame] = {}
    for name, rows in tables.items():
        back = {new: old for old, new in RENAMES[name].items()}
        frame = pl.DataFrame(list(rows), schema=schema(name))
        found[name] = frame.rename(back)
    return make_frames(as_of=as_of, **found)
