"""Headlines lead with findings (committee-level absences included) and never claim what the figures cannot
show: no baseline, too few people or hidden counts are said, not papered over with "no group is missing"."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from analytics import columns as C
from analytics import outreach as O
from analytics.baselines import BaselineSpec
from analytics.headlines import characteristic_words, decision_gaps, headlines
from analytics.representation import Representation

KEY = {C.LEVEL_RANK: 5, C.LEVEL_KEY: "board", C.LEVEL_NAME: "Board and governance", C.DECISION_MAKING: True,
       C.PERIOD: "2026-Q3", C.PERIOD_START: date(2026, 7, 1), C.CHARACTERISTIC: "ethnicity_broad",
       C.INVOLVEMENT_FILTER: "all"}


def _row(group: str, involved: int, total: int, baseline: float | None, status: str, shortfall=None) -> dict:
    return KEY | {
        C.GROUP: group, C.GROUP_LABEL: group, C.BASELINE_NAME: "Census", C.INVOLVED: involved, C.TOTAL: total,
        C.SHARE: involved / total, C.BASELINE_SHARE: baseline, C.RATIO: None, C.GAP_PP: None, C.EXPECTED: None,
        C.SHORTFALL: shortfall, C.Z: None, C.CI_LOW: None, C.CI_HIGH: None, C.P_VALUE: None,
        C.P_ADJUSTED: None, C.STATUS: status,
    }


def _rep(rows: list[dict], *, characteristic: str = "ethnicity_broad", unknown: int = 0,
         description: str = "Census 2021") -> Representation:
    total = rows[0][C.TOTAL]
    tables = pl.DataFrame([KEY | {C.PEOPLE: total + unknown, C.TOTAL: total, C.UNKNOWN: unknown,
                                  C.NOT_STATED: unknown, C.NOT_KNOWN: 0,
                                  C.DECLARATION_RATE: total / (total + unknown)}])
    return Representation(rows=pl.DataFrame(rows, infer_schema_length=None), tables=tables,
                           baseline_description=description, baseline=BaselineSpec(kind="census"),
                           characteristic=characteristic, period="quarter", involvement="all", alpha=0.05,
                           under_threshold=0.8)


def _committee(group: str, involved: int, total: int, shortfall: int, priority: int) -> dict:
    return {O.PRIORITY: priority, O.UNIT: "activity", C.LEVEL_RANK: 5, C.LEVEL_KEY: "board",
            C.LEVEL_NAME: "Board and governance", O.ACTIVITY_REF: "COG", O.ACTIVITY_NAME: "Council of Governors",
            C.PERIOD: "2026-Q3", C.CHARACTERISTIC: "ethnicity_broad", C.GROUP: group, C.GROUP_LABEL: group,
            C.INVOLVED: involved, C.TOTAL: total, C.SHARE: involved / total, C.BASELINE_SHARE: 0.24,
            C.EXPECTED: total * 0.24, C.SHORTFALL: shortfall, C.RATIO: 0.0, C.P_ADJUSTED: 0.2,
            C.STATUS: C.STATUS_ABSENT}


# the board as a whole: 60 people, 15 Black (25% against 24%): within range; White 45 of 60 against 60%
LEVEL_OK = [_row("Black or Black British", 15, 60, 0.24, C.STATUS_WITHIN_RANGE),
            _row("White", 45, 60, 0.60, C.STATUS_WITHIN_RANGE)]


def test_a_committee_absence_leads_even_when_the_level_as_a_whole_is_fine():
    # the Council of Governors: 0 of 7 Black against 24%: 7 x 0.24 = 1.68, about 2 people to add
    committees = pl.DataFrame([_committee("Black or Black British", 0, 7, 2, 1)])
    sentences = headlines(_rep(LEVEL_OK), committees=committees)
    assert sentences[0] == (
        "In Council of Governors, at board and governance level, none of the 7 people involved is Black or Black "
        "British, against 24% of the people living in the area the organisation serves: about 2 people missing."
    )
    assert not any("no group is clearly" in s for s in sentences)
    gaps = decision_gaps(_rep(LEVEL_OK), committees)
    assert gaps.get_column(O.ACTIVITY_NAME).to_list() == ["Council of Governors"]


def test_gaps_are_ranked_by_people_to_add():
    committees = pl.DataFrame([_committee("Asian or Asian British", 0, 10, 1, 2),
                               _committee("Black or Black British", 0, 12, 3, 1)])
    gaps = decision_gaps(_rep(LEVEL_OK), committees)
    assert gaps.get_column(C.SHORTFALL).to_list() == [3, 1]


def test_nothing_found_says_what_was_checked():
    sentences = headlines(_rep(LEVEL_OK), committees=pl.DataFrame([_committee("White", 0, 7, 2, 1)]).clear())
    assert sentences[0] == (
        "In 2026-Q3, checking 2 ethnicity groups at the board and governance level and in each of their "
        "committees and groups, against Census 2021: no group is clearly under-represented or absent."
    )


def test_too_few_people_is_said_not_hidden_behind_no_gap():
    rows = [_row("Black or Black British", 1, 5, 0.24, C.STATUS_TOO_FEW),
            _row("White", 4, 5, 0.60, C.STATUS_TOO_FEW)]
    sentences = headlines(_rep(rows, unknown=2))
    assert "where there are enough people to tell" in sentences[0]
    assert ("At board and governance level, 5 people with a known ethnicity are too few for the statistics to "
            "tell a gap from chance; 2 people of 7 did not state their ethnicity") in " ".join(sentences)


@pytest.mark.parametrize("characteristic,word", [("disability", "disability"), ("sex", "sex")])
def test_no_baseline_never_says_no_group_is_under_represented(characteristic, word):
    rows = [_row("yes", 5, 20, None, C.STATUS_NO_BASELINE), _row("no", 15, 20, None, C.STATUS_NO_BASELINE)]
    rep = _rep(rows, characteristic=characteristic,
               description=f"No baseline: no Census 2021 {word} figures are shipped for these areas")
    text = " ".join(headlines(rep))
    assert f"There is no baseline to compare {word} with (no Census 2021 {word} figures" in text
    assert "cannot say whether any group is under- or over-represented" in text
    assert "no group is clearly" not in text.lower()


@pytest.mark.parametrize("characteristic,words", [
    ("ethnicity_broad", "ethnicity"), ("age_band", "age"), ("ethnicity_broad × sex", "ethnicity and sex"),
])
def test_characteristic_words(characteristic, words):
    assert characteristic_words(characteristic) == words
