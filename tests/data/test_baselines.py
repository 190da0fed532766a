"""Shipped reference baselines: published figures, consistency, the API and the rebuild (the load into the
database: tests/models/test_seeding.py)."""

from __future__ import annotations

import polars as pl
import pytest

from data import baselines, codes
from tools.build_baselines import DEFAULT_REFERENCE, write_all

EW, ENGLAND, WALES = "K04000001", "E92000001", "W92000004"
NEWHAM, BIRMINGHAM, CARDIFF, LEICESTER, KENT = "E09000025", "E08000025", "W06000015", "E06000016", "E10000016"


@pytest.fixture
def reference_dir():
    """The shared reference folder the CSVs were built from (not part of the package: skip when absent)."""
    if not DEFAULT_REFERENCE.is_dir():
        pytest.skip(f"shared reference files not found at {DEFAULT_REFERENCE}")
    return DEFAULT_REFERENCE


def _shares(area: str, characteristic: str) -> dict[str, float]:
    counts = baselines.area_baseline([area], characteristic)
    total = counts["count"].sum()
    return {group: 100 * count / total for group, count in counts.iter_rows()}


def _census(characteristic: str, level: str) -> pl.DataFrame:
    return baselines.reference_baselines().filter(
        (pl.col("characteristic") == characteristic) & (pl.col("geography_level") == level)
    )


# --- published figures --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "area,characteristic,group,published",
    [
        # ONS Census 2021 TS021, England and Wales: White British 74.4%, Black 4.0%, Asian 9.3%, Mixed 2.9%,
        # Other 2.1%, White 81.7%
        (EW, "ethnicity", "A", 74.4),
        (EW, "ethnicity_broad", codes.BROAD_BLACK, 4.0),
        (EW, "ethnicity_broad", codes.BROAD_ASIAN, 9.3),
        (EW, "ethnicity_broad", codes.BROAD_MIXED, 2.9),
        (EW, "ethnicity_broad", codes.BROAD_OTHER, 2.1),
        (EW, "ethnicity_broad", codes.BROAD_WHITE, 81.7),
        (ENGLAND, "ethnicity", "A", 73.5),
        (WALES, "ethnicity", "A", 90.6),
        # ONS-published LTLA percentages (percent_published column of the 19-group LTLA file)
        (NEWHAM, "ethnicity", "A", 14.8),
        (NEWHAM, "ethnicity", "K", 15.9),  # Bangladeshi
        (NEWHAM, "ethnicity", "N", 11.6),  # African
        (BIRMINGHAM, "ethnicity", "J", 17.0),  # Pakistani
        (BIRMINGHAM, "ethnicity", "A", 42.9),
        (BIRMINGHAM, "ethnicity", "M", 3.9),  # Caribbean
        (CARDIFF, "ethnicity", "A", 73.6),
        (CARDIFF, "ethnicity", "N", 2.9),
        (CARDIFF, "ethnicity", "AR", 1.8),
        (LEICESTER, "ethnicity", "H", 34.3),  # Indian
        # ONS TS007 age, England and Wales: 0-15 = 11,031,171 of 59,597,546 (18.5%)
        (EW, "age_band", "0-15", 18.5),
        # TS038 / TS030 / TS077 small-area sums (crude): disabled 17.5%, no religion 37.2%,
        # gay or lesbian 1.5% (of 16+)
        (EW, "disability", "yes", 17.5),
        (EW, "religion", "no_religion", 37.2),
        (EW, "sexual_orientation", "gay_lesbian", 1.5),
    ],
)
def test_published_percentages(area, characteristic, group, published):
    assert _shares(area, characteristic)[group] == pytest.approx(published, abs=0.05 + 1e-9)


@pytest.mark.parametrize(
    "group_level,group,rate,detentions",
    [
        ("ethnicity_broad", codes.BROAD_BLACK, 239.0, 5693),
        ("ethnicity_broad", codes.BROAD_WHITE, 69.5, 31735),
        ("ethnicity", "A", 68.2, 28317),  # British
        ("ethnicity", "P", 551.0, 1619),  # Any Other Black background
        ("all", "All", 80.7, 45525),
    ],
)
def test_mha_2023_24_rates(group_level, group, rate, detentions):
    rates = baselines.detention_rates("2023-24")
    row = rates.filter((pl.col("group_level") == group_level) & (pl.col("group") == group))
    assert row.select("rate_per_100k", "detentions").rows() == [(rate, detentions)]


def test_mha_2023_24_groups_and_chinese_note():
    rates = baselines.detention_rates()
    detailed = rates.filter(pl.col("group_level") == "ethnicity")
    broad = rates.filter(pl.col("group_level") == "ethnicity_broad")
    nhs_codes = [c.code for c in codes.ETHNIC_CATEGORIES if c.nhs_description]
    assert sorted(detailed["group"].to_list()) == sorted(nhs_codes)
    assert broad["group"].to_list() == list(codes.BROAD_GROUPS)
    assert broad["notes"].str.contains("Chinese is counted in Other").all()
    # the five broad groups add up to everyone of known ethnicity: 31735 + 1935 + 3993 + 5693 + 2169 = 45525
    assert broad["detentions"].sum() == 45525
    # crude rates are as published, not recomputed
    assert rates.filter(pl.col("group") == "R")["rate_per_100k"].to_list() == [55.0]


def test_mha_2022_23_keeps_the_verification_note():
    rates = baselines.detention_rates("2022-23")
    black = rates.filter(pl.col("group") == codes.BROAD_BLACK)
    assert black.select("rate_per_100k", "detentions").rows() == [(228.0, 5348)]
    assert rates["notes"].str.contains("verification: verified page text").all()
    assert set(rates["group"]) == {"A", "B", "H", "R", "P", codes.BROAD_WHITE, codes.BROAD_BLACK}


def test_unknown_year_is_a_clear_error():
    with pytest.raises(
        ValueError, match="no detention rates for 1999; the shipped years are 2023-24, 2022-23"
    ):
        baselines.detention_rates("1999")


# --- internal consistency ---------------------------------------------------------------------------------


def test_every_area_has_all_groups():
    census = baselines.reference_baselines()
    per_area = census.group_by("geography_level", "geography_code", "characteristic").agg(pl.len().alias("n"))
    expected = {
        "ethnicity": 19,
        "ethnicity_broad": 5,
        "age_band": 10,
        "disability": 2,
        "religion": 9,
        "sexual_orientation": 5,
    }
    wrong = per_area.filter(pl.col("n") != pl.col("characteristic").replace_strict(expected))
    assert wrong.is_empty(), wrong
    assert census.filter(pl.col("count") < 0).is_empty()


@pytest.mark.parametrize(
    "level,n_areas",
    [
        ("country", 3),
        ("region", 9),
        ("utla", 174),
        ("ltla", 331),
    ],
)
def test_ethnicity_areas(level, n_areas):
    assert _census("ethnicity", level)["geography_code"].n_unique() == n_areas


def test_19_groups_sum_to_the_area_total():
    """Each area's 19 groups add up to its broad groups exactly, and to its TS007 population within the
    cell-key perturbation (England and Wales: 59,597,578 by ethnic group vs 59,597,546 by age)."""
    census = baselines.reference_baselines()
    totals = (
        census.filter(
            pl.col("characteristic").is_in(["ethnicity", "ethnicity_broad", "age_band"])
            & ~pl.col("geography_level").is_in(["icb", "sub_icb"])
        )
        .group_by("geography_level", "geography_code", "characteristic")
        .agg(pl.col("count").sum())
        .pivot("characteristic", index=["geography_level", "geography_code"], values="count")
    )
    assert totals.height == 3 + 9 + 174 + 331
    assert (totals["ethnicity"] == totals["ethnicity_broad"]).all()
    # perturbation moves totals by a few dozen people at most (largest: 32 for England and Wales)
    assert (totals["ethnicity"] - totals["age_band"]).abs().max() <= 50
    ew = totals.filter(pl.col("geography_code") == EW).row(0, named=True)
    assert (ew["ethnicity"], ew["age_band"]) == (59_597_578, 59_597_546)


def test_broad_groups_are_sums_of_the_19_groups():
    census = baselines.reference_baselines()
    broad_of = {c.code: c.broad for c in codes.ETHNIC_CATEGORIES}
    summed = (
        census.filter(pl.col("characteristic") == "ethnicity")
        .with_columns(pl.col("group").replace_strict(broad_of))
        .group_by("geography_level", "geography_code", "group")
        .agg(pl.col("count").sum())
    )
    shipped = census.filter(
        (pl.col("characteristic") == "ethnicity_broad")
        & pl.col("geography_level").is_in(["country", "region", "utla", "ltla"])
    )
    joined = shipped.join(summed, on=["geography_level", "geography_code", "group"], suffix="_summed")
    assert joined.height == shipped.height == summed.height
    assert (joined["count"] == joined["count_summed"]).all()


def test_unitary_utla_rows_equal_their_ltla_rows():
    census = baselines.reference_baselines().filter(pl.col("characteristic").is_in(["ethnicity", "age_band"]))
    utla = census.filter(pl.col("geography_level") == "utla")
    ltla = census.filter(pl.col("geography_level") == "ltla")
    joined = utla.join(ltla, on=["geography_code", "characteristic", "group"], suffix="_ltla")
    assert joined["geography_code"].n_unique() == 174 - 24  # every UTLA except the 24 shire counties
    assert (joined["count"] == joined["count_ltla"]).all()


def test_counties_are_sums_of_their_districts():
    """Kent = its 12 districts (2021); its ethnic-group total is within perturbation of its TS007 total."""
    kent_ethnicity = baselines.area_baseline([KENT], "ethnicity")["count"].sum()
    kent_age = baselines.area_baseline([KENT], "age_band")["count"].sum()
    assert kent_age == 1_576_069  # TS007 total for Kent (published, not summed)
    assert abs(kent_ethnicity - kent_age) / kent_age < 0.001  # districts' ethnic groups, summed
    districts = baselines.geographies().filter(
        pl.col("name").is_in(
            [
                "Ashford",
                "Canterbury",
                "Dartford",
                "Dover",
                "Folkestone and Hythe",
                "Gravesham",
                "Maidstone",
                "Sevenoaks",
                "Swale",
                "Thanet",
                "Tonbridge and Malling",
                "Tunbridge Wells",
            ]
        )
        & (pl.col("level") == "ltla")
    )
    assert districts.height == 12
    by_districts = baselines.area_baseline(districts["code"].to_list(), "ethnicity")
    assert by_districts.equals(baselines.area_baseline([KENT], "ethnicity"))
    counties = _census("age_band", "utla").filter(pl.col("geography_code").str.starts_with("E10"))
    assert counties["geography_code"].n_unique() == 24
    lookup = baselines.county_districts()
    assert lookup.height == 181 and lookup["county_code"].n_unique() == 24
    assert sorted(lookup.filter(pl.col("county_code") == KENT)["district_code"]) == sorted(districts["code"])
    # a district and a county it is not part of can be combined
    assert baselines.area_baseline([KENT, "E07000008"], "age_band")["count"].sum() > kent_age  # + Cambridge


def test_icb_areas_cover_england():
    """The 42 ICBs (2024) and 106 sub-ICB locations each add up to England (LSOA sums, +/- perturbation)."""
    england = baselines.area_baseline([ENGLAND], "ethnicity_broad")["count"].sum()
    for level, n in (("icb", 42), ("sub_icb", 106)):
        rows = _census("ethnicity_broad", level)
        assert rows["geography_code"].n_unique() == n
        assert rows["nhs_code"].null_count() == 0
        assert abs(rows["count"].sum() - england) / england < 0.0001


def test_broad_shares_match_the_national_small_area_sums(reference_dir):
    """Shares from the LTLA-summed 19 groups match the LSOA-summed national broad groups to 0.01 pp."""
    national = pl.read_csv(
        reference_dir / "ons_census2021_religion_disability_sexorient_national_from_small_areas.csv"
    )
    names = {"England and Wales": EW, "England": ENGLAND, "Wales": WALES}
    from tools.build_baselines import ONS_BROAD

    rows = national.filter(pl.col("table").str.starts_with("TS021"))
    assert rows.height == 15
    for row in rows.iter_rows(named=True):
        share = _shares(names[row["geography"]], "ethnicity_broad")[ONS_BROAD[row["category"]]]
        assert share == pytest.approx(100 * row["count"] / row["total"], abs=0.01)


def test_every_ltla_matches_its_published_percentages(reference_dir):
    """All 331 x 19 LTLA shares round to ONS's published percentage (1 dp)."""
    published = pl.read_csv(reference_dir / "ons_census2021_ts021_ethnic_group_19cat_ltla21.csv")
    code_of = {ons: c.code for ons, c in codes.ETHNICITY_BY_ONS_CODE.items()}
    published = published.select(
        pl.col("ltla21_code").alias("geography_code"),
        pl.col("ons_ts021_code").replace_strict(code_of).alias("group"),
        "percent_published",
    )
    ours = _census("ethnicity", "ltla").with_columns(
        (100 * pl.col("count") / pl.col("count").sum().over("geography_code")).alias("percent")
    )
    joined = ours.join(published, on=["geography_code", "group"])
    assert joined.height == 331 * 19
    assert (joined["percent"] - joined["percent_published"]).abs().max() <= 0.05 + 1e-9


def test_summary_file_agrees(reference_dir):
    """Regions and countries equal the shared national / regional summary (sums of LTLAs)."""
    summary = pl.read_csv(reference_dir / "ons_census2021_ts021_ethnic_group_summary_national_regional.csv")
    detailed = summary.filter(pl.col("classification") == "19-category").select(
        pl.col("geo_code").alias("geography_code"),
        pl.col("ons_ts021_code")
        .cast(pl.Int64)
        .replace_strict({ons: c.code for ons, c in codes.ETHNICITY_BY_ONS_CODE.items()})
        .alias("group"),
        pl.col("count").alias("published"),
    )
    ours = baselines.reference_baselines().filter(
        (pl.col("characteristic") == "ethnicity") & pl.col("geography_level").is_in(["country", "region"])
    )
    joined = ours.join(detailed, on=["geography_code", "group"])
    assert joined.height == ours.height == 12 * 19
    assert (joined["count"] == joined["published"]).all()


def test_age_bands_match_the_derived_country_region_file(reference_dir):
    derived = (
        pl.read_csv(reference_dir / "ons_census2021_ts007_age_bands_country_region.csv")
        .filter(~pl.col("age_band").is_in(["16+", "18+"]))
        .unique()
    )  # Wales is in both the country and region files
    ours = baselines.reference_baselines().filter(
        (pl.col("characteristic") == "age_band") & pl.col("geography_level").is_in(["country", "region"])
    )
    joined = ours.join(
        derived.rename({"geo_code": "geography_code", "age_band": "group"}),
        on=["geography_code", "group"],
        suffix="_derived",
    )
    assert joined.height == ours.height == 12 * 10
    assert (joined["count"] == joined["count_derived"]).all()


# --- the API ---------------------------------------------------------------------------------------------


def test_reference_baselines_is_a_copy():
    first = baselines.reference_baselines()
    first.drop_in_place("count")
    assert "count" in baselines.reference_baselines().columns
    assert baselines.reference_baselines().columns == list(baselines.CENSUS_SCHEMA)


def test_geographies():
    areas = baselines.geographies()
    assert areas.columns == ["code", "name", "level", "level_label", "nhs_code"]
    assert areas.group_by("level").len().sort("level").rows() == [
        ("country", 3),
        ("icb", 42),
        ("ltla", 331),
        ("region", 9),
        ("sub_icb", 106),
        ("utla", 174),
    ]
    assert areas["level"][0] == "country"
    newham = areas.filter(pl.col("code") == NEWHAM)
    assert set(newham["level"]) == {"ltla", "utla"} and set(newham["name"]) == {"Newham"}
    assert not areas.select("code", "level").is_duplicated().any()


def test_area_baseline_sums_areas_and_keeps_code_list_order():
    newham = baselines.area_baseline([NEWHAM], "ethnicity")
    birmingham = baselines.area_baseline([BIRMINGHAM], "ethnicity")
    both = baselines.area_baseline([NEWHAM, BIRMINGHAM, NEWHAM], "ethnicity")  # repeats count once
    assert both["group"].to_list() == [c.code for c in codes.ETHNIC_CATEGORIES]
    assert both["count"].to_list() == [
        a + b for a, b in zip(newham["count"], birmingham["count"], strict=True)
    ]
    # Newham White British: 51,819 (ONS TS021)
    assert dict(newham.iter_rows())["A"] == 51_819


def test_area_baseline_accepts_nhs_codes():
    by_gss = baselines.area_baseline(["E54000008"], "ethnicity_broad")
    by_ods = baselines.area_baseline(["QYG"], "ethnicity_broad")  # NHS Cheshire and Merseyside ICB
    assert by_gss.equals(by_ods)
    assert by_gss["count"].sum() == 2_518_617


@pytest.mark.parametrize(
    "codes_,characteristic,message",
    [
        (["E09999999"], "ethnicity", "no Census 2021 figures for area code\\(s\\) E09999999"),
        ([NEWHAM, "nonsense"], "ethnicity", "area code\\(s\\) nonsense;"),
        ([], "ethnicity", "Choose at least one area"),
        (
            ["E54000008"],
            "ethnicity",
            "ethnicity are not shipped for NHS Cheshire and Merseyside Integrated Care "
            "Board \\(E54000008\\); figures exist for: disability, ethnicity_broad, religion",
        ),
        ([NEWHAM], "sex", "sex are not shipped for Newham"),
        ([ENGLAND, NEWHAM], "ethnicity", "overlap \\(a country contains every area\\)"),
        (["E12000007", NEWHAM], "ethnicity", "overlap \\(a region contains"),
        (["QYG", NEWHAM], "ethnicity_broad", "overlap \\(NHS areas and local authorities"),
        (
            [KENT, "E07000105"],
            "ethnicity",
            "overlap \\(county E10000016 contains district E07000105\\)",
        ),  # Ashford
    ],
)
def test_area_baseline_errors(codes_, characteristic, message):
    with pytest.raises(ValueError, match=message):
        baselines.area_baseline(codes_, characteristic)


def test_unitary_authority_is_not_counted_twice():
    """E06000001 Hartlepool is both a UTLA and an LTLA; asking for it gives its population once."""
    hartlepool = baselines.area_baseline(["E06000001"], "age_band")
    assert hartlepool["count"].sum() == 92_334  # TS007 total


# --- the build --------------------------------------------------------------------------------------------


def test_rebuild_is_byte_identical(reference_dir, tmp_path):
    written = write_all(reference_dir, tmp_path)
    assert len(written) == 7  # census2021, adults, crossed, county lookup, MHA rates, two code lists
    for path in written:
        shipped = baselines.BASELINES_DIR.parent / path.relative_to(tmp_path)
        assert path.read_bytes() == shipped.read_bytes(), f"{shipped} differs from a fresh build"
        assert shipped.stat().st_size < 5_000_000


def test_build_reports_a_missing_reference_folder(tmp_path, capsys):
    from tools.build_baselines import main

    assert main(["--reference", str(tmp_path / "nowhere"), "--out", str(tmp_path)]) == 1
    assert "does not exist" in capsys.readouterr().err
