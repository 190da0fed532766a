"""Shipped reference baselines: Census 2021 counts by area and Mental Health Act detention rates.

The CSVs in ``data/baselines/`` are built by ``python -m tools.build_baselines`` from the shared ONS and NHS
England files (provenance, licence and caveats: ``data/SOURCES.md``). This module reads them:

- :func:`reference_baselines`: every Census 2021 row (geography x characteristic x group, with counts);
- :func:`detention_rates`: crude detention rates per 100,000 by ethnic group for one reporting year;
- :func:`geographies`: the areas there are figures for, for pickers;
- :func:`county_districts`: which 2021 shire districts make up each county;
- :func:`area_baseline`: one characteristic's counts summed over a set of areas (a catchment), for residents of
  all ages or, with ``min_age`` 16 or 18, adults (see :func:`figures_min_age` for what each characteristic has);
- :func:`crossed_baseline`: a published cross-table (RM032 ethnic group x sex, RM031 ethnic group x religion)
  for a country;

``models.seeding.load_reference_baselines`` copies the Census rows into the ``baseline`` table (idempotent).

Nothing here caches data frames for the dashboard: the module-level caches hold the parsed CSVs only
(a few MB, the same for every user), and callers get clones.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import polars as pl

BASELINES_DIR = Path(__file__).with_name("baselines")
CODELISTS_DIR = Path(__file__).with_name("codelists")
CENSUS_FILE = BASELINES_DIR / "census2021.csv"
MHA_FILE = BASELINES_DIR / "mha_detention_rates.csv"
COUNTY_FILE = BASELINES_DIR / "county_districts.csv"
ADULTS_FILE = BASELINES_DIR / "census2021_adults.csv"
CROSSED_FILE = BASELINES_DIR / "census2021_crossed.csv"
LTLA_ICB_FILE = BASELINES_DIR / "ltla_icb24.csv"
# Characteristics ONS figures here exist for ICBs and sub-ICB locations but not for local authorities.
ICB_ONLY = ("disability", "religion")

ENGLAND, WALES, ENGLAND_AND_WALES = "E92000001", "W92000004", "K04000001"
MIN_AGES: tuple[int, ...] = (0, 16, 18)
# Characteristics whose shipped figures have an adult version (ethnicity raked, sex from RM032, age bands cut).
ADULT_CHARACTERISTICS = ("ethnicity", "ethnicity_broad", "sex", "age_band")
# The youngest age the shipped figures of the other characteristics count from (TS077 asks people 16+).
FIGURES_MIN_AGE = {"sexual_orientation": 16, "religion": 0, "disability": 0}
AGE_BAND_LOWER = {"0-15": 0, "16-17": 16}  # bands that start below 18; every other band starts at 18+
METHOD_RAKED = "raked"
METHOD_NATIONAL_PROFILE = "national_age_profile"
METHOD_RM032 = "rm032"

SOURCE_CENSUS = "census2021"
LEVELS: tuple[str, ...] = ("country", "region", "utla", "ltla", "icb", "sub_icb")
LEVEL_LABELS: dict[str, str] = {
    "country": "Country",
    "region": "Region (England)",
    "utla": "Upper-tier local authority",
    "ltla": "Local authority district",
    "icb": "Integrated care board (2024)",
    "sub_icb": "Sub-ICB location (2024)",
}

CENSUS_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "year": pl.Int64(),
    "geography_code": pl.String(),
    "geography_name": pl.String(),
    "geography_level": pl.String(),
    "nhs_code": pl.String(),
    "characteristic": pl.String(),
    "group": pl.String(),
    "count": pl.Int64(),
}
MHA_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "year": pl.String(),
    "group_level": pl.String(),
    "group": pl.String(),
    "rate_per_100k": pl.Float64(),
    "detentions": pl.Int64(),
    "notes": pl.String(),
}

ERROR_NO_AREAS = "Choose at least one area for the Census baseline."
ERROR_UNKNOWN_AREAS = (
    "There are no Census 2021 figures for area code(s) {codes}; pick areas from geographies()."
)
ERROR_CHARACTERISTIC = (
    "Census 2021 figures for {characteristic} are not shipped for {areas}; figures exist for: {available}."
)
ERROR_OVERLAP = (
    "The areas {areas} overlap ({reason}), so adding them up would count people twice; "
    "choose areas of one kind."
)
ERROR_MIN_AGE = "The age floor must be 0 (all ages), 16 or 18, not {value}."
ERROR_YEAR = "There are no detention rates for {year}; the shipped years are {available}."


def _missing_file(path: Path) -> FileNotFoundError:
    return FileNotFoundError(
        f"The reference file {path} is missing; rebuild it with 'python -m tools.build_baselines'."
    )


@lru_cache(maxsize=1)
def _census() -> pl.DataFrame:
    if not CENSUS_FILE.is_file():
        raise _missing_file(CENSUS_FILE)
    return pl.read_csv(CENSUS_FILE, schema=CENSUS_SCHEMA)


@lru_cache(maxsize=1)
def _mha() -> pl.DataFrame:
    if not MHA_FILE.is_file():
        raise _missing_file(MHA_FILE)
    return pl.read_csv(MHA_FILE, schema=MHA_SCHEMA)


@lru_cache(maxsize=1)
def _counties() -> pl.DataFrame:
    if not COUNTY_FILE.is_file():
        raise _missing_file(COUNTY_FILE)
    return pl.read_csv(
        COUNTY_FILE,
        schema=dict.fromkeys(("district_code", "district_name", "county_code", "county_name"), pl.String()),
    )


ADULTS_SCHEMA: dict[str, pl.DataType] = {
    **{k: v for k, v in CENSUS_SCHEMA.items() if k not in ("characteristic", "group", "count")},
    "min_age": pl.Int64(),
    "characteristic": pl.String(),
    "group": pl.String(),
    "count": pl.Int64(),
    "method": pl.String(),
}
CROSSED_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "table": pl.String(),
    "geography_code": pl.String(),
    "geography_name": pl.String(),
    "min_age": pl.Int64(),
    "characteristic_1": pl.String(),
    "group_1": pl.String(),
    "characteristic_2": pl.String(),
    "group_2": pl.String(),
    "count": pl.Int64(),
}


@lru_cache(maxsize=1)
def _adults() -> pl.DataFrame:
    if not ADULTS_FILE.is_file():
        raise _missing_file(ADULTS_FILE)
    return pl.read_csv(ADULTS_FILE, schema=ADULTS_SCHEMA)


@lru_cache(maxsize=1)
def _crossed() -> pl.DataFrame:
    if not CROSSED_FILE.is_file():
        raise _missing_file(CROSSED_FILE)
    return pl.read_csv(CROSSED_FILE, schema=CROSSED_SCHEMA)


@lru_cache(maxsize=1)
def _ltla_icb() -> pl.DataFrame:
    if not LTLA_ICB_FILE.is_file():
        raise _missing_file(LTLA_ICB_FILE)
    return pl.read_csv(
        LTLA_ICB_FILE,
        schema={
            **dict.fromkeys(("ltla21_code", "ltla21_name", "icb24_code", "icb24_code_nhs", "icb24_name"), pl.String()),
            "lsoas": pl.Int64(),
            "share": pl.Float64(),
        },
    )


def ltla_icbs() -> pl.DataFrame:
    """Which 2024 ICBs each English local authority district (2021) lies in: ltla21_code, ltla21_name,
    icb24_code, icb24_code_nhs, icb24_name, lsoas and share (of the district's LSOAs in that ICB)."""
    return _ltla_icb().clone()


def _districts_of(area_codes: Sequence[str]) -> list[str] | None:
    """The 2021 districts making up local-authority areas (a county: its districts); None for other areas."""
    counties = _counties()
    known = set(_ltla_icb()["ltla21_code"].to_list())
    districts: list[str] = []
    for code in area_codes:
        inside = counties.filter(pl.col("county_code") == code)["district_code"].to_list()
        parts = inside or [code]
        if not all(p in known for p in parts):
            return None
        districts += parts
    return list(dict.fromkeys(districts))


def icb_weighted_baseline(area_codes: Sequence[str], characteristic: str) -> tuple[pl.DataFrame, list[str]]:
    """ICB figures of ``characteristic`` (disability or religion) for a catchment of English local authorities:
    each district's residents (all ages) split over the ICBs its LSOAs lie in, times each ICB's shares.

    Returns [group, count] (estimated residents) and the names of the ICBs used. Raises ``ValueError`` when
    the areas are not English local authorities or the characteristic has no ICB figures.
    """
    if characteristic not in ICB_ONLY:
        raise ValueError(f"There are no ICB figures for {characteristic} to use for local authorities.")
    districts = _districts_of(list(area_codes))
    if not districts:
        raise ValueError(
            ERROR_CHARACTERISTIC.format(
                characteristic=characteristic, areas=", ".join(area_codes), available="ICBs and countries"
            )
        )
    census = _census()
    people = (
        census.filter(
            (pl.col("geography_level") == "ltla")
            & (pl.col("characteristic") == "ethnicity")
            & pl.col("geography_code").is_in(districts)
        )
        .group_by("geography_code")
        .agg(pl.col("count").sum().alias("residents"))
    )
    weights = (
        _ltla_icb()
        .join(people, left_on="ltla21_code", right_on="geography_code")
        .group_by("icb24_code", "icb24_name")
        .agg((pl.col("residents") * pl.col("share")).sum().alias("weight"))
    )
    icb = census.filter((pl.col("geography_level") == "icb") & (pl.col("characteristic") == characteristic))
    mixed = (
        icb.with_columns((pl.col("count") / pl.col("count").sum().over("geography_code")).alias("_share"))
        .join(weights, left_on="geography_code", right_on="icb24_code")
        .group_by("group", maintain_order=True)
        .agg((pl.col("_share") * pl.col("weight")).sum().alias("count"))
    )
    return mixed, sorted(weights["icb24_name"].to_list())


def adult_baselines() -> pl.DataFrame:
    """Every shipped row for residents aged 16+ and 18+ (and sex for all ages): the census2021 columns plus
    min_age and method ("raked": ethnic group by age estimated by raking; "national_age_profile": ICB and
    sub-ICB broad groups scaled by England's adult share of each group; "rm032": national sex figures)."""
    return _adults().clone()


def figures_min_age(characteristic: str, min_age: int) -> int:
    """The age the shipped figures of ``characteristic`` count from when ``min_age`` is asked for: the floor
    itself where adult figures exist, else the age the published table starts at (0 or 16)."""
    if min_age not in MIN_AGES:
        raise ValueError(ERROR_MIN_AGE.format(value=min_age))
    if characteristic in ADULT_CHARACTERISTICS:
        return min_age
    return FIGURES_MIN_AGE.get(characteristic, 0)


def age_bands_from(min_age: int) -> list[str]:
    """The age bands of ``data.codes.AGE_BANDS`` at or above the floor (none below it, e.g. no "0-15" at 16)."""
    from data import codes

    bands = [b for b in codes.AGE_BANDS if b not in codes.UNKNOWN_VALUES]
    return [b for b in bands if AGE_BAND_LOWER.get(b, 18) >= min_age]


def crossed_baseline(country_code: str, characteristics: tuple[str, str], min_age: int) -> tuple[pl.DataFrame, int]:
    """A published cross-table for one country: columns group_1, group_2, count (people), and the age it
    counts from. ``characteristics`` is ("ethnicity", "sex") (RM032; 19 groups) or ("ethnicity_broad",
    "religion") (RM031, all ages only). An empty frame when ONS publishes no such table."""
    table = _crossed().filter(
        (pl.col("geography_code") == country_code)
        & (pl.col("characteristic_1") == characteristics[0])
        & (pl.col("characteristic_2") == characteristics[1])
    )
    floors = sorted(set(table["min_age"].to_list()))
    used = min_age if min_age in floors else (max(f for f in floors if f <= min_age) if floors else min_age)
    chosen = table.filter(pl.col("min_age") == used).select("group_1", "group_2", "count")
    return chosen, used


def county_districts() -> pl.DataFrame:
    """The 2021 shire district -> county lookup (district_code, district_name, county_code, county_name),
    derived from the Census age tables (see data/SOURCES.md); 181 districts in 24 counties."""
    return _counties().clone()


def reference_baselines() -> pl.DataFrame:
    """Every shipped Census 2021 row: source, year, geography_code, geography_name, geography_level, nhs_code,
    characteristic, group, count (a copy: changing it does not change what the next caller gets)."""
    return _census().clone()


def detention_rates(year: str = "2023-24") -> pl.DataFrame:
    """Mental Health Act detention rates for one reporting year ("2023-24" or "2022-23").

    Columns: source, year, group_level ("ethnicity" with Presence codes, "ethnicity_broad" with
    ``data.codes.BROAD_*`` labels, "all" for all people of known ethnicity), group, rate_per_100k (crude, as
    published), detentions, notes. NHS England's broad rows count Chinese in "Other" (see notes).
    """
    rates = _mha()
    chosen = rates.filter(pl.col("year") == year)
    if chosen.is_empty():
        available = ", ".join(sorted(rates["year"].unique().to_list(), reverse=True))
        raise ValueError(ERROR_YEAR.format(year=year, available=available))
    return chosen


def geographies() -> pl.DataFrame:
    """The areas with Census figures: code, name, level, level_label and nhs_code (ICBs and sub-ICBs).

    One row per code and level, ordered by level (country first) then name. A unitary authority is both
    'utla' and 'ltla'.
    """
    level_rank = {level: rank for rank, level in enumerate(LEVELS)}
    return (
        _census()
        .select(
            pl.col("geography_code").alias("code"),
            pl.col("geography_name").alias("name"),
            pl.col("geography_level").alias("level"),
            "nhs_code",
        )
        .unique()
        .with_columns(
            pl.col("level").replace_strict(LEVEL_LABELS, return_dtype=pl.String).alias("level_label"),
            pl.col("level").replace_strict(level_rank, return_dtype=pl.Int64).alias("_rank"),
        )
        .sort("_rank", "name", "code")
        .select("code", "name", "level", "level_label", "nhs_code")
    )


def _check_overlap(chosen: pl.DataFrame, codes: list[str]) -> None:
    """Refuse sets of areas where one obviously contains another (country or region with anything else)."""
    if len(codes) < 2:
        return
    levels = set(chosen["geography_level"].to_list())
    if "country" in levels:
        raise ValueError(ERROR_OVERLAP.format(areas=", ".join(codes), reason="a country contains every area"))
    if "region" in levels and levels != {"region"}:
        raise ValueError(
            ERROR_OVERLAP.format(areas=", ".join(codes), reason="a region contains its local authorities")
        )
    if levels & {"icb", "sub_icb"} and levels - {"icb", "sub_icb"}:
        raise ValueError(
            ERROR_OVERLAP.format(
                areas=", ".join(codes), reason="NHS areas and local authorities cover the same people"
            )
        )
    pairs = _counties().filter(pl.col("county_code").is_in(codes) & pl.col("district_code").is_in(codes))
    if pairs.height:
        county, district = pairs.row(0)[2], pairs.row(0)[0]
        raise ValueError(
            ERROR_OVERLAP.format(
                areas=", ".join(codes), reason=f"county {county} contains district {district}"
            )
        )
    if levels == {"icb", "sub_icb"}:
        raise ValueError(
            ERROR_OVERLAP.format(areas=", ".join(codes), reason="an ICB contains its sub-ICB locations")
        )


def area_baseline(area_codes: Sequence[str], characteristic: str, min_age: int = 0) -> pl.DataFrame:
    """Census 2021 counts of ``characteristic`` summed over ``area_codes``: columns group, count.

    ``min_age`` 16 or 18 gives residents of that age or over where adult figures are shipped (ethnicity and
    its broad groups: estimated by raking; sex: national only; age bands: the bands below the floor are left
    out); other characteristics have all-age figures only (``figures_min_age`` says which).

    Codes are ONS GSS codes (E06..., E07..., E09..., W06..., E10..., E12..., E54... ICB, E38... sub-ICB) or
    NHS ODS codes of ICBs and sub-ICB locations. Groups follow the code lists of ``data.codes`` and come in
    that order. Raises ``ValueError`` naming unknown codes, areas without figures for the characteristic,
    or areas that overlap.
    """
    if isinstance(area_codes, str):
        area_codes = [area_codes]
    wanted = list(dict.fromkeys(code.strip() for code in area_codes if code and code.strip()))
    if not wanted:
        raise ValueError(ERROR_NO_AREAS)
    if min_age not in MIN_AGES:
        raise ValueError(ERROR_MIN_AGE.format(value=min_age))
    census = _census()
    if characteristic == "sex" or (min_age and characteristic in ("ethnicity", "ethnicity_broad")):
        census = pl.concat(
            [
                census.filter(pl.col("characteristic") != characteristic),
                _adults()
                .filter((pl.col("characteristic") == characteristic) & (pl.col("min_age") == min_age))
                .select(list(CENSUS_SCHEMA)),
            ]
        )
    by_nhs = census.filter(pl.col("nhs_code").is_in(wanted)).select("nhs_code", "geography_code").unique()
    nhs_to_gss = dict(zip(by_nhs["nhs_code"], by_nhs["geography_code"], strict=True))
    gss = list(dict.fromkeys(nhs_to_gss.get(code, code) for code in wanted))
    known = set(census.filter(pl.col("geography_code").is_in(gss))["geography_code"].unique().to_list())
    unknown = [code for code in wanted if nhs_to_gss.get(code, code) not in known]
    if unknown:
        raise ValueError(ERROR_UNKNOWN_AREAS.format(codes=", ".join(unknown)))
    # A unitary authority appears as both 'utla' and 'ltla' with the same counts: keep one level per code.
    level_rank = {level: rank for rank, level in enumerate(LEVELS)}
    areas = census.filter(pl.col("geography_code").is_in(gss))
    first_level = (
        areas.select("geography_code", "geography_level")
        .unique()
        .with_columns(
            pl.col("geography_level").replace_strict(level_rank, return_dtype=pl.Int64).alias("_rank")
        )
        .sort("_rank")
        .unique("geography_code", keep="first")
        .drop("_rank")
    )
    areas = areas.join(first_level, on=["geography_code", "geography_level"])
    _check_overlap(first_level, gss)
    rows = areas.filter(pl.col("characteristic") == characteristic)
    missing = sorted(set(gss) - set(rows["geography_code"].unique().to_list()))
    if missing:
        available = sorted(
            set(areas.filter(pl.col("geography_code").is_in(missing))["characteristic"].to_list())
        )
        names = (
            areas.filter(pl.col("geography_code").is_in(missing))
            .unique("geography_code")
            .sort("geography_code")
        )
        described = ", ".join(
            f"{n} ({c})" for c, n in names.select("geography_code", "geography_name").iter_rows()
        )
        raise ValueError(
            ERROR_CHARACTERISTIC.format(
                characteristic=characteristic, areas=described, available=", ".join(available) or "nothing"
            )
        )
    if characteristic == "age_band":
        rows = rows.filter(pl.col("group").is_in(age_bands_from(min_age)))
    order = rows.group_by("group", maintain_order=True).agg(pl.col("count").sum())
    return order.select("group", pl.col("count").cast(pl.Int64))
