"""Which organisations a network holds, and each one's published figures: the only network module that reads
the database (one organisation's records at a time, never person rows joined across organisations).

``organisations(engine, codes=..., icb=...)`` lists the organisations (all of them when neither is given);
ICB membership comes from the organisation's catchment and the ONS lookup of local authorities to ICBs
(``data/baselines/ltla_icb24.csv``): an organisation belongs to every ICB one of its areas lies in.
``load_members`` builds each organisation's :class:`analytics.network.Member`: its published representation
and, when asked, its published 4PI scorecard (``analytics.fourpi.disclosure.protect_scorecard`` for the
``viewer`` role, the same path as the organisation's own pages).

Those per-organisation aggregates are stored in the database (``models.aggregates``, table
``network_aggregate``) with the organisation's data version: ``load_members`` reads the ones still current in
one query and builds (and stores) only the others, so a first network render does not read any person row
after an import to one organisation, only that organisation is built again. ``precompute`` (``presence network
--refresh``, and ``presence demo --network``) stores them ahead of the first visit. Only published frames are
stored (Arrow IPC), never records or exact counts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import polars as pl
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from analytics import columns as k
from analytics import fourpi, network, roles
from analytics.baselines import BaselineSpec
from analytics.fourpi.disclosure import protect_scorecard
from analytics.loader import load_frames
from analytics.network_benchmark import trend_summary
from analytics.representation import Representation
from models import Organisation, aggregates
from models.settings import Settings, get_settings
from models.tables import table_of

__all__ = ["OrganisationRow", "aggregate_key", "decode_representation", "encode_representation", "icb_of", "icbs",
           "load_members", "organisations", "precompute", "published_scorecard", "scorecard_key"]
T = TypeVar("T")
LOG = logging.getLogger(__name__)

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


# --- Stored aggregates (models/aggregates.py) -----------------------------------------------------------------
# A first network render reads each organisation's published figures from the database instead of building them
# from its records (about 1 s of CPU per organisation). They are stored per aggregate key (characteristic, period
# kind, involvement filter, baseline, settings) with the organisation's data version, and computed again (and
# stored) when that version is no longer current: compute on miss.

AGGREGATE_FORMAT = 1  # add one whenever the published representation, trend summary or scorecard is built differently
META, ROWS, TABLES, JOINERS, TRENDS, SCORECARD = "meta", "rows", "tables", "joiners", "trends", "scorecard"
_FRAME_PARTS = {ROWS: "rows", TABLES: "tables", JOINERS: "joiners"}


# Settings that cannot change a published figure: left out of the key (and a secret is never hashed into it).
_NOT_FIGURES = ("env", "database_url", "audit_key", "local_user")


def _figure_settings(settings: Settings) -> dict[str, object]:
    return {name: value for name, value in settings.model_dump(mode="json").items()
            if name not in _NOT_FIGURES and not name.startswith("max_import")}


def _fingerprint(**parts: object) -> str:
    text = json.dumps({"format": AGGREGATE_FORMAT, **parts}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def aggregate_key(*, characteristic: str, period: str, involvement: str, baseline: BaselineSpec | None,
                  settings: Settings) -> str:
    """The key the published representation (and trend summary) of these choices is stored under."""
    spec = None if baseline is None else dataclasses.asdict(baseline)
    return (f"rep|{characteristic}|{period}|{involvement}|"
            f"{_fingerprint(baseline=spec, settings=_figure_settings(settings))}")[:200]


def scorecard_key(scorecard_period: str | None, settings: Settings) -> str:
    """The key the published 4PI scorecard of ``scorecard_period`` (None: the latest) is stored under."""
    return f"scorecard|{scorecard_period or 'latest'}|{_fingerprint(settings=_figure_settings(settings))}"


def _ipc(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_ipc(buffer, compression="lz4")
    return buffer.getvalue()


def _frame(payload: bytes) -> pl.DataFrame:
    return pl.read_ipc(io.BytesIO(payload))


def encode_representation(rep: Representation, trends: pl.DataFrame | None) -> dict[str, bytes]:
    """The parts stored for one published representation and its trend summary."""
    meta: dict[str, object] = {}
    parts: dict[str, bytes] = {}
    for field in dataclasses.fields(rep):
        value = getattr(rep, field.name)
        if field.name in _FRAME_PARTS.values():
            if value is not None:
                parts[field.name] = _ipc(value)
        elif field.name == "baseline":
            meta[field.name] = dataclasses.asdict(value)
        else:
            meta[field.name] = value
    if trends is not None:
        parts[TRENDS] = _ipc(trends)
    parts[META] = json.dumps(meta).encode()
    return parts


def decode_representation(parts: dict[str, bytes]) -> tuple[Representation, pl.DataFrame | None]:
    """The published representation and trend summary back from :func:`encode_representation`'s parts."""
    meta = json.loads(parts[META])
    baseline = dict(meta.pop("baseline"))
    if baseline.get("areas") is not None:
        baseline["areas"] = tuple(baseline["areas"])
    joiners = _frame(parts[JOINERS]) if JOINERS in parts else None
    rep = Representation(**meta, rows=_frame(parts[ROWS]), tables=_frame(parts[TABLES]), joiners=joiners,
                         baseline=BaselineSpec(**baseline))
    return rep, (_frame(parts[TRENDS]) if TRENDS in parts else None)


def encode_scorecard(card: pl.DataFrame | None) -> dict[str, bytes]:
    parts = {META: json.dumps({"scorecard": card is not None}).encode()}
    if card is not None:
        parts[SCORECARD] = _ipc(card)
    return parts


def decode_scorecard(parts: dict[str, bytes]) -> pl.DataFrame | None:
    present = json.loads(parts[META])["scorecard"]
    return _frame(parts[SCORECARD]) if present else None


_DECODE_ERRORS = (KeyError, TypeError, ValueError, pl.exceptions.PolarsError, OSError)


def load_members(engine: Engine, chosen: Sequence[OrganisationRow], *, characteristic: str, period: str,
                 baseline: BaselineSpec | None = None, involvement: str = "all", settings: Settings | None = None,
                 scorecard_period: str | None = None, scorecards: bool = False, stored: bool = True,
                 refresh: bool = False) -> list[network.Member]:
    """Each organisation's published figures, its trend tests (``network_benchmark.trend_summary``) and, with
    ``scorecards``, its published 4PI scorecard: one organisation's records at a time.

    With ``stored`` (the default) they come from the stored aggregates (``models.aggregates``) of each
    organisation whose data has not changed since they were stored; the others are computed from their
    records and stored. ``refresh`` computes and stores every one (``presence network --refresh``); without
    ``stored`` nothing is read or written."""
    settings = settings or get_settings()
    ids = [row.organisation_id for row in chosen]
    rep_key = aggregate_key(characteristic=characteristic, period=period, involvement=involvement,
                            baseline=baseline, settings=settings)
    card_key = scorecard_key(scorecard_period, settings)
    versions = aggregates.organisation_versions(engine, ids) if stored else {}  # read before any record
    kept_reps = aggregates.read_aggregates(engine, dict.fromkeys(ids, rep_key), versions) if (
        stored and not refresh) else {}
    kept_cards = aggregates.read_aggregates(engine, dict.fromkeys(ids, card_key), versions) if (
        stored and scorecards and not refresh) else {}
    members = []
    for row in chosen:
        found = _decoded(kept_reps.get(row.organisation_id), decode_representation)
        if found is None:
            rep = network.published_representation(
                load_frames(engine, row.organisation_id), row.organisation_id, characteristic=characteristic,
                period=period, baseline=baseline, involvement=involvement, settings=settings)
            found = rep, trend_summary(rep)
            if stored:
                _store(engine, row.organisation_id, rep_key, versions[row.organisation_id],
                       encode_representation(*found))
        rep, trends = found
        card = None
        if scorecards:
            kept = _decoded(kept_cards.get(row.organisation_id), lambda parts: (decode_scorecard(parts),))
            if kept is None:
                card = published_scorecard(engine, row.organisation_id, scorecard_period)
                if stored:
                    _store(engine, row.organisation_id, card_key, versions[row.organisation_id],
                           encode_scorecard(card))
            else:
                card = kept[0]
        members.append(network.Member(
            organisation_id=row.organisation_id, code=row.code, name=row.name, catchment=row.catchment,
            representation=rep, trends=trends, scorecard=card))
    return members


def _store(engine: Engine, organisation_id: int, key: str, version: str, parts: dict[str, bytes]) -> None:
    """Store the parts; a database that refuses the write (read-only, full) costs speed, not the figures."""
    try:
        aggregates.store_aggregates(engine, organisation_id, key, version, parts)
    except SQLAlchemyError as error:
        LOG.warning("The network aggregates of organisation %s were not stored: %s", organisation_id, error)


def _decoded(parts: dict[str, bytes] | None, decode: Callable[[dict[str, bytes]], T]) -> T | None:
    """``decode(parts)``; None when nothing is stored or what is stored cannot be read (computed again)."""
    if parts is None:
        return None
    try:
        return decode(parts)
    except _DECODE_ERRORS:
        return None


def precompute(engine: Engine, chosen: Sequence[OrganisationRow], *, characteristics: Sequence[str],
               periods: Sequence[str] = ("year", "quarter"), involvement: str = "all",
               settings: Settings | None = None) -> int:
    """Compute and store the published aggregates (representation, trend tests, latest 4PI scorecard) of these
    organisations for every characteristic and period kind; the number of aggregate sets stored."""
    stored = 0
    for characteristic in characteristics:
        for period in periods:
            for row in chosen:
                load_members(engine, [row], characteristic=characteristic, period=period, involvement=involvement,
                             settings=settings, scorecards=True, refresh=True)
                stored += 1
    return stored
