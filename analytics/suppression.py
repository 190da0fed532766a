"""Statistical disclosure control for the representation tables: the NHS secondary-care small-number rule.

What a restricted reader (board member, outreach worker, viewer) receives:

* **Primary suppression.** A count of 1 to ``settings.suppress_below - 1`` (1-7 by default) is hidden.
* **Rounding.** Every other count is rounded to the nearest ``settings.rounding_base`` (5): 8 -> 10, 12 -> 10,
  13 -> 15. Zero stays 0. Totals are computed from the unrounded data and then rounded, so they need not equal
  the sum of the rounded cells.
* **Secondary suppression.** A hidden cell must not be recoverable by subtraction. Every additive relation a
  reader can see is a *line*: within one level x period table, the groups add up to the people with a known
  value, and known + not stated + not known add up to everyone counted; the same group (or the same total)
  at the different levels of a period; the detailed ethnic categories of one broad group (whose total is the
  broad view), the ethnic-minority broad groups (whose total is the binary view); the cells of an
  intersectional table sharing one group of either characteristic (whose total is the single-characteristic
  view). A line with exactly one hidden cell gets a second: the smallest non-zero shown cell of the line,
  repeated until no line has exactly one. Table figures are decided first from the table lines alone, so every
  view of a characteristic hides the same ones; "everyone counted" is never hidden to protect anything (it is
  the same for every characteristic and shown with the others), so known + unknown = everyone is left to
  rounding and to the audit.
* **Audit.** A reader can combine lines and rounding intervals (the corner 1 + 8 + 8 = 17 -> 15, with 10 and
  10 shown, pins the hidden cell to 1). :func:`pinned_cells` tightens every cell's possible range line by line
  until nothing changes, assuming a total published in another view is known to within its rounding, and
  :func:`protect_cells` hides more cells until no hidden small count is pinned. Everyone counted at a level
  is assumed known exactly (other characteristics' known + unknown narrow its rounding). Views of the same
  people (detailed, broad, binary ethnicity) are protected together (:func:`suppress_views`).
* **Crossed tables.** A crossed (intersectional) table is protected jointly with its two single views
  (:func:`suppress_crossed`): the single views are published exactly as on their own pages, and the crossed
  cells sharing a group plus the people whose other answer is unknown (never published: free cells) add up
  to the single-view cell (:func:`link_crossed`); only crossed figures are hidden more, and a crossed table
  of a level and period that still gives a hidden count away is withheld whole (its "*" may be 0). Without
  its single views a crossed table gets a conservative rule: margins assumed known exactly, table figures
  withheld, tables with a small margin withheld.
* **Derived figures.** Shares, ratios, gaps, expected numbers, shortfalls, z, Wilson intervals, binomial
  p-values (Holm-adjusted) and the status are derived from the *published* counts by the engine's own
  function (:func:`analytics.stats.compare_with_baseline`), so nothing shown carries more information than
  the published counts and the public baseline. A row with a hidden count has the status ``hidden`` ("hidden
  (small numbers)") and no interval, p-value or other figure that needs the hidden count.

How the result is represented (one choice, for tables, charts and downloads alike): count columns keep their
integer type and are **null where hidden**, with a boolean ``<column>_suppressed`` beside each count column, a
row-level ``suppressed`` flag (some figure of the row is hidden), ``rounded`` (counts rounded) and
``not_for_publication`` (True for the exact figures a data steward or equality lead sees). Charts plot the
nullable numbers (a hidden bar is simply absent); :func:`display_counts` turns count columns into the strings
a table or download shows ("*", "15").

A "*" never stands for zero: only counts of 1 or more are hidden, and the secondary cell chosen is never a
zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
from scipy import sparse

from analytics import columns as c
from data import codes

if TYPE_CHECKING:
    from models.settings import Settings


def _settings() -> Settings:
    """The deployment's settings (imported late: ``import analytics`` stays free of the database code)."""
    from models.settings import get_settings

    return get_settings()


SUPPRESSED_MARK = "*"
SUPPRESSED = "suppressed"
ROUNDED = "rounded"
NOT_FOR_PUBLICATION = "not_for_publication"
CROSS_SEPARATOR = " × "

ROW_COUNTS = (c.INVOLVED, c.TOTAL)
TABLE_COUNTS = (c.PEOPLE, c.TOTAL, c.UNKNOWN, c.NOT_STATED, c.NOT_KNOWN)
TABLE_KEY = (c.LEVEL_KEY, c.PERIOD, c.CHARACTERISTIC, c.INVOLVEMENT_FILTER)
LEVEL_LINE_KEY = (c.PERIOD, c.CHARACTERISTIC, c.INVOLVEMENT_FILTER, c.GROUP)

NOT_FOR_PUBLICATION_TEXT = (
    "Exact figures, not for publication: they include small numbers that could identify people. "
    "Share only the suppressed version."
)
SUPPRESSION_TEXT = (
    "Counts of 1 to {last} are shown as *, other counts are rounded to the nearest {base}, and a second "
    "count is hidden wherever a * could otherwise be worked out. Percentages are calculated from the "
    "rounded counts."
)

ERROR_MISSING = "The {what} frame has no column '{column}', which disclosure control needs."
ERROR_NEGATIVE = "The {what} frame has a negative count in column '{column}'."


def suppressed_flag(column: str) -> str:
    """Name of the boolean column that says ``column`` is hidden."""
    return f"{column}_suppressed"


def describe(settings: Settings | None = None) -> str:
    """The plain-English rule, for a footnote under every restricted table or chart."""
    settings = settings or _settings()
    return SUPPRESSION_TEXT.format(last=settings.suppress_below - 1, base=settings.rounding_base)


# --- The two rules on single values
# --------------------------------------------------------------------------


def is_small(value: int, settings: Settings) -> bool:
    """True for a count that primary suppression hides (1 .. suppress_below - 1)."""
    return 1 <= value < settings.suppress_below


def round_count(value: int, base: int) -> int:
    """Nearest multiple of ``base`` (halves go up: with base 10, 15 -> 20)."""
    return ((int(value) + base // 2) // base) * base


def round_expr(expr: pl.Expr, base: int) -> pl.Expr:
    """:func:`round_count` as a polars expression (integers in, integers out, nulls kept)."""
    return ((expr.cast(pl.Int64) + base // 2) // base * base).cast(pl.Int64)


# --- Secondary suppression on cells and lines
# ----------------------------------------------------------------


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
    audit = {"public": public, "free": free, "ignore": ignore}
    for _ in range(len(values)):
        added = False
        before = list(hidden)
        for cell in pinned_cells(values, hidden, primary, audit_lines, settings, only=changed, **audit):
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
            remaining += pinned_cells(values, hidden, primary, audit_lines, settings, only=stuck, **audit)
    return hidden


def _key(row: Mapping, names: Sequence[str]) -> tuple:
    return tuple(row.get(n) for n in names)


def table_key(rows: pl.DataFrame, tables: pl.DataFrame, extra_key: Sequence[str] = ()) -> list[str]:
    """The columns that name one level x period table, present in both frames (or in the rows alone)."""
    names = list(TABLE_KEY) + [k for k in extra_key if k not in TABLE_KEY]
    if tables.width and rows.height:
        return [k for k in names if k in rows.columns and k in tables.columns]
    if tables.width:
        return [k for k in names if k in tables.columns]
    return [k for k in names if k in rows.columns]


def _hierarchy_groups(characteristic: str | None, group: str, settings: Settings) -> list[tuple[str, str]]:
    """The (line name, line member) pairs a group belongs to besides its own table.

    A detailed ethnic category belongs to its broad group's line; a minority broad group to the minority line;
    a crossed group "A × B" to the line of every cell sharing A and to the line of every cell sharing B.
    """
    if CROSS_SEPARATOR in group:
        parts = group.split(CROSS_SEPARATOR)
        return [
            (f"cross:{i}:" + CROSS_SEPARATOR.join(parts[:i] + ["…"] + parts[i + 1 :]), group)
            for i in range(len(parts))
        ]
    if characteristic == "ethnicity":
        broad = codes.ethnicity_broad(group, chinese_as_asian=settings.chinese_as_asian)
        return [(f"broad:{broad}", group)] if broad is not None else []
    if characteristic == "ethnicity_broad" and group != codes.BROAD_WHITE:
        return [("minority", group)]
    return []


ETHNIC_FAMILY = ("ethnicity", "ethnicity_broad", "ethnicity_binary")


def family(characteristic: str) -> tuple[str, ...]:
    """The characteristics whose tables count the same people in finer or coarser groups (protected
    together)."""
    return ETHNIC_FAMILY if characteristic in ETHNIC_FAMILY else (characteristic,)


@dataclass
class CellSystem:
    """Every count of one or more views as numbered cells, with the lines a reader can add up.

    ``row_cell[(view, row index)]`` and ``table_cell[(view, table key, column)]`` give a cell id. Views of the
    same people (detailed, broad and binary ethnicity) share their table cells, so they hide the same ones.
    ``free`` cells are figures nobody publishes (known only to be 0 or more) and withheld cells; ``table_of``
    gives each published cell's table key without the characteristic (level, period, ...).
    """

    values: list[int]
    missing: list[bool]
    lines: list[Line]
    row_cell: dict[tuple, int]
    table_cell: dict[tuple, int]
    key_names: list[list[str]]
    free: set[int] = field(default_factory=set)
    table_of: dict[int, tuple] = field(default_factory=dict)

    @property
    def table_ids(self) -> set[int]:
        return set(self.table_cell.values())

    @property
    def people_ids(self) -> set[int]:
        return {cell for (_v, _key, col), cell in self.table_cell.items() if col == c.PEOPLE}


def build_cells(
    views: Sequence[tuple[pl.DataFrame, pl.DataFrame]], settings: Settings, extra_key: Sequence[str] = ()
) -> CellSystem:
    """The cells and lines of one or more views (rows, tables) of the same organisation and filters."""
    values: list[int] = []
    missing: list[bool] = []
    row_cell: dict[tuple, int] = {}
    table_cell: dict[tuple, int] = {}
    shared: dict[tuple, int] = {}
    table_of: dict[int, tuple] = {}  # cell -> its table's key without the characteristic
    group_cell: dict[tuple, int] = {}  # (characteristic, shared key, group) -> cell
    all_keys: list[list[str]] = []

    def add(value) -> int:
        values.append(0 if value is None else int(value))
        missing.append(value is None)
        return len(values) - 1

    def table_add(view: int, key: tuple, names: list[str], col: str, value) -> int:
        # views of one family share their table figures; everyone counted is shared by every characteristic
        characteristic = dict(zip(names, key, strict=True)).get(c.CHARACTERISTIC)
        kin = None if col == c.PEOPLE else family(characteristic)[0] if characteristic else None
        common = (kin, _shared_key(key, names), col, value)
        if common not in shared:
            shared[common] = add(value)
        table_cell[(view, key, col)] = shared[common]
        table_of[shared[common]] = _shared_key(key, names)
        return shared[common]

    lines: list[Line] = []
    level_lines: dict[tuple, list[int]] = {}
    hierarchy: dict[tuple, list[int]] = {}
    present = {ch for rows, tables in views for ch in _characteristics(rows, tables)}
    kin_of: dict[int, str] = {}  # view -> its family (views of one family share their table figures)
    linked: set[int] = set()  # crossed views given with both their single views
    for view, (rows, tables) in enumerate(views):
        for ch in _characteristics(rows, tables):
            kin_of[view] = family(ch)[0]
            if crossed_parts(ch) and set(crossed_parts(ch)) <= present:
                linked.add(view)
    for view, (rows, tables) in enumerate(views):
        names = table_key(rows, tables, extra_key)
        all_keys.append(names)
        for row in tables.iter_rows(named=True):
            for col in (col for col in TABLE_COUNTS if col in tables.columns):
                table_add(view, _key(row, names), names, col, row[col])
        groups_of_table: dict[tuple, list[int]] = {}
        level_names = [k for k in LEVEL_LINE_KEY if k in rows.columns]
        for index, row in enumerate(rows.iter_rows(named=True)):
            cell = add(row[c.INVOLVED])
            row_cell[(view, index)] = cell
            key = _key(row, names)
            table_of[cell] = _shared_key(key, names)
            if (view, key, c.TOTAL) not in table_cell:  # rows without a tables frame: N is on every row
                table_add(view, key, names, c.TOTAL, row.get(c.TOTAL))
            groups_of_table.setdefault(key, []).append(cell)
            level_lines.setdefault((view, _key(row, level_names)), []).append(cell)
            characteristic, group = row.get(c.CHARACTERISTIC), str(row[c.GROUP])
            group_cell[(characteristic, _shared_key(key, names), group)] = cell
            if crossed_parts(characteristic) and set(crossed_parts(characteristic)) <= present:
                continue  # linked to its single views, with the unknowns of the other part: link_crossed
            for name, _member in _hierarchy_groups(characteristic, group, settings):
                hierarchy.setdefault((view, key, name), []).append(cell)
        lines += [
            Line(parts=tuple(cells), total=table_cell[(view, key, c.TOTAL)])
            for key, cells in groups_of_table.items()
        ]
        for key in dict.fromkeys(k for (v, k, _col) in table_cell if v == view):
            cell = table_cell.get
            if all((view, key, col) in table_cell for col in (c.PEOPLE, c.TOTAL, c.UNKNOWN)):
                # everyone counted is the same for every characteristic, so hiding it here would protect
                # nothing: this line is left to rounding and the audit
                lines.append(
                    Line(
                        parts=(cell((view, key, c.TOTAL)), cell((view, key, c.UNKNOWN))),
                        total=cell((view, key, c.PEOPLE)),
                        rule=False,
                    )
                )
            if all((view, key, col) in table_cell for col in (c.UNKNOWN, c.NOT_STATED, c.NOT_KNOWN)):
                lines.append(
                    Line(
                        parts=(cell((view, key, c.NOT_STATED)), cell((view, key, c.NOT_KNOWN))),
                        total=cell((view, key, c.UNKNOWN)),
                    )
                )
    across_levels: dict[tuple, list[int]] = {}
    for (view, key, col), cell_id in table_cell.items():
        if view in linked:
            continue
        other = tuple(v for name, v in zip(all_keys[view], key, strict=True) if name != c.LEVEL_KEY)
        kin = None if col == c.PEOPLE else kin_of.get(view)
        bucket = across_levels.setdefault(
            (kin, _shared_key(other, [n for n in all_keys[view] if n != c.LEVEL_KEY]), col), []
        )
        if cell_id not in bucket:
            bucket.append(cell_id)
    # a crossed table linked to its single views has no total across levels anywhere
    lines += [
        Line(parts=tuple(cells))
        for (view, _k), cells in level_lines.items()
        if len(cells) > 1 and view not in linked
    ]
    lines += [Line(parts=tuple(cells)) for cells in across_levels.values() if len(cells) > 1]
    for (view, key, name), cells in hierarchy.items():
        total = _margin_cell(name, key, all_keys[view], group_cell)
        if total is not None or len(cells) > 1:
            # a crossed margin without its single view: assume the reader knows it exactly (worst case)
            lines.append(Line(parts=tuple(cells), total=total, exact=name.startswith("cross:")))
    for (characteristic, key, group), cell in group_cell.items():  # White (broad) is White (binary)
        if characteristic == "ethnicity_broad" and group == codes.BROAD_WHITE:
            twin = group_cell.get(("ethnicity_binary", key, codes.BINARY_WHITE))
            if twin is not None:
                lines.append(Line(parts=(cell,), total=twin))
    system = CellSystem(values, missing, lines, row_cell, table_cell, all_keys, table_of=table_of)
    link_crossed(system, views, group_cell)
    return system


def crossed_parts(characteristic: str | None) -> tuple[str, ...]:
    """The characteristics of a crossed (intersectional) table ("ethnicity_broad × sex" -> both), or () for a
    single characteristic."""
    if not characteristic or CROSS_SEPARATOR not in characteristic:
        return ()
    return tuple(characteristic.split(CROSS_SEPARATOR))


def _characteristics(rows: pl.DataFrame, tables: pl.DataFrame) -> set[str]:
    found: set[str] = set()
    for frame in (rows, tables):
        if frame.width and c.CHARACTERISTIC in frame.columns:
            found.update(v for v in frame[c.CHARACTERISTIC].unique().to_list() if v is not None)
    return found


def link_crossed(
    system: CellSystem, views: Sequence[tuple[pl.DataFrame, pl.DataFrame]], group_cell: dict
) -> None:
    """Lines between a crossed table (two characteristics) and its two single views, when all three are in
    ``views``: what a reader can add up across them, with the figures nobody publishes as free cells.

    At each level and period, a single-view cell is the sum of the crossed cells sharing its group plus the
    people whose other answer is unknown (free: ``A(a) = sum_b X(a, b) + u_A(a)``); those unknowns add up to
    the single view's known total less the crossed one, and split by "not stated" / "not known" of the other
    characteristic, which with the people unknown for both (four free cells) make up the unknown, not stated
    and not known figures of all three tables. A rule-only line (crossed cells adding up to the single cell,
    without the unknowns) keeps the one-hidden-cell rule working on the crossed margins.
    """
    by_shared: dict[tuple, int] = {}
    view_of: dict[str, int] = {}
    for view, (rows, tables) in enumerate(views):
        for ch in sorted(_characteristics(rows, tables)):
            view_of.setdefault(ch, view)
    for (view, key, col), cell in system.table_cell.items():
        by_shared[(view, _shared_key(key, system.key_names[view]), col)] = cell
    crossed_cells: dict[tuple, dict[tuple[str, str], int]] = {}
    for (characteristic, shared, group), cell in group_cell.items():
        parts = crossed_parts(characteristic)
        if len(parts) == 2 and all(p in view_of for p in parts) and CROSS_SEPARATOR in group:
            a, b = group.split(CROSS_SEPARATOR, 1)
            crossed_cells.setdefault((characteristic, shared), {})[(a, b)] = cell

    def slack() -> int:
        system.values.append(0)
        system.missing.append(False)
        system.free.add(len(system.values) - 1)
        return len(system.values) - 1

    def add(parts, total) -> None:
        if total is not None and parts and all(p is not None for p in parts):  # a missing figure: no line
            system.lines.append(Line(parts=tuple(parts), total=total, rule=False))

    for (characteristic, shared), cells in crossed_cells.items():
        first, second = crossed_parts(characteristic)
        crossed_view, view_a, view_b = view_of[characteristic], view_of[first], view_of[second]

        def figure(view: int, col: str, shared=shared) -> int | None:
            return by_shared.get((view, shared, col))

        unknown_for: dict[str, list[int]] = {}
        for index, name in enumerate((first, second)):
            margins: dict[str, list[int]] = {}
            for pair, cell in cells.items():
                margins.setdefault(pair[index], []).append(cell)
            own = []
            for group, members in margins.items():
                single = group_cell.get((name, shared, group))
                if single is None:
                    continue
                u = slack()
                own.append(u)
                system.lines.append(Line(parts=(*members, u), total=single, rule=False))
                system.lines.append(Line(parts=tuple(members), total=single, audit=False))
            unknown_for[name] = own
        _link_unknowns(
            system, figure, unknown_for, (first, view_a), (second, view_b), crossed_view, slack, add
        )


def _link_unknowns(
    system: CellSystem, figure, unknown_for, first_part, second_part, crossed_view, slack, add
):
    """The unknowns of one level and period of a crossed table and its single views, as free cells grouped
    the way the published figures add them up (interval reasoning is only as strong as its lines).

    With A, B the two characteristics and s, t in (not stated, not known): ``a_s`` people whose A is s and
    B known, ``b_s`` people whose B is s and A known, ``w_st`` A is s and B is t. Then A's not stated is
    a_ns + w_ns,ns + w_ns,nk, the crossed table's not stated is a_ns + b_ns + w_ns,ns + w_ns,nk + w_nk,ns (a
    crossed answer is not stated when either is), its not known a_nk + b_nk + w_nk,nk, and so on; u_A (A
    known, B unknown: b_ns + b_nk) is the sum of the u_A(a) of the group lines and A's known total less the
    crossed one.
    """
    (first, view_a), (second, view_b) = first_part, second_part
    ns, nk = c.NOT_STATED, c.NOT_KNOWN
    a = {kind: slack() for kind in (ns, nk)}  # A is kind, B known
    b = {kind: slack() for kind in (ns, nk)}  # B is kind, A known
    w = {(x, y): slack() for x in (ns, nk) for y in (ns, nk)}
    u = {first: slack(), second: slack()}  # A known and B unknown (= b_ns + b_nk); B known and A unknown
    crossed_total, crossed_unknown = figure(crossed_view, c.TOTAL), figure(crossed_view, c.UNKNOWN)
    add(unknown_for[first], u[first])
    add(unknown_for[second], u[second])
    add((b[ns], b[nk]), u[first])
    add((a[ns], a[nk]), u[second])
    add((crossed_total, u[first]), figure(view_a, c.TOTAL))
    add((crossed_total, u[second]), figure(view_b, c.TOTAL))
    add((figure(view_b, c.UNKNOWN), u[second]), crossed_unknown)
    add((figure(view_a, c.UNKNOWN), u[first]), crossed_unknown)
    # unknown for both: the unknowns of each view are the other's known-but-unknown-here plus these
    both = slack()
    add(tuple(w.values()), both)
    add((u[second], both), figure(view_a, c.UNKNOWN))
    add((u[first], both), figure(view_b, c.UNKNOWN))
    add((u[first], u[second], both), crossed_unknown)
    # groupings: g1 = b_ns + w_nk,ns; g2 = a_ns + w_ns,nk; g3 = a_nk + w_nk,nk; g4 = b_nk + w_nk,nk
    g1, g2, g3, g4 = slack(), slack(), slack(), slack()
    add((b[ns], w[(nk, ns)]), g1)
    add((a[ns], w[(ns, nk)]), g2)
    add((a[nk], w[(nk, nk)]), g3)
    add((b[nk], w[(nk, nk)]), g4)
    shown_a_ns, shown_a_nk = figure(view_a, ns), figure(view_a, nk)
    shown_b_ns, shown_b_nk = figure(view_b, ns), figure(view_b, nk)
    x_ns, x_nk = figure(crossed_view, ns), figure(crossed_view, nk)
    add((g2, w[(ns, ns)]), shown_a_ns)
    add((g3, w[(nk, ns)]), shown_a_nk)
    add((g1, w[(ns, ns)]), shown_b_ns)
    add((g4, w[(ns, nk)]), shown_b_nk)
    add((shown_a_ns, g1), x_ns)
    add((shown_b_ns, g2), x_ns)
    add((g3, b[nk]), x_nk)
    add((g4, a[nk]), x_nk)
    add((a[ns], b[ns], w[(ns, ns)], w[(ns, nk)], w[(nk, ns)]), x_ns)
    add((a[nk], b[nk], w[(nk, nk)]), x_nk)


def _shared_key(key: tuple, names: Sequence[str]) -> tuple:
    """A table key without the characteristic, so that the views of one family meet."""
    return tuple(v for name, v in zip(names, key, strict=True) if name != c.CHARACTERISTIC)


def _margin_cell(name: str, key: tuple, names: list[str], group_cell: dict[tuple, int]) -> int | None:
    """The cell of another view that a hierarchy line adds up to, when that view is being protected too."""
    shared = _shared_key(key, names)
    if name.startswith("broad:"):
        return group_cell.get(("ethnicity_broad", shared, name.removeprefix("broad:")))
    if name == "minority":
        return group_cell.get(("ethnicity_binary", shared, codes.BINARY_MINORITY))
    return None


def representation_lines(
    rows: pl.DataFrame, tables: pl.DataFrame, settings: Settings, extra_key: Sequence[str] = ()
) -> tuple[list[int], list[bool], list[Line], dict[tuple, int], dict[tuple, int]]:
    """Cell values, which cells are already hidden (null), the lines, and the cell id of each row (by row
    index) and of each table count (by table key, column), for one view."""
    system = build_cells([(rows, tables)], settings, extra_key)
    row_cell = {(index,): cell for (_view, index), cell in system.row_cell.items()}
    table_cell = {(key, col): cell for (_view, key, col), cell in system.table_cell.items()}
    return system.values, system.missing, system.lines, row_cell, table_cell


# --- Derived figures from the published counts
# ---------------------------------------------------------------


def recompute_row_statistics(
    rows: pl.DataFrame, settings: Settings, extra_key: Sequence[str] = (), adjust: bool = True
) -> pl.DataFrame:
    """Every derived figure and the status from the (published) counts, by the engine's own derivation
    (:func:`analytics.stats.compare_with_baseline`): nothing shown carries more than the published counts and
    the public baseline. A row with a hidden count has status ``hidden`` and no figure derived from it.

    The Holm family is one table (the table key plus ``extra_key``); with ``adjust=False`` (a frame holding
    only some groups of each table, such as an outreach list) adjusted p-values are withheld (null) rather than
    adjusted over a wrong family.
    """
    from analytics.stats import compare_with_baseline

    key_names = [k for k in (*TABLE_KEY, *extra_key) if k in rows.columns]
    derived = compare_with_baseline(
        rows,
        table_keys=key_names,
        alpha=settings.alpha,
        under_threshold=settings.under_threshold,
        confidence=settings.confidence,
        adjust=adjust,
    )
    replaced = [name for name in DERIVED if name in rows.columns or name == c.STATUS]
    return rows.with_columns(
        derived[name].cast(rows.schema[name]) if name in rows.columns else derived[name] for name in replaced
    )


DERIVED = (
    c.SHARE, c.RATIO, c.GAP_PP, c.EXPECTED, c.SHORTFALL, c.Z, c.CI_LOW, c.CI_HIGH, c.P_VALUE, c.P_ADJUSTED,
    c.STATUS,
)


# --- The whole representation
# --------------------------------------------------------------------------------


def _two_phases(
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
    common = {"public": people, "free": free, "ignore": ignore}
    hidden = protect_cells(
        values, start, primary, table_lines, settings, candidates=(table_ids - people) & allowed, **common
    )
    group_ids = (everything - table_ids - free) & allowed
    return protect_cells(
        values, hidden, primary, lines, settings, candidates=group_ids, remaining=remaining, **common
    )


def _primary(system: CellSystem, settings: Settings) -> list[bool]:
    return [m or is_small(v, settings) for v, m in zip(system.values, system.missing, strict=True)]


def _view_cells(system: CellSystem, view: int) -> set[int]:
    """The cells of one view's rows and table figures (everyone counted excepted: it is public)."""
    rows = {cell for (v, _i), cell in system.row_cell.items() if v == view}
    tables = {cell for (v, _k, col), cell in system.table_cell.items() if v == view and col != c.PEOPLE}
    return rows | tables


def _withhold(
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
    by_table: dict[tuple, list[int]] = {}
    for cell in cells:
        by_table.setdefault(system.table_of.get(cell, ()), []).append(cell)
    done: set[tuple] = set()
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
        tables = ({system.table_of.get(x) for x in pinned} & set(by_table)) - done
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


def _conservative_crossed(system: CellSystem, views: Sequence[tuple], settings: Settings) -> list[bool]:
    """A crossed table protected without its single-characteristic views (the reader has them, this code does
    not): its margins are assumed known exactly, its table figures (known, unknown, not stated, not known)
    are withheld (they bound the single views' unknowns), and so is every crossed table at a level and period
    where a group's margin is a small number (the stars of its cells would bound the hidden single-view
    count from below). Returns the starting hidden flags; the withheld cells become free."""
    hidden = _primary(system, settings)
    for view, (rows, tables) in enumerate(views):
        crossed = [ch for ch in _characteristics(rows, tables) if crossed_parts(ch)]
        if not crossed or set(crossed_parts(crossed[0])) <= {
            ch for r, t in views for ch in _characteristics(r, t)
        }:
            continue
        own = _view_cells(system, view)
        table_cells = {
            cell for (v, _k, col), cell in system.table_cell.items() if v == view and col != c.PEOPLE
        }
        margins: dict[tuple, int] = {}
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


def _prepare(
    views: Sequence[tuple[pl.DataFrame, pl.DataFrame | None]],
) -> list[tuple[pl.DataFrame, pl.DataFrame]]:
    prepared = []
    for rows, tables in views:
        _check(rows, "rows", (c.GROUP, c.INVOLVED, c.TOTAL))
        tables = tables if tables is not None else pl.DataFrame()
        if tables.width:
            _check(tables, "tables", [col for col in TABLE_COUNTS if col in tables.columns])
        prepared.append((rows, tables))
    return prepared


def _check(frame: pl.DataFrame, what: str, required: Sequence[str]) -> None:
    for column in required:
        if column not in frame.columns:
            raise ValueError(ERROR_MISSING.format(what=what, column=column))
        if frame.height and frame[column].drop_nulls().lt(0).any():
            raise ValueError(ERROR_NEGATIVE.format(what=what, column=column))


def suppress_representation(
    rows: pl.DataFrame,
    tables: pl.DataFrame | None = None,
    settings: Settings | None = None,
    *,
    extra_key: Sequence[str] = (),
    adjust: bool = True,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The published version of a representation (rows, tables): suppressed, rounded, derived from published
    counts.

    ``rows`` has :data:`analytics.columns.ROW_COLUMNS` (at least group, involved, total and the table key);
    ``tables`` has :data:`analytics.columns.TABLE_COLUMNS` (None: the totals on the rows are used).
    ``extra_key`` adds columns that split tables further (an outreach list's activity). Null counts (already
    hidden upstream) stay hidden, so applying this twice changes nothing.
    """
    return suppress_views([(rows, tables)], settings, extra_key=extra_key, adjust=adjust)[0]


def suppress_views(
    views: Sequence[tuple[pl.DataFrame, pl.DataFrame | None]],
    settings: Settings | None = None,
    *,
    extra_key: Sequence[str] = (),
    adjust: bool = True,
) -> list[tuple[pl.DataFrame, pl.DataFrame]]:
    """Several views of the same people protected together (detailed, broad and binary ethnicity): their
    shared figures are hidden alike, and a hidden cell is protected against all of them at once.

    A crossed view given without its two single views gets the conservative rule (margins assumed known
    exactly, table figures withheld, crossed tables with a small margin withheld: see
    :func:`_conservative_crossed`); use :func:`suppress_crossed` to protect it jointly with them."""
    settings = settings or _settings()
    prepared = _prepare(views)
    system, hidden, _remaining = _protected(prepared, settings, extra_key)
    return [
        _publish_view(view, rows, tables, system, hidden, settings, extra_key, adjust)
        for view, (rows, tables) in enumerate(prepared)
    ]


def _protected(
    prepared: Sequence[tuple[pl.DataFrame, pl.DataFrame]], settings: Settings, extra_key: Sequence[str] = ()
) -> tuple[CellSystem, list[bool], list[int]]:
    """The cells of the views, which to hide, and the pinned cells nothing could protect."""
    system = build_cells(prepared, settings, extra_key)
    primary = _primary(system, settings)
    start = _conservative_crossed(system, prepared, settings)
    remaining: list[int] = []
    hidden = _two_phases(system, primary, settings, hidden=start, remaining=remaining)
    crossed = {
        cell
        for view, (rows, tables) in enumerate(prepared)
        if any(crossed_parts(ch) for ch in _characteristics(rows, tables))
        for cell in _view_cells(system, view)
    }
    if crossed and system.free:
        hidden = _withhold(system, hidden, primary, settings, crossed, pinned=remaining)
    return system, hidden, remaining


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
    settings = settings or _settings()
    families = [_prepare(family_views) for family_views in singles]
    crossed_view = _prepare([crossed])[0]
    parts = [crossed_parts(ch) for ch in _characteristics(*crossed_view)]
    present = [{ch for view in fam for ch in _characteristics(*view)} for fam in families]
    joint = (
        len(families) == 2
        and len(parts) == 1
        and len(parts[0]) == 2
        and all(part in chars for part, chars in zip(parts[0], present, strict=True))
        and family(parts[0][0])[0] != family(parts[0][1])[0]
    )
    protected = [_protected(fam, settings) for fam in families]
    published_families = [
        [_publish_view(v, rows, tables, own, own_hidden, settings) for v, (rows, tables) in enumerate(fam)]
        for fam, (own, own_hidden, _remaining) in zip(families, protected, strict=True)
    ]
    if not joint:
        return suppress_views([crossed_view], settings)[0], published_families
    views = [*families[0], *families[1], crossed_view]
    system = build_cells(views, settings)
    primary = _primary(system, settings)
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
    crossed_cells = _view_cells(system, len(views) - 1)
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
    hidden = _two_phases(
        system, primary, settings, hidden=hidden, allowed=crossed_cells, ignore=ignore, remaining=remaining
    )
    hidden = _withhold(system, hidden, primary, settings, crossed_cells, ignore=ignore, pinned=remaining)
    rows, tables = crossed_view
    return _publish_view(len(views) - 1, rows, tables, system, hidden, settings), published_families


def _publish_view(
    view: int,
    rows: pl.DataFrame,
    tables: pl.DataFrame,
    system: CellSystem,
    hidden: list[bool],
    settings: Settings,
    extra_key: Sequence[str] = (),
    adjust: bool = True,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    values = system.values

    def published(cell: int) -> int | None:
        return None if hidden[cell] else round_count(values[cell], settings.rounding_base)

    names = system.key_names[view]
    row_keys = [
        _key(r, names) for r in rows.select([k for k in names if k in rows.columns]).iter_rows(named=True)
    ]
    involved_cells = [system.row_cell[(view, i)] for i in range(rows.height)]
    total_cells = [system.table_cell[(view, key, c.TOTAL)] for key in row_keys]
    new_rows = rows.with_columns(
        pl.Series(c.INVOLVED, [published(i) for i in involved_cells], dtype=pl.Int64),
        pl.Series(c.TOTAL, [published(t) for t in total_cells], dtype=pl.Int64),
        pl.Series(suppressed_flag(c.INVOLVED), [hidden[i] for i in involved_cells], dtype=pl.Boolean),
        pl.Series(suppressed_flag(c.TOTAL), [hidden[t] for t in total_cells], dtype=pl.Boolean),
    )
    new_rows = recompute_row_statistics(new_rows, settings, extra_key, adjust).with_columns(
        (pl.col(suppressed_flag(c.INVOLVED)) | pl.col(suppressed_flag(c.TOTAL))).alias(SUPPRESSED),
        pl.lit(True).alias(ROUNDED),
        pl.lit(False).alias(NOT_FOR_PUBLICATION),
    )
    return new_rows, _published_tables(tables, view, system, hidden, published)


def _published_tables(
    tables: pl.DataFrame, view: int, system: CellSystem, hidden: list[bool], published
) -> pl.DataFrame:
    if not tables.width:
        return tables
    names = system.key_names[view]
    present = [col for col in TABLE_COUNTS if col in tables.columns]
    keys = [_key(r, names) for r in tables.iter_rows(named=True)]
    updates = []
    for col in present:
        cells = [system.table_cell[(view, key, col)] for key in keys]
        updates.append(pl.Series(col, [published(x) for x in cells], dtype=pl.Int64))
        updates.append(pl.Series(suppressed_flag(col), [hidden[x] for x in cells], dtype=pl.Boolean))
    new_tables = tables.with_columns(updates)
    if c.DECLARATION_RATE in tables.columns and c.PEOPLE in present:
        new_tables = new_tables.with_columns(
            pl.when(pl.col(c.PEOPLE) > 0)
            .then(pl.col(c.TOTAL) / pl.col(c.PEOPLE))
            .otherwise(None)
            .cast(pl.Float64)
            .alias(c.DECLARATION_RATE)
        )
    return new_tables.with_columns(
        pl.any_horizontal([suppressed_flag(col) for col in present]).alias(SUPPRESSED),
        pl.lit(True).alias(ROUNDED),
        pl.lit(False).alias(NOT_FOR_PUBLICATION),
    )


def suppress_tables(tables: pl.DataFrame, settings: Settings | None = None) -> pl.DataFrame:
    """The published version of per-table figures alone (people, known, unknown, not stated, not known per
    level x period x characteristic, such as the data-quality view), with the same lines as the representation
    tables: known + unknown = everyone, not stated + not known = unknown, and each figure across the
    levels."""
    settings = settings or _settings()
    empty_rows = pl.DataFrame(schema={c.GROUP: pl.String, c.INVOLVED: pl.Int64, c.TOTAL: pl.Int64})
    _, published = suppress_representation(empty_rows, tables, settings)
    return published


def mark_exact(frame: pl.DataFrame, counts: Sequence[str]) -> pl.DataFrame:
    """The exact figures, unchanged, with the same flag columns as a suppressed frame and
    not_for_publication."""
    present = [col for col in counts if col in frame.columns]
    return frame.with_columns(
        *[pl.lit(False).alias(suppressed_flag(col)) for col in present],
        pl.lit(False).alias(SUPPRESSED),
        pl.lit(False).alias(ROUNDED),
        pl.lit(True).alias(NOT_FOR_PUBLICATION),
    )


def mark_published(frame: pl.DataFrame) -> pl.DataFrame:
    """Flags for a frame whose figures are already published values (built from a protected
    representation)."""
    present = [col for col in (*ROW_COUNTS, *TABLE_COUNTS) if col in frame.columns]
    return frame.with_columns(
        *[pl.col(col).is_null().alias(suppressed_flag(col)) for col in dict.fromkeys(present)],
        (pl.any_horizontal([pl.col(col).is_null() for col in present]) if present else pl.lit(False)).alias(
            SUPPRESSED
        ),
        pl.lit(True).alias(ROUNDED),
        pl.lit(False).alias(NOT_FOR_PUBLICATION),
    )


def looks_published(frame: pl.DataFrame, counts: Sequence[str], settings: Settings | None = None) -> bool:
    """True when every shown count is a value the published version could hold (0, or a multiple of the
    rounding base at or above the threshold): a frame built from a protected representation passes, exact
    small counts do not (exact counts that already are such values are their own published version)."""
    settings = settings or _settings()
    base, low = settings.rounding_base, settings.suppress_below
    for col in counts:
        if col not in frame.columns:
            continue
        values = frame[col].drop_nulls()
        if ((values != 0) & ((values % base != 0) | (values < low))).any():
            return False
    return True


# --- Any other aggregate frame
# -------------------------------------------------------------------------------


def suppress_frame(
    frame: pl.DataFrame,
    counts: Sequence[str],
    *,
    derived: Mapping[str, pl.Expr | None] | None = None,
    lines: Sequence[Sequence[str]] = (),
    digits: int = 2,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """Suppress and round the ``counts`` columns of an aggregate frame (one row = one cell set).

    ``lines`` lists groups of count columns of one row that add up (first = total, the rest = parts); a row
    with exactly one hidden cell in a line gets a second (for a line whose total is ``people``, the total).
    ``derived`` maps each derived column to an expression that recomputes it from the published counts, or to
    None: then it is null when any count of the row is hidden and rounded to ``digits`` decimals otherwise.
    Columns that are neither counts nor derived are kept as they are (keys and labels): callers must list
    every figure.
    """
    settings = settings or _settings()
    _check(frame, "aggregate", counts)
    derived = dict(derived or {})
    values: list[int] = []
    missing: list[bool] = []
    cell_of: dict[tuple[int, str], int] = {}
    for index, row in enumerate(frame.select(counts).iter_rows(named=True)):
        for col in counts:
            cell_of[(index, col)] = len(values)
            values.append(0 if row[col] is None else int(row[col]))
            missing.append(row[col] is None)
    all_lines = [
        Line(
            parts=tuple(cell_of[(i, col)] for col in line[1:]),
            total=cell_of[(i, line[0])],
            rule=line[0] != c.PEOPLE,
        )
        for i in range(frame.height)
        for line in lines
    ]
    primary = [m or is_small(v, settings) for v, m in zip(values, missing, strict=True)]
    people = {cell_of[(i, c.PEOPLE)] for i in range(frame.height)} if c.PEOPLE in counts else set()
    hidden = protect_cells(
        values,
        primary,
        primary,
        all_lines,
        settings,
        public=people,
        candidates=set(range(len(values))) - people,
    )
    updates = []
    for col in counts:
        cells = [cell_of[(i, col)] for i in range(frame.height)]
        updates.append(
            pl.Series(
                col,
                [None if hidden[x] else round_count(values[x], settings.rounding_base) for x in cells],
                dtype=pl.Int64,
            )
        )
        updates.append(pl.Series(suppressed_flag(col), [hidden[x] for x in cells], dtype=pl.Boolean))
    out = frame.with_columns(updates)
    any_hidden = pl.any_horizontal([suppressed_flag(col) for col in counts]) if counts else pl.lit(False)
    out = out.with_columns(any_hidden.alias(SUPPRESSED))
    recomputed = [expr.alias(name) for name, expr in derived.items() if expr is not None]
    if recomputed:
        out = out.with_columns(recomputed)
    kept = [
        pl.when(pl.col(SUPPRESSED)).then(None).otherwise(pl.col(name).round(digits)).alias(name)
        for name, expr in derived.items()
        if expr is None and name in out.columns
    ]
    if kept:
        out = out.with_columns(kept)
    return out.with_columns(pl.lit(True).alias(ROUNDED), pl.lit(False).alias(NOT_FOR_PUBLICATION))


# --- Showing it
# ----------------------------------------------------------------------------------------------


def display_counts(frame: pl.DataFrame, counts: Sequence[str] | None = None) -> pl.DataFrame:
    """Count columns as text for tables and downloads: "*" where hidden, the published number otherwise.

    ``counts`` defaults to every column that has a ``<column>_suppressed`` flag. The flag columns are dropped.
    """
    if counts is None:
        counts = [col for col in frame.columns if suppressed_flag(col) in frame.columns]
    exprs = [
        pl.when(pl.col(suppressed_flag(col)))
        .then(pl.lit(SUPPRESSED_MARK))
        .otherwise(pl.col(col).cast(pl.String))
        .alias(col)
        for col in counts
    ]
    return frame.with_columns(exprs).drop([suppressed_flag(col) for col in counts])


def shown_counts(frame: pl.DataFrame, counts: Sequence[str]) -> list[int]:
    """Every count a reader can see (for tests and checks): the non-null values of the count columns."""
    return [int(v) for col in counts if col in frame.columns for v in frame[col].drop_nulls().to_list()]


def is_protected(frame: pl.DataFrame) -> bool:
    """True when a frame has already been through disclosure control (suppressed or marked exact)."""
    return NOT_FOR_PUBLICATION in frame.columns
