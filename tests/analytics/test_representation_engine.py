"""Counting, baselines and the representation table on small hand-made frames (arithmetic alongside)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from representation_fixtures import (
    fake_reference,  # noqa: F401 - a fixture, used through pytestmark
    frames_with,
    involvements_frame,
    people_frame,
    settings,
)

from analytics import columns as C
from analytics.baselines import BaselineSpec
from analytics.representation import representation_table, representation_tables

pytestmark = pytest.mark.usefixtures("fake_reference")

S = settings()


def rows_of(rep, level="individual", period=None):
    out = rep.rows.filter(pl.col(C.LEVEL_KEY) == level)
    return out if period is None else out.filter(pl.col(C.PERIOD) == period)


def by_group(rows, column):
    return dict(zip(rows[C.GROUP].to_list(), rows[column].to_list(), strict=True))


# --- Counting ----------------------------------------------------------------------------------------------


def test_a_person_counts_once_per_level_per_period():
    people = people_frame(["A", "M"])
    inv = involvements_frame(
        [
            (1, 10, date(2024, 2, 1), date(2024, 5, 15)),  # person 1 at individual care in Q1 and Q2
            (
                1,
                10,
                date(2024, 3, 1),
                date(2024, 3, 2),
            ),  # a second involvement at the same level in Q1: still 1
            (2, 30, date(2024, 6, 1), date(2024, 6, 30)),  # person 2 at board in Q2 only
        ]
    )
    rep = representation_table(frames_with(people, inv), "ethnicity", settings=S)
    assert rep.rows[C.PERIOD].unique().sort().to_list() == ["2024-Q1", "2024-Q2"]
    tables = rep.tables.select(C.LEVEL_KEY, C.PERIOD, C.PEOPLE).rows()
    assert set(tables) == {
        ("individual", "2024-Q1", 1),
        ("individual", "2024-Q2", 1),
        ("strategic", "2024-Q1", 0),
        ("strategic", "2024-Q2", 0),
        ("board", "2024-Q1", 0),
        ("board", "2024-Q2", 1),
    }
    assert by_group(rows_of(rep, "individual", "2024-Q1"), C.INVOLVED)["A"] == 1


def test_attendance_counts_and_ongoing_involvement_runs_to_the_last_date():
    people = people_frame(["A", "N", "H"])
    inv = involvements_frame([(1, 20, date(2023, 12, 1), None)])  # ongoing, at strategic level
    meetings = pl.DataFrame(
        {
            "id": [1, 2],
            "ref": ["m1", "m2"],
            "activity_id": [30, 30],
            "date": [date(2024, 8, 1), date(2024, 8, 2)],
        }
    )
    attendance = pl.DataFrame(
        {"id": [1, 2], "meeting_id": [1, 2], "person_id": [2, 3], "status": ["attended", "apologies"]}
    )
    rep = representation_table(
        frames_with(people, inv, meetings=meetings, attendance=attendance), "ethnicity", settings=S
    )
    # span 2023-Q4 .. 2024-Q3 (the meeting); person 1 counts at strategic level in all four quarters
    assert rep.rows[C.PERIOD].unique().sort().to_list() == ["2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3"]
    strategic = rep.tables.filter(pl.col(C.LEVEL_KEY) == "strategic")[C.PEOPLE].to_list()
    assert strategic == [1, 1, 1, 1]
    # person 2 attended the board in 2024-Q3; person 3 sent apologies and does not count
    board = rows_of(rep, "board", "2024-Q3")
    assert by_group(board, C.INVOLVED)["N"] == 1
    assert by_group(board, C.INVOLVED)["H"] == 0
    assert board[C.TOTAL][0] == 1


@pytest.mark.parametrize(
    "involvement,expected_people",
    [
        ("all", 3),  # service user + carer + both
        ("service_user", 2),  # service user + both
        ("carer", 2),  # carer + both
    ],
)
def test_involvement_filter_counts_both_in_each(involvement, expected_people):
    people = people_frame(["A", "A", "A"], types_=["service_user", "carer", "both"])
    inv = involvements_frame([(i, 10, date(2024, 1, 1), date(2024, 1, 31)) for i in (1, 2, 3)])
    rep = representation_table(frames_with(people, inv), "ethnicity", involvement=involvement, settings=S)
    assert rows_of(rep)[C.TOTAL][0] == expected_people
    assert set(rep.rows[C.INVOLVEMENT_FILTER]) == {involvement}


def test_yearly_periods():
    people = people_frame(["A"])
    inv = involvements_frame([(1, 10, date(2023, 11, 1), date(2025, 2, 1))])
    rep = representation_table(frames_with(people, inv), "ethnicity", period="year", settings=S)
    assert rep.tables.filter(pl.col(C.LEVEL_KEY) == "individual").select(C.PERIOD, C.PERIOD_START).rows() == [
        ("2023", date(2023, 1, 1)),
        ("2024", date(2024, 1, 1)),
        ("2025", date(2025, 1, 1)),
    ]


# --- Groups and unknowns -----------------------------------------------------------------------------------


def _one_quarter(ethnicities, **kwargs):
    people = people_frame(ethnicities)
    inv = involvements_frame(
        [(i + 1, 10, date(2024, 1, 1), date(2024, 1, 31)) for i in range(len(ethnicities))]
    )
    return frames_with(people, inv, **kwargs)


def test_ethnicity_detail_folds_ons_only_groups():
    frames = _one_quarter(["GT", "RO", "C", "AR", "S", "A"])
    nhs = rows_of(representation_table(frames, "ethnicity", settings=S))
    assert "GT" not in nhs[C.GROUP].to_list()
    assert by_group(nhs, C.INVOLVED)["C"] == 3  # GT, RO and C
    assert by_group(nhs, C.INVOLVED)["S"] == 2  # AR and S
    # census: C = 75 + GT 5 (no Roma) = 80 of 1000 known (Z dropped); S = 15 + AR 10 = 25
    assert by_group(nhs, C.BASELINE_SHARE)["C"] == pytest.approx(0.08)
    assert by_group(nhs, C.BASELINE_SHARE)["S"] == pytest.approx(0.025)
    ons = rows_of(representation_table(frames, "ethnicity", settings=S, detail="ons19"))
    assert by_group(ons, C.INVOLVED)["GT"] == 1 and by_group(ons, C.INVOLVED)["C"] == 1
    assert by_group(ons, C.BASELINE_SHARE)["GT"] == pytest.approx(0.005)  # 5 / 1000
    assert by_group(ons, C.STATUS)["RO"] == C.STATUS_NO_BASELINE  # no Roma in the fake Census


def test_broad_and_binary_groups_and_census_shares():
    frames = _one_quarter(["A", "M", "N", "R", "Z", "99"])
    broad = rows_of(representation_table(frames, "ethnicity_broad", settings=S))
    # known census total = 500+20+5+75+100+150+100+25+10+15 = 1000
    # White 600, Black 250, Asian 100 + Chinese 25 = 125, Other 25, Mixed none
    shares = by_group(broad, C.BASELINE_SHARE)
    assert shares["White"] == pytest.approx(0.6)
    assert shares["Asian or Asian British"] == pytest.approx(0.125)
    assert shares["Black or Black British"] == pytest.approx(0.25)
    assert shares["Other ethnic group"] == pytest.approx(0.025)
    assert shares["Mixed or Multiple ethnic groups"] is None
    assert by_group(broad, C.STATUS)["Mixed or Multiple ethnic groups"] == C.STATUS_NO_BASELINE
    assert by_group(broad, C.INVOLVED) == {
        "White": 1,
        "Mixed or Multiple ethnic groups": 0,
        "Asian or Asian British": 1,
        "Black or Black British": 2,
        "Other ethnic group": 0,
    }
    # Z (not stated) and 99 (not known) are never group rows; they are in the table figures
    table = (
        representation_table(frames, "ethnicity_broad", settings=S)
        .tables.filter(pl.col(C.LEVEL_KEY) == "individual")
        .row(0, named=True)
    )
    assert (table[C.PEOPLE], table[C.TOTAL], table[C.NOT_STATED], table[C.NOT_KNOWN], table[C.UNKNOWN]) == (
        6,
        4,
        1,
        1,
        2,
    )
    assert table[C.DECLARATION_RATE] == pytest.approx(4 / 6)
    # NHS 2001 convention: Chinese in Other: Asian 100 / 1000, Other 25 + 25 = 50 / 1000
    nhs2001 = rows_of(
        representation_table(frames, "ethnicity_broad", settings=settings(chinese_as_asian=False))
    )
    assert by_group(nhs2001, C.BASELINE_SHARE)["Asian or Asian British"] == pytest.approx(0.1)
    assert by_group(nhs2001, C.BASELINE_SHARE)["Other ethnic group"] == pytest.approx(0.05)
    assert by_group(nhs2001, C.INVOLVED)["Other ethnic group"] == 1
    binary = rows_of(representation_table(frames, "ethnicity_binary", settings=S))
    assert by_group(binary, C.INVOLVED) == {"White": 1, "Ethnic minority": 3}
    assert by_group(binary, C.BASELINE_SHARE) == pytest.approx({"White": 0.6, "Ethnic minority": 0.4})


def test_all_unknown_gives_no_data_rows():
    rep = representation_table(_one_quarter(["Z", "99", "99"]), "ethnicity", settings=S)
    assert set(rows_of(rep)[C.STATUS]) == {C.STATUS_NO_DATA}
    table = rep.tables.filter(pl.col(C.LEVEL_KEY) == "individual").row(0, named=True)
    assert (table[C.PEOPLE], table[C.TOTAL], table[C.UNKNOWN], table[C.DECLARATION_RATE]) == (3, 0, 3, 0.0)
    empty_level = rep.tables.filter(pl.col(C.LEVEL_KEY) == "board").row(0, named=True)
    assert empty_level[C.PEOPLE] == 0 and empty_level[C.DECLARATION_RATE] is None


def test_no_records_gives_empty_tables():
    rep = representation_table(frames_with(people_frame([]), involvements_frame([])), "sex", settings=S)
    assert rep.rows.height == 0 and rep.tables.height == 0
    assert rep.latest_period is None


def test_columns_follow_the_contract():
    rep = representation_table(_one_quarter(["A", "M"]), "sex", settings=S)
    assert tuple(rep.rows.columns) == C.ROW_COLUMNS
    assert tuple(rep.tables.columns) == C.TABLE_COLUMNS
    assert (
        rep.rows[C.BASELINE_NAME][0]
        == rep.baseline_description
        == "Census 2021, usual residents aged 18 and over of England (national figures: Census 2021 sex is not "
        "shipped for smaller areas)"
    )
    # sex census: female 520 / 1000 = 0.52; 2 of 2 involved are female
    row = rows_of(rep).filter(pl.col(C.GROUP) == "female").row(0, named=True)
    assert (row[C.INVOLVED], row[C.TOTAL], row[C.BASELINE_SHARE], row[C.GROUP_LABEL]) == (
        2,
        2,
        0.52,
        "Female",
    )


def test_characteristic_without_census_figures_says_so():
    with pytest.raises(ValueError, match="No Census figures for religion"):
        representation_table(_one_quarter(["A"]), "religion", settings=S)


# --- Baselines ---------------------------------------------------------------------------------------------


def test_need_weighted_baseline_by_hand():
    rep = representation_table(
        _one_quarter(["A", "M"]), "ethnicity_broad", baseline=BaselineSpec(kind="need_weighted"), settings=S
    )
    # rate = detentions / England residents folded into the NHS category (fake England = 10 x E1):
    # A 50/5000, B 2/200, C 8/(50+750) -> 1000 per 100,000; M 30/1000, N 45/1500 -> 3000;
    # H 8/1000, R 2/250 -> 800; S 5/(100+150) (Arab folded in) -> 2000
    # E1 x rate: White (500+20+5+75) x 1000 = 600,000; Black (100+150) x 3000 = 750,000;
    #            Asian (100+25) x 800 = 100,000; Other (10+15) x 2000 = 50,000; total 1,500,000
    shares = by_group(rows_of(rep), C.BASELINE_SHARE)
    assert shares["White"] == pytest.approx(600_000 / 1_500_000)
    assert shares["Black or Black British"] == pytest.approx(750_000 / 1_500_000)
    assert shares["Asian or Asian British"] == pytest.approx(100_000 / 1_500_000)
    assert shares["Other ethnic group"] == pytest.approx(50_000 / 1_500_000)
    assert rep.baseline_description.startswith(
        "Need-weighted: Census 2021, usual residents aged 18 and over of Eastham (1 area)"
    )
    assert "Mental Health Act detention rate" in rep.baseline_description
    assert "'Any other ethnic group' includes Arab" in rep.baseline_description


def test_need_weighted_year_without_rates_says_so():
    rep = representation_table(
        _one_quarter(["A", "M"]),
        "ethnicity_broad",
        baseline=BaselineSpec(kind="need_weighted", detention_year="2022-23"),
        settings=S,
    )
    # the fake 2022-23 has no detention counts at all: no weights are averaged from other groups
    assert rep.baseline_description.startswith("No need-weighted baseline for 2022-23")
    assert set(rows_of(rep)[C.STATUS]) == {C.STATUS_NO_BASELINE}


def test_need_weighting_applies_to_ethnicity_only():
    rep = representation_table(
        _one_quarter(["A"]), "sex", baseline=BaselineSpec(kind="need_weighted"), settings=S
    )
    assert rep.baseline_description.endswith("(need weighting applies to ethnicity only)")
    assert by_group(rows_of(rep), C.BASELINE_SHARE)["female"] == pytest.approx(0.52)


def test_user_baseline_from_labels():
    supplied = pl.DataFrame(
        {
            "source": ["caseload"] * 4,
            "year": [2024] * 4,
            "geography_code": ["T"] * 4,
            "geography_name": ["Test trust caseload"] * 4,
            "characteristic": ["ethnicity"] * 4,
            "group": ["White British", " black caribbean ", "African", "Not stated"],
            "count": [60.0, 25.0, 15.0, 50.0],
        }
    )
    rep = representation_table(
        _one_quarter(["A", "M"], baselines_table=supplied),
        "ethnicity_broad",
        baseline=BaselineSpec(kind="user", source="caseload"),
        settings=S,
    )
    # known: 60 + 25 + 15 = 100 ("Not stated" dropped): White 0.60, Black 0.40
    shares = by_group(rows_of(rep), C.BASELINE_SHARE)
    assert shares["White"] == pytest.approx(0.6) and shares["Black or Black British"] == pytest.approx(0.4)
    assert rep.baseline_description == "Supplied baseline 'caseload' 2024 for Test trust caseload"
    with pytest.raises(ValueError, match="no supplied baseline called 'nope'"):
        representation_table(
            _one_quarter(["A"], baselines_table=supplied),
            "ethnicity",
            baseline=BaselineSpec(kind="user", source="nope"),
            settings=S,
        )


def test_unknown_area_and_empty_catchment():
    with pytest.raises(ValueError, match="Unknown area code: X9"):
        representation_table(_one_quarter(["A"], catchment=("X9",)), "ethnicity", settings=S)
    rep = representation_table(_one_quarter(["A"], catchment=()), "ethnicity", settings=S)
    assert set(rows_of(rep)[C.STATUS]) == {C.STATUS_NO_BASELINE}
    assert rep.baseline_description == "No baseline: the organisation has no catchment areas recorded"


def test_several_areas_are_summed():
    rep = representation_table(_one_quarter(["A"], catchment=("E1", "E2")), "ethnicity_broad", settings=S)
    assert rep.baseline_description.startswith(
        "Census 2021, usual residents aged 18 and over of Eastham, Westham (2 areas)"
    )
    assert by_group(rows_of(rep), C.BASELINE_SHARE)["White"] == pytest.approx(0.6)  # 1200 / 2000


def test_icb_area_has_broad_groups_only():
    rep = representation_table(_one_quarter(["A"], catchment=("ICB1",)), "ethnicity_broad", settings=S)
    # White 600 / 1000
    assert by_group(rows_of(rep), C.BASELINE_SHARE)["White"] == pytest.approx(0.6)
    assert "(broad groups only for these areas" in rep.baseline_description
    with pytest.raises(ValueError, match="no 19-group"):
        representation_table(_one_quarter(["A"], catchment=("ICB1",)), "ethnicity", settings=S)


def test_bad_arguments_are_clear_sentences():
    frames = _one_quarter(["A"])
    with pytest.raises(ValueError, match="'colour' is not a characteristic"):
        representation_table(frames, "colour", settings=S)
    with pytest.raises(ValueError, match="period must be 'quarter' or 'year'"):
        representation_table(frames, "sex", period="month", settings=S)
    with pytest.raises(ValueError, match="involvement must be"):
        representation_table(frames, "sex", involvement="staff", settings=S)
    with pytest.raises(ValueError, match="baseline kind must be"):
        BaselineSpec(kind="guess")
    with pytest.raises(ValueError, match="Cross two or more"):
        representation_table(frames, characteristics=("sex",), settings=S)


# --- Intersectional and bulk -------------------------------------------------------------------------------


def test_crossed_characteristics():
    people = people_frame(["A", "M", "M", "Z"], sex=["female", "male", "female", "female"])
    inv = involvements_frame([(i, 10, date(2024, 1, 1), date(2024, 1, 31)) for i in (1, 2, 3, 4)])
    rep = representation_table(
        frames_with(people, inv), characteristics=("ethnicity_broad", "sex"), settings=S
    )
    rows = rows_of(rep)
    assert rep.characteristic == "ethnicity_broad × sex"
    black_female = rows.filter(pl.col(C.GROUP) == "Black or Black British × female").row(0, named=True)
    assert black_female[C.GROUP_LABEL] == "Black or Black British × Female"
    # 3 people known on both (Z is unknown); baseline from the (fake) RM032 cross-table, never a product of
    # the single shares: Black female 60 of 300 + 200 + 60 + 40 = 600 -> 0.1 (not 0.25 x 0.52 = 0.13)
    assert (black_female[C.INVOLVED], black_female[C.TOTAL]) == (1, 3)
    assert black_female[C.BASELINE_SHARE] == pytest.approx(0.1)
    assert rows.filter(pl.col(C.INVOLVED) > 0)[C.INVOLVED].sum() == 3
    assert "RM032" in rep.baseline_description and "national figures" in rep.baseline_description
    assert "England" in rep.baseline_description
    assert rep.tables.filter(pl.col(C.LEVEL_KEY) == "individual")[C.NOT_STATED][0] == 1


def test_crossed_without_a_cross_table_has_no_baseline():
    people = people_frame(["A", "M"], sex=["female", "male"])
    inv = involvements_frame([(i, 10, date(2024, 1, 1), date(2024, 1, 31)) for i in (1, 2)])
    rep = representation_table(frames_with(people, inv), characteristics=("sex", "ethnicity_broad"), settings=S)
    # order does not matter: sex x ethnicity comes from the same cross-table, groups in the asked order
    assert by_group(rows_of(rep), C.BASELINE_SHARE)["female × Black or Black British"] == pytest.approx(0.1)
    need = representation_table(
        frames_with(people, inv),
        characteristics=("ethnicity_broad", "sex"),
        baseline=BaselineSpec(kind="need_weighted"),
        settings=S,
    )
    assert need.baseline_description.startswith("No baseline for this combination")
    assert set(rows_of(need)[C.STATUS]) == {C.STATUS_NO_BASELINE}


def test_bulk_tables_equal_single_tables():
    frames = _one_quarter(["A", "M", "H", "Z"])
    bulk = representation_tables(frames, characteristics=("ethnicity", "ethnicity_broad", "sex"), settings=S)
    for characteristic in ("ethnicity", "ethnicity_broad", "sex"):
        single = representation_table(frames, characteristic, settings=S)
        assert bulk.rows.filter(pl.col(C.CHARACTERISTIC) == characteristic).equals(single.rows)
        assert bulk.tables.filter(pl.col(C.CHARACTERISTIC) == characteristic).equals(single.tables)


def test_default_settings_are_read_when_none(monkeypatch):
    from models.settings import get_settings

    monkeypatch.setenv("PRESENCE_UNDER_THRESHOLD", "0.5")
    get_settings.cache_clear()
    rep = representation_table(_one_quarter(["A"]), "sex")
    assert rep.under_threshold == 0.5

