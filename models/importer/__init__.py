"""Import of spreadsheet and CSV registers: tolerant reading, a full problem report, all-or-nothing writes.

``import_file`` reads a .csv or .xlsx, works out which table (or tables, one sheet each) it holds, validates
every row with polars expressions, and writes in one transaction: when any row is rejected nothing is written
and the database is exactly as before. Rows are upserted on their organisation-scoped references, so
re-importing the same file changes nothing and an updated file changes only the rows that changed. Every
committed import writes an ``ImportLog`` row per table it read.

A file may carry its organisation (an ``organisations`` sheet of one row, with its ``levels`` and
``baselines``), so an export of one organisation imports into an empty database: the organisation is created
(with the levels of the file, or the five default levels) in the same transaction as its records.

Every call leaves exactly one ``audit_event`` (action ``import``): a committed import writes it in its own
transaction; a rejected file, a dry run or a refused file writes it after the rollback, so the audit trail is
complete while the data tables stay as they were.

Whole-file problems (not a CSV or workbook, too big, cannot tell the table) raise ``ValueError`` with one
sentence; row problems are collected in ``ImportReport.problems`` with the file, sheet, row (as the
spreadsheet shows it, header = row 1), column, value and what would be accepted.

The modules, in the order an import uses them: ``messages`` (the sentences), ``specs`` (the tables and their
columns), ``read`` (file to sheets, sheet to table), ``prepare`` (column mappings, the one-sheet register),
``parse`` (cell values), ``validate`` (a sheet's problems), ``write`` (the transaction's database work),
``report`` (counts, problems, audit detail, import log), ``run`` (``import_file``) and ``templates``; the
command line (``presence import``, ``presence template``) is in ``presence_cli.records``.
"""

from models.importer.messages import (
    AMBIGUOUS_TABLE,
    CHECKED,
    COMMITTED,
    DATABASE_REFUSED,
    DUPLICATE_COLUMN,
    DUPLICATE_KEY,
    END_BEFORE_START,
    FUTURE_DATE,
    MISSING_COLUMN,
    NO_ROWS,
    NO_SUCH_DATE,
    NOT_A_DATE,
    NOT_A_GROUP,
    NOT_A_NUMBER,
    NOT_AN_AREA,
    OTHER_ORGANISATION,
    OTHER_ORGANISATION_FILE,
    RAGGED_ROW,
    RANK_TAKEN,
    REFUSED,
    REJECTED,
    REQUIRED,
    SEVERAL_IN_FILE,
    TOO_LONG,
    UNKNOWN_CODE,
    UNKNOWN_LINK,
    UNKNOWN_TABLE,
)
from models.importer.parse import parse_date
from models.importer.prepare import mapping_fields
from models.importer.read import preview_rows, sheet_names, table_scores
from models.importer.report import ImportReport, Problem, TableCounts, audit_detail, import_log_frame
from models.importer.run import import_file
from models.importer.specs import LINK_MODEL, OWNER_TABLE, TABLE_ORDER, TABLES, Column, TableSpec
from models.importer.templates import (
    notes_rows,
    template_bytes,
    template_headers,
    workbook_template_bytes,
    write_templates,
)

__all__ = [
    "AMBIGUOUS_TABLE",
    "CHECKED",
    "COMMITTED",
    "DATABASE_REFUSED",
    "DUPLICATE_COLUMN",
    "DUPLICATE_KEY",
    "END_BEFORE_START",
    "FUTURE_DATE",
    "LINK_MODEL",
    "MISSING_COLUMN",
    "NOT_AN_AREA",
    "NOT_A_DATE",
    "NOT_A_GROUP",
    "NOT_A_NUMBER",
    "NO_ROWS",
    "NO_SUCH_DATE",
    "OTHER_ORGANISATION",
    "OTHER_ORGANISATION_FILE",
    "OWNER_TABLE",
    "RAGGED_ROW",
    "RANK_TAKEN",
    "REFUSED",
    "REJECTED",
    "REQUIRED",
    "SEVERAL_IN_FILE",
    "TABLES",
    "TABLE_ORDER",
    "TOO_LONG",
    "UNKNOWN_CODE",
    "UNKNOWN_LINK",
    "UNKNOWN_TABLE",
    "Column",
    "ImportReport",
    "Problem",
    "TableCounts",
    "TableSpec",
    "audit_detail",
    "import_file",
    "import_log_frame",
    "mapping_fields",
    "notes_rows",
    "parse_date",
    "preview_rows",
    "sheet_names",
    "table_scores",
    "template_bytes",
    "template_headers",
    "workbook_template_bytes",
    "write_templates",
]
