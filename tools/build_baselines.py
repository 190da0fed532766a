"""Build the shipped reference baselines and code lists from the shared reference files.

Run from the repository root::

    python -m tools.build_baselines [--reference ../shared/reference] [--out data]

It reads the ONS Census 2021 and NHS England Mental Health Act files described in the shared ``SOURCES.md``
(default folder: ``shared/reference`` beside the repository) and writes tidy CSVs:

- ``baselines/census2021.csv``: one row per geography x characteristic x group (counts of usual residents);
- ``baselines/census2021_adults.csv``: the same for residents aged 16 or over and 18 or over (ethnicity estimated
  by raking, see ``tools.build_adults``; sex from RM032, national only);
- ``baselines/census2021_crossed.csv``: the published cross-tables RM032 (ethnic group x sex) and RM031
  (ethnic group x religion) for England, Wales and both;
- ``baselines/ltla_icb24.csv`` (only with ``--lsoa-icb FILE.csv``): which 2024 ICBs each local authority lies
  in, from the ONS LSOA lookup (not among the shared files; see ``data/SOURCES.md``);
- ``baselines/mha_detention_rates.csv``: crude detention rates per 100,000 by ethnic group;
- ``baselines/county_districts.csv``: the 2021 shire district -> county lookup (derived, see below);
- ``codelists/ethnicity.csv`` and ``codelists/characteristics.csv``: the code lists of ``data.codes``.

Counts are as published, only reshaped and summed. The output is sorted and written the same way every
time, so a rebuild from the same inputs gives byte-identical files (a test checks this).

County (upper-tier) areas are not in the ethnicity file and the shared files hold no district-to-county
lookup, so the lookup is derived: each county's 101 single-year-of-age counts (TS007) must equal the sum of
its districts' counts up to cell-key perturbation. A small integer programme (scipy ``milp``) assigns every
district to exactly one county (first counties to regions, then districts to counties within each region);
the fit is checked and the build fails with a clear message when a county does not match its districts.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array, eye, hstack, kron

from data import codes
from tools import build_adults

REPO = Path(__file__).resolve().parents[1]
# The shared folder sits beside the repository; PRESENCE_REFERENCE_DIR points elsewhere (e.g. from a worktree).
DEFAULT_REFERENCE = Path(os.environ.get("PRESENCE_REFERENCE_DIR") or REPO.parent / "shared" / "reference")
DEFAULT_OUT = REPO / "data"

SOURCE_CENSUS = "census2021"
SOURCE_MHA = "mha_detentions"
CENSUS_YEAR = 2021

LEVELS: tuple[str, ...] = ("country", "region", "utla", "ltla", "icb", "sub_icb")
CENSUS_COLUMNS: tuple[str, ...] = (
    "source",
    "year",
    "geography_code",
    "geography_name",
    "geography_level",
    "nhs_code",
    "characteristic",
    "group",
    "count",
)
MHA_COLUMNS: tuple[str, ...] = (
    "source",
    "year",
    "group_level",
    "group",
    "rate_per_100k",
    "detentions",
    "notes",
)

COUNTRIES: dict[str, str] = {"K04000001": "England and Wales", "E92000001": "England", "W92000004": "Wales"}
COUNTRY_CODE_BY_NAME = {name: code for code, name in COUNTRIES.items()}

# ONS broad-group names (TS021, 2021 wording) -> Presence broad labels.
ONS_BROAD: dict[str, str] = {
    "Asian, Asian British or Asian Welsh": codes.BROAD_ASIAN,
    "Black, Black British, Black Welsh, Caribbean or African": codes.BROAD_BLACK,
    "Mixed or Multiple ethnic groups": codes.BROAD_MIXED,
    "White": codes.BROAD_WHITE,
    "Other ethnic group": codes.BROAD_OTHER,
}
DISABILITY_GROUPS = {"Disabled under the Equality Act": "yes", "Not disabled under the Equality Act": "no"}
RELIGION_GROUPS = {
    "Buddhist": "buddhist",
    "Christian": "christian",
    "Hindu": "hindu",
    "Jewish": "jewish",
    "Muslim": "muslim",
    "No religion": "no_religion",
    "Other religion": "other",
    "Sikh": "sikh",
    "Not answered": codes.NOT_STATED,
}
SEXUAL_ORIENTATION_GROUPS = {
    "Straight or Heterosexual": "straight",
    "Gay or Lesbian": "gay_lesbian",
    "Bisexual": "bisexual",
    "All other sexual orientations": "other",
    "Not answered": codes.NOT_STATED,
}
NHS_LEVELS = {"icb24": "icb", "sicbl24": "sub_icb"}

# NHS England MHA statistics (2023-24 data file) DemographicBreakdown -> Presence ethnic code.
MHA_DETAILED: dict[str, str] = {
    "British": "A",
    "Irish": "B",
    "Any Other White background": "C",
    "White and Black Caribbean": "D",
    "White and Black African": "E",
    "White and Asian": "F",
    "Any Other Mixed background": "G",
    "Indian": "H",
    "Pakistani": "J",
    "Bangladeshi": "K",
    "Any Other Asian background": "L",
    "Caribbean": "M",
    "African": "N",
    "Any Other Black background": "P",
    "Chinese": "R",
    "Any Other Ethnic Group": "S",
}
MHA_BROAD: dict[str, str] = {
    "White": codes.BROAD_WHITE,
    "Mixed": codes.BROAD_MIXED,
    "Asian or Asian British": codes.BROAD_ASIAN,
    "Black or Black British": codes.BROAD_BLACK,
    "Other Ethnic Groups": codes.BROAD_OTHER,
}
# The overall row: everyone whose ethnicity was recorded (the sum of the five broad groups).
MHA_ALL: dict[str, str] = {"All": "All"}
MHA_ALL_NOTE = "All people of known ethnicity (not stated and not known are excluded from rates)."
# Groups of the 2022-23 headline file (GOV.UK Ethnicity facts and figures wording).
MHA_HEADLINE_GROUPS: dict[str, tuple[str, str]] = {
    "Black": ("ethnicity_broad", codes.BROAD_BLACK),
    "White": ("ethnicity_broad", codes.BROAD_WHITE),
    "Black other": ("ethnicity", "P"),
    "Chinese": ("ethnicity", "R"),
    "Indian": ("ethnicity", "H"),
    "White British": ("ethnicity", "A"),
    "White Irish": ("ethnicity", "B"),
}
MHA_CHINESE_NOTE = (
    "NHS England broad groups follow the NHS 2001 convention: Chinese is counted in Other Ethnic Groups, "
    "not in Asian or Asian British."
)
MHA_FILE_NOTE = (
    "NHS England, Mental Health Act Statistics, Annual Figures 2023-24 (third-party copy of the suppressed "
    "data file); crude rate per 100,000 with Census 2021 England population"
)
MHA_DENOMINATOR_NOTES = {
    "C": "Denominator is ONS 'White: Other White' only (Gypsy or Irish Traveller and Roma are not included).",
    "S": "Denominator is ONS 'Any other ethnic group' only (Arab is not included).",
}

# Districts must match their county within this share of the county population (sum of absolute differences
# over the 101 single-year-of-age cells); cell-key perturbation leaves at most 0.013% (2021 files).
COUNTY_FIT_TOLERANCE = 0.005

_AGE_LEAF = re.compile(r"^Age: Aged (under 1 year|1 year|(\d+) years|100 years and over); measures: Value$")


class ReferenceDataError(ValueError):
    """A shared reference file is missing or does not have the expected shape."""


# --- reading ------------------------------------------------------------------------------------------------


def _read(reference: Path, name: str) -> pl.DataFrame:
    path = reference / name
    if not path.is_file():
        raise ReferenceDataError(
            f"Reference file {path} is missing; see the shared SOURCES.md for where it comes from."
        )
    return pl.read_csv(path, infer_schema_length=None)


def _require(frame: pl.DataFrame, name: str, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ReferenceDataError(f"Reference file {name} has no column(s) {', '.join(missing)}.")


def _map_values(
    frame: pl.DataFrame, name: str, column: str, mapping: dict[str, str], target: str
) -> pl.DataFrame:
    """Replace the values of ``column`` by ``mapping`` (into ``target``); unmapped values are an error."""
    unknown = sorted(set(frame[column].unique().to_list()) - set(mapping))
    if unknown:
        raise ReferenceDataError(f"Reference file {name}, column {column}: unrecognised value(s) {unknown}.")
    return frame.with_columns(pl.col(column).replace_strict(mapping, return_dtype=pl.String).alias(target))


# --- ethnicity (19 groups, LTLA based) ---------------------------------------------------------------------

ETHNICITY_LTLA_FILE = "ons_census2021_ts021_ethnic_group_19cat_ltla21.csv"


def _ethnicity_ltla(reference: Path) -> pl.DataFrame:
    """LTLA x ONS 19-group counts with the Presence code, region and country of each LTLA."""
    frame = _read(reference, ETHNICITY_LTLA_FILE)
    _require(
        frame,
        ETHNICITY_LTLA_FILE,
        [
            "ltla21_code",
            "ltla21_name",
            "region21_code",
            "region21_name",
            "country",
            "ons_ts021_code",
            "count",
        ],
    )
    bad = sorted(set(frame["ons_ts021_code"].to_list()) - set(codes.ETHNICITY_BY_ONS_CODE))
    if bad:
        raise ReferenceDataError(f"Reference file {ETHNICITY_LTLA_FILE}: unknown ONS TS021 code(s) {bad}.")
    per_area = frame.group_by("ltla21_code").agg(pl.col("ons_ts021_code").n_unique().alias("n"))
    short = per_area.filter(pl.col("n") != len(codes.ETHNIC_CATEGORIES))
    if short.height:
        raise ReferenceDataError(
            f"Reference file {ETHNICITY_LTLA_FILE}: area(s) {short['ltla21_code'].to_list()} "
            "lack some of the 19 groups."
        )
    ons_to_code = {ons: category.code for ons, category in codes.ETHNICITY_BY_ONS_CODE.items()}
    return frame.with_columns(
        pl.col("ons_ts021_code").replace_strict(ons_to_code, return_dtype=pl.String).alias("group"),
        pl.col("country").replace_strict(COUNTRY_CODE_BY_NAME, return_dtype=pl.String).alias("country_code"),
    )


def _census_rows(
    frame: pl.DataFrame, code: str, name: str, level: str, characteristic: str, nhs_code: str | None = None
) -> pl.DataFrame:
    """Give a frame with columns ``code``, ``name``, ``group``, ``count`` the census2021 layout."""
    return frame.select(
        pl.lit(SOURCE_CENSUS).alias("source"),
        pl.lit(CENSUS_YEAR, dtype=pl.Int64).alias("year"),
        pl.col(code).alias("geography_code"),
        pl.col(name).alias("geography_name"),
        pl.lit(level).alias("geography_level"),
        (pl.col(nhs_code) if nhs_code else pl.lit(None, dtype=pl.String)).alias("nhs_code"),
        pl.lit(characteristic).alias("characteristic"),
        pl.col("group"),
        pl.col("count").cast(pl.Int64),
    )


def _sum_areas(frame: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    return frame.group_by([*by, "group"]).agg(pl.col("count").sum())


def ethnicity_rows(ltla: pl.DataFrame, county_districts: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """19-group ethnicity for every LTLA, UTLA (unitaries copied, counties summed), region and country."""
    base = ltla.select(pl.col("ltla21_code").alias("code"), "region21_code", "country_code", "group", "count")
    parts = [
        _census_rows(
            base.with_columns(pl.col("code").replace_strict(names).alias("name")),
            "code",
            "name",
            "ltla",
            "ethnicity",
        )
    ]
    unitary = base.filter(~pl.col("code").str.starts_with("E07"))
    counties = _sum_areas(
        base.join(county_districts, left_on="code", right_on="district_code"), ["county_code"]
    )
    utla = pl.concat(
        [
            unitary.select("code", "group", "count"),
            counties.select(pl.col("county_code").alias("code"), "group", "count"),
        ]
    )
    parts.append(
        _census_rows(
            utla.with_columns(pl.col("code").replace_strict(names).alias("name")),
            "code",
            "name",
            "utla",
            "ethnicity",
        )
    )
    regions = _sum_areas(base.filter(pl.col("region21_code").str.starts_with("E12")), ["region21_code"])
    parts.append(
        _census_rows(
            regions.with_columns(pl.col("region21_code").replace_strict(names).alias("name")),
            "region21_code",
            "name",
            "region",
            "ethnicity",
        )
    )
    countries = pl.concat(
        [
            _sum_areas(base, ["country_code"]),
            _sum_areas(base, [])
            .with_columns(pl.lit("K04000001").alias("country_code"))
            .select("country_code", "group", "count"),
        ]
    )
    parts.append(
        _census_rows(
            countries.with_columns(pl.col("country_code").replace_strict(names).alias("name")),
            "country_code",
            "name",
            "country",
            "ethnicity",
        )
    )
    return pl.concat(parts)


def broad_from_detailed(detailed: pl.DataFrame) -> pl.DataFrame:
    """ONS 2021 broad groups (Chinese in Asian) summed from 19-group census rows, same geographies."""
    broad = {c.code: c.broad for c in codes.ETHNIC_CATEGORIES}
    keys = ["source", "year", "geography_code", "geography_name", "geography_level", "nhs_code"]
    return (
        detailed.with_columns(pl.col("group").replace_strict(broad, return_dtype=pl.String))
        .group_by([*keys, "group"])
        .agg(pl.col("count").sum())
        .select(*keys, pl.lit("ethnicity_broad").alias("characteristic"), "group", "count")
    )


# --- ICB / sub-ICB small-area sums ------------------------------------------------------------------------


def nhs_area_rows(reference: Path, name: str, characteristic: str, mapping: dict[str, str]) -> pl.DataFrame:
    """ICB (2024) and sub-ICB location rows of one LSOA-summed file, with the NHS ODS code kept."""
    frame = _read(reference, name)
    _require(frame, name, ["level", "geo_code", "geo_code_nhs", "geo_name", "category", "count"])
    frame = _map_values(frame, name, "level", NHS_LEVELS, "level")
    frame = _map_values(frame, name, "category", mapping, "group")
    parts = [
        _census_rows(
            frame.filter(pl.col("level") == level),
            "geo_code",
            "geo_name",
            level,
            characteristic,
            nhs_code="geo_code_nhs",
        )
        for level in ("icb", "sub_icb")
    ]
    return pl.concat(parts)


# --- national religion / disability / sexual orientation -------------------------------------------------

NATIONAL_FILE = "ons_census2021_religion_disability_sexorient_national_from_small_areas.csv"
NATIONAL_TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "TS030": ("religion", RELIGION_GROUPS),
    "TS038": ("disability", DISABILITY_GROUPS),
    "TS077": ("sexual_orientation", SEXUAL_ORIENTATION_GROUPS),
}


def national_rows(reference: Path) -> pl.DataFrame:
    """Country rows for religion, disability and sexual orientation (16+) from the small-area sums."""
    frame = _read(reference, NATIONAL_FILE)
    _require(frame, NATIONAL_FILE, ["table", "geography", "category", "count"])
    frame = _map_values(frame, NATIONAL_FILE, "geography", COUNTRY_CODE_BY_NAME, "code")
    parts = []
    for table, (characteristic, mapping) in NATIONAL_TABLES.items():
        rows = frame.filter(pl.col("table").str.starts_with(table))
        if rows.is_empty():
            raise ReferenceDataError(f"Reference file {NATIONAL_FILE} has no rows for table {table}.")
        rows = _map_values(rows, NATIONAL_FILE, "category", mapping, "group")
        parts.append(_census_rows(rows, "code", "geography", "country", characteristic))
    return pl.concat(parts)


# --- age (TS007 single year of age) ----------------------------------------------------------------------

AGE_FILES = {
    "country": "census2021-ts007-ctry.csv",
    "region": "census2021-ts007-rgn.csv",
    "ltla": "census2021-ts007-ltla.csv",
    "utla": "census2021-ts007-utla.csv",
}


def _age_of(column: str) -> int | None:
    """The single year of age of a TS007 column (100 for '100 years and over'); None for totals and ranges."""
    match = _AGE_LEAF.match(column)
    if match is None:
        return None
    if match.group(1) == "under 1 year":
        return 0
    if match.group(1) == "1 year":
        return 1
    if match.group(1) == "100 years and over":
        return 100
    return int(match.group(2))


def _band_of(age: int) -> str:
    for band in age_bands():
        low, _, high = band.replace("+", "-").partition("-")
        if int(low) <= age and (not high or age <= int(high)):
            return band
    raise ReferenceDataError(f"Age {age} falls in no age band of data.codes.AGE_BANDS.")


def age_bands() -> list[str]:
    """The age bands of ``data.codes.AGE_BANDS`` (without not stated / not known), youngest first."""
    return [band for band in codes.AGE_BANDS if band not in codes.UNKNOWN_VALUES]


def read_single_year(reference: Path, name: str) -> tuple[pl.DataFrame, list[str]]:
    """One TS007 file with its single-year columns (checked to add up to the total) and their names."""
    frame = _read(reference, name)
    _require(frame, name, ["geography", "geography code", "Age: Total; measures: Value"])
    leaves = [c for c in frame.columns if _age_of(c) is not None]
    if sorted(_age_of(c) for c in leaves) != list(range(101)):
        raise ReferenceDataError(f"Reference file {name} does not have one column for each age 0 to 100+.")
    off = frame.filter(pl.sum_horizontal(leaves) != pl.col("Age: Total; measures: Value"))
    if off.height:
        raise ReferenceDataError(
            f"Reference file {name}: single years do not add up to the total for "
            f"{off['geography code'].to_list()}."
        )
    return frame, leaves


def age_rows(reference: Path, names: dict[str, str]) -> pl.DataFrame:
    """Age-band counts for countries, English regions, LTLAs and UTLAs (sums of single years of age)."""
    parts = []
    for level, name in AGE_FILES.items():
        frame, leaves = read_single_year(reference, name)
        if level == "region":
            frame = frame.filter(pl.col("geography code").str.starts_with("E12"))
        long = frame.select(pl.col("geography code").alias("code"), *leaves).unpivot(
            index="code", variable_name="column", value_name="count"
        )
        band = {c: _band_of(_age_of(c)) for c in leaves}  # type: ignore[arg-type]
        banded = (
            long.with_columns(pl.col("column").replace_strict(band, return_dtype=pl.String).alias("group"))
            .group_by("code", "group")
            .agg(pl.col("count").sum())
            .with_columns(pl.col("code").replace_strict(names, return_dtype=pl.String).alias("name"))
        )
        parts.append(_census_rows(banded, "code", "name", level, "age_band"))
    return pl.concat(parts)


# --- district -> county lookup derived from TS007 --------------------------------------------------------


def _assign(parts: np.ndarray, wholes: np.ndarray) -> np.ndarray:
    """Assign each part (row vector of counts) to exactly one whole so that the parts of a whole add up to it.

    Minimises the sum of absolute differences with a mixed-integer programme; returns the index of the whole
    of every part.
    """
    n_parts, n_cells = parts.shape
    n_wholes = wholes.shape[0]
    n_x, n_e = n_parts * n_wholes, n_wholes * n_cells
    rows = np.repeat(np.arange(n_e), n_parts)  # row k * n_cells + a, for every part p
    whole_of_row = rows // n_cells
    cell_of_row = rows % n_cells
    part = np.tile(np.arange(n_parts), n_e)
    matrix = coo_array((parts[part, cell_of_row], (rows, part * n_wholes + whole_of_row)), shape=(n_e, n_x))
    fit = hstack([matrix, -eye(n_e), eye(n_e)])
    one_each = hstack([kron(eye(n_parts), np.ones((1, n_wholes))), coo_array((n_parts, 2 * n_e))])
    n = n_x + 2 * n_e
    result = milp(
        np.r_[np.zeros(n_x), np.ones(2 * n_e)],
        constraints=[LinearConstraint(one_each, 1, 1), LinearConstraint(fit, wholes.ravel(), wholes.ravel())],
        integrality=np.r_[np.ones(n_x), np.zeros(2 * n_e)],
        bounds=Bounds(np.zeros(n), np.r_[np.ones(n_x), np.full(2 * n_e, np.inf)]),
        options={"time_limit": 120.0},
    )
    if result.x is None or not result.success:
        raise ReferenceDataError(f"Could not derive the district-to-county lookup: {result.message}")
    return result.x[:n_x].reshape(n_parts, n_wholes).round().argmax(axis=1)


def county_districts(reference: Path, ltla: pl.DataFrame) -> pl.DataFrame:
    """The 2021 shire district -> county lookup (district_code, county_code), derived from TS007 ages."""
    districts, leaves = read_single_year(reference, AGE_FILES["ltla"])
    utla, utla_leaves = read_single_year(reference, AGE_FILES["utla"])
    if utla_leaves != leaves:
        raise ReferenceDataError("The TS007 LTLA and UTLA files have different age columns.")
    region_of = ltla.select(pl.col("ltla21_code").alias("geography code"), "region21_code").unique()
    districts = (
        districts.filter(pl.col("geography code").str.starts_with("E07"))
        .join(region_of, on="geography code", how="left")
        .sort("geography code")
    )
    counties = utla.filter(pl.col("geography code").str.starts_with("E10")).sort("geography code")
    if districts["region21_code"].null_count():
        raise ReferenceDataError("Some TS007 districts are not in the ethnicity LTLA file.")
    # Counties to regions: each region's districts add up to its counties.
    regions = districts.group_by("region21_code").agg(pl.col(leaves).sum()).sort("region21_code")
    region_index = _assign(
        counties.select(leaves).to_numpy().astype(float), regions.select(leaves).to_numpy().astype(float)
    )
    counties = counties.with_columns(
        pl.Series("region21_code", regions["region21_code"].gather(region_index))
    )
    lookups = []
    for region in regions["region21_code"]:
        in_counties = counties.filter(pl.col("region21_code") == region)
        in_districts = districts.filter(pl.col("region21_code") == region)
        index = _assign(
            in_districts.select(leaves).to_numpy().astype(float),
            in_counties.select(leaves).to_numpy().astype(float),
        )
        lookups.append(
            pl.DataFrame(
                {
                    "district_code": in_districts["geography code"],
                    "county_code": in_counties["geography code"].gather(index),
                }
            )
        )
    lookup = pl.concat(lookups).sort("district_code")
    _check_county_fit(lookup, districts, counties, leaves)
    return lookup


def _check_county_fit(
    lookup: pl.DataFrame, districts: pl.DataFrame, counties: pl.DataFrame, leaves: list[str]
) -> None:
    sums = (
        districts.join(lookup, left_on="geography code", right_on="district_code")
        .group_by("county_code")
        .agg(pl.col(leaves).sum())
        .sort("county_code")
    )
    published = counties.sort("geography code")
    if sums["county_code"].to_list() != published["geography code"].to_list():
        raise ReferenceDataError("The derived district-to-county lookup leaves a county without districts.")
    gap = np.abs(sums.select(leaves).to_numpy() - published.select(leaves).to_numpy()).sum(axis=1)
    share = gap / published["Age: Total; measures: Value"].to_numpy()
    if (share > COUNTY_FIT_TOLERANCE).any():
        worst = published["geography"][int(share.argmax())]
        raise ReferenceDataError(
            f"The districts derived for {worst} do not add up to its published age counts."
        )


# --- names ------------------------------------------------------------------------------------------------


def geography_names(reference: Path, ltla: pl.DataFrame) -> dict[str, str]:
    """One name per code: LTLA and region names of the ethnicity file, county names of TS007, countries."""
    names = dict(COUNTRIES)
    utla, _ = read_single_year(reference, AGE_FILES["utla"])
    names |= dict(zip(utla["geography code"], utla["geography"], strict=True))
    names |= dict(zip(ltla["region21_code"], ltla["region21_name"], strict=True))
    names |= dict(zip(ltla["ltla21_code"], ltla["ltla21_name"], strict=True))
    names |= COUNTRIES  # Wales is the "region" of Welsh LTLAs in the ethnicity file
    return names


# --- assembling -------------------------------------------------------------------------------------------


def _group_rank() -> dict[str, dict[str, int]]:
    ethnicity = [c.code for c in codes.ETHNIC_CATEGORIES]
    lists: dict[str, list[str]] = {
        "ethnicity": ethnicity,
        "ethnicity_broad": list(codes.BROAD_GROUPS),
        "age_band": list(codes.AGE_BANDS),
        "disability": list(codes.DISABILITY),
        "religion": list(codes.RELIGION),
        "sexual_orientation": list(codes.SEXUAL_ORIENTATION),
        "sex": list(codes.SEX),
    }
    return {name: {group: rank for rank, group in enumerate(values)} for name, values in lists.items()}


def group_ranks() -> pl.DataFrame:
    """(characteristic, group, _rank): the position of every group in its code list."""
    return pl.concat(
        [
            pl.DataFrame(
                {
                    "characteristic": [name] * len(groups),
                    "group": list(groups),
                    "_rank": list(groups.values()),
                },
                schema_overrides={"_rank": pl.Int64},
            )
            for name, groups in _group_rank().items()
        ]
    )


def sort_census(frame: pl.DataFrame) -> pl.DataFrame:
    """Deterministic order: characteristic, level (country first), geography code, code-list order."""
    characteristic_rank = {name: i for i, name in enumerate(_group_rank())}
    ordered = frame.join(group_ranks(), on=["characteristic", "group"], how="left")
    stray = ordered.filter(pl.col("_rank").is_null())
    if stray.height:
        first = stray.row(0, named=True)
        raise ReferenceDataError(
            f"Group {first['group']!r} is not in the {first['characteristic']} code list."
        )
    level_rank = pl.col("geography_level").replace_strict(
        {lv: i for i, lv in enumerate(LEVELS)}, return_dtype=pl.Int64
    )
    return ordered.sort(
        [
            pl.col("characteristic").replace_strict(characteristic_rank, return_dtype=pl.Int64),
            level_rank,
            "geography_code",
            "_rank",
        ]
    ).select(CENSUS_COLUMNS)


def build_county_lookup(reference: Path) -> pl.DataFrame:
    """The derived 2021 district -> county lookup with names, sorted by county then district code."""
    ltla = _ethnicity_ltla(reference)
    names = geography_names(reference, ltla)
    lookup = county_districts(reference, ltla)
    return lookup.select(
        "district_code",
        pl.col("district_code").replace_strict(names, return_dtype=pl.String).alias("district_name"),
        "county_code",
        pl.col("county_code").replace_strict(names, return_dtype=pl.String).alias("county_name"),
    ).sort("county_code", "district_code")


def build_census(reference: Path, lookup: pl.DataFrame | None = None) -> pl.DataFrame:
    """All census2021 baseline rows, sorted (``lookup``: the district -> county lookup, derived if None)."""
    ltla = _ethnicity_ltla(reference)
    names = geography_names(reference, ltla)
    if lookup is None:
        lookup = county_districts(reference, ltla)
    detailed = ethnicity_rows(ltla, lookup, names)
    frame = pl.concat(
        [
            detailed,
            broad_from_detailed(detailed),
            nhs_area_rows(
                reference, "ons_census2021_ts021_broad5_icb24_sicbl24.csv", "ethnicity_broad", ONS_BROAD
            ),
            age_rows(reference, names),
            national_rows(reference),
            nhs_area_rows(
                reference,
                "ons_census2021_ts038_disability_icb24_sicbl24.csv",
                "disability",
                DISABILITY_GROUPS,
            ),
            nhs_area_rows(
                reference, "ons_census2021_ts030_religion_icb24_sicbl24.csv", "religion", RELIGION_GROUPS
            ),
        ]
    )
    duplicated = frame.filter(
        frame.select("geography_level", "geography_code", "characteristic", "group").is_duplicated()
    )
    if duplicated.height:
        raise ReferenceDataError(f"Duplicate baseline cells, e.g. {duplicated.row(0, named=True)}.")
    return sort_census(frame)


# --- adults (16+ and 18+) and cross-tables ---------------------------------------------------------------

ADULT_COLUMNS: tuple[str, ...] = (*CENSUS_COLUMNS[:6], "min_age", *CENSUS_COLUMNS[6:], "method")
METHOD_RAKED = "raked"
METHOD_NATIONAL_PROFILE = "national_age_profile"
METHOD_RM032 = "rm032"


def build_adults_and_crossed(
    reference: Path, lookup: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(census2021_adults rows, census2021_crossed rows), both sorted."""
    ltla = _ethnicity_ltla(reference)
    names = geography_names(reference, ltla)
    if lookup is None:
        lookup = county_districts(reference, ltla)
    ages, leaves = read_single_year(reference, AGE_FILES["ltla"])
    raked = build_adults.rake_ages(reference, ages, leaves, ltla)
    if raked.result.max_relative_gap > 0.005:
        raise ReferenceDataError(
            f"Raking did not fit the published totals (worst gap {raked.result.max_relative_gap:.2%})."
        )
    nhs_broad = nhs_area_rows(
        reference, "ons_census2021_ts021_broad5_icb24_sicbl24.csv", "ethnicity_broad", ONS_BROAD
    )
    crossed = pl.concat(
        [
            build_adults.crossed_sex_rows(reference, raked, names),
            build_adults.crossed_religion_rows(reference, names, RELIGION_GROUPS),
        ]
    )
    sex = build_adults.sex_rows(crossed).with_columns(
        pl.lit("country").alias("level"), pl.lit("sex").alias("characteristic")
    )
    parts = []
    for min_age in build_adults.MIN_AGES:
        detailed = ethnicity_rows(build_adults.adult_ltla(raked, ltla, min_age), lookup, names)
        fractions = build_adults.national_adult_fractions(raked, min_age)
        nhs = nhs_broad.with_columns(
            (pl.col("count") * pl.col("group").replace_strict(fractions, return_dtype=pl.Float64))
            .round()
            .cast(pl.Int64)
        )
        for frame, method in (
            (detailed, METHOD_RAKED),
            (broad_from_detailed(detailed), METHOD_RAKED),
            (nhs, METHOD_NATIONAL_PROFILE),
        ):
            parts.append(
                frame.with_columns(
                    pl.lit(min_age, dtype=pl.Int64).alias("min_age"), pl.lit(method).alias("method")
                )
            )
    parts.append(
        sex.select(
            pl.lit(SOURCE_CENSUS).alias("source"),
            pl.lit(CENSUS_YEAR, dtype=pl.Int64).alias("year"),
            "geography_code",
            "geography_name",
            pl.lit("country").alias("geography_level"),
            pl.lit(None, dtype=pl.String).alias("nhs_code"),
            "characteristic",
            "group",
            "count",
            "min_age",
            pl.lit(METHOD_RM032).alias("method"),
        )
    )
    adults = pl.concat([p.select(ADULT_COLUMNS) for p in parts])
    ordered = []
    for min_age in (0, *build_adults.MIN_AGES):  # floor 0: sex only (the other all-ages rows are census2021)
        chosen = adults.filter(pl.col("min_age") == min_age)
        methods = chosen.select("geography_level", "geography_code", "characteristic", "method").unique()
        ordered.append(
            sort_census(chosen.drop("min_age", "method"))
            .with_columns(pl.lit(min_age, dtype=pl.Int64).alias("min_age"))
            .join(methods, on=["geography_level", "geography_code", "characteristic"], how="left")
            .select(ADULT_COLUMNS)
        )
    crossed_sorted = crossed.sort("table", "geography_code", "min_age", "characteristic_1", "group_1", "group_2")
    return pl.concat(ordered), crossed_sorted


# --- MHA detention rates ----------------------------------------------------------------------------------

MHA_FILE = "nhs_mha_annual_2023_24_england_by_ethnicity.csv"
MHA_HEADLINES_FILE = "nhs_mha_detention_rates_by_ethnicity_headlines.csv"


def mha_2023_24(reference: Path) -> pl.DataFrame:
    """All detentions 2023-24 by ethnic group (detailed NHS codes and NHS England broad groups)."""
    frame = _read(reference, MHA_FILE)
    _require(
        frame,
        MHA_FILE,
        [
            "Year",
            "Measure",
            "measureSubcategory",
            "DemographicBreakdown",
            "Total_Count",
            "CrudeRate",
            "StdRate",
            "Confidence_interval",
        ],
    )
    frame = frame.filter((pl.col("Measure") == "All detentions") & (pl.col("measureSubcategory") == "All"))
    if set(frame["Year"].unique().to_list()) != {"2023/24"}:
        raise ReferenceDataError(f"Reference file {MHA_FILE}: expected only year 2023/24.")
    parts = []
    for level, mapping in (("all", MHA_ALL), ("ethnicity", MHA_DETAILED), ("ethnicity_broad", MHA_BROAD)):
        rows = frame.filter(pl.col("DemographicBreakdown").is_in(list(mapping)))
        missing = sorted(set(mapping) - set(rows["DemographicBreakdown"].to_list()))
        if missing or rows.height != len(mapping):
            raise ReferenceDataError(
                f"Reference file {MHA_FILE}: 'All detentions' rows missing or repeated for "
                f"{missing or 'some groups'}."
            )
        rows = rows.with_columns(pl.col("DemographicBreakdown").replace_strict(mapping).alias("group"))
        extra = pl.col("group").replace_strict(MHA_DENOMINATOR_NOTES, default="")
        if level == "ethnicity_broad":
            extra = pl.lit(MHA_CHINESE_NOTE)
        if level == "all":
            extra = pl.lit(MHA_ALL_NOTE)
        parts.append(
            rows.select(
                pl.lit(SOURCE_MHA).alias("source"),
                pl.lit("2023-24").alias("year"),
                pl.lit(level).alias("group_level"),
                "group",
                pl.col("CrudeRate").cast(pl.Float64).alias("rate_per_100k"),
                pl.col("Total_Count").cast(pl.Int64).alias("detentions"),
                pl.concat_str(
                    [
                        pl.lit(MHA_FILE_NOTE + "; NHS England group '"),
                        pl.col("DemographicBreakdown"),
                        pl.lit("'"),
                        pl.when(pl.col("StdRate").is_not_null())
                        .then(
                            pl.format(
                                "; age-standardised rate {} (95% CI +/- {})",
                                "StdRate",
                                "Confidence_interval",
                            )
                        )
                        .otherwise(pl.lit("")),
                        pl.lit("."),
                        pl.when(extra != "").then(pl.lit(" ") + extra).otherwise(pl.lit("")),
                    ]
                ).alias("notes"),
            )
        )
    return pl.concat(parts)


def mha_2022_23(reference: Path) -> pl.DataFrame:
    """The 2022-23 rows of the hand-compiled headline file (rounded rates as published on GOV.UK)."""
    frame = _read(reference, MHA_HEADLINES_FILE)
    _require(
        frame,
        MHA_HEADLINES_FILE,
        [
            "reporting_year",
            "group",
            "rate_per_100k",
            "rate_type",
            "detentions_count",
            "source",
            "verification",
        ],
    )
    frame = frame.filter(pl.col("reporting_year") == "2022-23")
    unknown = sorted(set(frame["group"].to_list()) - set(MHA_HEADLINE_GROUPS))
    if unknown or frame.is_empty():
        raise ReferenceDataError(
            f"Reference file {MHA_HEADLINES_FILE}: 2022-23 group(s) {unknown} not recognised."
        )
    level = {name: pair[0] for name, pair in MHA_HEADLINE_GROUPS.items()}
    group = {name: pair[1] for name, pair in MHA_HEADLINE_GROUPS.items()}
    # "same" in the source column refers to the row above.
    source_url = (
        pl.when(pl.col("source").str.to_lowercase().str.starts_with("same"))
        .then(None)
        .otherwise(pl.col("source"))
        .forward_fill()
    )
    return frame.with_columns(source_url.alias("source_url")).select(
        pl.lit(SOURCE_MHA).alias("source"),
        pl.lit("2022-23").alias("year"),
        pl.col("group").replace_strict(level).alias("group_level"),
        pl.col("group").replace_strict(group).alias("group"),
        pl.col("rate_per_100k").cast(pl.Float64),
        pl.col("detentions_count").cast(pl.Int64).alias("detentions"),
        pl.concat_str(
            [
                pl.lit("GOV.UK Ethnicity facts and figures group '"),
                pl.col("group"),
                pl.lit("', "),
                pl.col("rate_type"),
                pl.lit(" per 100,000, Census 2021 population; verification: "),
                pl.col("verification"),
                pl.lit("; source: "),
                pl.col("source_url"),
                pl.lit("."),
            ]
        ).alias("notes"),
    )


def build_mha(reference: Path) -> pl.DataFrame:
    """Detention rates for both years, sorted by year (newest first), level, then code-list order."""
    frame = pl.concat([mha_2023_24(reference), mha_2022_23(reference)])
    ranked = frame.join(
        group_ranks().rename({"characteristic": "group_level"}), on=["group_level", "group"], how="left"
    )
    return ranked.sort(["year", "group_level", "_rank"], descending=[True, False, False]).select(MHA_COLUMNS)


# --- code lists -------------------------------------------------------------------------------------------


def ethnicity_codelist() -> pl.DataFrame:
    """The ethnic-category crosswalk of ``data.codes`` (19 ONS categories, then not stated / not known)."""
    rows = [
        {
            "code": c.code,
            "label": c.label,
            "nhs_description": c.nhs_description,
            "ons_code": c.ons_code,
            "ons_category": c.ons_category,
            "broad_group": c.broad,
            "broad_group_nhs2001": codes.ethnicity_broad(c.code, chinese_as_asian=False),
            "white_or_minority": codes.ethnicity_binary(c.code),
            "nhs_fold": c.nhs_fold,
        }
        for c in codes.ETHNIC_CATEGORIES
    ]
    rows += [
        {
            "code": code,
            "label": codes.ETHNICITY_LABELS[code],
            "nhs_description": codes.ETHNICITY_LABELS[code],
            "ons_code": None,
            "ons_category": None,
            "broad_group": None,
            "broad_group_nhs2001": None,
            "white_or_minority": None,
            "nhs_fold": code,
        }
        for code in (codes.ETHNICITY_NOT_STATED, codes.ETHNICITY_NOT_KNOWN)
    ]
    return pl.DataFrame(
        rows,
        schema={
            "code": pl.String,
            "label": pl.String,
            "nhs_description": pl.String,
            "ons_code": pl.Int64,
            "ons_category": pl.String,
            "broad_group": pl.String,
            "broad_group_nhs2001": pl.String,
            "white_or_minority": pl.String,
            "nhs_fold": pl.String,
        },
    )


def characteristics_codelist() -> pl.DataFrame:
    """Every other code list of ``data.codes`` as (characteristic, code, label), in code-list order."""
    lists: dict[str, dict[str, str]] = {
        name: values for name, values in codes.CHARACTERISTIC_CODES.items() if name != "ethnicity"
    }
    lists["ethnicity_broad"] = {group: group for group in codes.BROAD_GROUPS}
    lists["ethnicity_binary"] = {group: group for group in codes.BINARY_GROUPS}
    return pl.DataFrame(
        [
            {"characteristic": name, "code": code, "label": label}
            for name, values in lists.items()
            for code, label in values.items()
        ],
        schema={"characteristic": pl.String, "code": pl.String, "label": pl.String},
    )


# --- entry point ------------------------------------------------------------------------------------------


def write_all(reference: Path, out: Path) -> list[Path]:
    """Build every shipped CSV from ``reference`` into ``out/baselines`` and ``out/codelists``."""
    reference = reference.resolve()
    if not reference.is_dir():
        raise ReferenceDataError(f"Reference folder {reference} does not exist; pass --reference.")
    lookup = build_county_lookup(reference)
    adults, crossed = build_adults_and_crossed(reference, lookup.select("district_code", "county_code"))
    outputs = {
        out / "baselines" / "census2021.csv": build_census(reference, lookup),
        out / "baselines" / "county_districts.csv": lookup,
        out / "baselines" / "census2021_adults.csv": adults,
        out / "baselines" / "census2021_crossed.csv": crossed,
        out / "baselines" / "mha_detention_rates.csv": build_mha(reference),
        out / "codelists" / "ethnicity.csv": ethnicity_codelist(),
        out / "codelists" / "characteristics.csv": characteristics_codelist(),
    }
    for path, frame in outputs.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.write_csv(path, line_terminator="\n")
    return list(outputs)


def write_ltla_icb(reference: Path, lsoa_icb: Path, out: Path) -> Path:
    """Rebuild ``baselines/ltla_icb24.csv`` (local authority -> ICB shares) from the LSOA lookup CSV."""
    if not lsoa_icb.is_file():
        raise ReferenceDataError(f"LSOA to ICB lookup {lsoa_icb} does not exist.")
    ltla = _ethnicity_ltla(reference)
    names = dict(zip(ltla["ltla21_code"], ltla["ltla21_name"], strict=False))
    frame = pl.read_csv(lsoa_icb, infer_schema_length=None)
    _require(frame, lsoa_icb.name, ["lsoa21_name", "icb24_code", "icb24_code_nhs", "icb24_name"])
    try:
        lookup = build_adults.ltla_icb_lookup(frame, names)
    except build_adults.AdultDataError as error:
        raise ReferenceDataError(str(error)) from None
    path = out / "baselines" / "ltla_icb24.csv"
    lookup.write_csv(path, line_terminator="\n")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.build_baselines", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--reference",
        type=Path,
        default=DEFAULT_REFERENCE,
        help=f"folder of the shared reference files (default: {DEFAULT_REFERENCE})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="folder that receives baselines/ and codelists/ (default: the data package)",
    )
    parser.add_argument(
        "--lsoa-icb",
        type=Path,
        default=None,
        help="also rebuild baselines/ltla_icb24.csv from a CSV of the ONS LSOA (2021) to ICB (2024) lookup "
        "(columns lsoa21_name, icb24_code, icb24_code_nhs, icb24_name; see data/SOURCES.md)",
    )
    args = parser.parse_args(argv)
    try:
        paths = write_all(args.reference, args.out)
        if args.lsoa_icb is not None:
            paths.append(write_ltla_icb(args.reference, args.lsoa_icb, args.out))
    except (ReferenceDataError, build_adults.AdultDataError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in paths:
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
