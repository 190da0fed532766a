"""Secondary suppression on cells and lines: the one-hidden-cell rule, and the audit that hides more cells
until no hidden small count can be worked out from several lines together (interval reasoning).

``pinned_cells`` and ``protect_cells`` are one algorithm (bounds tightened line by line, then the nearest cell
hidden, until nothing is pinned); they stay together in this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from analytics.suppression._rules import is_small, round_count

if TYPE_CHECKING:
    from models.settings import Settings


@dataclass(frozen=True)
class Line:
    """Cells a reader can add up: ``parts`` sum to ``total`` (a cell id), or to a figure shown in another
    view.

    ``rule=False`` keeps the line out of the one-hidden-cell rule (its protection is left to rounding and to
    the audit of :func:`pinned_cells`). ``audit=False`` keeps it out of the audit: a rule-only line that is
    not an exact sum (a crossed margin without the people whose other answer is unknown). ``exact=True``: a
    line without a total here whose total the reader is assumed to know exactly (the worst case, for a
    crossed table protected without its single-characteristic views).
    """

    parts: tuple[int, ...]
    total: int | None = None
    rule: bool = True
    audit: bool = True
    exact: bool = False

    @property
    def members(self) -> tuple[int, ...]:
        return self.parts + ((self.total,) if self.total is not None else ())


def secondary_suppression(
    values: Sequence[int], hidden: Sequence[bool], lines: Iterable[Line], candidates: Set[int] | None = None
) -> list[bool]:
    """Hide more cells until no line has exactly one hidden cell; returns the new hidden flags.

    The cell added is the smallest non-zero shown part of the line that may be hidden (``candidates``; ties:
    the lower id), or the line's total when no part is left. A line whose other cells are all zero needs
    nothing more: its hidden cell equals its total, which is then small and hidden too (or the total is shown
    elsewhere and is at least the threshold).
    """
    hidden = list(hidden)
    lines = [line for line in lines if line.rule]

    def allowed(cell: int) -> bool:
        return not hidden[cell] and values[cell] > 0 and (candidates is None or cell in candidates)

    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(hidden[m] for m in line.members) != 1:
                continue
            free = [p for p in line.parts if allowed(p)]
            if not free and line.total is not None and allowed(line.total):
                free = [line.total]
            if free:
                hidden[min(free, key=lambda p: (values[p], p))] = True
                changed = True
    return hidden


def _interval(value: int, hidden: bool, settings: Settings, big: float) -> tuple[float, float]:
    """What a reader knows of a cell: [1, big] when hidden, exactly 0, or the rounding interval (at least the
    threshold)."""
    if hidden:
        return 1.0, big
    if value == 0:
        return 0.0, 0.0
    shown = round_count(value, settings.rounding_base)
    low = shown - settings.rounding_base // 2
    return float(max(low, settings.suppress_below)), float(low + settings.rounding_base - 1)


def _components(n_cells: int, lines: Sequence[Line]) -> list[list[int]]:
    """Groups of line indices that share cells (cells of different periods never meet)."""
    parent = list(range(n_cells))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for line in lines:
        for m in line.members[1:]:
            parent[find(m)] = find(line.members[0])
    groups: dict[int, list[int]] = {}
    for index, line in enumerate(lines):
        groups.setdefault(find(line.members[0]), []).append(index)
    return list(groups.values())


def pinned_cells(
    values: Sequence[int],
    hidden: Sequence[bool],
    primary: Sequence[bool],
    lines: Sequence[Line],
    settings: Settings,
    public: Set[int] = frozenset(),
    max_sweeps: int = 60,
    free: Set[int] = frozenset(),
    ignore: Set[int] = frozenset(),
    only: Set[int] | None = None,
) -> list[int]:
    """Small hidden cells a reader could work out exactly, by interval reasoning over all the lines.

    The reader knows each shown count to within its rounding, that a hidden count is at least 1, the
    ``public`` cells exactly (everyone counted at a level is the same for every characteristic, so the known
    and unknown figures of other characteristics narrow its rounding interval, in the worst case to one
    value), and the total of a line without one here (published elsewhere: to within its rounding, or exactly
    for an ``exact`` line); they assume the cell under attack is 1-7. Bounds are tightened line by line until
    nothing changes, for all attacked cells at once (numpy); a cell whose bounds meet is pinned. ``free``
    cells are known only to be 0 or more: figures never published (the people of a crossed margin whose
    other answer is unknown) and withheld cells (a "*" that may be 0). Pins of ``ignore`` cells are not
    reported; with ``only``, groups of lines without one of those cells are not looked at.
    """
    lines = [line for line in lines if line.parts and line.audit]
    big = float(sum(values) + 1) * 4
    pinned: list[int] = []
    for component in _components(len(values), lines):
        group = [lines[i] for i in component]
        cells = sorted({m for line in group for m in line.members})
        if only is not None and only.isdisjoint(cells):
            continue
        targets = [
            x
            for x in cells
            if primary[x] and hidden[x] and 0 < values[x] < settings.suppress_below and x not in ignore
        ]
        if not targets:
            continue
        position = {cell: i for i, cell in enumerate(cells)}
        bounds = [
            (0.0, big)
            if x in free
            else (float(values[x]), float(values[x]))
            if x in public and not primary[x]
            else _interval(values[x], hidden[x], settings, big)
            for x in cells
        ]
        totals, member_line, member_var = [], [], []
        for line in group:
            if line.total is not None:
                totals.append(position[line.total])
            else:  # the margin shown in another view: a variable of its own
                margin = sum(values[p] for p in line.parts)
                totals.append(len(bounds))
                if line.exact:
                    bounds.append((float(margin), float(margin)))
                else:
                    bounds.append(_interval(margin, is_small(margin, settings), settings, big))
            for p in line.parts:
                member_line.append(len(totals) - 1)
                member_var.append(position[p])
        n_vars, n_lines = len(bounds), len(totals)
        total_of, m_line, m_var = np.array(totals), np.array(member_line), np.array(member_var)
        parts = sparse.csr_matrix((np.ones(len(m_line)), (m_line, m_var)), shape=(n_lines, n_vars))
        parts.sum_duplicates()
        parts.data[:] = 1
        low = np.tile(np.array([b[0] for b in bounds]), (len(targets), 1))
        high = np.tile(np.array([b[1] for b in bounds]), (len(targets), 1))
        rows = np.arange(len(targets))
        target_vars = np.array([position[x] for x in targets])
        high[rows, target_vars] = np.minimum(high[rows, target_vars], settings.suppress_below - 1)
        # the bound updates grouped by the variable they tighten (reduceat over sorted memberships)
        by_var = np.argsort(m_var, kind="stable")
        var_ids, var_starts = np.unique(m_var[by_var], return_index=True)
        by_total = np.argsort(total_of, kind="stable")
        total_ids, total_starts = np.unique(total_of[by_total], return_index=True)
        for _ in range(max_sweeps):
            before_low, before_high = low, high
            sum_low, sum_high = (parts @ low.T).T, (parts @ high.T).T
            cand_low = low[:, total_of[m_line]] - sum_high[:, m_line] + high[:, m_var]
            cand_high = high[:, total_of[m_line]] - sum_low[:, m_line] + low[:, m_var]
            low, high = low.copy(), high.copy()
            low[:, var_ids] = np.maximum(
                low[:, var_ids], np.maximum.reduceat(cand_low[:, by_var], var_starts, axis=1)
            )
            high[:, var_ids] = np.minimum(
                high[:, var_ids], np.minimum.reduceat(cand_high[:, by_var], var_starts, axis=1)
            )
            low[:, total_ids] = np.maximum(
                low[:, total_ids], np.maximum.reduceat(sum_low[:, by_total], total_starts, axis=1)
            )
            high[:, total_ids] = np.minimum(
                high[:, total_ids], np.minimum.reduceat(sum_high[:, by_total], total_starts, axis=1)
            )
            low, high = np.minimum(low, big), np.maximum(high, 0)
            if np.array_equal(low, before_low) and np.array_equal(high, before_high):
                break
        pinned += [x for k, x in enumerate(targets) if low[k, position[x]] >= high[k, position[x]]]
    return pinned


def protect_cells(
    values: Sequence[int],
    hidden: Sequence[bool],
    primary: Sequence[bool],
    lines: Sequence[Line],
    settings: Settings,
    candidates: Set[int] | None = None,
    public: Set[int] = frozenset(),
    audit_lines: Sequence[Line] | None = None,
    free: Set[int] = frozenset(),
    ignore: Set[int] = frozenset(),
    remaining: list[int] | None = None,
) -> list[bool]:
    """Secondary suppression with an audit: the line rule, then more hidden ``candidates`` wherever a hidden
    small count could still be worked out from several lines together (:func:`pinned_cells` over
    ``audit_lines``, default ``lines``). ``free`` cells are known only to be 0 or more; pins of ``ignore``
    cells (already decided elsewhere) are not this call's to fix. ``remaining``, when given, receives the
    pinned cells that no allowed cell could protect."""
    lines = list(lines)
    audit_lines = list(audit_lines) if audit_lines is not None else lines
    hidden = secondary_suppression(values, hidden, lines, candidates)
    lines_of: dict[int, list[Line]] = {}
    for line in audit_lines:
        if not line.audit:
            continue
        for member in line.members:
            lines_of.setdefault(member, []).append(line)

    def allowed(cell: int) -> bool:
        return (
            not hidden[cell]
            and values[cell] > 0
            and cell not in free
            and (candidates is None or cell in candidates)
        )

    def nearest_free(cell: int) -> int | None:
        """The smallest cell that may be hidden on the nearest line: the pinned cell's own lines first, then
        the lines of their cells (a known total is loosened by hiding one of its parts), and so on."""
        seen_cells, frontier = {cell}, [cell]
        for _depth in range(4):
            reached = []
            for member in frontier:
                for line in sorted(
                    lines_of.get(member, []), key=lambda ln: sum(hidden[m] for m in ln.members)
                ):
                    options = [p for p in line.members if allowed(p)]
                    if options:
                        return min(options, key=lambda p: (values[p], p))
                    reached += [m for m in line.members if m not in seen_cells]
            seen_cells.update(reached)
            frontier = list(dict.fromkeys(reached))
        return None

    changed: set[int] | None = None  # cells hidden since the last audit (None: look at everything)
    stuck: set[int] = set()  # pinned cells nothing could be hidden for
    for _ in range(len(values)):
        added = False
        before = list(hidden)
        for cell in pinned_cells(
            values, hidden, primary, audit_lines, settings, public, free=free, ignore=ignore, only=changed
        ):
            extra = nearest_free(cell)
            if extra is not None:
                hidden[extra] = True
                added = True
            else:
                stuck.add(cell)
        if not added:
            break
        hidden = secondary_suppression(values, hidden, lines, candidates)
        changed = {i for i, (now, was) in enumerate(zip(hidden, before, strict=True)) if now != was}
    if remaining is not None:
        remaining.clear()
        if stuck:
            remaining += pinned_cells(
                values, hidden, primary, audit_lines, settings, public, free=free, ignore=ignore, only=stuck
            )
    return hidden
