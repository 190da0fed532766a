"""The Overview's key numbers: for each decision-making level, people involved, how many have the
characteristic recorded and how many groups are missing, each with the change since a year before, as the
words and numbers a page shows."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from analytics import columns as c
from analytics.headlines import characteristic_words
from analytics.representation import Representation, latest_period
from analytics.selections import at_period, missing_at_decision_levels, year_before
from analytics.suppression import SUPPRESSED_MARK

HIDDEN_HELP = "A * is a small number hidden so that no one can be identified."


@dataclass(frozen=True)
class KeyNumber:
    label: str
    value: str
    delta: str | None
    help: str
    delta_color: str = "off"  # "normal" when up is good
    delta_arrow: str = "auto"  # "off" for no change: no arrow and no colour


def count_text(value: int | None) -> str:
    """A count as shown: '*' when disclosure control hid it (a small number), else with thousands commas."""
    return SUPPRESSED_MARK if value is None else f"{value:,}"


def _rate_text(rate: float | None, people: int | None) -> str:
    if rate is not None:
        return f"{rate:.0%}"
    return "no one yet" if people == 0 else SUPPRESSED_MARK


NO_CHANGE = "No change since a year before"


def _count_delta(now: int | None, before: int | None, unit: str) -> str | None:
    if now is None or before is None:
        return None
    return NO_CHANGE if now == before else f"{now - before:+d} {unit} since a year before"


def _pp_delta(now: float | None, before: float | None) -> str | None:
    if now is None or before is None:
        return None
    points = round((now - before) * 100)
    return NO_CHANGE if points == 0 else f"{points:+d} point{'s' if abs(points) != 1 else ''} since a year before"


def _neutral(delta: str | None) -> dict[str, str]:
    """No change is neutral: no arrow and no colour."""
    return {"delta_color": "off", "delta_arrow": "off"} if delta == NO_CHANGE else {}


GROUPS_MISSING_HELP = (
    "Groups that are absent, or clearly fewer than their share of the population (below {under:g} times, and "
    "statistically clear after allowing for chance), at this level as a whole or in any one of its committees "
    "and groups. A group missing from two committees is counted once."
)


def key_numbers(rep: Representation, gaps: pl.DataFrame | None = None) -> list[tuple[str, list[KeyNumber]]]:
    """For each decision-making level, board first: people involved and how many have the characteristic
    recorded in the latest period (with the change since the same period a year before), and how many groups
    are missing there, at the level as a whole or in one of its committees (``gaps``:
    :func:`analytics.decision_gaps`; without it, the level as a whole)."""
    tables, rows = rep.tables, rep.rows
    period = latest_period(rows)
    if period is None:
        return []
    now = at_period(tables, period).filter(pl.col(c.DECISION_MAKING)).sort(c.LEVEL_RANK, descending=True)
    before = {r[c.LEVEL_KEY]: r for r in at_period(tables, year_before(period)).iter_rows(named=True)}
    gaps = missing_at_decision_levels(rows) if gaps is None else gaps
    missing = gaps.group_by(c.LEVEL_KEY).agg(pl.col(c.GROUP).n_unique().alias("count"))
    missing_by_level = dict(missing.select(c.LEVEL_KEY, "count").iter_rows())
    word = characteristic_words(rep.characteristic)
    result = []
    for level in now.iter_rows(named=True):
        old = before.get(level[c.LEVEL_KEY], {})
        rate = level[c.DECLARATION_RATE]
        people_delta = _count_delta(level[c.PEOPLE], old.get(c.PEOPLE), "people")
        rate_delta = _pp_delta(rate, old.get(c.DECLARATION_RATE))
        result.append((level[c.LEVEL_NAME], [
            KeyNumber(
                label="People involved", value=count_text(level[c.PEOPLE]), delta=people_delta,
                help=f"Different people taking part at this level at any time in {period}. {HIDDEN_HELP}",
                **_neutral(people_delta),
            ),
            KeyNumber(
                label=f"{word[0].upper()}{word[1:]} recorded", value=_rate_text(rate, level[c.PEOPLE]),
                delta=rate_delta,
                help=f"Share of these people whose {word} is recorded (not 'not stated' or 'not known'). Low "
                     "rates make every other figure less certain.",
                **({"delta_color": "normal"} | _neutral(rate_delta)),
            ),
            KeyNumber(
                label="Groups missing", value=str(missing_by_level.get(level[c.LEVEL_KEY], 0)), delta=None,
                help=GROUPS_MISSING_HELP.format(under=rep.under_threshold),
            ),
        ]))
    return result
