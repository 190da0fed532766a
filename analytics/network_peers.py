"""One organisation against its peers: where it sits in the network's funnel, and its figure beside the totals
of its ICB, its NHS region and every organisation, all from published figures.

Peers are the organisations whose catchments lie in the same ICB or NHS region (:mod:`data.areas`). A peer
group's figure is a network total (:func:`analytics.network.network_total`): the sum of the peers' published
counts (hidden ones left out) against the union of their catchments, with its share, interval and status from
``analytics.stats.compare_with_baseline``. Peers are never named one by one here: an organisation's own page
shows its own figures and the groups' totals.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from analytics import columns as c
from analytics import network as n
from data import areas
from models.settings import Settings

__all__ = ["PEER_COLUMNS", "PEER_GROUP", "peer_table", "peer_sentence", "funnel_position"]

PEER_GROUP = "peer_group"
PEER_COLUMNS = (PEER_GROUP, n.ORGANISATIONS, n.ORGANISATIONS_LEFT_OUT, c.INVOLVED, c.TOTAL, c.SHARE, c.CI_LOW,
                c.CI_HIGH, c.BASELINE_SHARE, c.RATIO, c.STATUS)
ERROR_NOT_A_MEMBER = "Organisation {code} is not among the organisations compared."


def _me(members: Sequence[n.Member], code: str) -> n.Member:
    found = [m for m in members if m.code == code]
    if not found:
        raise ValueError(ERROR_NOT_A_MEMBER.format(code=code))
    return found[0]


def peer_groups(members: Sequence[n.Member], code: str) -> dict[str, list[n.Member]]:
    """Label -> members: the organisation's ICB(s), its NHS region(s) and every organisation compared."""
    me = _me(members, code)
    groups: dict[str, list[n.Member]] = {}
    icb_names = areas.icbs()
    for icb in sorted(areas.icbs_of(me.catchment)):
        groups[f"Its ICB: {icb_names.get(icb, icb)}"] = [m for m in members if icb in areas.icbs_of(m.catchment)]
    for region in sorted(areas.regions_of(me.catchment)):
        groups[f"Its region: {areas.REGIONS[region]}"] = [
            m for m in members if region in areas.regions_of(m.catchment)]
    groups["Every organisation compared"] = list(members)
    return groups


def peer_table(members: Sequence[n.Member], code: str, *, level: str, group: str, period: str | None = None,
               settings: Settings | None = None) -> pl.DataFrame:
    """``PEER_COLUMNS``: the organisation's own published figure, then each peer group's network total."""
    me = _me(members, code)
    own = n.organisation_figures([me], level=level, group=group, period=period)
    period = str(own[c.PERIOD][0])
    rows = [own.select(pl.lit(f"This organisation: {me.name}").alias(PEER_GROUP), pl.lit(1).alias(n.ORGANISATIONS),
                       pl.lit(int(own[c.INVOLVED].is_null().sum())).alias(n.ORGANISATIONS_LEFT_OUT),
                       *PEER_COLUMNS[3:])]
    for label, peers in peer_groups(members, code).items():
        figures = n.organisation_figures(peers, level=level, group=group, period=period)
        total = n.network_total(figures, peers, settings)
        rows.append(total.select(pl.lit(label).alias(PEER_GROUP), *PEER_COLUMNS[1:]))
    return pl.concat(rows, how="vertical_relaxed")


def funnel_position(members: Sequence[n.Member], code: str, *, level: str, group: str,
                    period: str | None = None) -> dict[str, object]:
    """The organisation's row of the network's funnel table (ratio, limits, position)."""
    funnel = n.funnel_table(n.organisation_figures(members, level=level, group=group, period=period))
    return funnel.filter(pl.col(n.ORGANISATION_CODE) == code).row(0, named=True)


def peer_sentence(position: dict[str, object], members: int) -> str:
    """Where the organisation sits in the funnel of ``members`` organisations, in one sentence."""
    where = position.get(n.POSITION) or n.POSITION_NONE
    ratio = position.get(c.RATIO)
    if where == n.POSITION_NONE or not isinstance(ratio, float):
        return (f"Among the {members} organisations compared, this one is not plotted for this group: its count "
                "is hidden, nobody is counted, or there is no catchment baseline.")
    return (f"Among the {members} organisations compared, its ratio to its own catchment is {ratio:.2f} "
            f"(1 = the same share as the people it serves): {where}, "
            + ("as chance alone would allow at its size." if where == n.POSITION_WITHIN
               else "further from its catchment than chance alone would explain at its size."))
