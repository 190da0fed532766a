"""The synthetic demo network: twelve fictional organisations with real, different catchments.

``build_member(member, seed=2021, size=1.0)`` plans one of the organisations of ``NETWORK`` (codes ``NET01``
to ``NET12``; ``models.seeding.seed_network`` writes them), each built by the demo trust's generator
(:func:`data.demo.build_demo`, ``scale`` units of the demo trust's activities) and then made its own:

1. **Size.** People involved only at individual-care or community level are kept with probability
   ``keep x size`` (so organisations range from about 300 to about 5,000 people involved); everyone involved
   at operational, strategic or board level is kept, so the decision-making levels keep their seats. ``size``
   below 1 makes a quicker, smaller network for tests.
2. **Catchment.** Each person's ethnicity is drawn again from the Census 2021 mix of the organisation's own
   local authorities (``data/baselines/census2021.csv``, 19 categories summed over the areas) with
   ``demo.ETHNICITY_UNKNOWN_SHARES`` not stated or not known, and their local authority from the areas in
   proportion to their population. The demo trust's own patterns are replaced by the network's.
3. **The network's deliberate patterns.**
   - ``BOARD_GAP_CODES`` (two organisations): people involved at board level are drawn with the ethnic
     minority categories weighted ``BOARD_GAP_FACTOR``: a real gap at board level, which the funnel plot of
     ethnic minority presence at board level shows outside the limits.
   - ``CLOSED_GAP_CODE``: the same gap for board members who joined before ``GAP_CLOSING_FROM``; the weight
     then rises to ``GAP_CLOSED_FACTOR`` for those joining from ``GAP_CLOSED_BY`` (two years later): the
     organisation closed its gap over two years. Its board is large (``scale`` 6, with fewer people kept at
     the lower levels), so enough people join it each year for the trend test on published counts.
   - ``CONTROL_CODE`` (Leeds): the control. Its people at decision-making levels are assigned ethnic
     minority or not by a low-discrepancy (Beatty) sequence at the catchment's share, in the order they first
     joined the board (then the other decision-making levels), so that every stretch of joiners matches the
     catchment: it sits within the funnel limits whatever the seed (``--seed`` still draws everything else,
     including the particular category within each side).

Nothing is real except the local-authority codes and the Census figures. Same seed, same rows.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from data import codes, demo

__all__ = ["NETWORK", "NetworkMember", "build_member", "summary_line"]

CENSUS_FILE = Path(__file__).parent / "baselines" / "census2021.csv"

BOARD_GAP_CODES = ("NET01", "NET02")
CLOSED_GAP_CODE = "NET08"
CONTROL_CODE = "NET03"
BOARD_GAP_FACTOR = 0.3  # strong enough to show, not so strong that the count is hidden as small
GAP_CLOSING_FROM = date(2023, 10, 1)
GAP_CLOSED_BY = date(2025, 10, 1)
GAP_CLOSED_FACTOR = 1.25  # joiners after the change slightly over-weighted, so the board as a whole catches up
LOWER_LEVELS = ("individual", "community")
ERROR_SIZE = "The network size must be above 0 and at most 1, not {size}."
ERROR_NO_AREA = "The demo network's area {code} has no Census 2021 ethnicity figures in {file}."


@dataclass(frozen=True)
class NetworkMember:
    """One fictional organisation of the demo network."""

    code: str
    name: str
    place: str  # the kind of place it serves, in words
    catchment: tuple[str, ...]  # ONS local-authority codes
    scale: int  # units of the demo trust's activities
    keep: float  # share of people involved only at individual or community level that are kept

    @property
    def board_gap(self) -> bool:
        return self.code in BOARD_GAP_CODES

    @property
    def closes_gap(self) -> bool:
        return self.code == CLOSED_GAP_CODE

    @property
    def control(self) -> bool:
        return self.code == CONTROL_CODE


NETWORK: tuple[NetworkMember, ...] = (
    NetworkMember("NET01", "East London Riverside Mental Health Partnership (demo)", "inner London",
                  ("E09000012", "E09000030"), 3, 1.0),
    NetworkMember("NET02", "Manchester Minds NHS Trust (demo)", "a northern city", ("E08000003",), 3, 0.6),
    NetworkMember("NET03", "Aire Valley Mental Health Services (demo)", "a northern city", ("E08000035",),
                  2, 0.7),
    NetworkMember("NET04", "Kernow Moorland Mental Health Trust (demo)", "a rural county", ("E06000052",),
                  1, 0.5),
    NetworkMember("NET05", "Seafront Wellbeing Partnership (demo)", "a coastal town", ("E06000043",), 1, 0.6),
    NetworkMember("NET06", "Taff Estuary Mental Health Services (demo)", "a Welsh city health board area",
                  ("W06000015",), 1, 0.8),
    NetworkMember("NET07", "Gower Bay Involvement Network (demo)", "a Welsh coastal area", ("W06000011",),
                  1, 0.1),
    NetworkMember("NET08", "Midland Canals Mental Health Trust (demo)", "a large Midlands city",
                  ("E08000025",), 6, 0.35),
    NetworkMember("NET09", "Soar Valley Community Mental Health (demo)", "a Midlands city", ("E06000016",),
                  1, 0.9),
    NetworkMember("NET10", "Wear and Tees Valleys Mental Health Trust (demo)", "a northern county",
                  ("E06000047",), 1, 0.6),
    NetworkMember("NET11", "Trent Bridges Mental Health Services (demo)", "a Midlands city", ("E06000018",),
                  1, 0.4),
    NetworkMember("NET12", "Solway Coast Wellbeing (demo)", "a rural coastal district", ("E07000026",), 1,
                  0.15),
)


def _census_mix(catchment: tuple[str, ...]) -> tuple[dict[str, float], dict[str, float]]:
    """(ethnic category -> people, local authority -> people) summed over the catchment (Census 2021)."""
    rows = pl.scan_csv(CENSUS_FILE, schema_overrides={"count": pl.Float64}).filter(
        pl.col("geography_code").is_in(list(catchment)) & (pl.col("characteristic") == "ethnicity")
    ).collect()
    for code in catchment:
        if code not in set(rows["geography_code"]):
            raise ValueError(ERROR_NO_AREA.format(code=code, file=CENSUS_FILE))
    mix = rows.group_by("group").agg(pl.col("count").sum()).sort("group")
    areas = rows.group_by("geography_code").agg(pl.col("count").sum()).sort("geography_code")
    return dict(zip(mix["group"], mix["count"], strict=True)), dict(
        zip(areas["geography_code"], areas["count"], strict=True)
    )


def _kept_people(plan: demo.DemoPlan, keep: float, rng: np.random.Generator) -> pl.DataFrame:
    """person_key of the people kept: all above community level, ``keep`` of the others."""
    higher = plan.involvements.group_by("person_key").agg(
        higher=~pl.col("level").is_in(list(LOWER_LEVELS)).all()
    ).sort("person_key")
    draw = pl.Series(rng.random(higher.height) < keep)
    return higher.filter(pl.col("higher") | draw).select("person_key")


def _board_weight(member: NetworkMember, first_board: pl.Series) -> np.ndarray:
    """The weight of ethnic minority categories for each person, by the day they first joined the board
    (null: never on the board)."""
    on_board = first_board.is_not_null().to_numpy()
    if member.board_gap:
        return np.where(on_board, BOARD_GAP_FACTOR, 1.0)
    if member.closes_gap:
        day = first_board.cast(pl.Int32).fill_null(0).to_numpy().astype(float)
        start, end = demo._days(GAP_CLOSING_FROM), demo._days(GAP_CLOSED_BY)
        progress = np.clip((day - start) / (end - start), 0.0, 1.0)
        ramp = BOARD_GAP_FACTOR + (GAP_CLOSED_FACTOR - BOARD_GAP_FACTOR) * progress
        return np.where(on_board, ramp, 1.0)
    return np.ones(len(first_board))


def _decision_order(people: pl.DataFrame, plan: demo.DemoPlan) -> np.ndarray:
    """Row positions of ``people`` at a decision-making level: board members by the day they first joined the
    board, then the others by the day they first joined a decision-making level (ties by person_key)."""
    firsts = plan.involvements.filter(~pl.col("level").is_in(list(LOWER_LEVELS))).group_by("person_key").agg(
        first_board=pl.col("start_date").filter(pl.col("level") == "board").min(),
        first_any=pl.col("start_date").min())
    ordered = (people.select("person_key").with_row_index("_row").join(firsts, on="person_key", how="inner")
               .with_columns(pl.col("first_board").is_null().alias("_not_board"))
               .sort("_not_board", pl.coalesce("first_board", "first_any"), "person_key"))
    return ordered["_row"].to_numpy()


def _balanced(ethnicity: np.ndarray, mix: dict[str, float], order: np.ndarray,
              rng: np.random.Generator) -> np.ndarray:
    """``ethnicity`` with the known values of the rows in ``order`` re-assigned: the i-th known one is ethnic
    minority when floor((i + 1) q) > floor(i q), q the catchment's minority share (a Beatty sequence: every
    stretch of rows holds the share to within one person); the category within each side drawn by the mix."""
    result = ethnicity.copy()
    minority = {v: n for v, n in mix.items() if codes.ETHNICITY_BY_CODE[v].broad != codes.BROAD_WHITE}
    white = {v: n for v, n in mix.items() if v not in minority}
    q = sum(minority.values()) / sum(mix.values())
    known = np.array([row for row in order if ethnicity[row] in mix], dtype=int)
    i = np.arange(known.size)
    is_minority = np.floor((i + 1) * q) > np.floor(i * q)
    for rows, side in ((known[is_minority], minority), (known[~is_minority], white)):
        if rows.size:
            result[rows] = demo._pick(rng, side, rows.size)
    return result


def _redraw(people: pl.DataFrame, plan: demo.DemoPlan, member: NetworkMember,
            rng: np.random.Generator) -> pl.DataFrame:
    """Ethnicity and local authority from the organisation's own catchment, with its board pattern."""
    mix, areas = _census_mix(member.catchment)
    values = list(mix) + list(demo.ETHNICITY_UNKNOWN_SHARES)
    known = np.array(list(mix.values()), dtype=float)
    base = np.concatenate([known / known.sum() * (1 - sum(demo.ETHNICITY_UNKNOWN_SHARES.values())),
                           list(demo.ETHNICITY_UNKNOWN_SHARES.values())])
    first_board = people.join(
        plan.involvements.filter(pl.col("level") == "board").group_by("person_key").agg(
            first_board=pl.col("start_date").min()
        ),
        on="person_key", how="left",
    )["first_board"]
    minority = np.array([
        value in mix and codes.ETHNICITY_BY_CODE[value].broad != codes.BROAD_WHITE for value in values
    ])
    weights = np.tile(base, (people.height, 1))
    weights[:, minority] *= _board_weight(member, first_board)[:, None]
    ethnicity = demo._pick_rows(rng, values, weights)
    if member.control:
        ethnicity = _balanced(ethnicity, mix, _decision_order(people, plan), rng)
    share_known = 1.0 - sum(demo.LOCAL_AUTHORITY_UNKNOWN_SHARES.values())
    total = sum(areas.values())
    area_shares = {code: share_known * n / total for code, n in areas.items()}
    local_authority = demo._pick(rng, area_shares | demo.LOCAL_AUTHORITY_UNKNOWN_SHARES, people.height)
    return people.with_columns(
        ethnicity=pl.Series(ethnicity, dtype=pl.String),
        local_authority=pl.Series(local_authority, dtype=pl.String),
    )


def build_member(member: NetworkMember, *, seed: int = 2021, size: float = 1.0) -> demo.DemoPlan:
    """Every row of one network organisation as polars frames (no database); reproducible."""
    if not 0 < size <= 1:
        raise ValueError(ERROR_SIZE.format(size=size))
    member_seed = seed * 100 + int(member.code[-2:])
    plan = demo.build_demo(scale=member.scale, seed=member_seed)
    kept = _kept_people(plan, member.keep * size, demo._rng(member_seed, "network-size"))
    people = plan.people.join(kept, on="person_key", how="semi").sort("person_key")
    people = _redraw(people, plan, member, demo._rng(member_seed, "network-catchment"))
    by_person = {
        name: getattr(plan, name).join(kept, on="person_key", how="semi")
        for name in ("involvements", "attendance", "payments", "support")
    }
    return dataclasses.replace(plan, people=people, caseload=plan.caseload.clear(), **by_person)


def summary_line(member: NetworkMember, plan: demo.DemoPlan) -> str:
    """One line on a seeded member: code, name, kind of place, people and involvements."""
    return (
        f"{member.code} {member.name} ({member.place}): {plan.people.height:,} people, "
        f"{plan.involvements.height:,} involvements."
    )
