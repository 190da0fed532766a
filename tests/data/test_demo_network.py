"""The demo network generator: reproducible, sized, with each organisation's own catchment."""

from __future__ import annotations

import polars as pl
import pytest

from data.demo_network import NETWORK, build_member

SMALL = next(m for m in NETWORK if m.code == "NET07")  # Swansea


def test_same_seed_same_rows_other_seed_other_rows():
    first, again = build_member(SMALL, seed=7, size=0.2), build_member(SMALL, seed=7, size=0.2)
    assert first.people.equals(again.people) and first.involvements.equals(again.involvements)
    assert not build_member(SMALL, seed=8, size=0.2).people.equals(first.people)


def test_people_live_in_the_organisations_own_catchment():
    plan = build_member(SMALL, size=0.2)
    areas = set(plan.people["local_authority"].drop_nulls()) - {"not_stated", "not_known"}
    assert areas == set(SMALL.catchment)
    # every involvement, attendance, payment and support row belongs to a person kept
    kept = set(plan.people["person_key"])
    for frame in (plan.involvements, plan.attendance, plan.payments, plan.support):
        assert set(frame["person_key"]) <= kept
    assert plan.caseload.height == 0


def test_size_keeps_the_decision_making_levels():
    small, full = build_member(SMALL, size=0.2), build_member(SMALL, size=1.0)
    assert small.people.height < full.people.height

    def board(plan):
        return plan.involvements.filter(pl.col("level") == "board").height

    assert board(small) == board(full)


def test_size_must_be_a_share():
    with pytest.raises(ValueError, match="network size"):
        build_member(SMALL, size=0)
