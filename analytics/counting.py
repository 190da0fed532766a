"""Who counts where and when: people per level per period, by group of an equality characteristic.

A person counts once per level per period when they hold an involvement in an activity at that level whose
dates overlap the period, or attended (status "attended") a meeting of an activity at that level in the
period. Periods are calendar quarters ("2024-Q1") or calendar years ("2024") from the earliest to the latest
date in the records (an involvement with no end date runs to the latest date).

Everything here is a lazy polars query; nothing loops over people.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from analytics import columns as C
from analytics.loader import Frames
from analytics.periods import check_period
from analytics.periods import index_label as period_label
from analytics.periods import index_of as period_index
from analytics.periods import index_start as period_start
from data import characteristics as registry
from data import codes

INVOLVEMENT_FILTERS = ("all", "service_user", "carer")
ETHNICITY_DETAILS = ("nhs", "ons19")
CROSS = " × "  # joins the groups (and labels) of crossed characteristics
STATE = "_state"  # "known", "not_stated" or "not_known"
KNOWN = "known"
PERSON_ID = "person_id"
LEVEL_ID = "level_id"
ACTIVITY_ID = "activity_id"
PERIOD_INDEX = "period_index"

ERROR_INVOLVEMENT = "involvement must be 'all', 'service_user' or 'carer', not '{}'."
ERROR_CHARACTERISTIC = "'{}' is not a characteristic Presence can count by; use one of: {}."
ERROR_DETAIL = "detail must be 'nhs' or 'ons19', not '{}'."


def check_characteristic(characteristic: str | None) -> None:
    if characteristic not in C.CHARACTERISTICS:
        raise ValueError(ERROR_CHARACTERISTIC.format(characteristic, ", ".join(C.CHARACTERISTICS)))


# --- Groups ------------------------------------------------------------------------------------------------


def group_mapping(
    characteristic: str, *, chinese_as_asian: bool = True, detail: str = "nhs"
) -> dict[str, str]:
    """Recorded code -> group for every known code of ``characteristic`` (unknown codes are left out)."""
    check_characteristic(characteristic)
    if detail not in ETHNICITY_DETAILS:
        raise ValueError(ERROR_DETAIL.format(detail))
    if characteristic == "ethnicity":
        return {c.code: (c.code if detail == "ons19" else c.nhs_fold) for c in codes.ETHNIC_CATEGORIES}
    if characteristic in ("ethnicity_broad", "ethnicity_binary"):
        folded = {
            c.code: codes.ethnicity_broad(c.code, chinese_as_asian=chinese_as_asian)
            if characteristic == "ethnicity_broad"
            else codes.ethnicity_binary(c.code)
            for c in codes.ETHNIC_CATEGORIES
        }
        return {code: group for code, group in folded.items() if group is not None}  # every category has one
    return {
        code: code for code in codes.CHARACTERISTIC_CODES[characteristic] if code not in codes.UNKNOWN_VALUES
    }


def group_labels(characteristic: str, *, detail: str = "nhs") -> dict[str, str]:
    """Group -> display label, in display order."""
    check_characteristic(characteristic)
    if characteristic == "ethnicity":
        return {c.code: c.label for c in codes.ETHNIC_CATEGORIES if detail == "ons19" or c.code == c.nhs_fold}
    if characteristic == "ethnicity_broad":
        return {g: g for g in codes.BROAD_GROUPS}
    if characteristic == "ethnicity_binary":
        return {g: g for g in codes.BINARY_GROUPS}
    return {
        code: label
        for code, label in codes.CHARACTERISTIC_CODES[characteristic].items()
        if code not in codes.UNKNOWN_VALUES
    }


def source_column(characteristic: str) -> str:
    """The person column a characteristic is read from."""
    found = registry.BY_KEY.get(characteristic)
    return characteristic if found is None else found.column


def _not_stated_values(characteristic: str) -> list[str]:
    return (
        [codes.ETHNICITY_NOT_STATED] if source_column(characteristic) == "ethnicity" else [codes.NOT_STATED]
    )


def group_universe(characteristics: Sequence[str], *, detail: str = "nhs") -> pl.DataFrame:
    """Every (crossed) group with its label, in display order: columns group, group_label."""
    frame = None
    for characteristic in characteristics:
        labels = group_labels(characteristic, detail=detail)
        part = pl.DataFrame(
            {C.GROUP: list(labels), C.GROUP_LABEL: list(labels.values())},
            schema={C.GROUP: pl.String, C.GROUP_LABEL: pl.String},
        )
        if frame is None:
            frame = part
            continue
        frame = frame.join(part, how="cross", suffix="_r").select(
            (pl.col(C.GROUP) + CROSS + pl.col(f"{C.GROUP}_r")).alias(C.GROUP),
            (pl.col(C.GROUP_LABEL) + CROSS + pl.col(f"{C.GROUP_LABEL}_r")).alias(C.GROUP_LABEL),
        )
    assert frame is not None
    return frame.with_row_index("_order")


def _group_expr(characteristic: str, *, chinese_as_asian: bool, detail: str) -> tuple[pl.Expr, pl.Expr]:
    """(group, state) expressions on the person frame for one characteristic."""
    column = pl.col(source_column(characteristic))
    mapping = group_mapping(characteristic, chinese_as_asian=chinese_as_asian, detail=detail)
    group = column.replace_strict(mapping, default=None, return_dtype=pl.String)
    state = (
        pl.when(group.is_not_null())
        .then(pl.lit(KNOWN))
        .when(column.is_in(_not_stated_values(characteristic)))
        .then(pl.lit(codes.NOT_STATED))
        .otherwise(pl.lit(codes.NOT_KNOWN))
    )
    return group, state


def person_groups(
    people: pl.LazyFrame,
    characteristics: Sequence[str],
    *,
    chinese_as_asian: bool = True,
    detail: str = "nhs",
) -> pl.LazyFrame:
    """person_id, group (null unless known), _state for one characteristic or several crossed.

    A crossed group is known only when every part is known; it is "not stated" when any part is not stated.
    """
    group, state = group_columns(characteristics, chinese_as_asian=chinese_as_asian, detail=detail)
    return people.select(pl.col("id").alias(PERSON_ID), group, state)


def group_columns(
    characteristics: Sequence[str], *, chinese_as_asian: bool = True, detail: str = "nhs"
) -> tuple[pl.Expr, pl.Expr]:
    """(group, _state) expressions over the raw source columns, for a person frame or an aggregated one."""
    groups, states = [], []
    for characteristic in characteristics:
        g, s = _group_expr(characteristic, chinese_as_asian=chinese_as_asian, detail=detail)
        groups.append(g)
        states.append(s)
    group = groups[0] if len(groups) == 1 else pl.concat_str(groups, separator=CROSS)
    state = states[0]
    for other in states[1:]:
        state = (
            pl.when((state == KNOWN) & (other == KNOWN))
            .then(pl.lit(KNOWN))
            .when((state == codes.NOT_STATED) | (other == codes.NOT_STATED))
            .then(pl.lit(codes.NOT_STATED))
            .otherwise(pl.lit(codes.NOT_KNOWN))
        )
    return group.alias(C.GROUP), state.alias(STATE)


# --- Periods -----------------------------------------------------------------------------------------------


def _attended(frames: Frames) -> pl.LazyFrame:
    """person_id, activity_id, date of every attended meeting."""
    return (
        frames.attendance.lazy()
        .filter(pl.col("status") == "attended")
        .join(
            frames.meetings.lazy().select(pl.col("id").alias("meeting_id"), "activity_id", "date"),
            on="meeting_id",
            how="inner",
        )
        .select(PERSON_ID, ACTIVITY_ID, "date")
    )


def period_span(frames: Frames, period: str) -> pl.LazyFrame:
    """One row: first and last period index covering every involvement and attended meeting."""
    inv = frames.involvements.lazy()
    dates = pl.concat(
        [
            inv.select(pl.col("start_date").alias("d")),
            inv.select(pl.col("end_date").alias("d")),
            _attended(frames).select(pl.col("date").alias("d")),
        ]
    )
    return dates.select(
        period_index(pl.col("d").min(), period).alias("_first"),
        period_index(pl.col("d").max(), period).alias("_last"),
    )


def periods(frames: Frames, period: str) -> pl.LazyFrame:
    """period_index, period, period_start for every period of the span (none when there are no records)."""
    check_period(period)
    return (
        period_span(frames, period)
        .filter(pl.col("_first").is_not_null())
        .select(pl.int_ranges("_first", pl.col("_last") + 1).alias(PERIOD_INDEX))
        .explode(PERIOD_INDEX)
        .with_columns(
            period_label(pl.col(PERIOD_INDEX), period).alias(C.PERIOD),
            period_start(pl.col(PERIOD_INDEX), period).alias(C.PERIOD_START),
        )
    )


def eligible_people(frames: Frames, involvement: str) -> pl.LazyFrame:
    """People selected by the involvement filter ("both" counts as a service user and as a carer)."""
    if involvement not in INVOLVEMENT_FILTERS:
        raise ValueError(ERROR_INVOLVEMENT.format(involvement))
    people = frames.people.lazy()
    if involvement == "all":
        return people
    return people.filter(pl.col("involvement_type").is_in([involvement, "both"]))


FIRST = "first_period"  # first period index of a run of periods in which someone counts
LAST = "last_period"  # its last period index (inclusive)
_STRIDE = 1 << 24  # above any period index (year 9999 is quarter 39,999): keeps running maxima apart


def _spells(frames: Frames, period: str, unit: str) -> pl.LazyFrame:
    """person_id, unit, first, last: every involvement's periods and every attended meeting's period, as they
    are recorded (overlapping, unsorted). An involvement with no end date runs to the last period of the
    records; one without a start date, or ending before it starts, counts nowhere."""
    last = period_span(frames, period).select("_last")
    held = (
        frames.involvements.lazy()
        .join(last, how="cross")
        .select(
            PERSON_ID,
            ACTIVITY_ID,
            period_index(pl.col("start_date"), period).alias(FIRST),
            pl.coalesce(period_index(pl.col("end_date"), period), pl.col("_last")).alias(LAST),
        )
    )
    attended = _attended(frames).select(
        PERSON_ID, ACTIVITY_ID, period_index(pl.col("date"), period).alias(FIRST)
    ).with_columns(pl.col(FIRST).alias(LAST))
    spells = pl.concat([held, attended]).filter(
        pl.col(FIRST).is_not_null() & pl.col(LAST).is_not_null() & (pl.col(LAST) >= pl.col(FIRST))
    )
    if unit == LEVEL_ID:
        spells = spells.join(
            frames.activities.lazy().select(pl.col("id").alias(ACTIVITY_ID), LEVEL_ID), on=ACTIVITY_ID, how="inner"
        )
    # 32-bit from here on: ids are the database's 32-bit integers, period indexes are under 40,000; half the
    # memory of the sort below (bench_peer.py --memory)
    return spells.select(pl.col(PERSON_ID, unit, FIRST, LAST).cast(pl.Int32))


def _merge(spells: pl.LazyFrame, unit: str) -> pl.LazyFrame:
    """The spells of each person at each unit merged into runs: disjoint, not adjacent, in order.

    One sort, then linear passes: a spell starts a new run when it begins after the furthest period reached so
    far by the same person at the same unit, plus one. The running maximum is taken over ``key * _STRIDE +
    last`` so that it never carries over from the previous person x unit."""
    key_changed = (
        (pl.int_range(pl.len()) == 0)
        | pl.col(PERSON_ID).ne_missing(pl.col(PERSON_ID).shift())
        | pl.col(unit).ne_missing(pl.col(unit).shift())
    )
    offset = pl.col("_key") * _STRIDE
    return (
        spells.sort(PERSON_ID, unit, FIRST)
        .with_columns(key_changed.alias("_new_key"))
        .with_columns(pl.col("_new_key").cum_sum().cast(pl.Int64).alias("_key"))
        .with_columns((offset + pl.col(LAST)).cum_max().alias("_reach"))
        .with_columns(
            (pl.col("_new_key") | (offset + pl.col(FIRST) > pl.col("_reach").shift() + 1)).alias("_new_run")
        )
        .with_columns(pl.col("_new_run").shift(-1).fill_null(True).alias("_run_end"))
        .filter(pl.col("_new_run") | pl.col("_run_end"))
        .with_columns(
            pl.when(pl.col("_run_end")).then(pl.col("_reach")).otherwise(pl.col("_reach").shift(-1)) - offset
        )
        .filter(pl.col("_new_run"))
        .select(PERSON_ID, unit, FIRST, pl.col("_reach").cast(pl.Int32).alias(LAST))
    )


def presence_runs(
    frames: Frames, *, period: str, involvement: str = "all", by_activity: bool = False
) -> pl.LazyFrame:
    """person_id, level_id (activity_id when ``by_activity``), first_period, last_period (all Int32): the runs
    of consecutive periods in which a person counts at a level (the counting rules, in one place).

    A person counts once per level per period: runs of one person at one level never overlap nor touch, so
    counting the runs that cover a period counts people (:func:`count_runs`) without expanding every period.
    """
    check_period(period)
    unit = ACTIVITY_ID if by_activity else LEVEL_ID
    people = eligible_people(frames, involvement).select(pl.col("id").alias(PERSON_ID))
    spells = _spells(frames, period, unit).join(people, on=PERSON_ID, how="semi").collect()
    # The merge is a sort and running totals in row order: the in-memory engine does it in half the CPU time
    # and a third of the wall time of the streaming engine, and holds ~30 MiB less at scale 100 (measured).
    return _merge(spells.lazy(), unit).collect(engine="in-memory").lazy()


def presence(
    frames: Frames, *, period: str, involvement: str = "all", by_activity: bool = False
) -> pl.LazyFrame:
    """One row per person x level x period counted (x activity when ``by_activity``): :func:`presence_runs`
    with every period of every run."""
    unit = ACTIVITY_ID if by_activity else LEVEL_ID
    return (
        presence_runs(frames, period=period, involvement=involvement, by_activity=by_activity)
        .select(
            pl.col(PERSON_ID, unit).cast(pl.Int64),
            pl.int_ranges(FIRST, pl.col(LAST) + 1, dtype=pl.Int64).alias(PERIOD_INDEX),
        )
        .explode(PERIOD_INDEX)
    )


def joiner_runs(runs: pl.LazyFrame, first_period: int | None, unit: str = LEVEL_ID) -> pl.LazyFrame:
    """One one-period run per person x unit, in the period they first count there (they *joined* it then),
    leaving out the first period of the records (who was there then may have joined long before)."""
    if first_period is None:
        return runs.filter(pl.lit(False))
    return (
        runs.group_by(PERSON_ID, unit)
        .agg(pl.col(FIRST).min())
        .filter(pl.col(FIRST) > first_period)
        .select(PERSON_ID, unit, FIRST, pl.col(FIRST).alias(LAST))
    )


def count_runs(
    runs: pl.LazyFrame, people: pl.LazyFrame, columns: Sequence[str], unit: str = LEVEL_ID
) -> pl.LazyFrame:
    """unit, period_index, the raw ``columns``, involved: people per unit x period x recorded value(s).

    ``people`` has person_id and ``columns``. Each run adds one at its first period and takes one away after
    its last; per unit x recorded values, the running total of those changes is the number of people present,
    held until the next change. (Sorted by unit, values and period, the changes of each unit x values sum to
    zero, so one running total over the whole frame restarts at zero for each.) Counting recorded values first
    and mapping them to groups afterwards (:func:`groups_from_raw`) lets the three ethnicity detail levels
    share one count and keeps the mapping off the person rows.
    """
    one = pl.lit(1, dtype=pl.Int64)
    changes = pl.concat(
        [
            runs.select(PERSON_ID, unit, pl.col(FIRST).alias(PERIOD_INDEX), one.alias("_change")),
            runs.select(
                PERSON_ID, unit, (pl.col(LAST) + 1).cast(pl.Int32).alias(PERIOD_INDEX), (-one).alias("_change")
            ),
        ]
    )
    return (
        changes.join(
            people.select(pl.col(PERSON_ID).cast(pl.Int32), *columns), on=PERSON_ID, how="inner"
        )
        .group_by(unit, *columns, PERIOD_INDEX)
        .agg(pl.col("_change").sum())
        .sort(unit, *columns, PERIOD_INDEX, nulls_last=True)
        .with_columns(
            pl.col("_change").cum_sum().alias(C.INVOLVED), pl.col(PERIOD_INDEX).shift(-1).alias("_next")
        )
        .filter(pl.col(C.INVOLVED) > 0)
        .with_columns(pl.int_ranges(PERIOD_INDEX, "_next", dtype=pl.Int64).alias(PERIOD_INDEX))
        .explode(PERIOD_INDEX)
        .select(pl.col(unit).cast(pl.Int64), PERIOD_INDEX, *columns, C.INVOLVED)
    )


def count_groups(present: pl.LazyFrame, groups: pl.LazyFrame, unit: str = LEVEL_ID) -> pl.LazyFrame:
    """unit, period_index, group, _state, n: people counted per unit x period x group (or unknown state)."""
    return (
        present.join(groups, on=PERSON_ID, how="inner")
        .group_by(unit, PERIOD_INDEX, C.GROUP, STATE)
        .agg(pl.len().cast(pl.Int64).alias(C.INVOLVED))
    )


def groups_from_raw(
    raw: pl.LazyFrame,
    characteristics: Sequence[str],
    *,
    unit: str = LEVEL_ID,
    chinese_as_asian: bool = True,
    detail: str = "nhs",
) -> pl.LazyFrame:
    """unit, period_index, group, _state, involved from :func:`count_runs` (as :func:`count_groups` gives)."""
    group, state = group_columns(characteristics, chinese_as_asian=chinese_as_asian, detail=detail)
    return (
        raw.with_columns(group, state)
        .group_by(unit, PERIOD_INDEX, C.GROUP, STATE)
        .agg(pl.col(C.INVOLVED).sum())
    )


def table_counts(counted: pl.LazyFrame, unit: str = LEVEL_ID) -> pl.LazyFrame:
    """unit, period_index, people, total, not_stated, not_known, unknown (from :func:`count_groups`)."""
    n = pl.col(C.INVOLVED)
    return (
        counted.group_by(unit, PERIOD_INDEX)
        .agg(
            n.sum().alias(C.PEOPLE),
            n.filter(pl.col(STATE) == KNOWN).sum().alias(C.TOTAL),
            n.filter(pl.col(STATE) == codes.NOT_STATED).sum().alias(C.NOT_STATED),
            n.filter(pl.col(STATE) == codes.NOT_KNOWN).sum().alias(C.NOT_KNOWN),
        )
        .with_columns((pl.col(C.NOT_STATED) + pl.col(C.NOT_KNOWN)).alias(C.UNKNOWN))
    )
