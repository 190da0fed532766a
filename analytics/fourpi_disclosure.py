"""The 4PI scorecard as a viewer may see it: the disclosure policy for 4PI results (moved here from the
dashboard so that the board pack and the pages publish one and the same scorecard).

What disclosure control does to the 4PI results for restricted roles (board member, outreach worker, viewer):
counts of meetings and activities are shown exactly (they describe how the organisation runs its business,
not anyone in it); counts of people (questionnaires, people offered support or training, roles with a role
description) and fees and expenses claims are suppressed and rounded like every other count of people, and
the share, status and trend of those indicators are worked out again from the shown counts, so that they
give away nothing the shown share does not ("hidden" where the share is).
"""

from __future__ import annotations

import polars as pl

from analytics import fourpi, protection, suppression
from analytics import fourpi_columns as k
from analytics.fourpi_scorecard import PREVIOUS_HIDDEN, RAG_HIDDEN, judge_scorecard
from analytics.roles import Viewer

PEOPLE_INDICATORS = frozenset({
    "felt_valued", "could_influence", "informed_of_outcomes",  # questionnaires returned: people
    "role_descriptions",  # involvement roles: one person each
    "support_offered", "training_offered",  # people involved
    "payments_on_time",  # fees and expenses claims: one person's money each
})
NOT_MET = "not_met"
SCORECARD_COUNTS = (k.NUMERATOR, k.DENOMINATOR, k.LEFT_OUT)


def as_int(frame: pl.DataFrame, columns: tuple[str, ...] | list[str]) -> pl.DataFrame:
    """``frame`` with the named count columns (where present) as Int64, as disclosure control expects."""
    return frame.with_columns(pl.col(n).cast(pl.Int64) for n in columns if n in frame.columns)


def published(frame: pl.DataFrame, viewer: Viewer, organisation_id: int) -> pl.DataFrame:
    """A 4PI frame with no counts of people (meetings, activities): exact for every role, with the flags
    that say so (not for publication for exact roles)."""
    return protection.protect_frame(frame, viewer, organisation_id, counts=[], derived={})


def _scorecard_people(card: pl.DataFrame, viewer: Viewer, organisation_id: int) -> pl.DataFrame:
    """The indicators that count people, suppressed and rounded, the share recomputed from what is shown."""
    rows = as_int(card.filter(pl.col(k.INDICATOR).is_in(PEOPLE_INDICATORS)), SCORECARD_COUNTS).with_columns(
        (pl.col(k.DENOMINATOR) - pl.col(k.NUMERATOR)).alias(NOT_MET))
    value = pl.when(pl.col(k.DENOMINATOR) > 0).then(pl.col(k.NUMERATOR) / pl.col(k.DENOMINATOR))
    return protection.protect_frame(rows, viewer, organisation_id, counts=[*SCORECARD_COUNTS, NOT_MET],
                                lines=[(k.DENOMINATOR, k.NUMERATOR, NOT_MET)], derived={k.VALUE: value})


def protect_scorecard(card: pl.DataFrame, previous: pl.DataFrame, viewer: Viewer,
                      organisation_id: int) -> pl.DataFrame:
    """A scorecard as this viewer may see it: exact and marked not for publication for exact roles; for the
    others the indicators that count people are suppressed and rounded, their share, status and trend worked
    out again from the shown counts (``previous`` is the scorecard a year before, protected the same way)."""
    if viewer.exact(organisation_id):
        return protection.protect_frame(card, viewer, organisation_id, counts=list(SCORECARD_COUNTS), derived={})
    order = card.select(k.INDICATOR).with_row_index("_order")
    people = _scorecard_people(card, viewer, organisation_id)
    before = _scorecard_people(previous, viewer, organisation_id).select(
        k.INDICATOR, pl.col(k.VALUE).alias(k.PREVIOUS_VALUE),
        (pl.col(suppression.suppressed_flag(k.NUMERATOR))
         | pl.col(suppression.suppressed_flag(k.DENOMINATOR))).alias(PREVIOUS_HIDDEN))
    period, previous_label = card.get_column(k.PERIOD)[0], card.get_column(k.PREVIOUS_PERIOD)[0]
    people = judge_scorecard(
        people.drop(k.PREVIOUS_VALUE).join(before, on=k.INDICATOR, how="left"), period, previous_label
    ).drop(NOT_MET, suppression.suppressed_flag(NOT_MET))
    others = published(card.filter(~pl.col(k.INDICATOR).is_in(PEOPLE_INDICATORS)), viewer, organisation_id)
    flags = [suppression.suppressed_flag(n) for n in SCORECARD_COUNTS]
    merged = pl.concat([others, people], how="diagonal_relaxed").with_columns(
        pl.col(n).fill_null(False) for n in flags)
    return merged.join(order, on=k.INDICATOR).sort("_order").drop("_order")


def fourpi_headline(card: pl.DataFrame) -> str:
    """One sentence summing up a scorecard; indicators hidden by disclosure control are counted apart."""
    hidden = card.filter(pl.col(k.RAG) == RAG_HIDDEN).height
    sentence = fourpi.scorecard_headline(card.filter(pl.col(k.RAG) != RAG_HIDDEN))
    if hidden:
        sentence += (f" {hidden} indicator{'s' if hidden != 1 else ''} about too few people to show "
                     f"{'are' if hidden != 1 else 'is'} hidden (*).")
    return sentence
