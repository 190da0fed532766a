"""The network view: funnel limits against hand arithmetic and scipy, and the demo network's patterns in the
published figures (analytics.network, presence network)."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import polars as pl
import pytest
from scipy import stats as scipy_stats

from analytics import columns as c
from analytics import network, protection, roles, suppression
from analytics.loader import load_frames
from analytics.representation import representation_table
from data.demo_network import BOARD_GAP_CODES, CLOSED_GAP_CODE, NETWORK
from models.db import get_engine, upgrade_schema
from models.seeding import load_reference_baselines, seed_network
from models.settings import get_settings
from presence_cli import main
from presence_cli.network import members, organisations

SUBSET = ("NET01", "NET02", "NET03", CLOSED_GAP_CODE)  # the two board gaps, a control, the closed gap
MINORITY = "Ethnic minority"


# --- Funnel limits -----------------------------------------------------------------------------------------

def test_funnel_limits_by_hand_for_one_person():
    # n = 1, p = 0.5. Upper (q = 0.975): r = 1, F(1) = 1, F(0) = 0.5, alpha = (1 - 0.975) / 0.5 = 0.05,
    # limit = (1 - 0.05) / 1 = 0.95, ratio 0.95 / 0.5 = 1.9. Lower (q = 0.025): r = 0, F(0) = 0.5,
    # F(-1) = 0, alpha = (0.5 - 0.025) / 0.5 = 0.95, limit = -0.95 clipped to 0.
    low, high = network.funnel_limits([1], [0.5], 0.95)
    assert low[0] == pytest.approx(0.0)
    assert high[0] == pytest.approx(1.9)


@pytest.mark.parametrize("n,p,coverage", [(100, 0.2, 0.95), (40, 0.43, 0.998), (2500, 0.05, 0.998),
                                          (7, 0.6, 0.95)])
def test_funnel_limits_match_scipy_quantiles(n, p, coverage):
    low, high = network.funnel_limits([n], [p], coverage)
    for q, got in (((1 - coverage) / 2, low[0]), ((1 + coverage) / 2, high[0])):
        r = scipy_stats.binom.ppf(q, n, p)
        f_r, f_below = scipy_stats.binom.cdf(r, n, p), scipy_stats.binom.cdf(r - 1, n, p)
        expected = max(0.0, min(1.0, (r - (f_r - q) / (f_r - f_below)) / n)) / p
        assert got == pytest.approx(expected, rel=1e-12)
        # the interpolated limit lies between the whole-count quantile and the one below it
        assert (r - 1) / n / p - 1e-12 <= got <= r / n / p + 1e-12


def test_funnel_limits_are_close_to_the_normal_approximation_for_large_counts():
    # n = 10,000, p = 0.2: p +- 3.09 sqrt(p (1 - p) / n) = 0.2 +- 0.01236, ratio 1 +- 0.0618
    low, high = network.funnel_limits([10_000], [0.2], 0.998)
    assert low[0] == pytest.approx(1 - 0.0618, abs=0.002)
    assert high[0] == pytest.approx(1 + 0.0618, abs=0.002)


def test_funnel_limits_narrow_as_organisations_grow_and_nest():
    sizes = np.array([20, 50, 200, 1000, 5000])
    low_95, high_95 = network.funnel_limits(sizes, np.full(5, 0.3), 0.95)
    low_998, high_998 = network.funnel_limits(sizes, np.full(5, 0.3), 0.998)
    assert (np.diff(high_95) < 0).all() and (np.diff(low_95) > 0).all()
    assert (low_998 <= low_95).all() and (high_998 >= high_95).all()


def test_funnel_limits_are_null_without_people_or_baseline():
    low, high = network.funnel_limits([0, 10, 10], [0.3, np.nan, 0.0], 0.95)
    assert np.isnan(low).all() and np.isnan(high).all()


def _figures(rows: list[tuple]) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema={network.ORGANISATION_CODE: pl.String, network.ORGANISATION_NAME: pl.String,
                                       c.INVOLVED: pl.Int64, c.TOTAL: pl.Int64, c.BASELINE_SHARE: pl.Float64,
                                       c.RATIO: pl.Float64, c.CI_LOW: pl.Float64, c.CI_HIGH: pl.Float64,
                                       c.PEOPLE: pl.Int64}, orient="row")
    return frame


def test_funnel_positions_and_sentence():
    figures = _figures([
        # 10/100 against 0.4: ratio 0.25, far below; 40/100 against 0.4: ratio 1; hidden; 60/100: 1.5, above
        ("A", "Alpha", 10, 100, 0.4, 0.25, 0.05, 0.17, 110),
        ("B", "Beta", 40, 100, 0.4, 1.0, 0.31, 0.50, 105),
        ("C", "Gamma", None, 20, 0.4, None, None, None, 25),
        ("D", "Delta", 60, 100, 0.4, 1.5, 0.50, 0.69, 100),
    ])
    funnel = network.funnel_table(figures)
    assert funnel[network.POSITION].to_list() == [
        network.POSITION_BELOW_998, network.POSITION_WITHIN, network.POSITION_NONE, network.POSITION_ABOVE_998]
    assert funnel[network.RATIO_CI_LOW][0] == pytest.approx(0.05 / 0.4)
    assert network.outside_limits(funnel)[network.ORGANISATION_CODE].to_list() == ["A", "D"]
    sentence = network.funnel_sentence(funnel)
    assert "Alpha" in sentence and "Delta" in sentence and "Beta" not in sentence
    assert "1 organisation is not plotted" in sentence


def test_network_totals_add_people_not_shares():
    figures = _figures([("A", "Alpha", 10, 100, 0.4, 0.25, None, None, 110),
                        ("B", "Beta", 40, 20, 0.4, 5.0, None, None, 25),
                        ("C", "Gamma", None, 20, 0.4, None, None, None, 30)])
    totals = network.network_totals(figures)
    # 10 + 40 = 50 of 100 + 20 = 120 shown (an average of the shares would be (0.1 + 2.0) / 2)
    assert (totals[c.INVOLVED], totals[c.TOTAL], totals[c.PEOPLE]) == (50, 120, 165)
    assert totals["organisations_hidden"] == 1
    assert "counted once in each" in totals["note"]


# --- The demo network --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def network_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('network') / 'network.db'}"
    engine = get_engine(url)
    upgrade_schema(engine)
    load_reference_baselines(engine)
    seed_network(engine=engine, seed=2021, size=0.2, codes_wanted=SUBSET)
    return url


@pytest.fixture(scope="module")
def network_members(network_url):
    engine = get_engine(network_url)
    return members(engine, organisations(engine), characteristic="ethnicity_binary", period="year")


def test_the_demo_network_has_twelve_organisations_with_different_catchments():
    assert len(NETWORK) == 12
    assert len({m.catchment for m in NETWORK}) == 12
    assert any(code.startswith("W") for m in NETWORK for code in m.catchment)  # a Welsh area
    assert set(BOARD_GAP_CODES) <= {m.code for m in NETWORK} and len(BOARD_GAP_CODES) == 2


def test_the_board_gap_organisations_are_named_outside_the_limits(network_members):
    funnel = network.funnel_table(network.organisation_figures(network_members, group=MINORITY))
    outside = set(network.outside_limits(funnel)[network.ORGANISATION_CODE])
    assert set(BOARD_GAP_CODES) <= outside
    below = funnel.filter(pl.col(network.POSITION).is_in([network.POSITION_BELOW_95, network.POSITION_BELOW_998]))
    assert set(BOARD_GAP_CODES) <= set(below[network.ORGANISATION_CODE])
    assert "NET01" in set(funnel.filter(pl.col(network.POSITION) == network.POSITION_BELOW_998)
                          [network.ORGANISATION_CODE])
    sentence = network.funnel_sentence(funnel)
    for member in NETWORK:
        if member.code in BOARD_GAP_CODES:
            assert member.name in sentence


def test_one_organisation_closed_its_gap_over_two_years(network_members):
    def position(period: str) -> str:
        funnel = network.funnel_table(network.organisation_figures(network_members, group=MINORITY,
                                                                   period=period))
        return funnel.filter(pl.col(network.ORGANISATION_CODE) == CLOSED_GAP_CODE)[network.POSITION][0]

    assert position("2023") in network.OUTSIDE
    assert position("2026") == network.POSITION_WITHIN


def test_network_figures_are_the_single_organisation_published_figures(network_url, network_members):
    """The row for each organisation equals the row a board member sees on that organisation's own page, and
    no count is exact (every shown count is a rounded published one, none marked not for publication)."""
    engine = get_engine(network_url)
    figures = network.organisation_figures(network_members, group=MINORITY)
    for member in network_members:
        frames = load_frames(engine, member.organisation_id)

        def build(ch, frames=frames):
            return representation_table(frames, characteristic=ch, period="year")

        page = protection.build_protected(build, "ethnicity_binary",
                                      roles.scoped_viewer(f"{member.organisation_id}:board_member"),
                                      member.organisation_id)
        own = page.rows.filter((pl.col(c.LEVEL_KEY) == "board") & (pl.col(c.PERIOD) == "2026")
                               & (pl.col(c.GROUP) == MINORITY))
        row = figures.filter(pl.col(network.ORGANISATION_CODE) == member.code)
        for column in (c.INVOLVED, c.TOTAL, c.RATIO, c.CI_LOW, c.CI_HIGH, c.STATUS):
            assert row[column][0] == own[column][0], (member.code, column)
        rows = member.representation.rows
        assert not rows[suppression.NOT_FOR_PUBLICATION].any()
        shown = [v for v in rows[c.INVOLVED].to_list() + rows[c.TOTAL].to_list() if v is not None]
        assert all(v == 0 or (v > 7 and v % 5 == 0) for v in shown)


def test_network_cli_csv_and_json(network_url, monkeypatch, capsys):
    monkeypatch.setenv("PRESENCE_DATABASE_URL", network_url)
    get_settings.cache_clear()
    assert main(["network", "--organisations", "NET01,NET03", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r[network.ORGANISATION_CODE] for r in rows] == ["NET01", "NET03"]
    assert rows[0][network.POSITION] == network.POSITION_BELOW_998
    assert main(["network", "--organisations", "NET02", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["rows"]) == 1 and "Manchester" in out["outside_limits"]
    assert "counted once in each" in out["network_total"]["note"]


def test_network_cli_unknown_code_is_one_sentence(network_url, monkeypatch, capsys):
    monkeypatch.setenv("PRESENCE_DATABASE_URL", network_url)
    get_settings.cache_clear()
    assert main(["network", "--organisations", "NOPE"]) == 2
    err = capsys.readouterr().err
    assert "There is no organisation with the code NOPE" in err and "NET01" in err
