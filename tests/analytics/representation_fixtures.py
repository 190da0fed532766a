"""Small hand-made frames and a fake reference-baseline module for the representation engine's tests."""

from __future__ import annotations

import types
from datetime import date

import polars as pl
import pytest

from analytics import baselines
from analytics.loader import make_frames
from models.settings import Settings

# Census counts of the fake catchment area "E1" (19-group codes, plus a "not stated" row that must be dropped)
CENSUS_E1 = {
    "A": 500.0,
    "B": 20.0,
    "GT": 5.0,
    "C": 75.0,
    "M": 100.0,
    "N": 150.0,
    "H": 100.0,
    "R": 25.0,
    "AR": 10.0,
    "S": 15.0,
    "Z": 999.0,
}
CENSUS_SEX = {"female": 520.0, "male": 480.0}
# An ICB-like area with broad groups only
CENSUS_ICB = {"White": 600.0, "Black or Black British": 250.0, "Asian or Asian British": 150.0}
# Detentions of the fake year for the 16 NHS categories. The fake England has 10 x the residents of E1, so
# England's rate per 100,000 for a category is detentions / (10 x E1's residents folded into it) x 100,000.
DETENTIONS = {"A": 50, "B": 2, "C": 8, "D": 1, "E": 1, "F": 1, "G": 1, "H": 8, "J": 1, "K": 1, "L": 1,
              "M": 30, "N": 45, "P": 1, "R": 2, "S": 5}  # fmt: skip
DETENTION_RATES = pl.DataFrame(
    {
        "source": ["mha"] * 17,
        "year": ["2023-24"] * 16 + ["2022-23"],
        "group_level": ["ethnicity"] * 17,
        "group": [*DETENTIONS, "A"],
        "rate_per_100k": [0.0] * 17,
        "detentions": [*DETENTIONS.values(), None],
        "notes": [""] * 17,
    }
)


def _area_baseline(area_codes, characteristic, min_age=0):
    areas = list(area_codes)
    if areas == ["E92000001"]:  # the fake England: 10 x E1, all ages and adults alike
        table = {k: v * 10 for k, v in CENSUS_E1.items()} if characteristic == "ethnicity" else CENSUS_SEX
        return pl.DataFrame({"group": list(table), "count": list(table.values())})
    unknown = [a for a in areas if a not in ("E1", "E2", "ICB1")]
    if unknown:
        raise ValueError(f"Unknown area code: {unknown[0]}.")
    if characteristic == "ethnicity":
        if "ICB1" in areas:
            raise ValueError("ICB1 has no 19-group ethnicity figures.")
        table = {k: v * len(areas) for k, v in CENSUS_E1.items()}
    elif characteristic == "ethnicity_broad":
        table = CENSUS_ICB
    elif characteristic == "sex":
        table = CENSUS_SEX
    else:
        raise ValueError(f"No Census figures for {characteristic}.")
    return pl.DataFrame({"group": list(table), "count": list(table.values())})


FAKE_REFERENCE = types.SimpleNamespace(
    area_baseline=_area_baseline,
    reference_baselines=lambda: pl.DataFrame(
        {"geography_code": ["E1", "E2", "ICB1"], "geography_name": ["Eastham", "Westham", "Some ICB"]}
    ),
    detention_rates=lambda year="2023-24": DETENTION_RATES.filter(pl.col("year") == year),
    figures_min_age=lambda characteristic, min_age: min_age if characteristic in ("ethnicity", "sex") else 0,
    crossed_baseline=lambda country, characteristics, min_age: (
        pl.DataFrame(
            {"group_1": ["A", "A", "M", "M"], "group_2": ["female", "male"] * 2, "count": [300, 200, 60, 40]}
        ),
        min_age,
    ),
)


@pytest.fixture
def fake_reference(monkeypatch):
    monkeypatch.setattr(baselines, "_reference", lambda: FAKE_REFERENCE)
    return FAKE_REFERENCE


def settings(**overrides) -> Settings:
    return Settings(database_url="sqlite:///:memory:", **overrides)


LEVELS = pl.DataFrame(
    {
        "id": [1, 2, 3],
        "rank": [1, 4, 5],
        "key": ["individual", "strategic", "board"],
        "name": [
            "Individual care and treatment",
            "Strategic (commissioning, policy, service development)",
            "Board and governance",
        ],
        "decision_making": [False, True, True],
    }
)
ACTIVITIES = pl.DataFrame(
    {
        "id": [10, 20, 30],
        "level_id": [1, 2, 3],
        "ref": ["IND", "STR", "BRD"],
        "name": ["Care reviews", "Strategy group", "Board"],
        "start_date": [date(2020, 1, 1)] * 3,
    }
)
ORGANISATION = pl.DataFrame({"id": [1], "code": ["T"], "name": ["Test trust"], "catchment": [["E1"]]})


def people_frame(
    ethnicities: list[str],
    *,
    types_: list[str] | None = None,
    sex: list[str] | None = None,
    start_id: int = 1,
) -> pl.DataFrame:
    n = len(ethnicities)
    return pl.DataFrame(
        {
            "id": list(range(start_id, start_id + n)),
            "ref": [f"P{i}" for i in range(start_id, start_id + n)],
            "involvement_type": types_ or ["service_user"] * n,
            "ethnicity": ethnicities,
            "sex": sex or ["female"] * n,
        }
    )


def involvements_frame(rows: list[tuple[int, int, date, date | None]]) -> pl.DataFrame:
    """rows of (person_id, activity_id, start, end)."""
    return pl.DataFrame(
        {
            "id": list(range(1, len(rows) + 1)),
            "ref": [f"I{i}" for i in range(1, len(rows) + 1)],
            "person_id": [r[0] for r in rows],
            "activity_id": [r[1] for r in rows],
            "start_date": [r[2] for r in rows],
            "end_date": [r[3] for r in rows],
        },
        schema_overrides={"end_date": pl.Date},
    )


def frames_with(
    people: pl.DataFrame,
    involvements: pl.DataFrame,
    *,
    meetings=None,
    attendance=None,
    baselines_table=None,
    catchment=("E1",),
):
    organisation = ORGANISATION.with_columns(
        pl.Series("catchment", [list(catchment)], dtype=pl.List(pl.String))
    )
    return make_frames(
        organisation=organisation,
        levels=LEVELS,
        activities=ACTIVITIES,
        people=people,
        involvements=involvements,
        meetings=meetings,
        attendance=attendance,
        baselines=baselines_table,
    )
