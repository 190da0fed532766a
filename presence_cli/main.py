"""The ``presence`` command line: the same analytics the dashboard uses, for scripts.

This module declares the arguments; each sub-command's handler (``handler(args) -> int``) lives in a module
of this package named after what it works on, and calls the analytics and models functions that own the
logic. Errors are one clear sentence on stderr and a non-zero exit, never a traceback
(set PRESENCE_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from presence_cli import analyse, database, organisations, records, report, users

EXIT_USAGE = 2
EXIT_FAILURE = 1


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, not {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="presence",
        description="Presence: who is involved in shaping mental-health services, and who is missing.",
        epilog="The database is PRESENCE_DATABASE_URL (default: the embedded SQLite file presence.db).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init-db", help="create or upgrade the database and load the shipped baselines")
    p.add_argument("--app-role", metavar="NAME", help="PostgreSQL: give this role the application's rights "
                                                      "(INSERT and SELECT only on the audit trail)")
    p.set_defaults(handler=database.init_db)

    p = sub.add_parser("audit", help="check that the audit trail has not been changed (its hash chain)")
    p.add_argument("action", choices=("verify",))
    p.set_defaults(handler=database.verify_audit)

    p = sub.add_parser("demo", help="seed the synthetic demo trust (fictional people only)")
    p.add_argument("--scale", type=_positive_int, default=1, help="N times the standard size (default 1)")
    p.add_argument("--seed", type=int, default=2021, help="random seed (default 2021)")
    p.add_argument("--if-empty", action="store_true", help="do nothing when the database already has data")
    p.add_argument("--network", action="store_true", help="seed the demo network of 12 fictional organisations "
                                                          "(NET01-NET12) instead of the demo trust")
    p.set_defaults(handler=database.demo)

    p = sub.add_parser("analyse", help="compare involved counts with a baseline (JSON or CSV out)")
    p.add_argument("--involved", required=True, metavar="FILE.csv",
                   help="columns group,count and optionally level,period")
    p.add_argument("--baseline", required=True, metavar="FILE.csv|census:AREA_CODE|need:AREA_CODE",
                   help="a CSV with group and count, share (0-1) or percent (0-100); census:AREA_CODE; "
                        "or need:AREA_CODE (Census weighted by detention rates)")
    p.add_argument("--alpha", type=float, default=None, help="significance level (default 0.05)")
    p.add_argument("--threshold", type=float, default=None, help="under-representation ratio (default 0.8)")
    p.add_argument("--format", choices=("json", "csv"), default="json")
    p.set_defaults(handler=analyse.run)

    p = sub.add_parser("network", help="compare organisations: the funnel table, one row per organisation "
                                       "(published figures only)")
    chosen = p.add_mutually_exclusive_group()
    chosen.add_argument("--organisations", metavar="CODES", help="comma-separated organisation codes (default: all)")
    chosen.add_argument("--icb", metavar="CODE", help="the organisations serving an area of this ICB (E54000054 or "
                                                      "QWO)")
    p.add_argument("--characteristic", default="ethnicity_binary", help="default ethnicity_binary")
    p.add_argument("--group", default="Ethnic minority", help="the group compared (default: Ethnic minority)")
    p.add_argument("--level", default="board",
                   help="level key (default board), or decision_making for the decision-making levels together")
    p.add_argument("--period", choices=("quarter", "year"), default="year")
    p.add_argument("--at", metavar="PERIOD", help="the period, e.g. 2026 or 2026-Q3 (default: the latest)")
    p.add_argument("--format", choices=("json", "csv"), default="csv")
    p.add_argument("--refresh", action="store_true",
                   help="first build and store every chosen organisation's published aggregates for this "
                        "characteristic, by year and by quarter (what the first network page reads)")
    p.set_defaults(handler=_network)

    p = sub.add_parser("import", help="import involvement records (people, activities, involvements, meetings, "
                                      "attendance, 4PI records, or a whole backup) from CSV or Excel")
    p.add_argument("file", metavar="FILE", help="a .csv or .xlsx file")
    p.add_argument("--table", choices=("organisations", "levels", "baselines", "people", "activities",
                                       "involvements", "meetings", "attendance", "payments", "support",
                                       "impacts", "feedback", "reviews"))
    p.add_argument("--sheet", help="the sheet to read from an .xlsx file")
    p.add_argument("--organisation", help="organisation code (default: the organisation the file names, "
                                          "else the only one)")
    p.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    p.add_argument("--report", metavar="FILE.csv", help="write every problem found to this CSV file")
    p.add_argument("--map", action="append", metavar="HEADER=field",
                   help='what a column heading Presence does not recognise means: --map "Borough=local_authority" '
                        'or --map "Notes=ignore" (repeatable; remembered for the organisation)')
    p.add_argument("--create-committees", action="store_true",
                   help="create the committees of a one-sheet register that Presence does not have yet")
    p.add_argument("--committee-level", metavar="LEVEL", help="level key of new committees (default operational)")
    p.add_argument("--replace", action="store_true",
                   help="make each table match the file exactly, deleting rows the file does not have "
                        "(shows a dry-run summary and asks first)")
    p.add_argument("--yes", action="store_true", help="with --replace: do not ask for confirmation")
    p.set_defaults(handler=records.run_import)

    p = sub.add_parser("delete", help="delete a mistaken record (and the records that cannot exist without it)")
    p.add_argument("table", choices=("people", "activities", "involvements", "meetings", "attendance", "payments",
                                     "impacts", "feedback"))
    p.add_argument("ref", metavar="REF", help="the record's reference (attendance: MEETING_REF/PERSON_REF)")
    p.add_argument("--organisation", help="organisation code (default: the only one)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(handler=records.run_delete)

    p = sub.add_parser("erase", help="erase a person on request: the person and every record that refers to "
                                     "them, with a receipt")
    p.add_argument("person_ref", metavar="PERSON_REF")
    p.add_argument("--organisation", help="organisation code (default: the only one)")
    p.add_argument("--yes", action="store_true", help="do not ask for the reference again")
    p.set_defaults(handler=records.run_erase)

    p = sub.add_parser("organisation", help="add or list organisations")
    p.add_argument("action", choices=("add", "list"))
    p.add_argument("--code", help="short unique code, e.g. the NHS trust code")
    p.add_argument("--name", help="the organisation's name")
    p.add_argument("--catchment", help="ONS local authority codes or names of the area served, separated by ';'")
    p.set_defaults(handler=organisations.run_organisation)

    p = sub.add_parser("level", help="list, rename, reorder or flag an organisation's levels")
    p.add_argument("action", choices=("list", "set", "add", "remove"))
    p.add_argument("key", nargs="?", help="the level's key, e.g. board")
    p.add_argument("--organisation", help="organisation code (default: the only one)")
    p.add_argument("--name", help="the level's name")
    p.add_argument("--rank", type=_positive_int, help="its place, 1 = individual care ... highest = board")
    p.add_argument("--decision-making", choices=("yes", "no"), help="whether decisions are made at this level")
    p.set_defaults(handler=organisations.run_level)

    p = sub.add_parser("export", help="back up organisations: every table (with the organisation, its levels "
                                      "and baselines) as CSV and one .xlsx that the importer reads back")
    p.add_argument("directory", metavar="DIR", help="folder to write to (created when missing)")
    p.add_argument("--organisation", help="organisation code: write only that organisation, into DIR "
                                          "(default: every organisation in the database, each in its own "
                                          "sub-folder DIR/CODE when there are several)")
    p.set_defaults(handler=records.run_export)

    p = sub.add_parser("template", help="write blank import templates (CSV and Excel) to a folder")
    p.add_argument("directory", metavar="DIR")
    p.set_defaults(handler=records.run_template)

    report.add_parser(sub)

    p = sub.add_parser("user", help="manage sign-in users and their roles")
    p.add_argument("action", choices=("add", "remove", "list", "network", "unnetwork"),
                   help="network / unnetwork: grant or take away a network viewer's view of a set of "
                        "organisations (published figures on the Network page only)")
    p.add_argument("email", nargs="?")
    p.add_argument("--organisation", help="organisation code")
    p.add_argument("--role", help="data_steward, equality_lead, board_member, outreach_worker or viewer")
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--all", action="store_true", help="network: every organisation")
    scope.add_argument("--region", help="network: an NHS region (london, midlands, ..., or wales)")
    scope.add_argument("--icb", help="network: an integrated care board, by its NHS code (e.g. QMF)")
    scope.add_argument("--organisations", help="network: organisation codes, comma-separated")
    p.set_defaults(handler=users.run)

    return parser


def _network(args: argparse.Namespace) -> int:
    """``presence network``; :mod:`analytics.network` (and the parts of scipy it needs) loads only for it."""
    from presence_cli import network

    return network.run(args)


def _one_sentence(error: BaseException) -> str:
    """A settings error from pydantic lists every field; the CLI shows the messages on one line, with any
    control character from a file's values escaped (an ANSI escape must not reach the terminal)."""
    from models.encoding import escape_control

    errors = getattr(error, "errors", None)
    if callable(errors):
        try:
            return escape_control("; ".join(str(e.get("msg", "")).removeprefix("Value error, ") for e in errors()))
        except TypeError:
            pass
    return escape_control(" ".join(str(error).split()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int | None] = args.handler
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        print("presence: interrupted.", file=sys.stderr)
        return EXIT_FAILURE
    except (ValueError, FileNotFoundError, PermissionError) as error:
        if os.environ.get("PRESENCE_DEBUG"):
            raise
        print(f"presence: {_one_sentence(error)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # noqa: BLE001 - the CLI promises no tracebacks
        if os.environ.get("PRESENCE_DEBUG"):
            raise
        print(f"presence: {type(error).__name__}: {_one_sentence(error)[:300]}", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
