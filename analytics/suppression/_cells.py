"""Every count of one or more views as numbered cells, with the lines a reader can add up across them: the
groups of a table, the levels of a period, the ethnic hierarchy, and a crossed table's links to its two
single views (with the figures nobody publishes as free cells)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from analytics import columns as c
from analytics.suppression._lines import Line
from analytics.suppression._rules import CROSS_SEPARATOR, LEVEL_LINE_KEY, TABLE_COUNTS, TABLE_KEY
from data import characteristics as registry
from data import codes

Key = tuple[Any, ...]  # a table key (values of the key columns), or a cell's address
View = tuple[pl.DataFrame, pl.DataFrame]  # (rows, tables) of one representation view

if TYPE_CHECKING:
    from models.settings import Settings


def row_key(row: Mapping[str, Any], names: Sequence[str]) -> Key:
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


ETHNIC_FAMILY = registry.ETHNICITY_FAMILY


def family(characteristic: str) -> tuple[str, ...]:
    """The characteristics whose tables count the same people in finer or coarser groups (protected
    together): a family of the registry (``data.characteristics``)."""
    return registry.family(characteristic)


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
    row_cell: dict[Key, int]
    table_cell: dict[Key, int]
    key_names: list[list[str]]
    free: set[int] = field(default_factory=set)
    table_of: dict[int, Key] = field(default_factory=dict)

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
    row_cell: dict[Key, int] = {}
    table_cell: dict[Key, int] = {}
    shared: dict[Key, int] = {}
    table_of: dict[int, Key] = {}  # cell -> its table's key without the characteristic
    group_cell: dict[Key, int] = {}  # (characteristic, shared key, group) -> cell
    all_keys: list[list[str]] = []

    def add(value: int | None) -> int:
        values.append(0 if value is None else int(value))
        missing.append(value is None)
        return len(values) - 1

    def table_add(view: int, key: Key, names: list[str], col: str, value: int | None) -> int:
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
    level_lines: dict[Key, list[int]] = {}
    hierarchy: dict[Key, list[int]] = {}
    present = {ch for rows, tables in views for ch in characteristics(rows, tables)}
    kin_of: dict[int, str] = {}  # view -> its family (views of one family share their table figures)
    linked: set[int] = set()  # crossed views given with both their single views
    for view, (rows, tables) in enumerate(views):
        for ch in characteristics(rows, tables):
            kin_of[view] = family(ch)[0]
            if crossed_parts(ch) and set(crossed_parts(ch)) <= present:
                linked.add(view)
    for view, (rows, tables) in enumerate(views):
        names = table_key(rows, tables, extra_key)
        all_keys.append(names)
        for row in tables.iter_rows(named=True):
            for col in (col for col in TABLE_COUNTS if col in tables.columns):
                table_add(view, row_key(row, names), names, col, row[col])
        groups_of_table: dict[Key, list[int]] = {}
        level_names = [k for k in LEVEL_LINE_KEY if k in rows.columns]
        for index, row in enumerate(rows.iter_rows(named=True)):
            cell = add(row[c.INVOLVED])
            row_cell[(view, index)] = cell
            key = row_key(row, names)
            table_of[cell] = _shared_key(key, names)
            if (view, key, c.TOTAL) not in table_cell:  # rows without a tables frame: N is on every row
                table_add(view, key, names, c.TOTAL, row.get(c.TOTAL))
            groups_of_table.setdefault(key, []).append(cell)
            level_lines.setdefault((view, row_key(row, level_names)), []).append(cell)
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
            if all((view, key, col) in table_cell for col in (c.PEOPLE, c.TOTAL, c.UNKNOWN)):
                # everyone counted is the same for every characteristic, so hiding it here would protect
                # nothing: this line is left to rounding and the audit
                lines.append(
                    Line(
                        parts=(table_cell[(view, key, c.TOTAL)], table_cell[(view, key, c.UNKNOWN)]),
                        total=table_cell[(view, key, c.PEOPLE)],
                        rule=False,
                    )
                )
            if all((view, key, col) in table_cell for col in (c.UNKNOWN, c.NOT_STATED, c.NOT_KNOWN)):
                lines.append(
                    Line(
                        parts=(table_cell[(view, key, c.NOT_STATED)], table_cell[(view, key, c.NOT_KNOWN)]),
                        total=table_cell[(view, key, c.UNKNOWN)],
                    )
                )
    across_levels: dict[Key, list[int]] = {}
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


def characteristics(rows: pl.DataFrame, tables: pl.DataFrame) -> set[str]:
    found: set[str] = set()
    for frame in (rows, tables):
        if frame.width and c.CHARACTERISTIC in frame.columns:
            found.update(v for v in frame[c.CHARACTERISTIC].unique().to_list() if v is not None)
    return found


def link_crossed(
    system: CellSystem, views: Sequence[View], group_cell: dict[Key, int]
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
    by_shared: dict[Key, int] = {}
    view_of: dict[str, int] = {}
    for view, (rows, tables) in enumerate(views):
        for ch in sorted(characteristics(rows, tables)):
            view_of.setdefault(ch, view)
    for (view, key, col), cell in system.table_cell.items():
        by_shared[(view, _shared_key(key, system.key_names[view]), col)] = cell
    crossed_cells: dict[Key, dict[tuple[str, str], int]] = {}
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

    def add(parts: Sequence[int | None], total: int | None) -> None:
        known = tuple(p for p in parts if p is not None)
        if total is not None and parts and len(known) == len(parts):  # a missing figure: no line
            system.lines.append(Line(parts=known, total=total, rule=False))

    for (characteristic, shared), cells in crossed_cells.items():
        first, second = crossed_parts(characteristic)
        crossed_view, view_a, view_b = view_of[characteristic], view_of[first], view_of[second]

        def figure(view: int, col: str, shared: Key = shared) -> int | None:
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
    system: CellSystem,
    figure: Callable[[int, str], int | None],
    unknown_for: dict[str, list[int]],
    first_part: tuple[str, int],
    second_part: tuple[str, int],
    crossed_view: int,
    slack: Callable[[], int],
    add: Callable[[Sequence[int | None], int | None], None],
) -> None:
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


def _shared_key(key: Key, names: Sequence[str]) -> Key:
    """A table key without the characteristic, so that the views of one family meet."""
    return tuple(v for name, v in zip(names, key, strict=True) if name != c.CHARACTERISTIC)


def _margin_cell(name: str, key: Key, names: list[str], group_cell: dict[Key, int]) -> int | None:
    """The cell of another view that a hierarchy line adds up to, when that view is being protected too."""
    shared = _shared_key(key, names)
    if name.startswith("broad:"):
        return group_cell.get(("ethnicity_broad", shared, name.removeprefix("broad:")))
    if name == "minority":
        return group_cell.get(("ethnicity_binary", shared, codes.BINARY_MINORITY))
    return None


def representation_lines(
    rows: pl.DataFrame, tables: pl.DataFrame, settings: Settings, extra_key: Sequence[str] = ()
) -> tuple[list[int], list[bool], list[Line], dict[Key, int], dict[Key, int]]:
    """Cell values, which cells are already hidden (null), the lines, and the cell id of each row (by row
    index) and of each table count (by table key, column), for one view."""
    system = build_cells([(rows, tables)], settings, extra_key)
    row_cell = {(index,): cell for (_view, index), cell in system.row_cell.items()}
    table_cell = {(key, col): cell for (_view, key, col), cell in system.table_cell.items()}
    return system.values, system.missing, system.lines, row_cell, table_cell

