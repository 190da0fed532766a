"""The Network page and the peer view: organisations compared on their published figures
(``analytics.network``), one cached entry per organisation and data version, the same for every viewer.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics import columns as c
from analytics import network, network_loader, network_peers
from analytics import network_benchmark as network_benchmark_table
from analytics.roles import Viewer

from ._core import NO_ACCESS, Filters, _require, all_organisations, data_version, engine, visible_organisations

# --- Network: organisations compared on their published figures (analytics.network) -------------------------

@st.cache_data(show_spinner="Comparing organisations…", max_entries=256)
def _network_member(organisation_id: int, code: str, name: str, characteristic: str, period: str,
                    involvement: str, version: str) -> network.Member:
    """One organisation's published figures (what a board member sees on its own pages, with the decision-making
    levels together), its trend tests and its published 4PI scorecard; the same for every viewer, so the key has
    no role in it: only viewers who may see the organisation ask. Read from the organisation's stored
    aggregates while its data is unchanged (built from its records and stored otherwise:
    ``analytics.network_loader.load_members``), so the first network page after a start does not build every
    organisation's figures."""
    (row,) = network_loader.organisations(engine(), [code])
    (member,) = network_loader.load_members(engine(), [row], characteristic=characteristic, period=period,
                                            involvement=involvement, scorecards=True)
    return member


def network_members(f: Filters, viewer: Viewer) -> list[network.Member]:
    """The published figures of every organisation this viewer may see on the Network page (their own
    organisations, or a network viewer's grant), each against the Census figures of its own catchment."""
    organisations = visible_organisations(viewer, "network")
    if not organisations:
        raise PermissionError(NO_ACCESS)
    return [_network_member(o["id"], o["code"], o["name"], f.characteristic, f.period, f.involvement,
                            data_version(o["id"])) for o in organisations]


def network_levels(rows: pl.DataFrame) -> pl.DataFrame:
    """The levels to compare (key, name): the top level (the board) first, then the decision-making levels
    together, then the others from the top down."""
    levels = rows.select(c.LEVEL_RANK, c.LEVEL_KEY, c.LEVEL_NAME).unique(c.LEVEL_KEY)
    together = levels.filter(pl.col(c.LEVEL_KEY) == network.DECISION_MAKING)
    others = levels.filter(pl.col(c.LEVEL_KEY) != network.DECISION_MAKING).sort(c.LEVEL_RANK, descending=True)
    return pl.concat([others.head(1), together, others.slice(1)]).select(c.LEVEL_KEY, c.LEVEL_NAME)


def network_funnel(members: list[network.Member], level: str, group: str, period: str) -> pl.DataFrame:
    """The funnel table (one row per organisation) for a level, group and period."""
    return network.funnel_table(network.organisation_figures(members, level=level, group=group, period=period))


def network_totals(members: list[network.Member], level: str, group: str, period: str) -> dict:
    """The network total (sums of published people against the union of the catchments) with its note."""
    figures = network.organisation_figures(members, level=level, group=group, period=period)
    return network.network_totals(figures, members)


def network_benchmark(members: list[network.Member], group: str, period: str) -> pl.DataFrame:
    """The benchmark table: one row per organisation at the decision-making levels together."""
    return network_benchmark_table.benchmark_table(members, group=group, period=period)


def network_over_time(members: list[network.Member], level: str, group: str) -> pl.DataFrame:
    """Which organisations improved or worsened significantly at a level (the trend test on published
    counts, corrected across the organisations)."""
    return network_benchmark_table.over_time(members, group=group, level=level)


def peers(f: Filters, viewer: Viewer, group: str) -> tuple[str, pl.DataFrame, int] | None:
    """This organisation against its peers at the decision-making levels together (published figures): the
    funnel sentence, its own figure beside the totals of its ICB, its region and every organisation (never a
    peer by name), and how many organisations are compared; None when there is no other organisation. Needs
    the right to see this organisation's figures."""
    _require(viewer, f.organisation_id)
    organisations = all_organisations()
    if len(organisations) < 2:
        return None
    members = [_network_member(o["id"], o["code"], o["name"], f.characteristic, f.period, f.involvement,
                               data_version(o["id"])) for o in organisations]
    code = next(o["code"] for o in organisations if o["id"] == f.organisation_id)
    level = network.DECISION_MAKING
    if not any(level in m.representation.rows[c.LEVEL_KEY].to_list() for m in members):
        return None
    position = network_peers.funnel_position(members, code, level=level, group=group)
    table = network_peers.peer_table(members, code, level=level, group=group)
    return network_peers.peer_sentence(position, len(members)), table, len(members)
