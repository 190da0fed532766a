"""``presence network``: the funnel table, one row per organisation, from each one's published figures."""

from __future__ import annotations

import argparse
import json
import sys

import polars as pl
from sqlalchemy import select
from sqlalchemy.engine import Engine

from analytics import network
from analytics.loader import load_frames
from models import Organisation, get_engine

ERROR_UNKNOWN_CODES = "There is no organisation with the code{s} {codes} (the codes are: {found})."
OUTPUT_COLUMNS = (
    *network.FIGURE_COLUMNS, network.RATIO_CI_LOW, network.RATIO_CI_HIGH, network.LOW_95, network.HIGH_95,
    network.LOW_998, network.HIGH_998, network.POSITION,
)


def organisations(engine: Engine, codes: list[str] | None = None) -> list[tuple[int, str, str]]:
    """(id, code, name) of the organisations with these codes (all of them when ``codes`` is empty), by code;
    ValueError naming any code that does not exist."""
    table = Organisation.__table__.c
    with engine.connect() as connection:
        rows = [tuple(r) for r in connection.execute(
            select(table.id, table.code, table.name).order_by(table.code)).all()]
    if not codes:
        return rows
    unknown = [code for code in codes if code not in {r[1] for r in rows}]
    if unknown:
        raise ValueError(ERROR_UNKNOWN_CODES.format(
            s="s" if len(unknown) > 1 else "", codes=", ".join(unknown), found=", ".join(r[1] for r in rows)))
    return [r for r in rows if r[1] in codes]


def members(engine: Engine, chosen: list[tuple[int, str, str]], *, characteristic: str,
            period: str) -> list[network.Member]:
    """Each organisation's published representation (one organisation's records at a time)."""
    return [
        network.Member(organisation_id=oid, code=code, name=name,
                       representation=network.published_representation(
                           load_frames(engine, oid), oid, characteristic=characteristic, period=period))
        for oid, code, name in chosen
    ]


def run(args: argparse.Namespace) -> int:
    engine = get_engine()
    codes = [code.strip() for code in (args.organisations or "").split(",") if code.strip()]
    chosen = organisations(engine, codes)
    built = members(engine, chosen, characteristic=args.characteristic, period=args.period)
    funnel = network.funnel_table(network.organisation_figures(
        built, level=args.level, group=args.group, period=args.at)).select(OUTPUT_COLUMNS)
    if args.format == "csv":
        sys.stdout.write(funnel.with_columns(pl.col(pl.Float64).round(6)).write_csv())
    else:
        out = {"rows": funnel.to_dicts(), "outside_limits": network.funnel_sentence(funnel),
               "network_total": network.network_totals(funnel)}
        sys.stdout.write(json.dumps(out, indent=2, default=str) + "\n")
    return 0
