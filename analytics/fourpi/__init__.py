"""Monitoring the whole 4PI standard: Principles, Purpose, Presence, Process and Impact.

The public surface of the 4PI analytics. Everything is a pure function of the one
:class:`analytics.loader.Frames` (read by :func:`analytics.loader.load_frames`, the same frames the
representation engine reads; ``Frames.as_of`` is the day the figures are worked out on) and returns polars
frames; nothing here imports streamlit. :mod:`analytics.fourpi.tables` names the columns the 4PI way.

- Presence (:mod:`.presence`): ``meeting_table``, ``presence_summary``, ``meeting_breaches``, ``lone_breaches``
- Purpose and Process (:mod:`.process`): ``purpose_status``, ``purpose_missing``, ``payment_table``,
  ``payment_summary``, ``role_descriptions``, ``support_summary`` (papers and start times are columns of
  ``meeting_table``)
- Impact (:mod:`.impact`): ``impact_by_area``, ``impact_latest``, ``feedback_results``, ``review_cycle_state``
- Scorecard (:mod:`.scorecard`): ``scorecard``, ``scorecard_history``, ``ScorecardThresholds``
- The table behind a scorecard row and a committee chair's view of one activity (:mod:`.summary`):
  ``scorecard_detail``, ``activity_list``, ``activity_summary``
- Disclosure of the 4PI figures (:mod:`.disclosure`)
"""

from __future__ import annotations

from analytics.fourpi.impact import (
    QUESTION_LABELS,
    REVIEW_STAGE_DAYS,
    feedback_results,
    impact_by_area,
    impact_latest,
    review_cycle_state,
)
from analytics.fourpi.presence import (
    BREACH_KINDS,
    lone_breaches,
    meeting_breaches,
    meeting_table,
    presence_summary,
)
from analytics.fourpi.process import (
    payment_summary,
    payment_table,
    purpose_missing,
    purpose_status,
    role_descriptions,
    support_summary,
)
from analytics.fourpi.scorecard import (
    INDICATOR_KEYS,
    INDICATORS,
    ScorecardThresholds,
    fix_first,
    indicator_catalogue,
    latest_period,
    scorecard,
    scorecard_headline,
    scorecard_history,
    scorecard_period_choices,
    scorecard_periods,
)
from analytics.fourpi.summary import DETAIL_KEYS, ActivitySummary, activity_list, activity_summary, scorecard_detail
from analytics.fourpi.tables import frames_from_rows
from analytics.loader import Frames, load_frames

__all__ = [
    "BREACH_KINDS",
    "DETAIL_KEYS",
    "INDICATORS",
    "INDICATOR_KEYS",
    "QUESTION_LABELS",
    "REVIEW_STAGE_DAYS",
    "ActivitySummary",
    "Frames",
    "frames_from_rows",
    "ScorecardThresholds",
    "activity_summary",
    "activity_list",
    "feedback_results",
    "fix_first",
    "impact_by_area",
    "impact_latest",
    "indicator_catalogue",
    "latest_period",
    "load_frames",
    "lone_breaches",
    "meeting_breaches",
    "meeting_table",
    "payment_summary",
    "payment_table",
    "presence_summary",
    "purpose_missing",
    "purpose_status",
    "review_cycle_state",
    "role_descriptions",
    "scorecard",
    "scorecard_detail",
    "scorecard_headline",
    "scorecard_history",
    "scorecard_period_choices",
    "scorecard_periods",
    "support_summary",
]
