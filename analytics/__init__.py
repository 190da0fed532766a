"""Presence analytics: pure functions over polars frames (no Streamlit, no database except ``loader``).

The representation engine builds one tidy table per characteristic (``representation_table``); decision-making
presence, trends, data quality, headlines and the outreach list are selections of it or small companions to
it. Outreach plans' progress (``measure_plans``, ``plan_progress`` for the board pack) is counted from the
records; ``solve_recruitment`` drafts a recruitment plan by integer programming.
"""

from analytics.baselines import BaselineSpec, baseline_counts, baseline_population, baseline_shares
from analytics.counting import group_labels, group_mapping, presence
from analytics.decision import pipeline, relative_likelihood
from analytics.headlines import decision_gaps, headlines
from analytics.loader import Frames, PlanFrames, load_frames, load_plans, make_frames
from analytics.outreach import outreach_list
from analytics.outreach_plans import measure_plans, plan_progress, plan_series
from analytics.quality import data_quality, missing_fields
from analytics.recruitment import RecruitmentPlan, solve_recruitment
from analytics.representation import (
    Representation,
    latest_period,
    representation_table,
    representation_tables,
)
from analytics.stats import (
    binomial_test_p,
    cochran_armitage,
    compare_with_baseline,
    holm,
    holm_by,
    holm_table,
    likelihood_figures,
    relative_risk,
    trend_test,
    wilson_interval,
)
from analytics.trends import Trend, trend_table

__all__ = [
    "BaselineSpec",
    "Frames",
    "PlanFrames",
    "RecruitmentPlan",
    "Representation",
    "Trend",
    "baseline_counts",
    "baseline_population",
    "baseline_shares",
    "binomial_test_p",
    "cochran_armitage",
    "compare_with_baseline",
    "data_quality",
    "group_labels",
    "group_mapping",
    "headlines",
    "decision_gaps",
    "holm",
    "holm_by",
    "holm_table",
    "latest_period",
    "likelihood_figures",
    "load_frames",
    "load_plans",
    "make_frames",
    "measure_plans",
    "missing_fields",
    "outreach_list",
    "pipeline",
    "plan_progress",
    "plan_series",
    "presence",
    "relative_likelihood",
    "relative_risk",
    "solve_recruitment",
    "representation_table",
    "representation_tables",
    "trend_table",
    "trend_test",
    "wilson_interval",
]
