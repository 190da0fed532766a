"""The 4PI scorecard as a viewer may see it: the disclosure policy for 4PI results (moved here from the
dashboard so that the board pack and the pages publish one and the same scorecard).

What disclosure control does to the 4PI results for restricted roles (board member, outreach worker, viewer):
counts of meetings and activities are shown exactly (they describe how the organisation runs its business,
not anyone in it); counts of people (questionnaires, people offered support or training, roles with a role
description) and fees and expenses claims are suppressed and rounded like every other count of people, and
the share, status and trend of those indicators are worked out again from the shown counts, so that they
give away nothing the shown share does not ("hidden" where the share is).

Column by column, for the scorecard's detail tables and a chair's activity summary (for the same roles):
- Counts of meetings and of activities (meetings that met the minimum, activities with a written purpose,
  meetings held, impact log entries) describe how the organisation runs its business, not anyone in it:
  shown exactly.
- Counts of people are protected like every other count of people (1-7 shown as *, others rounded to the
  nearest 5, shares recomputed from what is shown, a second count hidden where a * could be worked out):
  questionnaires and their answers, people offered support or training, involvement roles with a role
  description. So are fees and expenses claims: each claim is one person's money.
- Head counts at one meeting (service users, carers, reserves) are counts of people: not shown. Whether a
  meeting met the minimum or the ideal, had a reserve, or left someone alone is what the 4PI presence
  standard judges, about the meeting, and is shown (as is the list of meetings that broke a rule).
- Per-person records (each fees and expenses claim, with its person reference) only for roles with
  record-level access; restricted roles get the claims counted by status instead.
- A scorecard status (meets / close / falls short) is worked out again from the shown counts, so it gives
  away nothing the shown share does not; it is "hidden" where the share is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import polars as pl

from analytics import columns as k
from analytics import fourpi, protection, suppression
from analytics.fourpi.scorecard import PREVIOUS_HIDDEN, RAG_HIDDEN, judge_scorecard
from analytics.fourpi.summary import ActivitySummary
from analytics.roles import Viewer

PEOPLE_INDICATORS = frozenset({
    "felt_valued", "could_influence", "informed_of_outcomes",  # questionnaires returned: people
    "role_descriptions",  # involvement roles: one person each
    "support_offered", "training_offered",  # people involved
    "payments_on_time",  # fees and expenses claims: one person's money each
})
NOT_MET = "not_met"
HEAD_COUNTS = (k.SERVICE_USERS, k.CARERS, k.SU_CARERS, k.RESERVES, k.PRESENCE_BAND)
CLAIMS = "claims"
CLAIM_STATUSES = (k.PAYMENT_ON_TIME, k.PAYMENT_LATE, k.PAYMENT_OVERDUE, k.PAYMENT_PENDING)
FEEDBACK_COUNTS = (k.ANSWERS, k.STATED, k.AGREE, k.NEUTRAL, k.DISAGREE, k.NOT_STATED, k.NOT_KNOWN)
FEEDBACK_LINES = (
    (k.ANSWERS, k.STATED, k.NOT_STATED, k.NOT_KNOWN),  # questionnaires = answered + not stated + not known
    (k.STATED, k.AGREE, k.NEUTRAL, k.DISAGREE),
)
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
    merged: pl.DataFrame = pl.concat([others, people], how="diagonal_relaxed").with_columns(
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


def _protect_people(frame: pl.DataFrame, viewer: Viewer, organisation_id: int, counts: list[str], *,
                    lines: Sequence[tuple[str, ...]] = (), derived: dict[str, pl.Expr] | None = None) -> pl.DataFrame:
    return protection.protect_frame(as_int(frame, counts), viewer, organisation_id, counts=counts,
                                lines=lines, derived=derived or {})


def _without_head_counts(frame: pl.DataFrame, viewer: Viewer, organisation_id: int) -> pl.DataFrame:
    """A per-meeting table: head counts for exact roles (marked), the meeting's standard only for others."""
    present = [n for n in HEAD_COUNTS if n in frame.columns]
    if viewer.exact(organisation_id):
        return protection.protect_frame(frame, viewer, organisation_id,
                                    counts=[n for n in present if n != k.PRESENCE_BAND], derived={})
    return published(frame.drop(present), viewer, organisation_id)


def _protect_feedback(frame: pl.DataFrame, viewer: Viewer, organisation_id: int) -> pl.DataFrame:
    share = pl.when(pl.col(k.STATED) > 0).then(pl.col(k.AGREE) / pl.col(k.STATED))
    return _protect_people(frame, viewer, organisation_id, list(FEEDBACK_COUNTS), lines=list(FEEDBACK_LINES),
                           derived={k.SHARE_AGREE: share} if k.SHARE_AGREE in frame.columns else {})


def protect_detail(detail: pl.DataFrame, key: str, viewer: Viewer, organisation_id: int) -> pl.DataFrame:
    """The table behind one scorecard row, as this viewer may see it (see the decisions above)."""
    if key in ("meetings", "breaches"):
        return _without_head_counts(detail, viewer, organisation_id)
    if key == "payments":  # one row per claim, with the person's reference
        return protection.protect_frame(detail, viewer, organisation_id, kind="record_level")
    if key == "role_descriptions":
        detail = as_int(detail, [k.INVOLVEMENTS, k.WITH_DESCRIPTION]).with_columns(
            (pl.col(k.INVOLVEMENTS) - pl.col(k.WITH_DESCRIPTION)).alias("without_description"))
        return _protect_people(detail, viewer, organisation_id,
                               [k.INVOLVEMENTS, k.WITH_DESCRIPTION, "without_description"],
                               lines=[(k.INVOLVEMENTS, k.WITH_DESCRIPTION, "without_description")])
    if key == "support":
        detail = as_int(detail, [k.PEOPLE, k.OFFERED, k.TAKEN]).with_columns(
            (pl.col(k.PEOPLE) - pl.col(k.OFFERED)).alias("not_offered"),
            (pl.col(k.OFFERED) - pl.col(k.TAKEN)).alias("not_taken"))
        share = pl.when(pl.col(k.PEOPLE) > 0).then(pl.col(k.OFFERED) / pl.col(k.PEOPLE))
        return _protect_people(detail, viewer, organisation_id,
                               [k.PEOPLE, k.OFFERED, k.TAKEN, "not_offered", "not_taken"],
                               lines=[(k.PEOPLE, k.OFFERED, "not_offered"),
                                      (k.OFFERED, k.TAKEN, "not_taken")],
                               derived={"share_offered": share} if "share_offered" in detail.columns else {})
    if key == "feedback":
        return _protect_feedback(detail, viewer, organisation_id)
    return published(detail, viewer, organisation_id)  # purpose, impact, review: about activities


def _claims_by_status(payments: pl.DataFrame, viewer: Viewer, organisation_id: int) -> pl.DataFrame:
    """An activity's fees and expenses claims counted by status (one row), protected: claims are people's."""
    status = pl.col(k.PAYMENT_STATUS)
    counts = payments.select(pl.len().cast(pl.Int64).alias(CLAIMS),
                             *[(status == s).sum().cast(pl.Int64).alias(s) for s in CLAIM_STATUSES])
    return protection.protect_frame(counts, viewer, organisation_id, counts=[CLAIMS, *CLAIM_STATUSES],
                                lines=[(CLAIMS, *CLAIM_STATUSES)], derived={})


def _payment_sentence(claims: pl.DataFrame, days: int) -> str | None:
    row = suppression.display_counts(claims).row(0, named=True)
    if row[CLAIMS] == "0":
        return None
    parts = [f"{row[k.PAYMENT_ON_TIME]} paid within {days} days"]
    words = {k.PAYMENT_LATE: "paid late", k.PAYMENT_OVERDUE: f"still unpaid after more than {days} days",
             k.PAYMENT_PENDING: f"waiting, still within {days} days"}
    parts += [f"{row[s]} {w}" for s, w in words.items() if row[s] != "0"]
    return f"Fees and expenses: of {row[CLAIMS]} claims, " + ", ".join(parts) + "."


def _feedback_sentence(feedback: pl.DataFrame) -> str | None:
    shown = suppression.display_counts(feedback.filter(pl.col(k.STATED).is_null() | (pl.col(k.STATED) > 0)))
    if shown.height == 0:
        return None if feedback.height == 0 else "Feedback questionnaires came back with no answers stated."
    parts = [f"{r[k.AGREE]} of {r[k.STATED]} agreed '{fourpi.QUESTION_LABELS[r[k.QUESTION]]}'"
             for r in shown.iter_rows(named=True)]
    return "Feedback: " + "; ".join(parts) + "."


def protect_activity_summary(
    summary: ActivitySummary, viewer: Viewer, organisation_id: int, payment_days: int
) -> ActivitySummary:
    """A chair's summary as this viewer may see it (see the decisions above): head counts at meetings, each
    claim, and exact answer counts only for exact roles; the sentences about claims and feedback rebuilt
    from the shown counts for the others."""
    meetings = _without_head_counts(summary.meetings, viewer, organisation_id)
    breaches = _without_head_counts(summary.breaches, viewer, organisation_id)
    impact = published(summary.impact, viewer, organisation_id)
    feedback = _protect_feedback(summary.feedback, viewer, organisation_id)
    if viewer.exact(organisation_id):
        payments = protection.protect_frame(summary.payments, viewer, organisation_id, kind="record_level")
        return replace(summary, meetings=meetings, breaches=breaches, payments=payments, impact=impact,
                       feedback=feedback)
    payments = _claims_by_status(summary.payments, viewer, organisation_id)
    rebuilt = {"Fees and expenses:": _payment_sentence(payments, payment_days),
               "Feedback:": _feedback_sentence(feedback)}
    sentences = [s for s in summary.sentences if not s.startswith(tuple(rebuilt))]
    sentences += [s for s in rebuilt.values() if s]
    return replace(summary, meetings=meetings, breaches=breaches, payments=payments, impact=impact,
                   feedback=feedback, sentences=tuple(sentences))
