"""What an import found and did: problems, counts per table, the report's CSV and sentences, the audit
event's detail and the import log."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

import polars as pl
from polars.datatypes import DataTypeClass
from sqlalchemy import select
from sqlalchemy.engine import Engine

from models import _tabular, audit
from models.importer.messages import CHECKED, COMMITTED, REJECTED
from models.tables import ImportLog, Organisation, table_of


@dataclass(frozen=True)
class Problem:
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    problem: str
    accepted: str


@dataclass
class TableCounts:
    table: str
    sheet: str | None
    rows_read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    deleted: int = 0  # rows an import with replace removed because the file no longer has them


PROBLEM_SCHEMA = {
    "file": pl.String,
    "sheet": pl.String,
    "row": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "problem": pl.String,
    "accepted": pl.String,
}


@dataclass
class ImportReport:
    file_name: str
    sheet: str | None
    table: str
    rows_read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    committed: bool = False
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    tables: list[TableCounts] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # columns or sheets that were not read
    organisation: str | None = None  # code of the organisation the file was imported into
    deleted: int = 0
    replace: bool = False
    warnings: list[str] = field(default_factory=list)  # things that will look wrong later, e.g. on the scorecard
    unrecognised: list[tuple[str, str]] = field(default_factory=list)  # (table, heading) to map or ignore
    new_committees: list[str] = field(default_factory=list)  # committees to create once the user confirms
    mapping: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> {heading: field}, as applied

    @property
    def outcome(self) -> str:
        """committed, rejected (problems found: nothing written) or checked (a clean dry run)."""
        if self.committed:
            return COMMITTED
        return REJECTED if self.problems else CHECKED

    def problems_frame(self) -> pl.DataFrame:
        return (
            pl.DataFrame([p.__dict__ for p in self.problems], schema=PROBLEM_SCHEMA, orient="row")
            if self.problems
            else pl.DataFrame(schema=PROBLEM_SCHEMA)
        )

    def to_csv(self) -> str:
        """Every problem as CSV text (columns file, sheet, row, column, value, problem, accepted)."""
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(PROBLEM_SCHEMA)
        for p in self.problems:
            writer.writerow(
                [
                    _tabular.escape_cell(str(v)) if v is not None else ""
                    for v in (p.file, p.sheet, p.row, p.column, p.value, p.problem, p.accepted)
                ]
            )
        return buffer.getvalue()

    def summary(self) -> str:
        """One or two sentences for the CLI and the page."""
        counts = (
            f"{self.rows_read:,} rows read, {self.added:,} added, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged, {self.rejected:,} rejected"
        ) + (f", {self.deleted:,} deleted (not in the file)" if self.replace else "")
        if self.problems:
            return (
                f"{self.file_name}: {counts}. {len(self.problems):,} problems found; nothing was written: "
                f"fix them and import the file again."
            )
        if self.dry_run:
            return f"{self.file_name}: {counts} (dry run: nothing was written)."
        return f"{self.file_name}: {counts}. Imported."


# --- Audit --------------------------------------------------------------------------------------------------


def audit_detail(report: ImportReport, *, limit: int = audit.MAX_DETAIL_CHARS - 200) -> dict[str, object]:
    """What an import's audit event says: file, tables, organisation, outcome, counts; never cell values."""
    detail: dict[str, object] = {
        "file": report.file_name[:300],
        "table": report.table,
        "sheet": report.sheet,
        "organisation": report.organisation,
        "outcome": report.outcome,
        "dry_run": report.dry_run,
        "rows_read": report.rows_read,
        "added": report.added,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": report.rejected,
        "problems": len(report.problems),
    }
    if report.replace:
        detail["replace"] = True
        detail["deleted"] = report.deleted
    if len(report.tables) > 1:
        detail["tables"] = {
            t.table: {
                "rows_read": t.rows_read,
                "added": t.added,
                "updated": t.updated,
                "unchanged": t.unchanged,
                "rejected": t.rejected,
            }
            for t in report.tables
        }
    if len(json.dumps(detail, default=str)) > limit:  # many long sheet names: keep the totals
        detail.pop("tables", None)
        detail["sheet"] = str(report.sheet or "")[:300] or None
    return detail


def total_counts(report: ImportReport) -> None:
    for name in ("rows_read", "added", "updated", "unchanged", "rejected", "deleted"):
        setattr(report, name, sum(getattr(t, name) for t in report.tables))


def import_log_frame(
    *, engine: Engine, organisation_code: str | None = None, limit: int = 200
) -> pl.DataFrame:
    """The newest committed imports (who, when, file, table, counts), newest first."""
    log = table_of(ImportLog)
    organisation = table_of(Organisation)
    query = (
        select(
            log.c.at,
            log.c.user,
            organisation.c.code.label("organisation"),
            log.c.file_name,
            log.c.table_name,
            log.c.rows_read,
            log.c.added,
            log.c.updated,
            log.c.unchanged,
            log.c.rejected,
        )
        .join(organisation, organisation.c.id == log.c.organisation_id)
        .order_by(log.c.at.desc(), log.c.id.desc())
        .limit(limit)
    )
    if organisation_code is not None:
        query = query.where(organisation.c.code == organisation_code)
    schema: dict[str, pl.DataType | DataTypeClass] = {
        "at": pl.Datetime("us"),
        "user": pl.String,
        "organisation": pl.String,
        "file_name": pl.String,
        "table_name": pl.String,
        "rows_read": pl.Int64,
        "added": pl.Int64,
        "updated": pl.Int64,
        "unchanged": pl.Int64,
        "rejected": pl.Int64,
    }
    with engine.connect() as connection:
        rows = [tuple(r) for r in connection.execute(query)]
    rows = [(r[0].replace(tzinfo=None) if r[0] is not None else None, *r[1:]) for r in rows]
    return pl.DataFrame(rows, schema=schema, orient="row")
