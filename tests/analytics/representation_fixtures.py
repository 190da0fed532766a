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
DETENTION_RATES = pl.DataFrame(
    {
        "source": ["mha"] * 5,
        "year": ["2023-24"] * 5,
        "group_level": ["ethnicity", "ethnicity", "ethnicity_broad", "ethnicity_broad", "all"],
        "group": ["A", "M", "Black or Black British", "Asian or Asian British", "All"],
        "rate_per_100k": [50.0, 300.0, 250.0, 80.0, 75.0],
        "detentions": [1, 1, 1, 1, 1],
        "notes": [""] * 5,
    }
)


def _area_baseline(area_codes, characteristic):
    areas = list(area_codes)
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
    detention_rates=lambda year="2023-24": DETENTION_RATES,
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
