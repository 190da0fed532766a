"""Records in and out: ``presence import``, ``template``, ``export``, ``delete`` and ``erase``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from models.encoding import escape_control
from presence_cli.database import ready_engine
from presence_cli.operator import cli_user

if TYPE_CHECKING:
    from models.importer import ImportReport

# The importer, exporter and erasure modules are imported by the commands that use them, so that the other
# commands (and ``presence --help``) start as fast as before.

EXIT_INVALID = 2  # the file (or a value in it) is not valid input: the README's exit code


# --- Import ----------------------------------------------------------------------------------------------------


def run_import(args: argparse.Namespace) -> int:
    """``presence import FILE``: 0 when imported (or a clean dry run), 2 when the file was rejected.

    With ``--replace`` a dry run comes first and its summary (including what would be deleted) is shown; the
    import then goes ahead only after confirmation (or with ``--yes``)."""
    from models import mapping
    from models.importer import import_file

    engine = ready_engine()
    column_map = dict(item.split("=", 1) for item in (getattr(args, "map", None) or []) if "=" in item)
    mapping.parse_maps(getattr(args, "map", None))  # refuses a malformed --map with a sentence
    options = dict(
        engine=engine,
        path_or_bytes=Path(args.file),
        table=args.table,
        sheet=getattr(args, "sheet", None),
        organisation_code=getattr(args, "organisation", None),
        user=cli_user(),
        column_map=column_map,
        create_committees=bool(getattr(args, "create_committees", False)),
        committee_level=getattr(args, "committee_level", None) or "operational",
        replace=bool(getattr(args, "replace", False)),
    )
    dry_run = bool(getattr(args, "dry_run", False))
    if options["replace"] and not dry_run:
        check = import_file(**options, dry_run=True)
        _print_report(args, check)
        if check.problems:
            return EXIT_INVALID
        if not getattr(args, "yes", False) and not _confirm_replace(check):
            print("Nothing was written.")
            return 1
    report = import_file(**options, dry_run=dry_run)
    _print_report(args, report)
    return EXIT_INVALID if report.problems else 0


def _confirm_replace(report: ImportReport) -> bool:
    try:
        answer = input(f"Replace: {report.deleted:,} rows not in the file will be deleted. Go ahead? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in {"y", "yes"}


def _print_report(args: argparse.Namespace, report: ImportReport) -> None:
    if getattr(args, "report", None):
        Path(args.report).write_text(report.to_csv(), encoding="utf-8-sig")
    for t in report.tables:
        print(escape_control(
            f"  {t.table}{f' (sheet {t.sheet})' if t.sheet else ''}: {t.rows_read:,} read, "
            f"{t.added:,} added, "
            f"{t.updated:,} updated, {t.unchanged:,} unchanged, {t.rejected:,} rejected"
            + (f", {t.deleted:,} deleted" if report.replace else "")
        ))
    for item in report.ignored:
        print(escape_control(f"  not read: {item}"))
    shown = report.problems[:50]
    for p in shown:
        where = f"row {p.row}" + (f", column {p.column}" if p.column else "")
        sheet_label = f"sheet {p.sheet}, " if p.sheet else ""
        value = f" '{p.value}'" if p.value is not None else ""
        print(escape_control(f"  {sheet_label}{where}:{value} {p.problem}; accepted: {p.accepted}"))
    if len(report.problems) > len(shown):
        print(
            f"  ... and {len(report.problems) - len(shown):,} more problems"
            + ("; see the report file." if getattr(args, "report", None) else "; use --report FILE.csv.")
        )
    for warning in report.warnings:
        print(escape_control(f"  warning: {warning}"))
    if report.unrecognised:
        headers = ", ".join(f"'{h}'" for _, h in report.unrecognised)
        example = f'--map "{report.unrecognised[0][1]}=ignore"'
        print(escape_control(f"  columns to map or ignore: {headers}; for example {example}"))
    if report.new_committees:
        committees = ", ".join(report.new_committees)
        print(escape_control(f"  new committees (create them with --create-committees): {committees}"))
    print(escape_control(report.summary()))


def run_template(args: argparse.Namespace) -> int:
    """``presence template DIR``: write the blank templates."""
    from models.importer import write_templates

    paths = write_templates(args.directory)
    print(f"Wrote {len(paths)} templates to {Path(args.directory)}: " + ", ".join(p.name for p in paths))
    return 0


# --- Export ----------------------------------------------------------------------------------------------------


def run_export(args: argparse.Namespace) -> int:
    """``presence export DIR [--organisation CODE]``."""
    from models.exporter import export_all

    paths = export_all(
        engine=ready_engine(),
        directory=args.directory,
        organisation_code=getattr(args, "organisation", None),
        user=cli_user(),
    )
    print(
        f"Wrote {len(paths)} files to {Path(args.directory)}: "
        + ", ".join(str(p.relative_to(Path(args.directory))) for p in paths)
    )
    return 0


# --- Deleting and erasing --------------------------------------------------------------------------------------


def _show(what: dict[str, int]) -> str:
    from models.erasure import TABLE_WORDS

    return ", ".join(f"{n:,} {TABLE_WORDS.get(t, t)}" for t, n in what.items() if n) or "nothing"


def run_delete(args: argparse.Namespace) -> int:
    """``presence delete TABLE REF [--yes]``."""
    from models.erasure import delete_record, preview

    engine = ready_engine()
    would = preview(engine=engine, table=args.table, ref=args.ref, organisation_code=args.organisation)
    print(f"Deleting {args.table} '{args.ref}' removes: {_show(would)}.")
    if not args.yes and not _confirmed(args.ref):
        print("Nothing was deleted.", file=sys.stderr)
        return 1
    receipt = delete_record(engine=engine, table=args.table, ref=args.ref, user=cli_user(),
                            organisation_code=args.organisation)
    print("\n".join(receipt.lines()))
    return 0


def run_erase(args: argparse.Namespace) -> int:
    """``presence erase PERSON_REF [--yes]``: asks for the reference again unless --yes."""
    from models.erasure import CONFIRM_NEEDED, erase_person, preview

    engine = ready_engine()
    would = preview(engine=engine, table="people", ref=args.person_ref, organisation_code=args.organisation)
    print(f"Erasing person '{args.person_ref}' removes: {_show(would)}. This cannot be undone.")
    if not args.yes and not _confirmed(args.person_ref):
        print(CONFIRM_NEEDED, file=sys.stderr)
        return 1
    receipt = erase_person(engine=engine, person_ref=args.person_ref, user=cli_user(),
                           organisation_code=args.organisation)
    print("\n".join(receipt.lines()))
    return 0


def _confirmed(ref: str) -> bool:
    try:
        answer = input(f"Type '{ref}' to confirm: ")
    except EOFError:
        return False
    return answer.strip() == ref
