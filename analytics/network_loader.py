"""Which organisations a network holds, and each one's published figures: the only network module that reads
the database (one organisation's records at a time, never person rows joined across organisations).

``organisations(engine, codes=..., icb=...)`` lists the organisations (all of them when neither is given);
ICB membership comes from the organisation's catchment and the ONS lookup of local authorities to ICBs
(``data/baselines/ltla_icb24.csv``): an organisation belongs to every ICB one of its areas lies in.
``load_members`` builds each organisation's :class:`analytics.network.Member`: its published representation
and, when asked, its published 4PI scorecard (``analytics.fourpi.disclosure.protect_scorecard`` for the
``viewer`` role, the same path as the organisation's own pages).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl
from sqlalchemy import select
from sqlalchemy.engine import Engine

from analytics import columns as k
from analytics import fourpi, network, roles
from analytics.baselines import BaselineSpec
from analytics.fourpi.disclosure import protect_scorecard
from analytics.loader import load_frames
from analytics.network_benchmark import trend_summary
from models import Organisation
from models.settings import Settings
from models.tables import table_of

__all__ = ["OrganisationRow", "icb_of", "icbs", "load_members", "organisations", "published_scorecard"]

ICB_FILE = Path(__file__).resolve().parents[1] / "data" / "baselines" / "ltla_icb24.csv"
ERROR_UNKNOWN_CODES = "There is no organisation with the code{s} {codes} (the codes are: {found})."
ERROR_UNKNOWN_ICB = ("There is no ICB '{icb}' among the organisations' catchments (ICB codes such as E54000054 "
                     "or QWO; those served: {found}).")
ERROR_BOTH = "Give either organisation codes or an ICB, not both."


@dataclass(frozen=True)
class OrganisationRow:
    """One organisation: id, code, name, catchment (ONS area codes) and the ICBs its areas lie in."""

    organisation_id: int
    code: str
    name: str
    catchment: tuple[str, ...]
    icbs: tuple[str, ...]


@lru_cache(maxsize=1)
def icbs() -> pl.DataFrame:
    """The ONS lookup: local authority (ltla21_code) -> ICB (icb24_code, icb24_code_nhs, icb24_name)."""
    return pl.read_csv(ICB_FILE, columns=["ltla21_code", "icb24_code", "icb24_code_nhs", "icb24_name"])


def icb_of(catchment: Sequence[str]) -> tuple[str, ...]:
    """The ICB codes (E54...) of the areas of a catchment (sorted; Welsh and unknown areas have none)."""
    rows = icbs().filter(pl.col("ltla21_code").is_in(list(catchment)))
    return tuple(sorted(set(rows["icb24_code"].to_list())))


def _icb_code(icb: str) -> str | None:
    """An ICB given as E54... or as its NHS code (QWO) -> E54...; None when unknown."""
    rows = icbs().filter((pl.col("icb24_code") == icb) | (pl.col("icb24_code_nhs") == icb.upper()))
    return None if rows.height == 0 else str(rows["icb24_code"][0])


def organisations(engine: Engine, codes: Sequence[str] | None = None, icb: str | None = None) -> list[OrganisationRow]:
    """The organisations with these codes, or those serving an area of ``icb``, or all of them; by code.
    ValueError naming any code or ICB that does not exist."""
    if codes and icb:
        raise ValueError(ERROR_BOTH)
    table = table_of(Organisation).c
    with engine.connect() as connection:
        found = connection.execute(
            select(table.id, table.code, table.name, table.catchment).order_by(table.code)).all()
    rows = [OrganisationRow(int(r[0]), str(r[1]), str(r[2]), tuple(r[3] or ()), icb_of(tuple(r[3] or ())))
            for r in found]
    if codes:
        unknown = [code for code in codes if code not in {r.code for r in rows}]
        if unknown:
            raise ValueError(ERROR_UNKNOWN_CODES.format(
                s="s" if len(unknown) > 1 else "", codes=", ".join(unknown), found=", ".join(r.code for r in rows)))
        return [r for r in rows if r.code in codes]
    if icb:
        code = _icb_code(icb)
        chosen = [r for r in rows if code is not None and code in r.icbs]
        if not chosen:
            served = sorted({i for r in rows for i in r.icbs})
            raise ValueError(ERROR_UNKNOWN_ICB.format(icb=icb, found=", ".join(served) or "none"))
        return chosen
    return rows


def published_scorecard(engine: Engine, organisation_id: int, period: str | None = None) -> pl.DataFrame | None:
    """The organisation's 4PI scorecard for ``period`` (a year or quarter; default the latest) as the
    ``viewer`` role receives it; None when it has no 4PI records for that period."""
    frames = load_frames(engine, organisation_id)
    choices, latest = fourpi.scorecard_period_choices(frames, "quarter" if period and "Q" in period else "year")
    chosen = period if period in choices else latest if period is None else None
    if chosen is None or not choices:
        return None
    card = fourpi.scorecard(frames, chosen)
    previous = fourpi.scorecard(frames, card.get_column(k.PREVIOUS_PERIOD)[0])
    viewer = roles.scoped_viewer(f"{organisation_id}:{network.PUBLISHED_ROLE}")
    result: pl.DataFrame = protect_scorecard(card, previous, viewer, organisation_id)
    return result


def load_members(engine: Engine, chosen: Sequence[OrganisationRow], *, characteristic: str, period: str,
                 baseline: BaselineSpec | None = None, involvement: str = "all", settings: Settings | None = None,
                 scorecard_period: str | None = None, scorecards: bool = False) -> list[network.Member]:
    """Each organisation's published figures, its trend tests (``network_benchmark.trend_summary``) and, with
    ``scorecards``, its published 4PI scorecard: one organisation's records at a time."""
    members = []
    for row in chosen:
        rep = network.published_representation(
            load_frames(engine, row.organisation_id), row.organisation_id, characteristic=characteristic,
            period=period, baseline=baseline, involvement=involvement, settings=settings)
        members.append(network.Member(
            organisation_id=row.organisation_id, code=row.code, name=row.name, catchment=row.catchment,
            representation=rep, trends=trend_summary(rep),
            scorecard=published_scorecard(engine, row.organisation_id, scorecard_period) if scorecards else None))
    return members
