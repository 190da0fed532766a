"""The ethnic-category crosswalk and the shipped code-list CSVs agree with data.codes and with ONS / NHS."""

from __future__ import annotations

import polars as pl
import pytest

from data import codes
from data.baselines import CODELISTS_DIR
from tools.build_baselines import DEFAULT_REFERENCE, characteristics_codelist, ethnicity_codelist

ETHNICITY_CSV = CODELISTS_DIR / "ethnicity.csv"
CHARACTERISTICS_CSV = CODELISTS_DIR / "characteristics.csv"


@pytest.fixture
def reference_dir():
    """The shared reference folder the CSVs were built from (not part of the package: skip when absent)."""
    if not DEFAULT_REFERENCE.is_dir():
        pytest.skip(f"shared reference files not found at {DEFAULT_REFERENCE}")
    return DEFAULT_REFERENCE


def _shipped_ethnicity() -> pl.DataFrame:
    return pl.read_csv(ETHNICITY_CSV, schema_overrides={"code": pl.String, "nhs_fold": pl.String})


def test_every_ons_code_once():
    ons = [c.ons_code for c in codes.ETHNIC_CATEGORIES]
    assert sorted(ons) == list(range(1, 20))
    shipped = _shipped_ethnicity()["ons_code"].drop_nulls().to_list()
    assert sorted(shipped) == list(range(1, 20))


@pytest.mark.parametrize(
    "code,fold",
    [
        ("GT", "C"),  # ONS 15 Gypsy or Irish Traveller: no NHS code, in White - Any other White background
        ("RO", "C"),  # ONS 16 Roma
        ("AR", "S"),  # ONS 18 Arab: NHS England counts it in Other Ethnic Groups
        ("A", "A"),
        ("R", "R"),
        ("S", "S"),
    ],
)
def test_nhs_fold(code, fold):
    assert codes.ETHNICITY_BY_CODE[code].nhs_fold == fold
    shipped = _shipped_ethnicity().filter(pl.col("code") == code)
    assert shipped["nhs_fold"].to_list() == [fold]


def test_every_fold_is_an_nhs_code():
    nhs_codes = {c.code for c in codes.ETHNIC_CATEGORIES if c.nhs_description}
    assert len(nhs_codes) == 16  # NHS Data Dictionary ETHNIC CATEGORY A-S
    assert {c.nhs_fold for c in codes.ETHNIC_CATEGORIES} == nhs_codes


@pytest.mark.parametrize(
    "chinese_as_asian,broad",
    [
        (True, codes.BROAD_ASIAN),  # ONS 2021: "Asian, Asian British or Asian Welsh: Chinese"
        (False, codes.BROAD_OTHER),  # NHS Data Dictionary (2001-based) and NHS England MHA statistics
    ],
)
def test_chinese_broad_group_follows_the_convention(chinese_as_asian, broad):
    assert codes.ethnicity_broad("R", chinese_as_asian=chinese_as_asian) == broad


def test_only_chinese_differs_between_conventions():
    shipped = _shipped_ethnicity().filter(pl.col("ons_code").is_not_null())
    differs = shipped.filter(pl.col("broad_group") != pl.col("broad_group_nhs2001"))
    assert differs.select("code", "broad_group", "broad_group_nhs2001").rows() == [
        ("R", codes.BROAD_ASIAN, codes.BROAD_OTHER)
    ]


def test_crosswalk_matches_the_shared_nhs_mapping_file(reference_dir):
    """Every NHS code's ONS code and broad groups agree with the hand-compiled NHS DD / ONS mapping."""
    mapping = pl.read_csv(
        reference_dir / "nhs_ethnic_category_codes_with_ons2021_mapping.csv",
        schema_overrides={"nhs_code": pl.String},
    ).filter(pl.col("ons2021_ts021_code").is_not_null())
    nhse_broad = {
        "White": codes.BROAD_WHITE,
        "Mixed": codes.BROAD_MIXED,
        "Asian or Asian British": codes.BROAD_ASIAN,
        "Black or Black British": codes.BROAD_BLACK,
        "Other Ethnic Groups": codes.BROAD_OTHER,
    }
    assert mapping.height == 16
    for row in mapping.iter_rows(named=True):
        category = codes.ETHNICITY_BY_CODE[row["nhs_code"]]
        assert category.ons_code == row["ons2021_ts021_code"]
        assert category.ons_category == row["ons2021_category"]
        assert category.nhs_description == row["nhs_dd_description"]
        assert (
            codes.ethnicity_broad(category.code, chinese_as_asian=False)
            == nhse_broad[row["nhse_mha_stats_broad_group"]]
        )


def test_white_or_minority():
    shipped = _shipped_ethnicity().filter(pl.col("ons_code").is_not_null())
    white = set(shipped.filter(pl.col("white_or_minority") == codes.BINARY_WHITE)["code"].to_list())
    assert white == {"A", "B", "GT", "RO", "C"}  # every White group, as NHS WRES counts them


def test_shipped_codelists_equal_a_fresh_build():
    """The committed CSVs are what data.codes gives now (rebuild with python -m tools.build_baselines)."""
    assert _shipped_ethnicity().equals(ethnicity_codelist())
    assert pl.read_csv(CHARACTERISTICS_CSV).equals(characteristics_codelist())


def test_characteristics_codelist_covers_every_code_list():
    shipped = pl.read_csv(CHARACTERISTICS_CSV)
    for name, values in codes.CHARACTERISTIC_CODES.items():
        if name == "ethnicity":
            continue
        rows = shipped.filter(pl.col("characteristic") == name)
        assert dict(rows.select("code", "label").iter_rows()) == values, name
    assert shipped.filter(pl.col("characteristic") == "ethnicity_broad")["code"].to_list() == list(
        codes.BROAD_GROUPS
    )
    assert not shipped.select("characteristic", "code").is_duplicated().any()
