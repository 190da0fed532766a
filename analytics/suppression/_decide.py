"""Which cells of a cell system to hide: the primary cells, then table figures and group cells by the line rule
and the audit, then, for a crossed table, what must be withheld whole."""

from __future__ import annotations

from collections.abc import Sequence, Set
from typing import TYPE_CHECKING

import polars as pl

from analytics import columns as c
from analytics.suppression._cells import CellSystem, Key, View, build_cells, characteristics, crossed_parts
from analytics.suppression._lines import pinned_cells, protect_cells
from analytics.suppression._rules import CROSS_SEPARATOR, is_small

if TYPE_CHECKING:
    from models.settings import Settings


def two_phases(
    system: CellSystem,
    primary: list[bool],
    settings: Settings,
    *,
    hidden: list[bool] | None = None,
    allowed: set[int] | None = None,
    ignore: Set[int] = frozenset(),
    remaining: list[int] | None = None,
) -> list[bool]:
    """Table figures first, from the table lines alone, so that every view of a characteristic (detailed,
    broad and binary ethnicity; the data-quality view) hides the same ones; then group cells, which alone may
    be hidden to protect groups. Everyone counted at a level is public: it is shown for other
    characteristics. ``hidden`` are cells already hidden (default: the primary ones); only ``allowed`` cells
    may be hidden more (default: any); ``remaining`` receives the pinned cells left unprotected."""
    values, lines, free = system.values, system.lines, system.free
    table_ids, people = system.table_ids, system.people_ids
    everything = set(range(len(values)))
    allowed = everything if allowed is None else allowed
    start = list(primary) if hidden is None else [h or p for h, p in zip(hidden, primary, strict=True)]
    known = table_ids | free
    table_lines = [line for line in lines if known.issuperset(line.members)]
    hidden = protect_cells(
        values,
        start,
        primary,
        table_lines,
        settings,
        candidates=(table_ids - people) & allowed,
        public=people,
        free=free,
        ignore=ignore,
    )
    group_ids = (everything - table_ids - free) & allowed
    return protect_cells(
        values,
        hidden,
        primary,
        lines,
        settings,
        candidates=group_ids,
        public=people,
        free=free,
        ignore=ignore,
        remaining=remaining,
    )


def primary_hidden(system: CellSystem, settings: Settings) -> list[bool]:
    return [m or is_small(v, settings) for v, m in zip(system.values, system.missing, strict=True)]


def view_cells(system: CellSystem, view: int) -> set[int]:
    """The cells of one view's rows and table figures (everyone counted excepted: it is public)."""
    rows = {cell for (v, _i), cell in system.row_cell.items() if v == view}
    tables = {cell for (v, _k, col), cell in system.table_cell.items() if v == view and col != c.PEOPLE}
    return rows | tables


def withhold(
    system: CellSystem,
    hidden: list[bool],
    primary: list[bool],
    settings: Settings,
    cells: set[int],
    ignore: Set[int] = frozenset(),
    pinned: list[int] | None = None,
) -> list[bool]:
    """The last resort for a crossed table: while the audit still pins a hidden small count, withhold every
    figure of the crossed table at that level and period (``cells`` by table), zeros included (a "*" there may
    stand for 0); when the pinned count is elsewhere, every crossed table. ``pinned``: the pins already
    known (saves the first audit)."""
    by_table: dict[Key, list[int]] = {}
    for cell in cells:
        by_table.setdefault(system.table_of.get(cell, ()), []).append(cell)
    done: set[Key] = set()
    only: set[int] | None = None  # after withholding, look again only where something changed
    while True:
        if pinned is None:
            pinned = pinned_cells(
                system.values,
                hidden,
                primary,
                system.lines,
                settings,
                system.people_ids,
                free=system.free,
                ignore=ignore,
                only=only,
            )
        if not pinned:
            return hidden
        tables = ({t for x in pinned if (t := system.table_of.get(x)) is not None} & set(by_table)) - done
        tables = tables or set(by_table) - done
        if not tables:
            return hidden  # nothing left to withhold: the pins are the single views' own
        only = set(pinned)
        for table in tables:
            for cell in by_table[table]:
                hidden[cell] = True
                system.free.add(cell)
                only.add(cell)
        done |= tables
        pinned = None


def _conservative_crossed(system: CellSystem, views: Sequence[View], settings: Settings) -> list[bool]:
    """A crossed table protected without its single-characteristic views (the reader has them, this code does
    not): its margins are assumed known exactly, its table figures (known, unknown, not stated, not known)
    are withheld (they bound the single views' unknowns), and so is every crossed table at a level and period
    where a group's margin is a small number (the stars of its cells would bound the hidden single-view
    count from below). Returns the starting hidden flags; the withheld cells become free."""
    hidden = primary_hidden(system, settings)
    for view, (rows, tables) in enumerate(views):
        crossed = [ch for ch in characteristics(rows, tables) if crossed_parts(ch)]
        if not crossed or set(crossed_parts(crossed[0])) <= {
            ch for r, t in views for ch in characteristics(r, t)
        }:
            continue
        own = view_cells(system, view)
        table_cells = {
            cell for (v, _k, col), cell in system.table_cell.items() if v == view and col != c.PEOPLE
        }
        margins: dict[Key, int] = {}
        for index in range(rows.height):
            cell = system.row_cell[(view, index)]
            for i, part in enumerate(str(rows[c.GROUP][index]).split(CROSS_SEPARATOR)):
                line = (system.table_of[cell], i, part)
                margins[line] = margins.get(line, 0) + system.values[cell]
        risky = {line[0] for line, total in margins.items() if is_small(total, settings)}
        for cell in own:
            if cell in table_cells or system.table_of.get(cell) in risky:
                hidden[cell] = True
                system.free.add(cell)
    return hidden



def protect_views(
    prepared: Sequence[tuple[pl.DataFrame, pl.DataFrame]], settings: Settings, extra_key: Sequence[str] = ()
) -> tuple[CellSystem, list[bool], list[int]]:
    """The cells of the views, which to hide, and the pinned cells nothing could protect."""
    system = build_cells(prepared, settings, extra_key)
    primary = primary_hidden(system, settings)
    start = _conservative_crossed(system, prepared, settings)
    remaining: list[int] = []
    hidden = two_phases(system, primary, settings, hidden=start, remaining=remaining)
    crossed = {
        cell
        for view, (rows, tables) in enumerate(prepared)
        if any(crossed_parts(ch) for ch in characteristics(rows, tables))
        for cell in view_cells(system, view)
    }
    if crossed and system.free:
        hidden = withhold(system, hidden, primary, settings, crossed, pinned=remaining)
    return system, hidden, remaining
