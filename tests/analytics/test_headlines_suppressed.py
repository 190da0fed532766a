"""Headlines read a table after disclosure control: hidden counts become words, rounded ones say 'about'."""

from __future__ import annotations

from datetime import date

import polars as pl

from analytics import columns as C
from analytics.baselines import BaselineSpec
from analytics.headlines import headlines
from analytics.representation import Representation


def _rep(involved, total, shortfall, share, *, rounded: bool, unknown, people) -> Representation:
    key = {C.LEVEL_RANK: 5, C.LEVEL_KEY: "board", C.LEVEL_NAME: "Board and governance",
           C.DECISION_MAKING: True,
           C.PERIOD: "2026-Q3", C.PERIOD_START: date(2026, 7, 1), C.CHARACTERISTIC: "ethnicity_broad",
           C.INVOLVEMENT_FILTER: "all"}
    rows = pl.DataFrame([key | {
        C.GROUP: "Black or Black British", C.GROUP_LABEL: "Black or Black British", C.BASELINE_NAME: "Census",
        C.INVOLVED: involved, C.TOTAL: total, C.SHARE: share, C.BASELINE_SHARE: 0.24, C.RATIO: None,
        C.GAP_PP: None, C.EXPECTED: None, C.SHORTFALL: shortfall, C.Z: None, C.CI_LOW: None, C.CI_HIGH: None,
        C.P_VALUE: None, C.P_ADJUSTED: None, C.STATUS: C.STATUS_UNDER, "rounded": rounded,
    }], infer_schema_length=None)
    tables = pl.DataFrame([key | {C.PEOPLE: people, C.TOTAL: total, C.UNKNOWN: unknown, C.NOT_STATED: None,
                                  C.NOT_KNOWN: None, C.DECLARATION_RATE: None, "rounded": rounded}],
                          infer_schema_length=None)
    return Representation(rows=rows, tables=tables, baseline_description="Census",
                          baseline=BaselineSpec(kind="census"), characteristic="ethnicity_broad",
                          period="quarter", involvement="all", alpha=0.05, under_threshold=0.8)


def test_hidden_counts_are_words_never_numbers():
    rep = _rep(None, 40, None, None, rounded=True, unknown=None, people=45)
    text = " ".join(headlines(rep))
    assert "fewer than 8 of about 40 people involved are Black or Black British" in text
    assert "some people missing" in text
    assert "a few people of about 45 did not state" in text
    assert "None" not in text


def test_exact_counts_keep_the_plain_sentence():
    rep = _rep(1, 14, 2, 1 / 14, rounded=False, unknown=3, people=17)
    text = " ".join(headlines(rep))
    # 1 of 14 = 7%; baseline 24%: the issue's own example sentence shape
    assert ("At board and governance level, 1 of 14 people involved is Black or Black British (7%), "
            "against 24%") in text
    assert "about 2 people missing" in text
    assert "3 people of 17 did not state" in text
