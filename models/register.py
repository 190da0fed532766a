"""The one-sheet register many teams keep: a row per person and committee, with the person's equality answers
and the membership (committee, role, date joined, paid) side by side.

``expand`` turns such a sheet into the sheets the importer already knows: ``people`` (one row per person),
``involvements`` (one row per person and committee) and, once the user confirms, ``activities`` for committees
Presence does not have yet. Row numbers are kept, so every problem still points at the row of the register.
Committees are matched by reference or by name (case, spaces and punctuation do not matter).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from data import codes, vocabulary
from models import _tabular

REGISTER = "register"
COMMITTEE = "activity_ref"
NEW_COMMITTEE = (
    "is a committee Presence does not have yet; confirm with --create-committees to create it as a new activity"
)
# A new committee's 4PI area follows the level it is created at.
AREA_OF_LEVEL = {"individual": "A", "community": "B", "operational": "C", "strategic": "D", "board": "D"}
INVOLVEMENT_FIELDS = (COMMITTEE, "role", "payment_basis", "has_role_description", "start_date", "end_date")
REGISTER_ALIASES = ("register", "membership register", "members register", "involvement register")


@dataclass
class Expanded:
    sheets: list[tuple[str, _tabular.Sheet]]
    new_committees: list[str] = field(default_factory=list)
    committee_rows: dict[str, list[int]] = field(default_factory=dict)


def header_map(people: Mapping[str, str], involvements: Mapping[str, str]) -> dict[str, str]:
    """Folded heading -> register field: every people heading, then the involvement headings that are not the
    involvement's own reference or person (the row's person is the involvement's person)."""
    found = dict(people)
    for heading, name in involvements.items():
        if name in INVOLVEMENT_FIELDS:
            found.setdefault(heading, name)
    return found


def fields(people_fields: Sequence[str]) -> list[str]:
    return [*people_fields, *INVOLVEMENT_FIELDS]


def score(headers: Sequence[str], mapping: Mapping[str, str]) -> int | None:
    """How many headings a register reading recognises; None when it lacks a person, committee or date joined."""
    present = {mapping[vocabulary.key(h)] for h in headers if vocabulary.key(h) in mapping}
    if not {"ref", COMMITTEE, "start_date"} <= present:
        return None
    if not present - {"ref", *INVOLVEMENT_FIELDS}:
        return None  # nothing about the person: an involvements file
    return len(present)


def _column(sheet: _tabular.Sheet, mapping: Mapping[str, str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, heading in enumerate(sheet.headers):
        name = mapping.get(vocabulary.key(heading))
        if name is not None:
            positions.setdefault(name, index)
    return positions


def expand(
    sheet: _tabular.Sheet,
    mapping: Mapping[str, str],
    *,
    activities: Mapping[str, str],
    create_committees: bool,
    committee_level: str,
    parse_date: Callable[[str], date],
) -> Expanded:
    """``activities`` maps a folded reference or name to the activity's reference. Headings the mapping does
    not know stay on the people sheet, where the importer reports them."""
    positions = _column(sheet, mapping)
    people_names = [n for n in positions if n not in INVOLVEMENT_FIELDS]
    unknown = [i for i, h in enumerate(sheet.headers) if vocabulary.key(h) not in mapping and h.strip()]
    people_headers = people_names + [sheet.headers[i] for i in unknown]
    people_index = [positions[n] for n in people_names] + unknown
    people_rows: list[list[str]] = []
    people_numbers: list[int] = []
    seen: set[tuple[str, ...]] = set()
    involvement_rows: list[list[str]] = []
    involvement_numbers: list[int] = []
    involvement_names = ["person_ref", *[n for n in INVOLVEMENT_FIELDS if n in positions]]
    new: dict[str, str] = {}  # folded name -> name as written
    first_row: dict[str, int] = {}
    joined: dict[str, list[str]] = {}
    rows_of: dict[str, list[int]] = {}

    def cell(row: list[str], index: int) -> str:
        return row[index] if index < len(row) else ""

    for row, number in zip(sheet.rows, sheet.row_numbers, strict=True):
        person = tuple(cell(row, i).strip() for i in people_index)
        if person not in seen:
            seen.add(person)
            people_rows.append([cell(row, i) for i in people_index])
            people_numbers.append(number)
        committee = cell(row, positions[COMMITTEE]).strip() if COMMITTEE in positions else ""
        if not committee:
            continue
        folded = vocabulary.key(committee)
        ref = activities.get(folded)
        if ref is None:
            new.setdefault(folded, committee)
            first_row.setdefault(folded, number)
            rows_of.setdefault(committee, []).append(number)
            if "start_date" in positions:
                joined.setdefault(folded, []).append(cell(row, positions["start_date"]))
            ref = committee[:80]
        values = {"person_ref": cell(row, positions["ref"]) if "ref" in positions else ""}
        values |= {n: cell(row, positions[n]) for n in INVOLVEMENT_FIELDS if n in positions}
        values[COMMITTEE] = ref
        involvement_rows.append([values[n] for n in involvement_names])
        involvement_numbers.append(number)
    sheets: list[tuple[str, _tabular.Sheet]] = []
    if new and create_committees:
        level = committee_level
        rows, numbers = [], []
        for folded, name in new.items():
            dates = []
            for raw in joined.get(folded, []):
                try:
                    dates.append(parse_date(raw))
                except Exception:  # noqa: BLE001 - the involvement row reports its own bad date
                    continue
            start = min(dates) if dates else date.today()
            rows.append([name[:80], name[:200], "committee", AREA_OF_LEVEL.get(level, "C"), level,
                         start.isoformat()])
            numbers.append(first_row[folded])
        sheets.append(("activities", _tabular.Sheet(
            name=sheet.name, headers=["ref", "name", "kind", "involvement_area", "level", "start_date"],
            rows=rows, row_numbers=numbers)))
    sheets.append(("people", _tabular.Sheet(name=sheet.name, headers=people_headers, rows=people_rows,
                                            row_numbers=people_numbers, ragged=list(sheet.ragged))))
    sheets.append(("involvements", _tabular.Sheet(name=sheet.name, headers=involvement_names,
                                                  rows=involvement_rows, row_numbers=involvement_numbers)))
    return Expanded(
        sheets=sheets,
        new_committees=[] if create_committees else list(new.values()),
        committee_rows=rows_of if not create_committees else {},
    )


def default_level() -> str:
    return next(key for _rank, key, _name, _dm in codes.DEFAULT_LEVELS if key == "operational")
