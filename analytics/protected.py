"""Protecting representations and the relative-likelihood view built from them (used by
:mod:`analytics.protection`, which dispatches every result to its protector).

* :func:`protect_representation` applies the organisation scope and the representation rules: a board member,
  outreach worker or viewer receives suppressed, rounded figures (:mod:`analytics.suppression`); a data
  steward or equality lead receives the exact figures marked ``not_for_publication``;
* :func:`build_protected` builds and protects a representation with the other views of the same people (the
  ethnicity family, or for a crossed table ``(a, b)`` its two single views: joint protection);
* :func:`protect_likelihood` protects the relative-likelihood view (no counts for restricted roles; ratios
  from rounded counts, only where the counts and, with ``levels``, the level tables allow).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import polars as pl

from analytics import columns as c
from analytics import suppression
from analytics.representation import Representation
from analytics.roles import Viewer, require
from models.settings import Settings, get_settings

__all__ = [
    "ERROR_EXACT_TO_RESTRICTED",
    "LIKELIHOOD_COUNTS",
    "build_protected",
    "protect_likelihood",
    "protect_representation",
    "published_likelihood",
]

ERROR_EXACT_TO_RESTRICTED = "Exact figures were about to reach a role that may only see suppressed ones."
LIKELIHOOD_COUNTS = ("decision_making_n", "other_only_n")


def _only_organisation(frame: pl.DataFrame, organisation_id: int) -> pl.DataFrame:
    if c.ORGANISATION_ID in frame.columns:
        return frame.filter(pl.col(c.ORGANISATION_ID) == organisation_id)
    return frame


def _already_protected(frame: pl.DataFrame, viewer: Viewer, organisation_id: int) -> pl.DataFrame:
    """A frame that went through protection before: passed unless it is exact and the viewer restricted."""
    if viewer.exact(organisation_id) or not bool(frame[suppression.NOT_FOR_PUBLICATION].any()):
        return frame
    raise ValueError(ERROR_EXACT_TO_RESTRICTED)



# --- Representations ---------------------------------------------------------------------------------------


def _frames_of(rep: Representation, organisation_id: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    return _only_organisation(rep.rows, organisation_id), _only_organisation(rep.tables, organisation_id)


def _characteristic_of(view: tuple[pl.DataFrame, pl.DataFrame]) -> str | None:
    rows, tables = view
    for frame in (rows, tables):
        if frame is not None and c.CHARACTERISTIC in frame.columns and frame.height:
            return str(frame[c.CHARACTERISTIC][0])
    return None


def protect_representation(
    rep: Representation,
    viewer: Viewer,
    organisation_id: int,
    settings: Settings | None = None,
    *,
    together_with: Sequence[Representation] = (),
) -> Representation:
    """The representation this viewer may receive: suppressed for restricted roles, exact and marked
    otherwise.

    ``together_with`` are the other views of the same people and filters (the detailed, broad and binary
    ethnicity tables: see :func:`build_protected`), protected jointly so that no view gives away what another
    hides. For a crossed ``rep`` (two characteristics), ``together_with`` are the single-characteristic views
    and their families: the crossed table is protected jointly with them
    (:func:`analytics.suppression.suppress_crossed`), they are published as on their own pages. A crossed
    ``rep`` without them gets the conservative rule (see SECURITY.md). Raises ``PermissionError`` when the
    viewer may not see the organisation.
    """
    require(viewer, "aggregates", organisation_id)
    rows, tables = _frames_of(rep, organisation_id)
    if suppression.is_protected(rows):
        _already_protected(rows, viewer, organisation_id)
        return replace(rep, rows=rows, tables=tables)
    if viewer.exact(organisation_id):
        rows = suppression.mark_exact(rows, suppression.ROW_COUNTS)
        tables = suppression.mark_exact(tables, suppression.TABLE_COUNTS)
        return _with_joiners(replace(rep, rows=rows, tables=tables), [rep], viewer, organisation_id, settings)
    others = [_frames_of(o, organisation_id) for o in together_with]
    settings = settings or get_settings()
    parts = suppression.crossed_parts(rep.characteristic)
    if len(parts) == 2 and others:
        families = [
            [
                view
                for view in others
                if suppression.family(_characteristic_of(view) or "")[0] == suppression.family(p)[0]
            ]
            for p in parts
        ]
        (rows, tables), _ = suppression.suppress_crossed((rows, tables), families, settings)
        return _with_joiners(replace(rep, rows=rows, tables=tables), [], viewer, organisation_id, settings)
    rows, tables = suppression.suppress_views([(rows, tables), *others], settings)[0]
    crossed = len(parts) > 1
    family = [] if crossed else [rep, *together_with]
    return _with_joiners(replace(rep, rows=rows, tables=tables), family, viewer, organisation_id, settings)


def _with_joiners(
    rep: Representation,
    family: Sequence[Representation],
    viewer: Viewer,
    organisation_id: int,
    settings: Settings | None,
    index: int = 0,
) -> Representation:
    """``rep`` with its joiners (the people who joined each level in each period, behind the trend test) as
    this viewer may use them: exact and marked for exact roles; for the others suppressed and rounded jointly
    with the joiners of the other views of the same people (``family``, in the same order as their rows were
    protected; ``rep`` is ``family[index]``), so that a trend p-value says no more than published counts
    would. A crossed table's joiners are not given to restricted viewers (empty ``family``): its trends are
    not tested for them."""
    if rep.joiners is None:
        return rep
    if viewer.exact(organisation_id):
        joiners = suppression.mark_exact(_only_organisation(rep.joiners, organisation_id), suppression.ROW_COUNTS)
        return replace(rep, joiners=joiners)
    views = [member.joiners for member in family]
    present = [v for v in views if v is not None]
    if not views or len(present) != len(views):
        return replace(rep, joiners=None)
    published = suppression.suppress_views(
        [(_only_organisation(v, organisation_id), None) for v in present], settings or get_settings()
    )
    return replace(rep, joiners=published[index][0])


def build_protected(
    build: Callable[[Any], Representation],
    characteristic: str | tuple[str, str],
    viewer: Viewer,
    organisation_id: int,
    settings: Settings | None = None,
) -> Representation:
    """Build the representation for ``characteristic`` with ``build(characteristic)`` and protect it for the
    viewer; for a restricted viewer, the other views of the same people (detailed / broad / binary ethnicity)
    are built too and protected jointly, so each view hides what the others would give away.

    ``build`` is typically ``lambda ch: representation_table(frames, characteristic=ch, period=..., ...)``. A
    sibling view that cannot be built (say, no baseline for it) is left out: its totals are then treated as
    published elsewhere, the cautious assumption. The family is always protected in the same order, so each
    view is the same whichever of them was asked for.

    ``characteristic`` may be a pair ``(a, b)``: the crossed (intersectional) table, built with
    ``build((a, b))``. For a restricted viewer it is protected jointly with the single views of ``a`` and
    ``b`` (and their families), built with ``build(a)`` and ``build(b)`` and published exactly as on their own
    pages.
    """
    require(viewer, "aggregates", organisation_id)
    if isinstance(characteristic, tuple | list):
        crossed = tuple(characteristic)
        rep = build(crossed)
        if viewer.exact(organisation_id):
            return protect_representation(rep, viewer, organisation_id, settings)
        singles = [
            built
            for part in dict.fromkeys(crossed)
            for built in _family_views(build, part).values()
        ]
        return protect_representation(rep, viewer, organisation_id, settings, together_with=singles)
    rep = build(characteristic)
    if viewer.exact(organisation_id) or suppression.is_protected(rep.rows):
        return protect_representation(rep, viewer, organisation_id, settings)
    views = _family_views(build, characteristic, built={characteristic: rep})
    order = list(views)
    published = suppression.suppress_views(
        [_frames_of(views[ch], organisation_id) for ch in order], settings or get_settings()
    )
    rows, tables = published[order.index(characteristic)]
    return _with_joiners(
        replace(rep, rows=rows, tables=tables),
        [views[ch] for ch in order],
        viewer,
        organisation_id,
        settings,
        index=order.index(characteristic),
    )


def _family_views(
    build: Callable[[Any], Representation], characteristic: str, built: dict[str, Representation] | None = None
) -> dict[str, Representation]:
    """The representations of ``characteristic``'s family in family order (those that can be built)."""
    views: dict[str, Representation] = {}
    for member in suppression.family(characteristic):
        if built and member in built:
            views[member] = built[member]
            continue
        try:
            views[member] = build(member)
        except ValueError:
            if member == characteristic:
                raise
    return views


# --- Relative likelihood -----------------------------------------------------------------------------------


def protect_likelihood(
    frame: pl.DataFrame,
    viewer: Viewer,
    organisation_id: int,
    *,
    levels: Representation | None = None,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """The relative-likelihood view (:func:`analytics.decision.relative_likelihood`) as this viewer may
    receive it.

    Its counts (people at a decision-making level, people only at other levels) are not sums of the level
    tables' cells but are tied to them (with one decision-making level they *are* that level's cells), so a
    restricted viewer gets no counts at all (null, flagged as hidden). The likelihood, the relative
    likelihood and its interval are computed from the counts rounded to the rounding base, and shown only
    where both counts of the group and of the reference group are at least the threshold; with ``levels``
    (the protected representation of the same characteristic, period and involvement) also only where none
    of the group's cells at any level of that period is hidden, so the view cannot narrow a cell the level
    tables hide. Exact roles get the frame unchanged, marked not for publication.
    """
    settings = settings or get_settings()
    require(viewer, "aggregates", organisation_id)
    frame = _only_organisation(frame, organisation_id)
    if suppression.is_protected(frame):
        return _already_protected(frame, viewer, organisation_id)
    if viewer.exact(organisation_id):
        return suppression.mark_exact(frame, LIKELIHOOD_COUNTS)
    return published_likelihood(frame, settings, levels)


def published_likelihood(
    frame: pl.DataFrame, settings: Settings, levels: Representation | None = None
) -> pl.DataFrame:
    """The likelihood figures from the counts rounded to the rounding base, by the engine's own derivation
    (:func:`analytics.decision.with_likelihood`). A count of 1 to threshold - 1 is hidden (so is the group's
    figure, and with a hidden reference group everyone's ratio); 0 is shown as 0, so "no one from this group is
    at a decision-making level" is said from published counts. The counts themselves are not shown."""
    from analytics.decision import with_likelihood

    base, small = settings.rounding_base, settings.suppress_below

    def published(col: str) -> pl.Expr:
        value = pl.col(col)
        return pl.when((value >= small) | (value == 0)).then(suppression.round_expr(value, base))

    decision, other = LIKELIHOOD_COUNTS
    work = frame.with_columns(published(decision).alias("_d"), published(other).alias("_o"))
    if "reference_group" not in work.columns:
        work = work.with_columns(pl.lit(None, dtype=pl.String).alias("reference_group"))
    hidden = None if levels is None else _groups_hidden_in(levels)
    if hidden is not None:
        work = (
            work.join(hidden, on=[c.PERIOD, c.GROUP], how="left", maintain_order="left")
            .with_columns(
                *[pl.when(pl.col("_hidden").is_null()).then(pl.col(x)).alias(x) for x in ("_d", "_o")]
            )
            .drop("_hidden")
        )
    figures = with_likelihood(
        work.select(c.PERIOD, c.GROUP, "reference_group", pl.col("_d").alias(decision), pl.col("_o").alias(other)),
        confidence=settings.confidence,
    )
    everywhere = [True] * frame.height
    names = ["likelihood", "relative_likelihood", c.CI_LOW, c.CI_HIGH, "likelihood_words"]
    return frame.with_columns(
        *[pl.Series(col, [None] * frame.height, dtype=pl.Int64) for col in LIKELIHOOD_COUNTS],
        *[pl.Series(suppression.suppressed_flag(col), everywhere) for col in LIKELIHOOD_COUNTS],
        *[figures[name] for name in names],
        pl.lit(True).alias(suppression.SUPPRESSED),
        pl.lit(True).alias(suppression.ROUNDED),
        pl.lit(False).alias(suppression.NOT_FOR_PUBLICATION),
    )


def _groups_hidden_in(levels: Representation) -> pl.DataFrame | None:
    """(period, group) pairs with a hidden cell at some level of a protected representation."""
    rows = levels.rows
    flag = suppression.suppressed_flag(c.INVOLVED)
    hidden = pl.col(flag) if flag in rows.columns else pl.col(c.INVOLVED).is_null()
    return rows.filter(hidden).select(c.PERIOD, c.GROUP).unique().with_columns(pl.lit(True).alias("_hidden"))
