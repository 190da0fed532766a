"""Which integrated care boards (ICBs) and NHS regions an organisation's catchment lies in.

An organisation's catchment is a list of ONS local-authority codes (districts, unitary authorities, London
boroughs, metropolitan districts, counties, Welsh principal areas). A district lies in the ICBs of the shipped
2024 lookup (``baselines/ltla_icb24.csv``; a few districts are split between two ICBs and lie in both); a
county lies where its districts do (``baselines/county_districts.csv``). Each ICB lies in one of the seven NHS
England regions (:data:`ICB_REGIONS`, from NHS England's list of integrated care boards, July 2022: the ICB
boundaries of 2024 kept the same regions). Wales has no ICBs; its local health boards are counted as the
region "Wales".
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from data import baselines

__all__ = ["ICB_REGIONS", "REGIONS", "WALES", "icbs", "icbs_of", "regions_of"]

WALES = "wales"
REGIONS: dict[str, str] = {
    "north_east_and_yorkshire": "North East and Yorkshire",
    "north_west": "North West",
    "midlands": "Midlands",
    "east_of_england": "East of England",
    "london": "London",
    "south_east": "South East",
    "south_west": "South West",
    WALES: "Wales",
}

# ICB (NHS ODS code) -> NHS England region
ICB_REGIONS: dict[str, str] = {
    **dict.fromkeys(("QHM", "QOQ", "QWO", "QF7"), "north_east_and_yorkshire"),
    **dict.fromkeys(("QYG", "QE1", "QOP"), "north_west"),
    **dict.fromkeys(
        ("QNC", "QOC", "QJM", "QK1", "QWU", "QGH", "QHL", "QJ2", "QPM", "QT1", "QUA"), "midlands"
    ),
    **dict.fromkeys(("QMM", "QJG", "QHG", "QM7", "QH8", "QUE"), "east_of_england"),
    **dict.fromkeys(("QRV", "QMJ", "QMF", "QKK", "QWE"), "london"),
    **dict.fromkeys(("QKS", "QNQ", "QRL", "QU9", "QXU", "QNX"), "south_east"),
    **dict.fromkeys(("QT6", "QJK", "QSL", "QUY", "QOX", "QVV", "QR1"), "south_west"),
}


@lru_cache(maxsize=1)
def icbs() -> dict[str, str]:
    """ICB code (NHS ODS code, e.g. 'QMF') -> name, for every ICB of the shipped lookup."""
    frame = baselines.ltla_icbs().select("icb24_code_nhs", "icb24_name").unique()
    return dict(sorted(zip(frame["icb24_code_nhs"].to_list(), frame["icb24_name"].to_list(), strict=True)))


@lru_cache(maxsize=1)
def _district_icbs() -> dict[str, frozenset[str]]:
    frame = baselines.ltla_icbs()
    found: dict[str, set[str]] = {}
    for district, icb in zip(frame["ltla21_code"].to_list(), frame["icb24_code_nhs"].to_list(), strict=True):
        found.setdefault(district, set()).add(icb)
    return {district: frozenset(icbs) for district, icbs in found.items()}


@lru_cache(maxsize=1)
def _county_districts() -> dict[str, tuple[str, ...]]:
    frame = baselines.county_districts()
    found: dict[str, list[str]] = {}
    for district, county in zip(frame["district_code"].to_list(), frame["county_code"].to_list(), strict=True):
        found.setdefault(county, []).append(district)
    return {county: tuple(districts) for county, districts in found.items()}


def icbs_of(catchment: Iterable[str]) -> set[str]:
    """The ICBs (NHS ODS codes) that any area of the catchment lies in (none for Welsh areas)."""
    district_icbs, counties = _district_icbs(), _county_districts()
    found: set[str] = set()
    for code in catchment:
        for district in counties.get(code, (code,)):
            found |= district_icbs.get(district, frozenset())
    return found


def regions_of(catchment: Iterable[str]) -> set[str]:
    """The NHS regions (keys of :data:`REGIONS`) that any area of the catchment lies in; Welsh areas are in
    'wales'."""
    areas = list(catchment)
    found = {ICB_REGIONS[icb] for icb in icbs_of(areas) if icb in ICB_REGIONS}
    if any(code.startswith("W") for code in areas):
        found.add(WALES)
    return found
