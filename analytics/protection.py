"""Applying disclosure control to results: what a permitted viewer receives of each kind of result.

Protection dispatches on the *type* of a result, never on its column names (:func:`protect` is a
``functools.singledispatch`` function with one protector per result type):

* :class:`~analytics.representation.Representation`: the organisation scope and the representation rules
  (:func:`protect_representation`): a board member, outreach worker or viewer receives suppressed, rounded
  figures (:mod:`analytics.suppression`); a data steward or equality lead receives the exact figures marked
  ``not_for_publication``;
* :class:`~analytics.trends.Trend`: its series as :class:`GroupRows`, its summary as figures without counts;
* a frame says what it is by the wrapper it travels in: :class:`GroupRows` (representation-shaped rows: a
  pipeline, a trend series, decision gaps), :class:`CommitteeRows` and :class:`OutreachList` (level rows from
  a protected representation plus activity rows counted from the records), :class:`QualityTable` (the
  data-quality view), :class:`LikelihoodTable` (the relative-likelihood view), :class:`RecordList` (one row
  per record) and :class:`CountTable` (any other counts of people, with the count columns named);
* a bare frame is accepted only when it is already protected (it carries the disclosure flags); anything
  else is refused with :data:`ERROR_UNTYPED` (deny by default);
* text, numbers and ``None`` pass after the access check (they must be built from protected results); lists,
  tuples and dicts are protected item by item.

:func:`build_protected` builds and protects a representation with the other views of the same people (the
ethnicity family, or for a crossed table ``(a, b)`` its two single views: joint protection);
:func:`protect_likelihood` protects the relative-likelihood view with the level tables. :func:`publishable`
turns a protected frame into a download.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import singledispatch
from typing import Any

import polars as pl

from analytics import columns as c
from analytics import suppression
from analytics.protected import (
    ERROR_EXACT_TO_RESTRICTED,
    LIKELIHOOD_COUNTS,
    _already_protected,
    _only_organisation,
    build_protected,
    protect_likelihood,
    protect_representation,
    published_likelihood,
)
from analytics.representation import Representation
from analytics.roles import Viewer, require
from analytics.trends import Trend
from models.settings import Settings, get_settings

__all__ = [
    "ERROR_BUILT_FROM_EXACT",
    "ERROR_EXACT_TO_RESTRICTED",
    "ERROR_UNTYPED",
    "KEY_INTEGER_COLUMNS",
    "LIKELIHOOD_COUNTS",
    "CommitteeRows",
    "CountTable",
    "GroupRows",
    "LikelihoodTable",
    "OutreachList",
    "QualityTable",
    "RecordList",
    "build_protected",
    "protect",
    "protect_frame",
    "protect_likelihood",
    "protect_representation",
    "publishable",
    "published_likelihood",
    "safe_for_spreadsheet",
]

ERROR_BUILT_FROM_EXACT = (
    "This result was built from exact figures, so it cannot be shown to a role that sees suppressed figures: "
    "build it from the protected representation."
)
ERROR_UNTYPED = (
    "Presence does not know what kind of result this is ({kind}), so it cannot protect it: wrap the frame in "
    "the result type that says what it counts (GroupRows, QualityTable, CountTable, ...)."
)
ERROR_UNKNOWN_KIND = "'{kind}' is not a kind of result; use aggregate, outreach or record_level."

# Integer columns of analytics frames that are keys, not counts of people.
KEY_INTEGER_COLUMNS = frozenset(
    {
        c.LEVEL_RANK,
        c.ORGANISATION_ID,
        "id",
        "rank",
        "year",
        "cycle",
        "priority",
        "period_index",
        "activity_id",
        "level_id",
    }
)

# --- Result types (what a frame is, said by the code that built it) -----------------------------------------


@dataclass(frozen=True)
class GroupRows:
    """Representation-shaped rows (group, involved, total, ...): a pipeline, a trend series, decision gaps."""

    frame: pl.DataFrame


@dataclass(frozen=True)
class CommitteeRows:
    """Level rows taken from a protected representation plus activity (committee) rows counted from the
    records (:func:`analytics.outreach.outreach_list`, shown as figures about groups)."""

    frame: pl.DataFrame


@dataclass(frozen=True)
class OutreachList(CommitteeRows):
    """The outreach working list: committee rows with priorities; needs the 'outreach' permission."""


@dataclass(frozen=True)
class QualityTable:
    """The data-quality view (:func:`analytics.quality.data_quality`): people, declared, not stated, not
    known per level x characteristic x period."""

    frame: pl.DataFrame


@dataclass(frozen=True)
class LikelihoodTable:
    """The relative-likelihood view (:func:`analytics.decision.relative_likelihood`); ``levels`` is the
    protected representation of the same characteristic, period and involvement (see
    :func:`protect_likelihood`)."""

    frame: pl.DataFrame
    levels: Representation | None = None


@dataclass(frozen=True)
class RecordList:
    """One row per record, with its reference: only for roles with record-level lists, always exact."""

    frame: pl.DataFrame


@dataclass(frozen=True)
class CountTable:
    """Any other frame of counts of people (see :func:`protect_frame` for ``counts``, ``derived`` and
    ``lines``)."""

    frame: pl.DataFrame
    counts: Sequence[str] | None = None
    derived: Mapping[str, pl.Expr | None] | None = None
    lines: Sequence[Sequence[str]] = field(default_factory=tuple)


# --- The dispatcher ----------------------------------------------------------------------------------------


@singledispatch
def protect(result: Any, viewer: Viewer, organisation_id: int, settings: Settings | None = None) -> Any:
    """``result`` as this viewer may receive it (the dashboard's gate), chosen by the result's type.

    Raises ``PermissionError`` when the viewer may not see the organisation (or the kind of result),
    ``TypeError`` (:data:`ERROR_UNTYPED`) for a result whose kind it does not know.
    """
    require(viewer, "aggregates", organisation_id)
    raise TypeError(ERROR_UNTYPED.format(kind=type(result).__name__))


@protect.register(type(None))
@protect.register(str)
@protect.register(int)
@protect.register(float)
@protect.register(bool)
def _plain(result: Any, viewer: Viewer, organisation_id: int, settings: Settings | None = None) -> Any:
    """Text and numbers: passed after the access check (they must be built from protected results)."""
    require(viewer, "aggregates", organisation_id)
    return result


@protect.register(Representation)
def _representation(
    result: Representation, viewer: Viewer, organisation_id: int, settings: Settings | None = None
) -> Representation:
    return protect_representation(result, viewer, organisation_id, settings)


@protect.register(Trend)
def _trend(result: Trend, viewer: Viewer, organisation_id: int, settings: Settings | None = None) -> Trend:
    require(viewer, "aggregates", organisation_id)
    if not viewer.exact(organisation_id):
        _from_published(result.series, settings or get_settings())
    return result._replace(
        series=_protect_group_rows(GroupRows(result.series), viewer, organisation_id, settings),
        summary=protect_frame(result.summary, viewer, organisation_id, counts=(), derived={}, settings=settings),
    )


@protect.register(pl.DataFrame)
def _bare_frame(
    result: pl.DataFrame, viewer: Viewer, organisation_id: int, settings: Settings | None = None
) -> pl.DataFrame:
    """A frame without its type: passed only when already protected for this viewer."""
    require(viewer, "aggregates", organisation_id)
    frame = _only_organisation(result, organisation_id)
    if suppression.is_protected(frame):
        return _already_protected(frame, viewer, organisation_id)
    raise TypeError(ERROR_UNTYPED.format(kind="a frame with no result type"))


@protect.register(GroupRows)
def _protect_group_rows(
    result: GroupRows, viewer: Viewer, organisation_id: int, settings: Settings | None = None
) -> pl.DataFrame:
    require(viewer, "aggregates", organisation_id)
    frame = _only_organisation(result.frame, organisation_id)
    if suppression.is_protected(frame):
        return _already_protected(frame, viewer, organisation_id)
    if viewer.exact(organisation_id):
        return suppression.mark_exact(frame, suppression.ROW_COUNTS)
    rows, _ = suppression.suppress_representation(frame, None, settings or get_settings())
    return rows


@protect.register(CommitteeRows)
def _protect_committee_rows(
    result: CommitteeRows, viewer: Viewer, organisation_id: int, settings: Settings | None = None
) -> pl.DataFrame:
    permission = "outreach" if isinstance(result, OutreachList) else "aggregates"
    require(viewer, permission, organisation_id)
    frame = _only_organisation(result.frame, organisation_id)
    if suppression.is_protected(frame):
        return _already_protected(frame, viewer, organisation_id)
    if viewer.exact(organisation_id):
        return suppression.mark_exact(frame, suppression.ROW_COUNTS)
    return _published_committee_rows(frame, settings or get_settings())


@protect.register(QualityTable)
def _protect_quality(
    result: QualityTable, viewer: Viewer, organisation_id: int, settings: Settings | None = None
) -> pl.DataFrame:
    require(viewer, "aggregates", organisation_id)
    frame = _only_organisation(result.frame, organisation_id)
    if suppression.is_protected(frame):
        return _already_protected(frame, viewer, organisation_id)
    if viewer.exact(organisation_id):
        return suppression.mark_exact(frame, _integer_counts(frame))
    if {c.LEVEL_KEY, c.PERIOD} <= set(frame.columns):  # the full view: the representation's table rules
        return suppression.suppress_tables(frame, settings or get_settings())
    counts = _integer_counts(frame)  # a summary of it: people = declared + unknown, unknown = its two parts
    lines: list[tuple[str, ...]] = []
    if {c.PEOPLE, c.TOTAL, c.UNKNOWN} <= set(counts):
        lines.append((c.PEOPLE, c.TOTAL, c.UNKNOWN))
        if {c.NOT_STATED, c.NOT_KNOWN} <= set(counts):
            lines.append((c.UNKNOWN, c.NOT_STATED, c.NOT_KNOWN))
    derived: dict[str, pl.Expr | None] = {n: None for n, dtype in frame.schema.items() if dtype.is_float()}
    if c.DECLARATION_RATE in derived and {c.PEOPLE, c.TOTAL} <= set(counts):
        derived[c.DECLARATION_RATE] = (
            pl.when(pl.col(c.PEOPLE) > 0).then(pl.col(c.TOTAL) / pl.col(c.PEOPLE)).otherwise(None)
        )
    return suppression.suppress_frame(frame, counts, derived=derived, lines=lines, settings=settings)


@protect.register(LikelihoodTable)
def _protect_likelihood_table(
    result: LikelihoodTable, viewer: Viewer, organisation_id: int, settings: Settings | None = None
) -> pl.DataFrame:
    return protect_likelihood(result.frame, viewer, organisation_id, levels=result.levels, settings=settings)


@protect.register(RecordList)
def _protect_records(
    result: RecordList, viewer: Viewer, organisation_id: int, settings: Settings | None = None
) -> pl.DataFrame:
    return protect_frame(result.frame, viewer, organisation_id, kind="record_level", settings=settings)


@protect.register(CountTable)
def _protect_counts(
    result: CountTable, viewer: Viewer, organisation_id: int, settings: Settings | None = None
) -> pl.DataFrame:
    return protect_frame(
        result.frame,
        viewer,
        organisation_id,
        counts=result.counts,
        derived=result.derived,
        lines=result.lines,
        settings=settings,
    )


@protect.register(dict)
def _protect_mapping(
    result: Mapping[Any, Any], viewer: Viewer, organisation_id: int, settings: Settings | None = None
) -> dict[Any, Any]:
    require(viewer, "aggregates", organisation_id)
    return {k: protect(v, viewer, organisation_id, settings) for k, v in result.items()}


@protect.register(list)
def _protect_list(
    result: list[Any], viewer: Viewer, organisation_id: int, settings: Settings | None = None
) -> list[Any]:
    require(viewer, "aggregates", organisation_id)
    return [protect(v, viewer, organisation_id, settings) for v in result]


@protect.register(tuple)
def _protect_tuple(
    result: tuple[Any, ...], viewer: Viewer, organisation_id: int, settings: Settings | None = None
) -> tuple[Any, ...]:
    require(viewer, "aggregates", organisation_id)
    return tuple(protect(v, viewer, organisation_id, settings) for v in result)


# --- Helpers -----------------------------------------------------------------------------------------------


def _integer_counts(frame: pl.DataFrame) -> list[str]:
    return [
        name
        for name, dtype in frame.schema.items()
        if dtype.is_integer() and name not in KEY_INTEGER_COLUMNS and not name.endswith("_id")
    ]


def _from_published(frame: pl.DataFrame, settings: Settings) -> None:
    if not suppression.looks_published(frame, suppression.ROW_COUNTS, settings):
        raise ValueError(ERROR_BUILT_FROM_EXACT)


def _published_committee_rows(frame: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """Committee rows for a restricted viewer: the level rows must come from a protected representation
    (checked: their counts are all published values); the activity rows, counted from the records, are
    suppressed per activity, with adjusted p-values withheld (the list holds only some groups of each
    activity, not the whole family)."""
    order = frame.columns
    level = frame.filter(pl.col("unit") != "activity")
    _from_published(level, settings)
    activity, _ = suppression.suppress_representation(
        frame.filter(pl.col("unit") == "activity"),
        None,
        settings,
        extra_key=("unit", "activity_ref"),
        adjust=False,
    )
    level = suppression.mark_published(level)
    merged = pl.concat([level, activity], how="diagonal_relaxed")
    return merged.select([*order, *[n for n in merged.columns if n not in order]])


# --- Any other frame of counts -----------------------------------------------------------------------------


def protect_frame(
    frame: pl.DataFrame,
    viewer: Viewer,
    organisation_id: int,
    *,
    kind: str = "aggregate",
    counts: Sequence[str] | None = None,
    derived: Mapping[str, pl.Expr | None] | None = None,
    lines: Sequence[Sequence[str]] = (),
    settings: Settings | None = None,
) -> pl.DataFrame:
    """A frame of counts of people as this viewer may receive it.

    ``kind``: "aggregate" (counts of people: needs 'aggregates'), "outreach" (needs 'outreach') or
    "record_level" (one row per record: needs 'record_level'; returned exact and marked not for publication).
    For restricted viewers the ``counts`` columns (default: every integer column that is not a key) are
    suppressed and rounded, and the ``derived`` figures recomputed or withheld (default: every float column is
    null where a count of its row is hidden and rounded to 2 decimals elsewhere). Representation rows, the
    data-quality view and the likelihood view have their own rules: pass them to :func:`protect` in their
    result types.
    """
    settings = settings or get_settings()
    permission = {"aggregate": "aggregates", "outreach": "outreach", "record_level": "record_level"}.get(kind)
    if permission is None:
        raise ValueError(ERROR_UNKNOWN_KIND.format(kind=kind))
    require(viewer, permission, organisation_id)
    frame = _only_organisation(frame, organisation_id)
    if suppression.is_protected(frame):
        return _already_protected(frame, viewer, organisation_id)
    if kind == "record_level":
        return frame.with_columns(pl.lit(True).alias(suppression.NOT_FOR_PUBLICATION))
    if viewer.exact(organisation_id):
        return suppression.mark_exact(frame, list(counts) if counts is not None else _integer_counts(frame))
    if counts is None:
        counts = _integer_counts(frame)
    if derived is None:
        derived = {name: None for name, dtype in frame.schema.items() if dtype.is_float()}
    return suppression.suppress_frame(frame, counts, derived=derived, lines=lines, settings=settings)


# --- Downloads ---------------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_for_spreadsheet(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells that a spreadsheet would run as a formula (starting = + - @ tab or return) get a leading
    '."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(r"^[=+\-@\t\r]"))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text_columns
    )


def publishable(frame: pl.DataFrame) -> pl.DataFrame:
    """A protected frame ready to download: counts as "*" / numbers, formula-safe text, flags dropped.

    The ``not_for_publication`` column is kept when True, so an exact file carries its mark.
    """
    shown: pl.DataFrame = suppression.display_counts(frame)
    if suppression.NOT_FOR_PUBLICATION in shown.columns and not bool(
        shown[suppression.NOT_FOR_PUBLICATION].any()
    ):
        shown = shown.drop(suppression.NOT_FOR_PUBLICATION)
    return safe_for_spreadsheet(shown)
