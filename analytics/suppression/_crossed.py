"""A crossed (intersectional) table protected jointly with its two single-characteristic views."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import polars as pl

from analytics.suppression._cells import build_cells, characteristics, crossed_parts, family
from analytics.suppression._decide import primary_hidden, protect_views, two_phases, view_cells, withhold
from analytics.suppression._lines import pinned_cells
from analytics.suppression._publish import prepare_views, publish_view, suppress_views
from analytics.suppression._rules import current_settings

if TYPE_CHECKING:
    from models.settings import Settings


def suppress_crossed(
    crossed: tuple[pl.DataFrame, pl.DataFrame | None],
    singles: Sequence[Sequence[tuple[pl.DataFrame, pl.DataFrame | None]]],
    settings: Settings | None = None,
) -> tuple[tuple[pl.DataFrame, pl.DataFrame], list[list[tuple[pl.DataFrame, pl.DataFrame]]]]:
    """A crossed (intersectional) table protected jointly with its two single-characteristic views.

    ``crossed`` is the exact (rows, tables) of a table of two characteristics ("ethnicity_broad × sex");
    ``singles`` holds, for each of the two, the exact views of its family in family order
    (``[[detailed, broad, binary], [sex]]``: see :func:`family`). Each family is protected exactly as on its
    own page (:func:`suppress_views`, so a single view is the same wherever it appears); then the crossed
    table is protected with those single views as published. The crossed cells sharing a group plus the
    people whose other answer is unknown add up to the single-view cell (:func:`link_crossed`), and only
    crossed figures are hidden more, until no hidden small count in any of the views can be worked out.
    Where that is not enough (the number of "*" in a crossed margin can bound a hidden single-view count
    from below), the crossed table of that level and period is withheld whole, zeros included.

    Returns (published crossed view, published families). A cross of more than two characteristics, or of
    two of one family, gets :func:`suppress_views` (the conservative rule) instead.
    """
    settings = settings or current_settings()
    families = [prepare_views(family_views) for family_views in singles]
    crossed_view = prepare_views([crossed])[0]
    parts = [crossed_parts(ch) for ch in characteristics(*crossed_view)]
    present = [{ch for view in fam for ch in characteristics(*view)} for fam in families]
    joint = (
        len(families) == 2
        and len(parts) == 1
        and len(parts[0]) == 2
        and all(part in chars for part, chars in zip(parts[0], present, strict=True))
        and family(parts[0][0])[0] != family(parts[0][1])[0]
    )
    protected = [protect_views(fam, settings) for fam in families]
    published_families = [
        [publish_view(v, rows, tables, own, own_hidden, settings) for v, (rows, tables) in enumerate(fam)]
        for fam, (own, own_hidden, _remaining) in zip(families, protected, strict=True)
    ]
    if not joint:
        return suppress_views([crossed_view], settings)[0], published_families
    views = [*families[0], *families[1], crossed_view]
    system = build_cells(views, settings)
    primary = primary_hidden(system, settings)
    hidden = list(primary)
    own_pins: set[int] = set()  # pins the single views have on their own
    offset = 0
    for fam, (own, own_hidden, own_remaining) in zip(families, protected, strict=True):
        same: dict[int, int] = {}
        for (v, i), cell in own.row_cell.items():
            same[cell] = system.row_cell[(v + offset, i)]
        for (v, key, col), cell in own.table_cell.items():
            same[cell] = system.table_cell[(v + offset, key, col)]
        for cell, joint_cell in same.items():
            hidden[joint_cell] = own_hidden[cell]
        own_pins.update(same[cell] for cell in own_remaining if cell in same)
        offset += len(fam)
    crossed_cells = view_cells(system, len(views) - 1)
    # pins that remain with the crossed table withheld whole are not the crossed table's to fix: the single
    # views' own, and crossed figures they force (with A's "not stated" 0, the crossed one is B's)
    ignore: set[int] = set()
    if own_pins:
        blank = [h or cell in crossed_cells for cell, h in enumerate(hidden)]
        ignore = set(
            pinned_cells(
                system.values,
                blank,
                primary,
                system.lines,
                settings,
                system.people_ids,
                free=system.free | crossed_cells,
                only=own_pins,
            )
        )
    remaining: list[int] = []
    hidden = two_phases(
        system, primary, settings, hidden=hidden, allowed=crossed_cells, ignore=ignore, remaining=remaining
    )
    hidden = withhold(system, hidden, primary, settings, crossed_cells, ignore=ignore, pinned=remaining)
    rows, tables = crossed_view
    return publish_view(len(views) - 1, rows, tables, system, hidden, settings), published_families
