"""The benchmark table's pieces: rank ranges, 4PI status, sorting, the declaration interval, and the over-time
verdicts (analytics.network_benchmark); the demo network's benchmark is tested in test_network.py."""

from __future__ import annotations

import polars as pl
import pytest

from analytics import columns as c
from analytics import columns as k
from analytics import network_benchmark as b
from analytics.fourpi.scorecard import RAG_HIDDEN
from analytics.stats import wilson_interval


@pytest.mark.parametrize("low,high,best,worst", [
    # A [0.9, 1.1], B [1.2, 1.5], C [0.5, 0.95]: B is wholly above A and C, so A ranks 2nd at best; C's
    # interval overlaps A's, so A ranks 3rd at worst; B is 1st for certain; C 2nd to 3rd
    ([0.9, 1.2, 0.5], [1.1, 1.5, 0.95], [2, 1, 2], [3, 1, 3]),
    # a hidden interval has no rank and does not count for the others
    ([0.9, None, 0.5], [1.1, None, 0.95], [1, None, 1], [2, None, 2]),
])
def test_rank_range_by_hand(low, high, best, worst):
    assert b.rank_range(low, high) == (best, worst)


def test_scorecard_status_counts_published_indicators():
    card = pl.DataFrame({k.RAG: [k.RAG_GREEN, k.RAG_GREEN, k.RAG_AMBER, k.RAG_RED, RAG_HIDDEN, k.RAG_NO_DATA],
                         k.PERIOD: ["2026"] * 6})
    status = b.scorecard_status(card)
    assert (status[b.FOURPI_GREEN], status[b.FOURPI_AMBER], status[b.FOURPI_RED], status[b.FOURPI_HIDDEN]) == (
        2, 1, 1, 1)
    assert status[b.FOURPI_STATUS] == "2 of 4 indicators met, 1 close, 1 short, 1 hidden (*) (2026)"
    assert b.scorecard_status(None)[b.FOURPI_STATUS] == b.NO_SCORECARD


def test_declaration_interval_is_wilson_on_published_counts():
    figures = pl.DataFrame({c.TOTAL: [40, None, 0], c.PEOPLE: [50, 50, 0]})
    out = b._declaration(figures, 0.95)
    low, high = wilson_interval([40], [50], 0.95)
    assert out[b.DECLARATION_CI_LOW][0] == pytest.approx(low[0])
    assert out[b.DECLARATION_CI_HIGH][0] == pytest.approx(high[0])
    assert out[b.DECLARATION_CI_LOW][1:].to_list() == [None, None]


def test_sort_benchmark_puts_hidden_last_and_refuses_unknown_columns():
    table = pl.DataFrame({"organisation_code": ["A", "B", "C"], c.RATIO: [1.2, None, 0.8]})
    assert b.sort_benchmark(table, c.RATIO)["organisation_code"].to_list() == ["C", "A", "B"]
    assert b.sort_benchmark(table, c.RATIO, descending=True)["organisation_code"].to_list() == ["A", "C", "B"]
    with pytest.raises(ValueError, match="no column 'rank'"):
        b.sort_benchmark(table, "rank")
