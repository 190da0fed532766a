"""Iterative proportional fitting ("raking") of a table to published totals.

A raked table is the table closest to a starting table (the *seed*) whose sums over chosen groupings of its
axes equal published totals (the *margins*). Each pass scales every cell by target / current sum of the
margin cell it falls in, one margin after another, until all of them agree. This is the method national
statistics offices use to estimate a cross-table they do not publish from tables they do.

A margin says, for every axis of the table, which of its own categories each index falls in (``None`` when
the margin adds that axis up entirely): the margin "area x age band" of an (area, single year of age, group)
table maps the area axis to itself, the ages to bands and sums out the groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

ERROR_SHAPE = "Margin {name!r}: its target has shape {got}, but its groupings give {want}."
ERROR_AXES = "Margin {name!r}: it groups {got} axes, but the table has {want}."


@dataclass(frozen=True)
class Margin:
    """Published totals over a grouping of the table's axes.

    ``groups[i]`` maps index ``j`` of axis ``i`` to a category ``groups[i][j]`` of the target (``None``: the
    axis is summed out). ``target`` has one axis per grouped axis, in order.
    """

    name: str
    groups: tuple[np.ndarray | None, ...]
    target: np.ndarray

    def _index(self) -> tuple[np.ndarray, ...]:
        """For every cell of the table, its margin cell (an open mesh of the grouped axes)."""
        grouped = [g for g in self.groups if g is not None]
        index = []
        for k, g in enumerate(grouped):
            shape = [1] * len(grouped)
            shape[k] = -1
            index.append(np.asarray(g).reshape(shape))
        return tuple(index)

    def current(self, table: np.ndarray) -> np.ndarray:
        """The table's sums over this margin's grouping (same shape as ``target``)."""
        summed_out = tuple(i for i, g in enumerate(self.groups) if g is None)
        reduced = table.sum(axis=summed_out) if summed_out else table
        out = np.zeros(self.target.shape)
        np.add.at(out, self._index(), reduced)
        return out

    def fit(self, table: np.ndarray) -> np.ndarray:
        """The table scaled so that this margin is met (cells of a margin cell with total 0 stay 0)."""
        now = self.current(table)
        factor = np.divide(self.target, now, out=np.zeros_like(now), where=now > 0)
        scaled = factor[self._index()]  # one factor per (grouped axes) cell of the table
        shape = [table.shape[i] if g is not None else 1 for i, g in enumerate(self.groups)]
        return table * scaled.reshape(shape)


@dataclass(frozen=True)
class RakeResult:
    table: np.ndarray
    iterations: int
    max_relative_gap: float  # the largest |current - target| / target over every margin cell with target > 0


def relative_gap(table: np.ndarray, margins: Sequence[Margin]) -> float:
    """The largest relative difference between the table's sums and any margin's targets."""
    worst = 0.0
    for margin in margins:
        now = margin.current(table)
        target = margin.target
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = np.where(target > 0, np.abs(now - target) / target, np.where(now > 0, np.inf, 0.0))
        worst = max(worst, float(gap.max()) if gap.size else 0.0)
    return worst


def rake(
    seed: np.ndarray, margins: Sequence[Margin], *, tolerance: float = 1e-9, max_iterations: int = 500
) -> RakeResult:
    """Fit ``seed`` to ``margins`` by iterative proportional fitting; the last margin is met exactly.

    Stops when a full pass changes no cell by more than ``tolerance`` relative to the table total, or after
    ``max_iterations`` passes (published tables carry small random noise, so margins that disagree by a few
    people cannot all be met exactly; ``max_relative_gap`` of the result says how close they came).
    """
    table = np.asarray(seed, dtype=float).copy()
    for margin in margins:
        if len(margin.groups) != table.ndim:
            raise ValueError(ERROR_AXES.format(name=margin.name, got=len(margin.groups), want=table.ndim))
        want = tuple(int(np.max(g)) + 1 for g in margin.groups if g is not None)
        if tuple(margin.target.shape) != want:
            raise ValueError(ERROR_SHAPE.format(name=margin.name, got=margin.target.shape, want=want))
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 - the count is reported
        before = table.copy()
        for margin in margins:
            table = margin.fit(table)
        total = table.sum() or 1.0
        if np.abs(table - before).max() / total < tolerance:
            break
    return RakeResult(table=table, iterations=iterations, max_relative_gap=relative_gap(table, margins))


__all__ = ["Margin", "RakeResult", "rake", "relative_gap"]
