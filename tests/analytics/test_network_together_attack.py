"""The attacker of ``test_suppression_attack.py`` against the decision-making levels together.

Fine cells are (where a person sits, ethnic category): at individual care only, on the strategic level only, on
the board only, or on both the strategic level and the board. The per-level publication (strategic = strategic
only + both; board = board only + both) and the together publication (everyone at either level, once) are
both sums of fine cells, so the overlap that makes "together" differ from "strategic + board" is unknown to
the reader but linear. Each view family (detailed, broad, binary) is protected as the organisation's pages do;
the together views are then passed through ``analytics.network.withhold_together``. For every hidden small
count, integer programming finds its smallest and largest possible value: they must differ. A withheld
together figure may stand for 0, so the reader's floor there is 0.
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
from data import codes
from tests.analytics.test_suppression_attack import DETAILED, NOT_KNOWN, NOT_STATED, SETTINGS, Figure, build_view

STATES = DETAILED + [NOT_STATED, NOT_KNOWN]
PLACES = ["ind", "s", "b", "bs"]  # individual only, strategic only, board only, both strategic and board
PER_LEVEL = {"individual": ["ind"], "strategic": ["s", "bs"], "board": ["b", "bs"]}
TOGETHER = {network.DECISION_MAKING: ["s", "b", "bs"]}
VIEWS = [
    ("detailed", lambda state: state, DETAILED, "ethnicity"),
    ("broad", lambda state: state if state in (NOT_STATED, NOT_KNOWN) else codes.ethnicity_broad(state),
     list(codes.BROAD_GROUPS), "ethnicity_broad"),
    ("binary", lambda state: state if state in (NOT_STATED, NOT_KNOWN) else codes.ethnicity_binary(state),
     [codes.BINARY_WHITE, codes.BINARY_MINORITY], "ethnicity_binary"),
]


@dataclasses.dataclass(frozen=True)
class View:
    rows: pl.DataFrame
    tables: pl.DataFrame
    joiners: pl.DataFrame | None = None


def _decision(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns((pl.col(c.LEVEL_KEY) != "individual").alias(c.DECISION_MAKING))


def _figures(name: str, built: tuple, published: tuple, floor: int) -> list[Figure]:
    rows, tables, cells_of = built
    out_rows, out_tables = published
    figures = []
    for before, after in zip(rows.iter_rows(named=True), out_rows.iter_rows(named=True), strict=True):
        key = (before[c.LEVEL_KEY], before[c.GROUP])
        figures.append(Figure(name, key, cells_of[key], before[c.INVOLVED], after[c.INVOLVED], floor=floor))
    for before, after in zip(tables.iter_rows(named=True), out_tables.iter_rows(named=True), strict=True):
        for col in s.TABLE_COUNTS:
            key = (before[c.LEVEL_KEY], col)
            figures.append(Figure(name, key, cells_of[key], before[col], after[col], floor=floor))
    return figures


def published_figures(counts: dict[tuple, int], withhold: bool = True) -> tuple[list[Figure], int]:
    fine = {(place, state): counts.get((place, state), 0) for place in PLACES for state in STATES}
    figures: list[Figure] = []
    each = [build_view(fine, PER_LEVEL, STATES, g, groups, ch) for _n, g, groups, ch in VIEWS]
    together = [build_view(fine, TOGETHER, STATES, g, groups, ch) for _n, g, groups, ch in VIEWS]
    each_out = s.suppress_views([(_decision(r), _decision(t)) for r, t, _ in each], SETTINGS)
    together_out = s.suppress_views([(_decision(r), _decision(t)) for r, t, _ in together], SETTINGS)
    for (name, *_), built, out, built_t, out_t in zip(VIEWS, each, each_out, together, together_out, strict=True):
        figures += _figures(name, built, out, floor=1)
        if withhold:
            joint = network.withhold_together(View(*out_t), View(*out), SETTINGS)
            out_t = (joint.rows, joint.tables)
        figures += _figures(f"{name} together", built_t, out_t, floor=0 if withhold else 1)
    return figures, len(fine)


def pinned(figures: list[Figure], n_cells: int) -> tuple[list[str], int]:
    half = SETTINGS.rounding_base // 2
    a, lower, upper = [], [], []
    for f in figures:
        vector = np.zeros(n_cells)
        vector[list(f.cells)] = 1
        if f.shown is None:
            lo, hi = f.floor, np.inf
        elif f.shown == 0:
            lo, hi = 0, 0
        else:
            lo, hi = max(f.shown - half, SETTINGS.suppress_below), f.shown - half + SETTINGS.rounding_base - 1
        assert lo <= f.true <= hi, f
        a.append(vector)
        lower.append(lo)
        upper.append(hi)
    matrix = np.array(a)
    found, checked = [], 0
    for i, f in enumerate(figures):
        if f.shown is not None or not s.is_small(f.true, SETTINGS) or not f.cells:
            continue
        cap = list(upper)
        cap[i] = min(cap[i], SETTINGS.suppress_below - 1)
        values = []
        for sign in (1, -1):
            result = milp(sign * matrix[i], integrality=np.ones(n_cells), bounds=Bounds(0, 10_000),
                          constraints=LinearConstraint(matrix, lower, cap))
            assert result.success, result.message
            values.append(round(float(matrix[i] @ result.x)))
        checked += 1
        if values[0] == values[1]:
            found.append(f"{f.view} {f.key} = {values[0]}")
    return found, checked


def test_a_lone_board_member_with_strategic_colleagues():
    counts = {("b", "M"): 1, ("b", "A"): 14, ("bs", "A"): 4, ("s", "A"): 25, ("s", "M"): 9, ("s", "H"): 8,
              ("ind", "A"): 120, ("ind", "M"): 40, ("b", NOT_STATED): 2}
    found, checked = pinned(*published_figures(counts))
    assert checked > 0 and found == []


@pytest.mark.parametrize("seed", [1, 2, 5])
def test_random_boards(seed):
    rng = np.random.default_rng(seed)
    counts = {}
    for place, scale in (("ind", 40), ("s", 10), ("b", 4), ("bs", 1)):
        for state in STATES:
            counts[(place, state)] = int(rng.poisson(scale * (3 if state == "A" else 0.3)))
    found, checked = pinned(*published_figures(counts))
    assert checked > 0 and found == []
