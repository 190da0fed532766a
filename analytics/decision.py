"""Decision-making presence: are some groups less likely to reach the levels where decisions are made?

``relative_likelihood`` follows NHS WRES indicator 2's orientation: for each group, the likelihood that one of
its involved people is involved at a decision-making level (rather than only at other levels), divided into
the same likelihood for the reference group, so a value above 1 means the group is less likely than the
reference group to be at the decision-making table (the group is disadvantaged). ``pipeline`` is the group's
share at each level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from analytics import columns as C
from analytics.counting import (
    KNOWN,
    LEVEL_ID,
    PERIOD_INDEX,
    PERSON_ID,
    STATE,
    check_characteristic,
    group_mapping,
    group_universe,
    periods,
    person_groups,
    presence,
)
from analytics.loader import Frames
from analytics.representation import Representation, _resolve_settings, latest_period
from analytics.stats import likelihood_figures

if TYPE_CHECKING:
    from models.settings import Settings

DECISION_MAKING_N = "decision_making_n"
OTHER_ONLY_N = "other_only_n"
LIKELIHOOD = "likelihood"
RELATIVE_LIKELIHOOD = "relative_likelihood"
REFERENCE_GROUP = "reference_group"
LIKELIHOOD_WORDS = "likelihood_words"
LIKELIHOOD_COLUMNS = (
    C.PERIOD,
    C.PERIOD_START,
    C.CHARACTERISTIC,
    C.GROUP,
    C.GROUP_LABEL,
    DECISION_MAKING_N,
    OTHER_ONLY_N,
    LIKELIHOOD,
    RELATIVE_LIKELIHOOD,
    C.CI_LOW,
    C.CI_HIGH,
    REFERENCE_GROUP,
    LIKELIHOOD_WORDS,
)
ERROR_REFERENCE = "The reference group '{}' is not a group of {}; use one of: {}."


def default_reference(characteristic: str, counts: pl.DataFrame, settings: Settings) -> str | None:
    """White British (settings.reference_group) for ethnicity, mapped to the broad or binary group; otherwise
    the group with the most people involved over all periods."""
    if characteristic in ("ethnicity", "ethnicity_broad", "ethnicity_binary"):
        mapping = group_mapping(characteristic, chinese_as_asian=settings.chinese_as_asian)
        return mapping.get(settings.reference_group, settings.reference_group)
    if counts.height == 0:
        return None
    totals = counts.group_by(C.GROUP).agg((pl.col(DECISION_MAKING_N) + pl.col(OTHER_ONLY_N)).sum().alias("n"))
    largest: str = totals.sort(["n", C.GROUP], descending=[True, False])[C.GROUP][0]
    return largest


def relative_likelihood(
    frames: Frames,
    characteristic: str = "ethnicity_broad",
    period: str = "year",
    reference: str | None = None,
    involvement: str = "all",
    settings: Settings | None = None,
) -> pl.DataFrame:
    """Per period and group: people at decision-making levels, people only at other levels, the likelihood of
    being at a decision-making level, and the relative likelihood against ``reference`` (above 1 = the group
    is less likely than the reference group: disadvantaged) with its 95% log-method interval."""
    settings = _resolve_settings(settings)
    check_characteristic(characteristic)
    levels = frames.levels.lazy().select(
        pl.col("id").alias(LEVEL_ID), pl.col("decision_making").fill_null(False)
    )
    per_person = (
        presence(frames, period=period, involvement=involvement)
        .join(levels, on=LEVEL_ID)
        .group_by(PERSON_ID, PERIOD_INDEX)
        .agg(pl.col("decision_making").any())
    )
    groups = person_groups(
        frames.people.lazy(), (characteristic,), chinese_as_asian=settings.chinese_as_asian
    )
    universe = group_universe((characteristic,))
    grid = periods(frames, period).join(universe.lazy(), how="cross")
    counted = (
        per_person.join(groups.filter(pl.col(STATE) == KNOWN), on=PERSON_ID)
        .group_by(PERIOD_INDEX, C.GROUP)
        .agg(
            pl.col("decision_making").sum().cast(pl.Int64).alias(DECISION_MAKING_N),
            (~pl.col("decision_making")).sum().cast(pl.Int64).alias(OTHER_ONLY_N),
        )
    )
    table = (
        grid.join(counted, on=[PERIOD_INDEX, C.GROUP], how="left")
        .with_columns(pl.col(DECISION_MAKING_N).fill_null(0), pl.col(OTHER_ONLY_N).fill_null(0))
        .sort(PERIOD_INDEX, "_order")
        .collect()
    )

    reference = reference or default_reference(characteristic, table, settings)
    if reference is not None and reference not in universe[C.GROUP].to_list():
        raise ValueError(
            ERROR_REFERENCE.format(
                reference, characteristic.replace("_", " "), ", ".join(universe[C.GROUP].to_list())
            )
        )
    return with_likelihood(
        table.with_columns(
            pl.lit(reference, dtype=pl.String).alias(REFERENCE_GROUP),
            pl.lit(characteristic).alias(C.CHARACTERISTIC),
        ),
        confidence=settings.confidence,
    ).select(LIKELIHOOD_COLUMNS)


def with_likelihood(table: pl.DataFrame, *, confidence: float = 0.95) -> pl.DataFrame:
    """The likelihood figures and sentence of a relative-likelihood frame, from its counts
    (:func:`analytics.stats.likelihood_figures`): the engine calls it on exact counts, disclosure control on
    published counts (a null count is hidden). Needs period, group, reference group and the two counts."""
    n = pl.col(DECISION_MAKING_N) + pl.col(OTHER_ONLY_N)
    work = table.with_columns(
        n.alias("_n"), (pl.col(C.GROUP) == pl.col(REFERENCE_GROUP)).fill_null(False).alias("_is_ref")
    )
    ref = work.filter(pl.col("_is_ref")).select(
        C.PERIOD, pl.col(DECISION_MAKING_N).alias("_ref_d"), pl.col("_n").alias("_ref_n")
    )
    work = work.join(ref, on=C.PERIOD, how="left", maintain_order="left")

    def values(name: str) -> np.ndarray:
        return work[name].cast(pl.Float64).fill_null(np.nan).to_numpy()

    figures = likelihood_figures(
        values(DECISION_MAKING_N),
        values("_n"),
        values("_ref_d"),
        values("_ref_n"),
        work["_is_ref"].to_numpy(),
        confidence,
    )
    return table.with_columns(
        pl.Series(LIKELIHOOD, figures["likelihood"], dtype=pl.Float64, nan_to_null=True),
        pl.Series(RELATIVE_LIKELIHOOD, figures["relative_likelihood"], dtype=pl.Float64, nan_to_null=True),
        pl.Series(C.CI_LOW, figures["ci_low"], dtype=pl.Float64, nan_to_null=True),
        pl.Series(C.CI_HIGH, figures["ci_high"], dtype=pl.Float64, nan_to_null=True),
        pl.Series(LIKELIHOOD_WORDS, figures["words"], dtype=pl.String),
    )


PIPELINE_COLUMNS = (
    C.CHARACTERISTIC,
    C.PERIOD,
    C.GROUP,
    C.GROUP_LABEL,
    C.LEVEL_RANK,
    C.LEVEL_KEY,
    C.LEVEL_NAME,
    C.DECISION_MAKING,
    C.INVOLVED,
    C.TOTAL,
    C.SHARE,
    C.CI_LOW,
    C.CI_HIGH,
    C.BASELINE_SHARE,
    C.STATUS,
)


def flagged_pipeline(rep: Representation) -> pl.DataFrame:
    """:func:`pipeline` of the latest period with the disclosure flags of its rows (a protected
    representation's hidden counts stay marked)."""
    from analytics import suppression

    keys = [C.LEVEL_KEY, C.PERIOD, C.CHARACTERISTIC, C.GROUP]
    flags = [n for n in rep.rows.columns if n.endswith("_suppressed") or n in suppression.FLAG_COLUMNS]
    return pipeline(rep).join(rep.rows.select(*keys, *flags), on=keys, how="left", maintain_order="left")


def pipeline(rep: Representation, period: str | None = None) -> pl.DataFrame:
    """Each group's share at every level (individual care up to board) in the latest (or given) period."""
    period = period or latest_period(rep.rows)
    rows = rep.rows.filter(pl.col(C.PERIOD) == period)
    order = rows.select(C.GROUP).unique(maintain_order=True).with_row_index("_group_order")
    return (
        rows.join(order, on=C.GROUP)
        .sort(C.CHARACTERISTIC, "_group_order", C.LEVEL_RANK)
        .select(PIPELINE_COLUMNS)
    )
