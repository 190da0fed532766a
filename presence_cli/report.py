"""``presence report``: the board pack (or the public summary) for one organisation and quarter, to a file.

The command line runs with the database URL, that is with the access of the people who administer Presence
(see SECURITY.md): it may produce exact packs with ``--exact``. Published figures are the default. Every pack
written is recorded in the audit trail (action ``download``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analytics.report import SUFFIXES, PackRequest, build, gather
from analytics.report.figures import find_organisation
from analytics.roles import Viewer
from presence_cli.operator import cli_user

ERROR_PUBLIC_EXACT = "The public summary is always suppressed: leave out --exact."
ERROR_SUFFIX = "The output file for --format {format} should end in {suffix}, not '{name}'."


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare ``presence report`` on the CLI's sub-command parser."""
    p = sub.add_parser("report", help="write the board pack (PDF, Word or HTML) or the one-page public summary "
                                      "for one organisation and quarter")
    p.add_argument("--organisation", required=True, metavar="CODE", help="organisation code")
    p.add_argument("--period", metavar="2026-Q3", help="the quarter (default: the latest complete one)")
    p.add_argument("--format", choices=tuple(SUFFIXES), default="pdf",
                   help="pdf, docx, html, or public (the one-page public summary, PDF)")
    p.add_argument("--exact", action="store_true",
                   help="exact figures, marked NOT FOR PUBLICATION on every page (default: published figures)")
    p.add_argument("--output", required=True, metavar="FILE", help="the file to write")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from models import audit
    from models.db import get_engine, upgrade_schema

    if args.format == "public" and args.exact:
        raise ValueError(ERROR_PUBLIC_EXACT)
    output = Path(args.output)
    if output.suffix.lower() != SUFFIXES[args.format]:
        raise ValueError(ERROR_SUFFIX.format(format=args.format, suffix=SUFFIXES[args.format], name=output.name))
    engine = get_engine()
    upgrade_schema(engine)
    organisation = find_organisation(engine, args.organisation)
    operator = Viewer(email=cli_user(), roles={organisation.id: "data_steward"}, local_mode=True)
    figures = gather(engine, PackRequest(organisation_code=organisation.code, period=args.period,
                                         exact=args.exact), operator)
    pack, content = build(figures, args.format)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(content)
    audit.record_event(engine=engine, user=operator.email, action=audit.DOWNLOAD, organisation_id=organisation.id,
                       detail={"what": "board pack" if pack.kind == "board" else "public summary",
                               "format": args.format, "period": figures.period, "exact": figures.exact})
    figures_words = "exact figures, NOT FOR PUBLICATION" if figures.exact else "published figures"
    what = "public summary" if pack.kind == "public" else "board pack"
    print(f"Wrote the {what} for {organisation.name}, {figures.period} ({figures_words}) to {output}.")
    return 0
