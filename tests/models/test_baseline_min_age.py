"""The PRESENCE_BASELINE_MIN_AGE setting: 18 by default, 16 or 0 (all ages) allowed, anything else refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from models.settings import Settings, get_settings


def test_default_is_adults_18_and_over(monkeypatch):
    monkeypatch.delenv("PRESENCE_BASELINE_MIN_AGE", raising=False)
    assert Settings(database_url="sqlite:///:memory:").baseline_min_age == 18


@pytest.mark.parametrize("value,expected", [("16", 16), ("18", 18), ("0", 0)])
def test_floor_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("PRESENCE_BASELINE_MIN_AGE", value)
    assert Settings(database_url="sqlite:///:memory:").baseline_min_age == expected


@pytest.mark.parametrize("value", ["17", "21", "-1"])
def test_other_floors_are_refused_with_a_sentence(monkeypatch, value):
    monkeypatch.setenv("PRESENCE_BASELINE_MIN_AGE", value)
    with pytest.raises(ValidationError, match="PRESENCE_BASELINE_MIN_AGE must be 16, 18 or 0"):
        Settings(database_url="sqlite:///:memory:")


def test_the_census_description_follows_the_setting(monkeypatch):
    from analytics import baselines

    monkeypatch.setenv("PRESENCE_BASELINE_MIN_AGE", "16")
    get_settings.cache_clear()
    try:
        assert "aged 16 and over" in baselines.census_figures(["E09000022"], "ethnicity").description
        assert baselines.baseline_population("ethnicity") == "Census 2021 residents aged 16 and over"
    finally:
        get_settings.cache_clear()
