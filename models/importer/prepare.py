"""Before the transaction: the column mappings applied to each sheet, a one-sheet register expanded into
people and involvements, and the organisation looked up."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.engine import Engine

from data import vocabulary
from models import _tabular, mapping, register
from models.importer.parse import parse_date
from models.importer.report import ImportReport, Problem
from models.importer.specs import HEADER_MAPS, REGISTER_MAP, TABLE_ORDER, TABLES
from models.tables import Activity, Organisation, table_of


@dataclass(frozen=True)
class Options:
    column_map: dict[str, str] = field(default_factory=dict)
    create_committees: bool = False
    committee_level: str = "operational"
    replace: bool = False



def only_organisation_id(engine: Engine) -> int | None:
    table = table_of(Organisation)
    with engine.connect() as connection:
        ids = connection.execute(select(table.c.id).limit(2)).scalars().all()
    return ids[0] if len(ids) == 1 else None


def _activity_names(engine: Engine, organisation_id: int | None) -> dict[str, str]:
    """Folded reference or name -> reference of the organisation's activities."""
    if organisation_id is None:
        return {}
    table = table_of(Activity)
    with engine.connect() as connection:
        rows = connection.execute(
            select(table.c.ref, table.c.name).where(table.c.organisation_id == organisation_id)
        ).all()
    found = {vocabulary.key(r.name): r.ref for r in rows}
    found.update({vocabulary.key(r.ref): r.ref for r in rows})
    return found


def _table_fields(table: str) -> list[str]:
    if table == register.REGISTER:
        return register.fields([c.name for c in TABLES["people"].columns])
    return [c.name for c in TABLES[table].columns]


def mapping_fields(report: ImportReport) -> list[str]:
    """The fields a heading of this report's file can be mapped to (the one-sheet register's, or the table's)."""
    tables = [t.strip() for t in report.table.split(",")]
    if "people" in tables and "involvements" in tables:
        return _table_fields(register.REGISTER)
    return _table_fields(tables[0]) if tables and tables[0] in TABLES else []


def _apply_map(sheet: _tabular.Sheet, table_map: dict[str, str]) -> tuple[_tabular.Sheet, dict[str, str]]:
    """Headings renamed to the fields they are mapped to; headings marked ignore blanked (not read)."""
    headers, applied = [], {}
    for heading in sheet.headers:
        target = table_map.get(vocabulary.key(heading))
        if target is None:
            headers.append(heading)
            continue
        applied[heading.strip()] = target
        headers.append("" if target == mapping.IGNORE else target)
    if not applied:
        return sheet, applied
    return _tabular.Sheet(name=sheet.name, headers=headers, rows=sheet.rows, row_numbers=sheet.row_numbers,
                          ragged=sheet.ragged), applied


def prepare(
    engine: Engine,
    plan: list[tuple[str, _tabular.Sheet]],
    remembered: dict[str, dict[str, str]],
    options: Options,
    organisation_code: str | None,
) -> tuple[list[tuple[str, _tabular.Sheet]], dict[str, dict[str, str]], register.Expanded | None]:
    """Mappings applied to each sheet, and a one-sheet register expanded into the tables it holds."""
    out: list[tuple[str, _tabular.Sheet]] = []
    applied: dict[str, dict[str, str]] = {}
    committees = None
    for table, sheet in plan:
        known = HEADER_MAPS.get(table, REGISTER_MAP)
        present = {vocabulary.key(h) for h in sheet.headers}
        explicit = {h: f for h, f in options.column_map.items()
                    if h in present and (h not in known or table == register.REGISTER)}
        mapping.check_fields(explicit, table, _table_fields(table))
        table_map = {**remembered.get(table, {}), **explicit}
        sheet, used = _apply_map(sheet, table_map)
        if used:
            applied[table] = used
        if table != register.REGISTER:
            out.append((table, sheet))
            continue
        organisation_id = find_organisation_id(engine, organisation_code) or only_organisation_id(engine)
        committees = register.expand(
            sheet, REGISTER_MAP, activities=_activity_names(engine, organisation_id),
            create_committees=options.create_committees, committee_level=options.committee_level,
            parse_date=parse_date,
        )
        out.extend(committees.sheets)
    order = {t: i for i, t in enumerate(TABLE_ORDER)}
    return sorted(out, key=lambda pair: order[pair[0]]), applied, committees


def explain(report: ImportReport, committees: register.Expanded | None) -> None:
    """Problems and warnings that need more than the row: headings to map, committees to confirm."""
    report.unrecognised = sorted({(p.sheet or "", p.column or "") for p in report.problems
                                  if p.problem == mapping.UNRECOGNISED})
    if committees is None or not committees.new_committees:
        return
    report.new_committees = list(committees.new_committees)
    new = set(committees.new_committees)
    report.problems = [
        Problem(file=p.file, sheet=p.sheet, row=p.row, column=p.column, value=p.value,
                problem=mapping.say(register.NEW_COMMITTEE), accepted=p.accepted)
        if p.column == "activity_ref" and p.value in new else p
        for p in report.problems
    ]


def find_organisation_id(engine: Engine, code: str | None) -> int | None:
    if code is None:
        return None
    table = table_of(Organisation)
    with engine.connect() as connection:
        return connection.execute(select(table.c.id).where(table.c.code == code)).scalar_one_or_none()
