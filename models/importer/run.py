"""The public entry point, ``import_file``: read, prepare, then check and write every sheet in one
transaction; exactly one audit event whatever the outcome."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from data import codes
from models import _tabular, audit, erasure, mapping
from models.db import bump_data_version
from models.importer import write
from models.importer.messages import DATABASE_REFUSED, NO_ROWS, REFUSED
from models.importer.prepare import Options, explain, find_organisation_id, only_organisation_id, prepare
from models.importer.read import plan_sheets, read_bytes
from models.importer.report import ImportReport, Problem, audit_detail, total_counts
from models.importer.specs import LINK_MODEL, OWNER_TABLE, TABLES
from models.importer.validate import Lookups, Validated, validate_sheet
from models.settings import get_settings


class _Rollback(Exception):
    """Raised inside the import transaction to roll it back on purpose (problems found, or a dry run)."""


def import_file(
    *,
    engine: Engine,
    path_or_bytes: str | Path | bytes,
    file_name: str | None = None,
    table: str | None = None,
    sheet: str | None = None,
    organisation_code: str | None = None,
    dry_run: bool = False,
    user: str = "cli",
    column_map: dict[str, str] | None = None,
    create_committees: bool = False,
    committee_level: str = "operational",
    replace: bool = False,
    wording: str = mapping.CLI,
) -> ImportReport:
    """Validate a CSV or .xlsx; when every row is good and this is not a dry run, write it in one transaction.

    ``organisation_code`` chooses the organisation; without it, the organisation the file carries (its
    organisations sheet), else the only one in the database. ``user`` (the signed-in email, or
    ``cli:<login>``) goes into the import log and the audit trail. Returns the report (counts, problems).
    Raises ``ValueError`` for a problem with the whole file. Every call writes exactly one audit event,
    whatever the outcome.

    ``column_map`` ({heading: field or "ignore"}) resolves headings Presence does not recognise; with the
    organisation's remembered mappings it is applied before checking, and a committed import remembers it.
    A one-sheet register becomes people and involvements; its committees that Presence does not have become
    activities (at ``committee_level``) only with ``create_committees``. ``replace`` makes each table hold
    exactly the file's rows: the organisation's rows the file does not have are deleted (check with
    ``dry_run`` first). ``wording`` words the advice for the command line (``cli``) or the page (``web``).
    """
    with mapping.wording(wording):
        return _import_file(
            engine=engine, path_or_bytes=path_or_bytes, file_name=file_name, table=table, sheet=sheet,
            organisation_code=organisation_code, dry_run=dry_run, user=user,
            options=Options(column_map=mapping.parse_maps(f"{k}={v}" for k, v in (column_map or {}).items()),
                             create_committees=create_committees, committee_level=committee_level,
                             replace=replace),
        )



def _import_file(
    *,
    engine: Engine,
    path_or_bytes: str | Path | bytes,
    file_name: str | None,
    table: str | None,
    sheet: str | None,
    organisation_code: str | None,
    dry_run: bool,
    user: str,
    options: Options,
) -> ImportReport:
    if not isinstance(user, str) or not user.strip():
        raise ValueError(audit.ERROR_USER)
    label = file_name or (
        "the uploaded file" if isinstance(path_or_bytes, bytes | bytearray | memoryview) else Path(path_or_bytes).name
    )
    try:
        report = _import(
            engine=engine,
            path_or_bytes=path_or_bytes,
            file_name=file_name,
            table=table,
            sheet=sheet,
            organisation_code=organisation_code,
            dry_run=dry_run,
            user=user,
            options=options,
        )
    except ValueError as error:
        error = ValueError(mapping.say(str(error)))
        _audit_refused(
            engine,
            user=user,
            file_name=label,
            table=table,
            organisation_code=organisation_code,
            dry_run=dry_run,
            error=error,
        )
        raise error from None
    if not report.committed:  # the committed import recorded its event in its own transaction
        audit.record_event(
            engine=engine,
            user=user,
            action=audit.IMPORT,
            organisation_id=find_organisation_id(engine, report.organisation),
            detail=audit_detail(report),
        )
    return report


def _import(
    *,
    engine: Engine,
    path_or_bytes: str | Path | bytes,
    file_name: str | None,
    table: str | None,
    sheet: str | None,
    organisation_code: str | None,
    dry_run: bool,
    user: str,
    options: Options,
) -> ImportReport:
    settings = get_settings()
    data, name = read_bytes(path_or_bytes, file_name, settings.max_import_bytes)
    plan, left_out = plan_sheets(
        data,
        name,
        table=table,
        sheet=sheet,
        max_rows=settings.max_import_rows,
        limit=settings.max_import_bytes,
    )
    known = find_organisation_id(engine, organisation_code) or only_organisation_id(engine)
    remembered = mapping.remembered(engine, known)
    plan, applied, committees = prepare(engine, plan, remembered, options, organisation_code)
    total_rows = sum(len(s.rows) for _, s in plan)
    if total_rows == 0:
        raise ValueError(NO_ROWS.format(file=name))
    if total_rows > settings.max_import_rows:
        raise ValueError(_tabular.TOO_MANY_ROWS.format(file=name, limit=settings.max_import_rows))
    report = ImportReport(
        file_name=name,
        sheet=", ".join(s.name for _, s in plan if s.name) or None,
        table=", ".join(t for t, _ in plan),
        dry_run=dry_run,
        ignored=list(left_out),
        organisation=organisation_code,
        replace=options.replace,
        mapping=applied,
    )
    report.ignored.extend(
        f"column '{h}' (marked ignore)" for t in applied.values() for h, f in t.items() if f == mapping.IGNORE
    )
    try:
        with engine.connect() as connection:
            try:
                with connection.begin():
                    _run(
                        connection,
                        plan,
                        report,
                        organisation_code=organisation_code,
                        dry_run=dry_run,
                        user=user,
                        options=options,
                    )
            except _Rollback:
                pass
    except (SQLAlchemyError, engine.dialect.loaded_dbapi.Error) as error:  # e.g. a lost connection
        lines = str(getattr(error, "orig", error)).splitlines() or [type(error).__name__]
        raise ValueError(DATABASE_REFUSED.format(file=name, reason=lines[0][:300])) from error
    explain(report, committees)
    return report


def _run(
    connection: Connection,
    plan: list[tuple[str, _tabular.Sheet]],
    report: ImportReport,
    *,
    organisation_code: str | None,
    dry_run: bool,
    user: str,
    options: Options,
) -> None:
    write.begin(connection, [name for name, _ in plan])
    validated: list[Validated] = []
    target_code, owner_rejected = organisation_code, False
    if plan and plan[0][0] == OWNER_TABLE:  # the organisation first: the other sheets belong to it
        owner = validate_sheet(
            TABLES[OWNER_TABLE],
            plan[0][1],
            file_name=report.file_name,
            lookups=Lookups(refs={}, levels={}),
            ignored=report.ignored,
        )
        validated.append(owner)
        target_code = write.file_organisation(owner, organisation_code, report.file_name)
        owner_rejected = owner.problems.height > 0
        if not owner_rejected:
            levels_given = any(name == "levels" and sheet.rows for name, sheet in plan)
            write.write_organisation(connection, owner, with_levels_from_file=levels_given)
    organisation = write.lock_organisation(connection, target_code, missing_ok=owner_rejected)
    report.organisation = organisation.code
    lookups = write.load_lookups(connection, organisation.id, organisation.code)
    if organisation.id is None and not any(name == "levels" for name, _ in plan):
        write.add_incoming_levels(lookups, [(key, name) for _, key, name, _ in codes.DEFAULT_LEVELS])
    # Dependency order: a table's references are known before it is checked.
    for name, sheet in plan[len(validated) :]:
        checked = validate_sheet(
            TABLES[name], sheet, file_name=report.file_name, lookups=lookups, ignored=report.ignored
        )
        validated.append(checked)
        if name in LINK_MODEL:
            lookups.incoming[name] = set(checked.frame.get_column("ref").drop_nulls().to_list())
        if name == "levels":
            write.add_incoming_levels(lookups, checked.frame.select("key", "name").drop_nulls().iter_rows())
    report.tables = [v.counts for v in validated]
    report.warnings.extend(_purpose_warnings(validated))
    problems = [
        v.problems.with_columns(pl.lit(v.sheet.name, dtype=pl.String).alias("sheet"))
        for v in validated
        if v.problems.height
    ]
    if problems:
        frame = pl.concat(problems, how="vertical_relaxed").sort("sheet", "row", "column", nulls_last=True)
        report.problems = [
            Problem(
                file=report.file_name,
                sheet=r["sheet"],
                row=r["row"],
                column=r["column"],
                value=r["value"],
                problem=r["problem"],
                accepted=r["accepted"],
            )
            for r in frame.iter_rows(named=True)
        ]
        total_counts(report)
        raise _Rollback
    assert organisation.id is not None  # only a rejected organisations sheet leaves it unwritten
    for v in validated:
        if v.spec.name != OWNER_TABLE:
            write.write_table(connection, v, lookups, organisation.id)
    if options.replace:
        for v in reversed(validated):
            if v.spec.name != OWNER_TABLE:
                keys = write.db_frame(v, lookups).select(write.key_fields(v.spec))
                v.counts.deleted = erasure.delete_missing(connection, v.spec.model, organisation.id, keys)
    total_counts(report)
    if dry_run:
        raise _Rollback
    write.log_import(connection, report, organisation.id, user)
    for name, used in report.mapping.items():
        mapping.remember(connection, organisation.id, name, used)
    added_only = [v.spec.name for v in validated if v.counts.updated == 0 and v.counts.deleted == 0]
    bump_data_version(
        connection, organisation.id, [v.spec.name for v in validated] + ["levels"], added_only=added_only
    )
    report.committed = True
    with Session(bind=connection) as session:  # in the import's transaction: written only if the import is
        audit.record_event(
            session=session,
            user=user,
            action=audit.IMPORT,
            organisation_id=organisation.id,
            detail=audit_detail(report),
        )


PURPOSE_WITHOUT_DATE = (
    "{n} of the activities in this file have a purpose or intended outcomes but no 'purpose recorded on' date: "
    "the 4PI scorecard counts an activity as having its purpose written down at the start only when that date "
    "is on or before its start, so 'Purpose and outcomes written down at the start' will not count {them}. "
    "Add the date in the purpose_recorded_on column."
)


def _purpose_warnings(validated: list[Validated]) -> list[str]:
    """An activity with a purpose but no date it was recorded: the scorecard will show it as not written down."""
    found = []
    for v in validated:
        if v.spec.name != "activities":
            continue
        n = v.frame.filter(
            (pl.col("purpose").is_not_null() | pl.col("intended_outcomes").is_not_null())
            & pl.col("purpose_recorded_on").is_null()
        ).height
        if n:
            found.append(PURPOSE_WITHOUT_DATE.format(n=n, them="it" if n == 1 else "them"))
    return found


def _audit_refused(
    engine: Engine,
    *,
    user: str,
    file_name: str,
    table: str | None,
    organisation_code: str | None,
    dry_run: bool,
    error: ValueError,
) -> None:
    """A file refused as a whole is audited too, after the rollback; the file's own error is what the caller
    sees, even when the database cannot take the audit event either (then the import wrote nothing)."""
    detail = {
        "file": file_name[:300],
        "table": table,
        "organisation": organisation_code,
        "outcome": REFUSED,
        "dry_run": dry_run,
        "reason": " ".join(str(error).split())[:500],
    }
    try:
        audit.record_event(
            engine=engine,
            user=user,
            action=audit.IMPORT,
            organisation_id=find_organisation_id(engine, organisation_code),
            detail=detail,
        )
    except (SQLAlchemyError, engine.dialect.loaded_dbapi.Error) as audit_error:
        error.add_note(f"The audit event could not be written either: {audit_error}")
