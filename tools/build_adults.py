"""Adult (16+ and 18+) Census 2021 baselines and the real cross-tables, for ``tools.build_baselines``.

ONS does not publish ethnic group by age for each local authority. This module estimates it by iterative
proportional fitting (``tools.raking``): a table of (local authority x single year of age x 19 ethnic groups)
is fitted at once to

1. England and Wales, 11 age bands x 5 broad groups (ONS custom dataset);
2. England and Wales, 18 five-year age bands x 5 broad groups (ONS custom dataset);
3. England and Wales separately, 5 age bands x 19 groups (RM032, summed over sex);
4. each local authority's single years of age (TS007), scaled to its TS021 total;
5. each local authority's 19 ethnic groups (TS021), met exactly.

Summing the ages at or above the floor gives each area's adults by group. The national tables are scaled to
the TS021 group totals first, so that every margin counts the same people (cell-key perturbation makes
published tables differ by a few people). Limits: inside a local authority, people of one age band share the
national pattern of how age and ethnic group go together, adjusted to the area's own age and group totals;
ages 16-17 and 18-19 fall in one published band, so the 18+ split within it follows each area's own single
years of age with one ethnic mix for the whole band.

Cross-tables (``census2021_crossed.csv``) come only from tables ONS publishes: RM032 ethnic group x sex
(countries; the adult rows split RM032's "24 and under" band by the raked single years of age) and RM031
ethnic group x religion (countries, all ages: there is no adult version).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from data import codes
from tools.raking import Margin, RakeResult, rake

MIN_AGES: tuple[int, ...] = (16, 18)
AGE11_FILE = "ons_census2021_age11_x_ethnic5_england_wales.csv"
AGE18_FILE = "ons_census2021_age18_x_ethnic5_england_wales.csv"
RM032_FILE = "ons_census2021_rm032_ethnic19_sex_age5_england_wales.csv"
RM031_FILE = "ons_census2021_rm031_ethnic8_religion10_countries.csv"

# Lower age of each published band (its code is its position in the table).
AGE11_LOWER = (0, 5, 10, 16, 20, 25, 35, 50, 65, 75, 85)
AGE18_LOWER = (0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85)
RM032_LOWER = (0, 25, 35, 50, 65)
ONS_BROAD_CODES = {  # "Ethnic group (6 categories) Code" -> broad group
    1: codes.BROAD_ASIAN,
    2: codes.BROAD_BLACK,
    3: codes.BROAD_MIXED,
    4: codes.BROAD_WHITE,
    5: codes.BROAD_OTHER,
}
SEXES = {"Female": "female", "Male": "male"}
RM031_BROAD = {  # RM031 ethnic group (8 categories) -> broad group; "Total" and "White" (a subtotal) skipped
    "Asian, Asian British or Asian Welsh": codes.BROAD_ASIAN,
    "Black, Black British, Black Welsh, Caribbean or African": codes.BROAD_BLACK,
    "Mixed or Multiple ethnic groups": codes.BROAD_MIXED,
    "White: English, Welsh, Scottish, Northern Irish or British": codes.BROAD_WHITE,
    "White: Irish": codes.BROAD_WHITE,
    "White: Gypsy or Irish Traveller, Roma or Other White": codes.BROAD_WHITE,
    "Other ethnic group": codes.BROAD_OTHER,
}
COUNTRY_ORDER = ("E92000001", "W92000004")

CROSSED_COLUMNS = (
    "source",
    "table",
    "geography_code",
    "geography_name",
    "min_age",
    "characteristic_1",
    "group_1",
    "characteristic_2",
    "group_2",
    "count",
)


class AdultDataError(ValueError):
    """A national age or cross-table does not have the expected shape."""


@dataclass(frozen=True)
class RakedAges:
    """The raked (local authority x single year of age 0-100 x 19 groups) table and its axes."""

    result: RakeResult
    areas: list[str]  # LTLA codes, sorted
    country_of_area: np.ndarray  # index into COUNTRY_ORDER
    groups: list[str]  # Presence codes, code-list order

    def adults(self, min_age: int) -> np.ndarray:
        """(area x group) people aged ``min_age`` or over."""
        return self.result.table[:, min_age:, :].sum(axis=1)


def _read(reference: Path, name: str) -> pl.DataFrame:
    path = reference / name
    if not path.is_file():
        raise AdultDataError(f"Reference file {path} is missing; see the shared SOURCES.md.")
    return pl.read_csv(path, infer_schema_length=None)


def _band_index(lower: tuple[int, ...]) -> np.ndarray:
    """For ages 0-100, the index of the band whose lower bound is the largest at or below the age."""
    return np.searchsorted(np.asarray(lower), np.arange(101), side="right") - 1


def _national_broad(reference: Path, name: str, n_bands: int) -> np.ndarray:
    """(band x broad group) England and Wales counts of one custom age x ethnic group table."""
    frame = _read(reference, name)
    band, group, value = frame.columns[2], frame.columns[4], frame.columns[-1]
    frame = frame.filter(pl.col(group) > 0)
    broad_index = {b: i for i, b in enumerate(codes.BROAD_GROUPS)}
    out = np.zeros((n_bands, len(codes.BROAD_GROUPS)))
    for b, g, n in frame.select(band, group, value).iter_rows():
        if not 1 <= b <= n_bands or g not in ONS_BROAD_CODES:
            raise AdultDataError(f"Reference file {name}: unexpected age band {b} or ethnic group {g}.")
        out[b - 1, broad_index[ONS_BROAD_CODES[g]]] += n
    return out


def rm032(reference: Path) -> np.ndarray:
    """(country x sex x age band x 19 groups) RM032 counts; sex index 0 female, 1 male."""
    frame = _read(reference, RM032_FILE).filter(pl.col("ethnic_group_tb_20b_code") > 0)
    position = {c.ons_code: i for i, c in enumerate(codes.ETHNIC_CATEGORIES)}
    out = np.zeros((len(COUNTRY_ORDER), 2, len(RM032_LOWER), len(codes.ETHNIC_CATEGORIES)))
    for country, ons, sex, age, n in frame.select(
        "ctry_code", "ethnic_group_tb_20b_code", "sex", "resident_age_5c_code", "observation"
    ).iter_rows():
        if country not in COUNTRY_ORDER or ons not in position or sex not in SEXES:
            raise AdultDataError(f"Reference file {RM032_FILE}: unexpected row {country}, {ons}, {sex}.")
        out[COUNTRY_ORDER.index(country), list(SEXES).index(sex), age - 1, position[ons]] += n
    return out


def _scale_to(table: np.ndarray, totals: np.ndarray, axis: int) -> np.ndarray:
    """Scale ``table`` so that its sums over every axis but ``axis`` equal ``totals``."""
    others = tuple(i for i in range(table.ndim) if i != axis)
    now = table.sum(axis=others)
    factor = np.divide(totals, now, out=np.zeros_like(totals, dtype=float), where=now > 0)
    shape = [1] * table.ndim
    shape[axis] = -1
    return table * factor.reshape(shape)


def rake_ages(reference: Path, ages: pl.DataFrame, leaves: list[str], ltla: pl.DataFrame) -> RakedAges:
    """Fit the (LTLA x age x group) table to the five margins named in the module docstring.

    ``ages``/``leaves``: the TS007 LTLA file and its single-year columns (``read_single_year``); ``ltla``: the
    TS021 LTLA frame of ``build_baselines._ethnicity_ltla`` (columns ltla21_code, country_code, group, count).
    """
    groups = [c.code for c in codes.ETHNIC_CATEGORIES]
    wide = ltla.pivot(on="group", index=["ltla21_code", "country_code"], values="count").sort("ltla21_code")
    areas = wide["ltla21_code"].to_list()
    ethnic = wide.select(groups).to_numpy().astype(float)  # area x group
    country = np.asarray([COUNTRY_ORDER.index(c) for c in wide["country_code"]])
    age_of = {c: i for i, c in enumerate(leaves)}  # leaves are in age order 0..100
    single = ages.filter(pl.col("geography code").is_in(areas)).sort("geography code")
    if single["geography code"].to_list() != areas:
        raise AdultDataError("The TS007 and TS021 local-authority files cover different areas.")
    by_age = single.select(sorted(leaves, key=age_of.get)).to_numpy().astype(float)  # area x age
    by_age = _scale_to(by_age, ethnic.sum(axis=1), axis=0)

    broad_of = np.asarray([codes.BROAD_GROUPS.index(c.broad) for c in codes.ETHNIC_CATEGORIES])
    broad_totals = np.zeros(len(codes.BROAD_GROUPS))
    np.add.at(broad_totals, broad_of, ethnic.sum(axis=0))
    age11 = _scale_to(_national_broad(reference, AGE11_FILE, len(AGE11_LOWER)), broad_totals, axis=1)
    age18 = _scale_to(_national_broad(reference, AGE18_FILE, len(AGE18_LOWER)), broad_totals, axis=1)
    country_groups = np.zeros((len(COUNTRY_ORDER), len(groups)))
    np.add.at(country_groups, country, ethnic)
    rm = rm032(reference).sum(axis=1)  # country x age band x group
    rm = (
        rm
        * np.divide(country_groups, rm.sum(axis=1), out=np.zeros_like(country_groups), where=rm.sum(axis=1) > 0)[
            :, None, :
        ]
    )

    n_areas, n_groups = len(areas), len(groups)
    everyone = np.zeros(n_areas, dtype=int)
    margins = [
        Margin("age11 x broad (England and Wales)", (everyone, _band_index(AGE11_LOWER), broad_of), age11[None]),
        Margin("age18 x broad (England and Wales)", (everyone, _band_index(AGE18_LOWER), broad_of), age18[None]),
        Margin("RM032 age x 19 groups (countries)", (country, _band_index(RM032_LOWER), np.arange(n_groups)), rm),
        Margin("TS007 single year of age (LTLA)", (np.arange(n_areas), np.arange(101), None), by_age),
        Margin("TS021 ethnic group (LTLA)", (np.arange(n_areas), None, np.arange(n_groups)), ethnic),
    ]
    seed = np.ones((n_areas, 101, n_groups))
    result = rake(seed, margins, tolerance=1e-10, max_iterations=300)
    return RakedAges(result=result, areas=areas, country_of_area=country, groups=groups)


def adult_ltla(raked: RakedAges, ltla: pl.DataFrame, min_age: int) -> pl.DataFrame:
    """The TS021 LTLA frame with counts replaced by the (rounded) raked people aged ``min_age`` or over."""
    adults = raked.adults(min_age)
    estimates = pl.DataFrame(
        {
            "ltla21_code": np.repeat(raked.areas, len(raked.groups)),
            "group": np.tile(raked.groups, len(raked.areas)),
            "adults": np.rint(adults.ravel()).astype(np.int64),
        }
    )
    return (
        ltla.join(estimates, on=["ltla21_code", "group"], how="left")
        .with_columns(pl.col("adults").alias("count"))
        .drop("adults")
    )


def national_adult_fractions(raked: RakedAges, min_age: int) -> dict[str, float]:
    """England's share of each broad group aged ``min_age`` or over (for areas without age figures)."""
    england = raked.country_of_area == COUNTRY_ORDER.index("E92000001")
    table = raked.result.table[england]
    fractions = {}
    for broad in codes.BROAD_GROUPS:
        members = [i for i, c in enumerate(codes.ETHNIC_CATEGORIES) if c.broad == broad]
        group = table[:, :, members]
        fractions[broad] = float(group[:, min_age:, :].sum() / group.sum())
    return fractions


def _country_ages(raked: RakedAges) -> np.ndarray:
    """(country x age x group) sums of the raked table."""
    out = np.zeros((len(COUNTRY_ORDER), 101, len(raked.groups)))
    np.add.at(out, raked.country_of_area, raked.result.table)
    return out


def ethnicity_by_sex(reference: Path, raked: RakedAges, min_age: int) -> np.ndarray:
    """(country x sex x group) people aged ``min_age`` or over: RM032 as published for all ages; for adults,
    RM032's sex split of each (age band, group) applied to the raked single years at or above the floor."""
    published = rm032(reference)
    if min_age == 0:
        return published.sum(axis=2)
    split = np.divide(
        published,
        published.sum(axis=1, keepdims=True),
        out=np.zeros_like(published),
        where=published.sum(axis=1, keepdims=True) > 0,
    )  # country x sex x band x group
    by_age = split[:, :, _band_index(RM032_LOWER), :]  # country x sex x age x group
    people = _country_ages(raked)[:, None, :, :] * by_age
    return people[:, :, min_age:, :].sum(axis=2)


def crossed_sex_rows(reference: Path, raked: RakedAges, names: dict[str, str]) -> pl.DataFrame:
    """ethnicity (19 groups) x sex for England, Wales and England and Wales at floors 0, 16 and 18."""
    records = []
    for min_age in (0, *MIN_AGES):
        table = ethnicity_by_sex(reference, raked, min_age)
        table = np.concatenate([table, table.sum(axis=0, keepdims=True)])
        for k, country in enumerate((*COUNTRY_ORDER, "K04000001")):
            for s, sex in enumerate(SEXES.values()):
                for g, group in enumerate(raked.groups):
                    records.append(
                        (
                            "RM032",
                            country,
                            names[country],
                            min_age,
                            "ethnicity",
                            group,
                            "sex",
                            sex,
                            int(round(table[k, s, g])),
                        )
                    )
    return _crossed_frame(records)


def crossed_religion_rows(reference: Path, names: dict[str, str], religions: dict[str, str]) -> pl.DataFrame:
    """ethnicity_broad x religion (RM031, all ages) for England, Wales and England and Wales."""
    frame = _read(reference, RM031_FILE)
    frame = frame.filter(
        pl.col("C2021_ETH_8_NAME").is_in(list(RM031_BROAD)) & (pl.col("C2021_RELIGION_10_NAME") != "Total")
    )
    unknown = sorted(set(frame["C2021_RELIGION_10_NAME"].to_list()) - set(religions))
    if unknown:
        raise AdultDataError(f"Reference file {RM031_FILE}: unrecognised religion(s) {unknown}.")
    summed = (
        frame.with_columns(
            pl.col("C2021_ETH_8_NAME").replace_strict(RM031_BROAD).alias("group_1"),
            pl.col("C2021_RELIGION_10_NAME").replace_strict(religions).alias("group_2"),
        )
        .group_by("GEOGRAPHY_CODE", "group_1", "group_2")
        .agg(pl.col("OBS_VALUE").sum().round().cast(pl.Int64).alias("count"))
    )
    records = [
        ("RM031", code, names[code], 0, "ethnicity_broad", g1, "religion", g2, n)
        for code, g1, g2, n in summed.iter_rows()
    ]
    return _crossed_frame(records)


def _crossed_frame(records: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        [("census2021", *r) for r in records],
        schema={
            "source": pl.String,
            "table": pl.String,
            "geography_code": pl.String,
            "geography_name": pl.String,
            "min_age": pl.Int64,
            "characteristic_1": pl.String,
            "group_1": pl.String,
            "characteristic_2": pl.String,
            "group_2": pl.String,
            "count": pl.Int64,
        },
        orient="row",
    )


def sex_rows(crossed: pl.DataFrame) -> pl.DataFrame:
    """Country rows of sex (all groups summed) from the RM032 cross-table, every floor."""
    return (
        crossed.filter(pl.col("table") == "RM032")
        .group_by("geography_code", "geography_name", "min_age", "group_2")
        .agg(pl.col("count").sum())
        .rename({"group_2": "group"})
    )


__all__ = [
    "MIN_AGES",
    "RakedAges",
    "adult_ltla",
    "crossed_religion_rows",
    "crossed_sex_rows",
    "ethnicity_by_sex",
    "national_adult_fractions",
    "rake_ages",
    "rm032",
    "sex_rows",
]


# --- local authority -> ICB (2024) -----------------------------------------------------------------------------

LTLA_ICB_COLUMNS = ("ltla21_code", "ltla21_name", "icb24_code", "icb24_code_nhs", "icb24_name", "lsoas", "share")


def ltla_icb_lookup(lsoa_icb: pl.DataFrame, ltla_names: dict[str, str]) -> pl.DataFrame:
    """Which 2024 ICBs each 2021 local authority district lies in, and what share of its LSOAs each holds.

    ``lsoa_icb``: the ONS LSOA (2021) to sub-ICB / ICB (2024) lookup (columns lsoa21_name, icb24_code,
    icb24_code_nhs, icb24_name); an LSOA's name is its 2021 district's name and a serial ("Halton 001A").
    ``ltla_names``: LTLA code -> name ("Bristol, City of" is matched by "Bristol").
    """
    by_name = {name: code for code, name in ltla_names.items()} | {
        name.split(",")[0]: code for code, name in ltla_names.items() if "," in name
    }
    with_district = lsoa_icb.with_columns(
        pl.col("lsoa21_name").str.replace(r" [0-9]{3}[A-Z]$", "").alias("_district")
    )
    unknown = sorted(set(with_district["_district"].to_list()) - set(by_name))
    if unknown:
        raise AdultDataError(f"LSOA lookup: districts {unknown[:5]} are not 2021 local authority districts.")
    return (
        with_district.with_columns(pl.col("_district").replace_strict(by_name).alias("ltla21_code"))
        .group_by("ltla21_code", "icb24_code", "icb24_code_nhs", "icb24_name")
        .agg(pl.len().cast(pl.Int64).alias("lsoas"))
        .with_columns(
            pl.col("ltla21_code").replace_strict(ltla_names).alias("ltla21_name"),
            (pl.col("lsoas") / pl.col("lsoas").sum().over("ltla21_code")).round(6).alias("share"),
        )
        .sort("ltla21_code", "icb24_code")
        .select(LTLA_ICB_COLUMNS)
    )
