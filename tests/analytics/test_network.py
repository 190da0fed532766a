"""The network view: funnel limits against hand arithmetic and scipy, and the demo network's patterns in the
published figures (analytics.network, presence network)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import numpy as np
import polars as pl
import pytest
from scipy import stats as scipy_stats

from analytics import columns as c
from analytics import network, network_benchmark, protection, roles, suppression, trends
from analytics.loader import load_frames
from analytics.network_loader import load_members, organisations
from analytics.representation import representation_table
from data.demo_network import BOARD_GAP_CODES, CLOSED_GAP_CODE, CONTROL_CODE, NETWORK
from models.db import get_engine, upgrade_schema
from models.seeding import load_reference_baselines, seed_network
from models.settings import get_settings
from presence_cli import main

SUBSET = ("NET01", "NET02", CONTROL_CODE, CLOSED_GAP_CODE)  # the two board gaps, the control, the closed gap
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
    return load_members(engine, organisations(engine), characteristic="ethnicity_binary", period="year",
                        scorecards=True)


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


@pytest.mark.parametrize("level", ["board", network.DECISION_MAKING])
@pytest.mark.parametrize("period", ["2024", "2025", "2026"])
def test_the_control_is_within_the_limits(network_members, level, period):
    funnel = network.funnel_table(network.organisation_figures(network_members, level=level, group=MINORITY,
                                                               period=period))
    row = funnel.filter(pl.col(network.ORGANISATION_CODE) == CONTROL_CODE)
    assert row[network.POSITION][0] == network.POSITION_WITHIN, row.to_dicts()


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


def test_decision_making_levels_together_count_each_person_once(network_url):
    """The together level counts people at any decision-making level once: at least the largest level, at
    most the sum of the levels (exact figures, before disclosure control)."""
    engine = get_engine(network_url)
    (row,) = organisations(engine, ["NET01"])
    frames = load_frames(engine, row.organisation_id)
    # one board member is also given a seat at a strategic activity for the same time
    level_of = dict(zip(frames.levels["id"], frames.levels["key"], strict=True))
    activity_level = {a: level_of[lv] for a, lv in zip(frames.activities["id"], frames.activities["level_id"],
                                                         strict=True)}
    strategic = next(a for a, key in activity_level.items() if key == "strategic")
    board_seat = frames.involvements.filter(pl.col("activity_id").replace_strict(
        activity_level, default=None) == "board").head(1)
    frames = dataclasses.replace(frames, involvements=pl.concat(
        [frames.involvements, board_seat.with_columns(pl.lit(strategic).cast(board_seat.schema["activity_id"])
                                                      .alias("activity_id"))], how="vertical_relaxed"))
    each = representation_table(frames, characteristic="ethnicity_binary", period="year")
    together = representation_table(network.decision_making_frames(frames), characteristic="ethnicity_binary",
                                    period="year")
    assert together.rows[c.LEVEL_KEY].unique().to_list() == [network.DECISION_MAKING]
    levels = each.tables.filter(pl.col(c.DECISION_MAKING)).group_by(c.PERIOD).agg(
        pl.col(c.PEOPLE).sum().alias("sum"), pl.col(c.PEOPLE).max().alias("max"))
    joined = together.tables.join(levels, on=c.PERIOD)
    assert joined.height > 0
    assert (joined[c.PEOPLE] <= joined["sum"]).all() and (joined[c.PEOPLE] >= joined["max"]).all()
    assert (joined[c.PEOPLE] < joined["sum"]).any()  # someone sits at two levels: counted once


def _row(frame, **where):
    return frame.filter(pl.all_horizontal(pl.col(k) == v for k, v in where.items()))


def test_together_figures_are_withheld_where_a_level_figure_is_hidden():
    """Board 'Ethnic minority' hidden in 2025 at the per-level publication: the together count of that group
    is withheld in 2025 (and a second figure of its table, so it is not a difference), and kept in 2026."""
    keys = {c.DECISION_MAKING: True, c.CHARACTERISTIC: "ethnicity_binary", c.INVOLVEMENT_FILTER: "all"}
    per_rows = pl.DataFrame([
        {**keys, c.LEVEL_KEY: "board", c.PERIOD: "2025", c.GROUP: MINORITY, c.INVOLVED: None, c.TOTAL: 40},
        {**keys, c.LEVEL_KEY: "board", c.PERIOD: "2025", c.GROUP: "White", c.INVOLVED: None, c.TOTAL: 40},
        {**keys, c.LEVEL_KEY: "board", c.PERIOD: "2026", c.GROUP: MINORITY, c.INVOLVED: 10, c.TOTAL: 40},
        {**keys, c.LEVEL_KEY: "board", c.PERIOD: "2026", c.GROUP: "White", c.INVOLVED: 30, c.TOTAL: 40},
    ])
    per_tables = pl.DataFrame([{**keys, c.LEVEL_KEY: "board", c.PERIOD: p, c.PEOPLE: 45, c.TOTAL: 40,
                                c.UNKNOWN: 5, c.NOT_STATED: 5, c.NOT_KNOWN: 0} for p in ("2025", "2026")])
    rows = pl.DataFrame([
        {**keys, c.LEVEL_KEY: network.DECISION_MAKING, c.LEVEL_RANK: 0, c.PERIOD: p, c.GROUP: g, c.INVOLVED: n,
         c.TOTAL: 100, c.BASELINE_SHARE: 0.3}
        for p in ("2025", "2026") for g, n in ((MINORITY, 30), ("White", 70))])
    tables = per_tables.with_columns(pl.lit(network.DECISION_MAKING).alias(c.LEVEL_KEY), pl.lit(110).alias(c.PEOPLE),
                                     pl.lit(100).alias(c.TOTAL), pl.lit(10).alias(c.UNKNOWN),
                                     pl.lit(10).alias(c.NOT_STATED))
    out = network.withhold_together(_FakeRep(rows, tables), _FakeRep(per_rows, per_tables), get_settings())
    assert _row(out.rows, period="2025", group=MINORITY)[c.INVOLVED][0] is None
    assert _row(out.rows, period="2025", group=MINORITY)[c.STATUS][0] == c.STATUS_HIDDEN
    assert _row(out.rows, period="2025", group="White")[c.INVOLVED][0] is None  # else 100 - 70 gives it
    assert _row(out.rows, period="2026", group=MINORITY)[c.INVOLVED][0] == 30
    assert _row(out.rows, period="2026", group=MINORITY)[c.STATUS][0] != c.STATUS_HIDDEN


@dataclasses.dataclass(frozen=True)
class _FakeRep:
    """The parts of a Representation that withhold_together reads and replaces."""

    rows: pl.DataFrame
    tables: pl.DataFrame
    joiners: pl.DataFrame | None = None


def test_an_organisation_without_the_level_gets_no_data(network_members):
    first = network_members[0]
    rows, tables = first.representation.rows, first.representation.tables
    rep = dataclasses.replace(first.representation,
                              rows=rows.filter(pl.col(c.LEVEL_KEY) != network.DECISION_MAKING),
                              tables=tables.filter(pl.col(c.LEVEL_KEY) != network.DECISION_MAKING))
    other = network.Member(organisation_id=0, code="NODM", name="No decision-making levels", representation=rep)
    figures = network.organisation_figures([first, other], level=network.DECISION_MAKING, group=MINORITY)
    assert figures[c.STATUS].to_list()[1] == c.STATUS_NO_DATA and figures[c.TOTAL][0] is not None
    with pytest.raises(ValueError, match="There is no level 'nope'"):
        network.organisation_figures([first, other], level="nope", group=MINORITY)


def test_network_total_uses_the_union_of_catchments(network_members):
    """Two organisations sharing an area count its population once; the network share is the sum of the
    published counts, and its status comes from compare_with_baseline."""
    first = network_members[0]
    twin = network.Member(organisation_id=first.organisation_id, code="TWIN", name="Twin", catchment=first.catchment,
                          representation=first.representation)
    figures = network.organisation_figures([first, twin], group=MINORITY)
    total = network.network_total(figures, [first, twin]).row(0, named=True)
    share, _ = network.union_baseline_share([first], "ethnicity_binary", MINORITY)
    assert total[c.BASELINE_SHARE] == pytest.approx(share)  # the same areas once, not twice
    assert total[network.CATCHMENT] == ", ".join(sorted(first.catchment))
    assert total[c.INVOLVED] == 2 * figures[c.INVOLVED][0] and total[c.TOTAL] == 2 * figures[c.TOTAL][0]
    # all four catchments differ: the union baseline is the population-weighted mix, not the mean of shares
    figures = network.organisation_figures(network_members, group=MINORITY)
    union = network.network_total(figures, network_members).row(0, named=True)
    own = figures[c.BASELINE_SHARE].to_list()
    assert min(own) < union[c.BASELINE_SHARE] < max(own)
    assert union[c.SHARE] == pytest.approx(union[c.INVOLVED] / union[c.TOTAL])
    expected = network.union_baseline_share(network_members, "ethnicity_binary", MINORITY)[0]
    assert union[c.BASELINE_SHARE] == pytest.approx(expected)


def test_the_benchmark_table_is_each_organisations_published_figures(network_members):
    """Presence at decision-making levels together, exactly as published; 4PI status from the published
    scorecard; a rank only as a range."""
    table = network_benchmark.benchmark_table(network_members, group=MINORITY)
    figures = network.organisation_figures(network_members, level=network.DECISION_MAKING, group=MINORITY)
    assert table[network.ORGANISATION_CODE].to_list() == [m.code for m in network_members]
    for column in (c.INVOLVED, c.TOTAL, c.SHARE, c.CI_LOW, c.CI_HIGH, c.RATIO, c.STATUS, c.DECLARATION_RATE):
        assert table[column].to_list() == figures[column].to_list(), column
    shown = table.filter(pl.col(c.RATIO).is_not_null())
    assert shown.height >= 3
    assert (shown[network_benchmark.RANK_FROM] <= shown[network_benchmark.RANK_TO]).all()
    assert table[network_benchmark.FOURPI_STATUS].str.contains("indicators met").all()
    assert table[trends.TREND_WORDS].null_count() == 0


def test_over_time_names_the_organisation_that_closed_its_gap(network_members):
    board = network_benchmark.over_time(network_members, group=MINORITY, level="board")
    improved = board.filter(pl.col(network_benchmark.VERDICT) == network_benchmark.IMPROVED)
    assert improved[network.ORGANISATION_CODE].to_list() == [CLOSED_GAP_CODE]
    assert improved[network_benchmark.NETWORK_P_ADJUSTED][0] < 0.05
    assert board.filter(pl.col(network_benchmark.VERDICT) == network_benchmark.WORSENED).height == 0
    assert "Improved significantly: Midland Canals" in network_benchmark.over_time_sentence(board)


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
    assert out["network_total"]["baseline_share"] is not None


def test_network_cli_by_icb_and_decision_making_levels(network_url, monkeypatch, capsys):
    monkeypatch.setenv("PRESENCE_DATABASE_URL", network_url)
    get_settings.cache_clear()
    # Leeds (NET03) lies in NHS West Yorkshire ICB (E54000054, QWO); no other subset organisation does
    assert main(["network", "--icb", "QWO", "--level", "decision_making", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r[network.ORGANISATION_CODE] for r in rows] == [CONTROL_CODE]
    assert rows[0]["icbs"] == "E54000054" and rows[0][c.LEVEL_KEY] == network.DECISION_MAKING
    assert main(["network", "--format", "csv"]) == 0  # every organisation when neither is given
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r[network.ORGANISATION_CODE] for r in rows] == sorted(SUBSET)
    assert main(["network", "--icb", "E54000999"]) == 2
    assert "There is no ICB 'E54000999'" in capsys.readouterr().err


def test_network_cli_unknown_code_is_one_sentence(network_url, monkeypatch, capsys):
    monkeypatch.setenv("PRESENCE_DATABASE_URL", network_url)
    get_settings.cache_clear()
    assert main(["network", "--organisations", "NOPE"]) == 2
    err = capsys.readouterr().err
    assert "There is no organisation with the code NOPE" in err and "NET01" in err


@pytest.mark.parametrize("seed", [7, 4242])
def test_the_control_is_within_the_limits_whatever_the_seed(tmp_path, seed):
    engine = get_engine(f"sqlite:///{tmp_path / 'control.db'}")
    upgrade_schema(engine)
    load_reference_baselines(engine)
    seed_network(engine=engine, seed=seed, size=0.2, codes_wanted=(CONTROL_CODE,))
    (member,) = load_members(engine, organisations(engine), characteristic="ethnicity_binary", period="year")
    positions = [
        network.funnel_table(network.organisation_figures([member], group=MINORITY, period=period))[
            network.POSITION][0]
        for period in ("2024", "2025", "2026")
    ]
    # never outside; a year whose count is hidden (small numbers) is not plotted, but most years are
    assert set(positions) <= {network.POSITION_WITHIN, network.POSITION_NONE}, (seed, positions)
    assert positions.count(network.POSITION_WITHIN) >= 2, (seed, positions)
