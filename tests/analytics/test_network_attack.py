"""The attacker of ``test_suppression_attack.py``, given a whole network: every organisation's publication
(detailed, broad and binary ethnicity at every level, protected together as each organisation's pages do) and
the network totals of ``analytics.network.network_total`` for every view, level and group.

The reader's model is the same: the true counts are unknown whole numbers in each organisation's fine cells;
a figure shown as v (not 0) means [v - 2, v + 2] and at least 8, 0 means 0, "*" at least 1. A network total is
the sum of the published counts of the organisations whose figure is shown, so it tells the reader that the
sum of those organisations' cells lies in the sum of their ranges (it is given as its own constraint, as a
reader would use it). For every hidden small count of every organisation, integer programming finds the
smallest and largest value it could have: they must differ. With an **exact** network total (the alternative
this design rejects) the same attacker pins a hidden cell, so the check has teeth.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from analytics import columns as c
from analytics import network
from analytics import suppression as s
from analytics.baselines import BaselineSpec
from analytics.representation import Representation
from data import codes
from tests.analytics.test_suppression_attack import (
    DETAILED,
    LEVELS,
    NOT_KNOWN,
    NOT_STATED,
    SETTINGS,
    Figure,
    build_view,
)

VIEWS = [
    ("detailed", lambda state: state, DETAILED, "ethnicity"),
    ("broad", lambda state: state if state in (NOT_STATED, NOT_KNOWN) else codes.ethnicity_broad(state),
     list(codes.BROAD_GROUPS), "ethnicity_broad"),
    ("binary", lambda state: state if state in (NOT_STATED, NOT_KNOWN) else codes.ethnicity_binary(state),
     [codes.BINARY_WHITE, codes.BINARY_MINORITY], "ethnicity_binary"),
]
STATES = DETAILED + [NOT_STATED, NOT_KNOWN]


@dataclasses.dataclass(frozen=True)
class Published:
    """One organisation: its figures (cells numbered from ``offset``) and its published views as Members."""

    figures: list[Figure]
    members: dict[str, network.Member]  # view name -> Member holding that view's published representation


def _representation(rows: pl.DataFrame, tables: pl.DataFrame, characteristic: str) -> Representation:
    rows = rows.with_columns(pl.lit("2024").alias(c.PERIOD))
    tables = tables.with_columns(
        pl.when(pl.col(c.PEOPLE) > 0).then(pl.col(c.TOTAL) / pl.col(c.PEOPLE)).alias(c.DECLARATION_RATE))
    return Representation(rows=rows, tables=tables, baseline_description="", characteristic=characteristic,
                          period="year", involvement="all", baseline=BaselineSpec(), alpha=SETTINGS.alpha,
                          under_threshold=SETTINGS.under_threshold)


def publish(code: str, counts: dict[tuple, int], offset: int) -> Published:
    """One organisation's three ethnicity views, protected together; figures with cells shifted by offset."""
    fine = {(level, state): counts.get((level, state), 0) for level in LEVELS for state in STATES}
    per_level = {level: [level] for level in LEVELS}
    built = [build_view(fine, per_level, STATES, group_of, groups, ch) for _n, group_of, groups, ch in VIEWS]
    protected = s.suppress_views([(rows, tables) for rows, tables, _ in built], SETTINGS)
    figures, members = [], {}
    for (name, _g, _groups, ch), (rows, tables, cells_of), (out_rows, out_tables) in zip(
            VIEWS, built, protected, strict=True):
        for before, after in zip(rows.iter_rows(named=True), out_rows.iter_rows(named=True), strict=True):
            key = (before[c.LEVEL_KEY], before[c.GROUP])
            cells = frozenset(offset + i for i in cells_of[key])
            figures.append(Figure(f"{code}:{name}", key, cells, before[c.INVOLVED], after[c.INVOLVED]))
        for before, after in zip(tables.iter_rows(named=True), out_tables.iter_rows(named=True), strict=True):
            for col in s.TABLE_COUNTS:
                key = (before[c.LEVEL_KEY], col)
                cells = frozenset(offset + i for i in cells_of[key])
                figures.append(Figure(f"{code}:{name}", key, cells, before[col], after[col]))
        members[name] = network.Member(organisation_id=offset, code=code, name=code,
                                       representation=_representation(out_rows, out_tables, ch))
    return Published(figures, members)


def bounds(f: Figure) -> tuple[float, float]:
    """What a published figure tells the reader about its true value."""
    half = SETTINGS.rounding_base // 2
    if f.shown is None:
        return f.floor, np.inf
    if f.shown == 0:
        return 0, 0
    return max(f.shown - half, SETTINGS.suppress_below), f.shown - half + SETTINGS.rounding_base - 1


def network_constraints(published: list[Published], exact: bool = False) -> list[tuple[frozenset, float, float]]:
    """(cells, low, high) for every network total, from ``network.network_total`` on the published figures;
    with ``exact``, the rejected alternative: the exact sum over every organisation."""
    out = []
    for name, _g, groups, _ch in VIEWS:
        members = [p.members[name] for p in published]
        for level in LEVELS:
            for group in groups:
                figures = network.organisation_figures(members, level=level, group=group, period="2024")
                total = network.network_total(figures, members, SETTINGS).row(0, named=True)
                def figure(p: Published, key: tuple, name: str = name) -> Figure:
                    return next(f for f in p.figures if f.view.endswith(f":{name}") and f.key == key)

                parts = [figure(p, (level, group)) for p in published]
                # an organisation is added when its count and its people with a known value are both shown
                shown = [f for p, f in zip(published, parts, strict=True)
                         if f.shown is not None and figure(p, (level, c.TOTAL)).shown is not None]
                # the code path adds exactly the published counts of the organisations shown
                assert total[c.INVOLVED] == sum(f.shown for f in shown)
                assert total[network.ORGANISATIONS_LEFT_OUT] == len(parts) - len(shown)
                if exact:
                    cells = frozenset().union(*(f.cells for f in parts))
                    value = sum(f.true for f in parts)
                    out.append((cells, value, value))
                else:
                    cells = frozenset().union(*(f.cells for f in shown))
                    out.append((cells, sum(bounds(f)[0] for f in shown), sum(bounds(f)[1] for f in shown)))
    return out


def pinned(published: list[Published], n_cells: int, exact: bool = False) -> tuple[list[str], int]:
    """The hidden small figures the attacker can work out exactly, and how many were checked."""
    figures = [f for p in published for f in p.figures]
    rows, lower, upper = [], [], []
    for f in figures:
        vector = np.zeros(n_cells)
        vector[list(f.cells)] = 1
        lo, hi = bounds(f)
        assert lo <= f.true <= hi
        rows.append(vector)
        lower.append(lo)
        upper.append(hi)
    for cells, lo, hi in network_constraints(published, exact):
        vector = np.zeros(n_cells)
        vector[list(cells)] = 1
        rows.append(vector)
        lower.append(lo)
        upper.append(hi)
    a = np.array(rows)
    found, checked = [], 0
    for i, f in enumerate(figures):
        if f.shown is not None or not s.is_small(f.true, SETTINGS) or not f.cells:
            continue
        cap = list(upper)
        cap[i] = min(cap[i], SETTINGS.suppress_below - 1)
        values = []
        for sign in (1, -1):
            result = milp(sign * a[i], integrality=np.ones(n_cells), bounds=Bounds(0, 10_000),
                          constraints=LinearConstraint(a, lower, cap))
            assert result.success, result.message
            values.append(round(float(a[i] @ result.x)))
        checked += 1
        if values[0] == values[1]:
            found.append(f"{f.view} {f.key} = {values[0]}")
    return found, checked


def network_of(counts_by_org: list[dict[tuple, int]]) -> tuple[list[Published], int]:
    n = len(LEVELS) * len(STATES)
    return [publish(f"ORG{i}", counts, i * n) for i, counts in enumerate(counts_by_org)], n * len(counts_by_org)


# One organisation with a lone Black Caribbean board member; another whose board has exactly 8 White British
# and 8 Irish (shown as 10 each: the edge of their rounding range).
EDGE = [
    {("board", "A"): 16, ("board", "B"): 9, ("board", "M"): 1, ("board", NOT_STATED): 2,
     ("individual", "A"): 120, ("individual", "M"): 30, ("community", "A"): 60, ("community", "H"): 12},
    {("board", "A"): 8, ("board", "B"): 8, ("board", "M"): 8, ("individual", "A"): 90, ("individual", "M"): 40,
     ("community", "A"): 30, ("community", "M"): 9},
]


def test_no_hidden_cell_is_pinned_across_organisations():
    published, n = network_of(EDGE)
    found, checked = pinned(published, n)
    assert checked > 0 and found == []


def test_an_exact_network_total_would_pin_one_the_check_has_teeth():
    published, n = network_of(EDGE)
    found, _ = pinned(published, n, exact=True)
    assert found  # network minus the others gives a hidden cell away


@pytest.mark.parametrize("seed", [3, 11])
def test_random_demo_sized_networks(seed):
    rng = np.random.default_rng(seed)
    counts_by_org = []
    for _ in range(3):
        counts = {}
        for level, scale in zip(LEVELS, (40, 12, 3), strict=True):
            for state in STATES:
                counts[(level, state)] = int(rng.poisson(scale * (3 if state == "A" else 0.3)))
        counts_by_org.append(counts)
    published, n = network_of(counts_by_org)
    found, checked = pinned(published, n)
    assert checked > 0 and found == []
