"""Adult baselines by raking, the need-weighted baseline and crossed baselines, on the shipped tables."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from analytics import baselines as analytic
from data import baselines, codes
from tools.build_baselines import DEFAULT_REFERENCE
from tools.raking import Margin, rake, relative_gap

EW, ENGLAND, WALES = "K04000001", "E92000001", "W92000004"
LAMBETH, NEWHAM, CARDIFF, KENT = "E09000022", "E09000025", "W06000015", "E10000016"


@pytest.fixture(scope="module")
def raked():
    """The raked (LTLA x age x group) table rebuilt from the shared reference files (skip when absent)."""
    if not DEFAULT_REFERENCE.is_dir():
        pytest.skip(f"shared reference files not found at {DEFAULT_REFERENCE}")
    from tools.build_adults import rake_ages
    from tools.build_baselines import _ethnicity_ltla, read_single_year

    ages, leaves = read_single_year(DEFAULT_REFERENCE, "census2021-ts007-ltla.csv")
    ltla = _ethnicity_ltla(DEFAULT_REFERENCE)
    return rake_ages(DEFAULT_REFERENCE, ages, leaves, ltla), ages, leaves, ltla


def _shares(table: pl.DataFrame) -> dict[str, float]:
    total = table["count"].sum()
    return {g: 100 * n / total for g, n in table.iter_rows()}


# --- the method ------------------------------------------------------------------------------------------


def test_rake_two_margins_by_hand():
    # seed all ones; rows must add to 30 and 70, columns to 40 and 60: the fit is the outer product / 100
    seed = np.ones((2, 2))
    margins = [
        Margin("rows", (np.arange(2), None), np.array([30.0, 70.0])),
        Margin("columns", (None, np.arange(2)), np.array([40.0, 60.0])),
    ]
    result = rake(seed, margins)
    assert result.table == pytest.approx(np.array([[12.0, 18.0], [28.0, 42.0]]))
    assert result.max_relative_gap < 1e-9


def test_rake_keeps_the_seed_pattern():
    # seed odds ratio (4 x 1) / (1 x 1) = 4 survives raking: it is the interaction the seed brings
    seed = np.array([[4.0, 1.0], [1.0, 1.0]])
    margins = [
        Margin("rows", (np.arange(2), None), np.array([50.0, 50.0])),
        Margin("columns", (None, np.arange(2)), np.array([50.0, 50.0])),
    ]
    table = rake(seed, margins).table
    assert table.sum(axis=1) == pytest.approx([50.0, 50.0])
    assert table.sum(axis=0) == pytest.approx([50.0, 50.0])
    assert (table[0, 0] * table[1, 1]) / (table[0, 1] * table[1, 0]) == pytest.approx(4.0)


def test_rake_groups_categories_and_checks_shapes():
    # 3 ages grouped into bands {0, 1} -> 0 and {2} -> 1
    seed = np.ones((3, 2))
    band = Margin("bands", (np.array([0, 0, 1]), None), np.array([20.0, 10.0]))
    table = rake(seed, [band]).table
    assert table.sum(axis=1) == pytest.approx([10.0, 10.0, 10.0])
    assert relative_gap(table, [band]) < 1e-12
    with pytest.raises(ValueError, match="target has shape"):
        rake(seed, [Margin("bad", (np.array([0, 0, 1]), None), np.array([1.0, 2.0, 3.0]))])


# --- raked tables match both margins ------------------------------------------------------------------------


def test_raked_table_matches_both_local_margins(raked):
    result, ages, leaves, ltla = raked
    table = result.result.table
    # TS021: every LTLA's 19 groups (all ages) are met exactly (the last margin of each pass)
    wide = ltla.pivot(on="group", index="ltla21_code", values="count").sort("ltla21_code")
    ethnic = wide.select(result.groups).to_numpy().astype(float)
    assert np.abs(table.sum(axis=1) - ethnic).max() < 1e-6
    # TS007: every LTLA's single years of age, scaled to its TS021 total, within 0.1% of every age cell
    single = ages.sort("geography code").select(leaves).to_numpy().astype(float)
    single = single * (ethnic.sum(axis=1) / single.sum(axis=1))[:, None]
    by_age = table.sum(axis=2)
    assert np.abs(by_age - single).max() / single.max() < 1e-3
    assert np.abs(by_age.sum(axis=1) - single.sum(axis=1)).max() < 1e-3  # area totals agree
    assert result.result.max_relative_gap < 0.005


def test_shipped_adults_add_up_to_the_published_adult_ages():
    # every LTLA: 19 groups aged 16+ add up to TS007's residents 16+ (all ages minus 0-15), up to rounding
    # of 19 estimates and the few people by which TS007 and TS021 totals differ
    adults = baselines.adult_baselines().filter(
        (pl.col("geography_level") == "ltla") & (pl.col("characteristic") == "ethnicity")
    )
    ages = baselines.reference_baselines().filter(
        (pl.col("geography_level") == "ltla") & (pl.col("characteristic") == "age_band")
    )
    for min_age, below in ((16, ["0-15"]), (18, ["0-15", "16-17"])):
        raked = adults.filter(pl.col("min_age") == min_age).group_by("geography_code").agg(pl.col("count").sum())
        published = (
            ages.filter(~pl.col("group").is_in(below)).group_by("geography_code").agg(pl.col("count").sum())
        )
        both = raked.join(published, on="geography_code", suffix="_published")
        assert both.height == 331
        gap = (both["count"] - both["count_published"]).abs()
        assert gap.max() <= 0.001 * both["count_published"].max()
        assert (gap / both["count_published"]).max() < 0.002


def test_adults_never_exceed_all_ages():
    all_ages = baselines.reference_baselines().filter(pl.col("characteristic") == "ethnicity")
    adults = baselines.adult_baselines().filter(pl.col("characteristic") == "ethnicity")
    both = adults.join(all_ages, on=["geography_level", "geography_code", "group"], suffix="_all")
    assert both.height == adults.height
    assert (both["count"] <= both["count_all"]).all()


# --- England (and Wales) as a whole equal the published national figures -------------------------------------


@pytest.mark.parametrize(
    "group,published",
    [
        # ONS custom dataset, England and Wales, ages 16-19 to 85+ summed (ons_census2021_age11_x_ethnic5):
        # 16+ residents by broad group, 48,566,381 in all
        (codes.BROAD_WHITE, 40_613_504),
        (codes.BROAD_MIXED, 966_734),
        (codes.BROAD_ASIAN, 4_203_221),
        (codes.BROAD_BLACK, 1_812_788),
        (codes.BROAD_OTHER, 970_134),
    ],
)
def test_england_and_wales_16_plus_equal_the_published_figures(group, published):
    counts = dict(baselines.area_baseline([EW], "ethnicity_broad", 16).iter_rows())
    # within 0.01% (cell-key perturbation makes the published tables disagree by a few people)
    assert counts[group] == pytest.approx(published, rel=1e-4)


def test_england_16_plus_total_and_mixed_share():
    adults = baselines.area_baseline([ENGLAND], "ethnicity_broad", 16)
    # TS007 England: all ages 56,490,048 minus 0-15 = 16+; the raked groups add up to it
    ages = dict(baselines.area_baseline([ENGLAND], "age_band").iter_rows())
    assert adults["count"].sum() == pytest.approx(sum(ages.values()) - ages["0-15"], rel=1e-5)
    # Mixed: about 3.0% of all ages in England but about 1.9% of adults (18+; 1.95% here)
    assert _shares(baselines.area_baseline([ENGLAND], "ethnicity_broad"))[codes.BROAD_MIXED] == pytest.approx(
        3.0, abs=0.05
    )
    assert _shares(baselines.area_baseline([ENGLAND], "ethnicity_broad", 18))[codes.BROAD_MIXED] == pytest.approx(
        1.9, abs=0.1
    )


def test_counties_and_regions_are_sums_of_raked_districts():
    adults = baselines.adult_baselines().filter(
        (pl.col("characteristic") == "ethnicity") & (pl.col("min_age") == 18)
    )
    districts = baselines.county_districts().filter(pl.col("county_code") == KENT)["district_code"].to_list()
    kent = adults.filter(pl.col("geography_code") == KENT)["count"].sum()
    assert kent == adults.filter(pl.col("geography_code").is_in(districts))["count"].sum()


# --- age floor and age bands ----------------------------------------------------------------------------------


def test_age_bands_below_the_floor_are_left_out():
    assert "0-15" not in baselines.area_baseline([NEWHAM], "age_band", 16)["group"].to_list()
    at_18 = baselines.area_baseline([NEWHAM], "age_band", 18)["group"].to_list()
    assert at_18[0] == "18-24" and "16-17" not in at_18
    assert baselines.area_baseline([NEWHAM], "age_band", 0)["group"].to_list()[:2] == ["0-15", "16-17"]
    assert baselines.age_bands_from(16)[0] == "16-17"
    with pytest.raises(ValueError, match="age floor must be 0"):
        baselines.area_baseline([NEWHAM], "ethnicity", 17)


def test_descriptions_name_the_age_floor_and_geography():
    figures = analytic.census_figures([LAMBETH], "ethnicity", 18)
    assert figures.description.startswith("Census 2021, usual residents aged 18 and over of Lambeth (1 area)")
    assert "raking" in figures.description
    assert analytic.census_figures([LAMBETH], "ethnicity", 0).description == (
        "Census 2021, usual residents of all ages of Lambeth (1 area)"
    )
    assert analytic.baseline_population("ethnicity", 16) == "Census 2021 residents aged 16 and over"
    assert analytic.baseline_population("religion", 18) == (
        "Census 2021 residents of all ages (no figures for adults only are published for religion)"
    )
    assert analytic.baseline_population("sexual_orientation", 18).startswith("Census 2021 residents aged 16")


# --- sex, nationally ---------------------------------------------------------------------------------------------


def test_sex_is_national_and_adult():
    figures = analytic.census_figures([LAMBETH, NEWHAM], "sex", 18)
    counts = dict(figures.counts.iter_rows())
    assert "of England (national figures" in figures.description
    assert "aged 18 and over" in figures.description
    # RM032 England, all ages: female 28,833,704 of 56,490,037 (51.0%)
    all_ages = dict(analytic.census_figures([LAMBETH], "sex", 0).counts.iter_rows())
    assert all_ages["female"] == 28_833_704
    assert 100 * counts["female"] / sum(counts.values()) == pytest.approx(51.6, abs=0.1)
    # the adult sex total equals the adult ethnicity total of England (one population, one floor)
    adults = baselines.area_baseline([ENGLAND], "ethnicity", 18)["count"].sum()
    assert sum(counts.values()) == pytest.approx(adults, rel=1e-5)
    assert "of Wales" in analytic.census_figures([CARDIFF], "sex", 18).description


# --- need-weighted baseline ------------------------------------------------------------------------------------


@pytest.mark.parametrize("min_age", [18, 16, 0])
def test_need_weighted_england_reproduces_the_detention_mix(min_age):
    # NHS England MHA 2023-24, all detentions of known ethnicity (45,525), Chinese counted with Asian:
    # White 31,735 = 69.71%; Mixed 1,935 = 4.25%; Asian 3,993 + Chinese 237 = 4,230 = 9.29%;
    # Black 5,693 = 12.51%; Other (Any other ethnic group) 1,932 = 4.24%
    figures = analytic.need_weighted_counts([ENGLAND], "ethnicity_broad", min_age=min_age)
    counts, _ = analytic.to_groups(figures.counts, "ethnicity_broad", source_level=figures.level)
    got = {g: 100 * s for g, s in analytic.shares(counts).iter_rows()}
    expected = {
        codes.BROAD_WHITE: 69.71,
        codes.BROAD_MIXED: 4.25,
        codes.BROAD_ASIAN: 9.29,
        codes.BROAD_BLACK: 12.51,
        codes.BROAD_OTHER: 4.24,
    }
    for group, share in expected.items():
        assert got[group] == pytest.approx(share, abs=0.05), group


def test_need_rates_fold_arab_and_gypsy_roma_into_their_nhs_category():
    rates = analytic.need_rates("2023-24", 0)
    england = dict(baselines.area_baseline([ENGLAND], "ethnicity").iter_rows())
    # Any other ethnic group: 1,932 detentions over Arab + Any other (all ages), not over Any other alone
    assert rates.by_code["S"] == pytest.approx(1932 / (england["AR"] + england["S"]) * 1e5)
    assert rates.by_code["AR"] == rates.by_code["S"]
    assert rates.by_code["S"] < 212.6  # NHS England's published rate leaves Arab out of the denominator
    assert rates.by_code["C"] == pytest.approx(3048 / (england["GT"] + england["RO"] + england["C"]) * 1e5)
    # detentions are reproduced exactly: residents x rate, summed over England
    detained = sum(england[c] * rates.by_code[c] / 1e5 for c in england if c in rates.by_code)
    assert detained == pytest.approx(45_525)


def test_need_weighted_year_without_counts_says_so():
    figures = analytic.need_weighted_counts([ENGLAND], year="2022-23", min_age=18)
    assert figures.counts.is_empty()
    assert figures.description.startswith("No need-weighted baseline for 2022-23")


def test_need_weighted_icb_uses_broad_rates_on_the_same_convention():
    # an ICB has broad groups only (Chinese inside Asian): its weights are broad rates computed with Chinese in
    # Asian, so the whole of England's ICBs together give back the detention mix too
    icbs = baselines.geographies().filter(pl.col("level") == "icb")["code"].to_list()
    figures = analytic.need_weighted_counts(icbs, "ethnicity_broad", min_age=18)
    assert figures.level == "ethnicity_broad"
    got = {g: 100 * s for g, s in analytic.shares(figures.counts).iter_rows()}
    assert got[codes.BROAD_ASIAN] == pytest.approx(9.29, abs=0.05)
    assert got[codes.BROAD_OTHER] == pytest.approx(4.24, abs=0.05)


def test_cli_need_baseline_reproduces_the_detention_mix(tmp_path, capsys):
    from presence_cli import main

    involved = tmp_path / "i.csv"
    involved.write_text("group,count\nWhite,70\nMixed,4\nAsian,9\nBlack,13\nOther,4\n", encoding="utf-8")
    assert main(["analyse", "--involved", str(involved), "--baseline", f"need:{ENGLAND}"]) == 0
    out = json.loads(capsys.readouterr().out)
    shares = {r["group"]: 100 * r["baseline_share"] for r in out["rows"]}
    assert shares[codes.BROAD_WHITE] == pytest.approx(69.71, abs=0.05)
    assert shares[codes.BROAD_MIXED] == pytest.approx(4.25, abs=0.05)
    assert shares[codes.BROAD_ASIAN] == pytest.approx(9.29, abs=0.05)
    assert shares[codes.BROAD_BLACK] == pytest.approx(12.51, abs=0.05)
    assert shares[codes.BROAD_OTHER] == pytest.approx(4.24, abs=0.05)
    assert out["baseline"].startswith("Need-weighted: Census 2021, usual residents aged 18 and over of England")
    assert main(["analyse", "--involved", str(involved), "--baseline", "need:"]) == 2
    assert "need:E92000001" in capsys.readouterr().err
    assert main(["analyse", "--involved", str(involved), "--baseline", "need:X99"]) == 2
    assert "X99" in capsys.readouterr().err


# --- crossed baselines ---------------------------------------------------------------------------------------


def test_rm031_cross_table_differs_from_the_product_of_margins():
    # England, all ages (RM031): Asian people who are Muslim, as a share of everyone, from the cross-table
    rows, used = baselines.crossed_baseline(ENGLAND, ("ethnicity_broad", "religion"), 18)
    assert used == 0  # ONS publishes RM031 for all ages only
    total = rows["count"].sum()
    joint = rows.filter((pl.col("group_1") == codes.BROAD_ASIAN) & (pl.col("group_2") == "muslim"))["count"].sum()
    asian = rows.filter(pl.col("group_1") == codes.BROAD_ASIAN)["count"].sum()
    muslim = rows.filter(pl.col("group_2") == "muslim")["count"].sum()
    # 2,515,133 Asian Muslims = 4.45% of England's residents; most Muslims in England are Asian, so the product
    # of the margins (9.6% Asian x 6.7% Muslim = 0.65%) understates the joint share nearly sevenfold
    assert joint == 2_515_133
    assert 100 * joint / total == pytest.approx(4.45, abs=0.01)
    assert joint / total > 6 * (asian / total) * (muslim / total)


def test_rm032_cross_table_adds_up_to_the_single_tables():
    rows, used = baselines.crossed_baseline(ENGLAND, ("ethnicity", "sex"), 18)
    assert used == 18
    by_group = dict(rows.group_by("group_1").agg(pl.col("count").sum()).iter_rows())
    adults = dict(baselines.area_baseline([ENGLAND], "ethnicity", 18).iter_rows())
    for code, count in adults.items():
        assert by_group[code] == pytest.approx(count, rel=0.01, abs=50), code
    # all ages: RM032 as published (England, White British female 21,163,014 + male 20,377,781)
    published, _ = baselines.crossed_baseline(ENGLAND, ("ethnicity", "sex"), 0)
    white_british = published.filter(pl.col("group_1") == "A")["count"].sum()
    assert white_british == pytest.approx(41_540_796, rel=1e-4)


# --- disability and religion for local authorities, from their ICBs ---------------------------------------------


def test_ltla_icb_lookup_covers_english_districts():
    lookup = baselines.ltla_icbs()
    assert lookup["ltla21_code"].n_unique() == 309  # every English district, no Welsh ones
    shares = lookup.group_by("ltla21_code").agg(pl.col("share").sum())
    assert shares["share"].to_numpy() == pytest.approx(np.ones(309), abs=1e-5)
    lambeth = lookup.filter(pl.col("ltla21_code") == LAMBETH)
    assert lambeth.select("icb24_code_nhs", "share").rows() == [("QKK", 1.0)]  # South East London


def test_disability_for_a_local_authority_uses_its_icb():
    figures = analytic.census_figures([LAMBETH], "disability", 18)
    assert "ICB figures (NHS South East London Integrated Care Board)" in figures.description
    assert "of all ages" in figures.description  # TS038 has no adult version here
    # one district wholly inside one ICB: the ICB's own disabled share, applied to the district's residents
    icb = dict(baselines.area_baseline(["QKK"], "disability").iter_rows())
    got = dict(figures.counts.iter_rows())
    assert got["yes"] / (got["yes"] + got["no"]) == pytest.approx(icb["yes"] / (icb["yes"] + icb["no"]))
    # a county: its districts, each split over the ICBs its LSOAs lie in
    assert "Kent and Medway" in analytic.census_figures([KENT], "religion", 18).description
    assert not analytic.has_census_figures("disability", [CARDIFF])  # no Welsh health-board figures shipped
