"""``presence network``: the funnel table, one row per organisation, from each one's published figures.

``--organisations CODES`` or ``--icb CODE`` chooses the organisations (every organisation in the database when
neither is given); ``--level decision_making`` compares the decision-making levels together. CSV gives the
rows; JSON adds the sentence naming the organisations outside the limits and the network total (sums of
published people against the union of the catchments). Each organisation's published figures come from its
stored aggregates when its data has not changed since they were stored (``analytics.network_loader``), else
they are built from its records and stored; ``--refresh`` builds and stores them for every organisation chosen,
by year and by quarter, for the characteristic given (after a start-up, so that the first page is fast).
"""

from __future__ import annotations

import argparse
import json
import sys

import polars as pl

from analytics import network
from analytics.network_loader import load_members, organisations, precompute
from models import get_engine

__all__ = ["OUTPUT_COLUMNS", "funnel_output", "run"]

ICBS = "icbs"
OUTPUT_COLUMNS = (
    *network.FIGURE_COLUMNS, network.RATIO_CI_LOW, network.RATIO_CI_HIGH, network.LOW_95, network.HIGH_95,
    network.LOW_998, network.HIGH_998, network.POSITION, ICBS,
)


def funnel_output(members: list[network.Member], *, level: str, group: str, period: str | None,
                  icbs: dict[str, str]) -> pl.DataFrame:
    """The funnel table with the columns the command prints (``icbs``: organisation code -> its ICB codes)."""
    funnel = network.funnel_table(network.organisation_figures(members, level=level, group=group, period=period))
    return funnel.with_columns(pl.col(network.ORGANISATION_CODE).replace_strict(
        icbs, default="", return_dtype=pl.String).alias(ICBS)).select(OUTPUT_COLUMNS)


def run(args: argparse.Namespace) -> int:
    engine = get_engine()
    codes = [code.strip() for code in (args.organisations or "").split(",") if code.strip()]
    chosen = organisations(engine, codes, getattr(args, "icb", None))
    if getattr(args, "refresh", False):
        stored = precompute(engine, chosen, characteristics=(args.characteristic,))
        print(f"Stored {stored} sets of published aggregates ({len(chosen)} organisations, "
              f"{args.characteristic}, by year and by quarter).", file=sys.stderr)
    built = load_members(engine, chosen, characteristic=args.characteristic, period=args.period)
    funnel = funnel_output(built, level=args.level, group=args.group, period=args.at,
                           icbs={row.code: " ".join(row.icbs) for row in chosen})
    if args.format == "csv":
        sys.stdout.write(funnel.with_columns(pl.col(pl.Float64).round(6)).write_csv())
    else:
        figures = funnel.select(network.FIGURE_COLUMNS)
        out = {"rows": funnel.to_dicts(), "outside_limits": network.funnel_sentence(funnel),
               "network_total": network.network_totals(figures, built)}
        sys.stdout.write(json.dumps(out, indent=2, default=str) + "\n")
    return 0
