"""Headlines: the latest period's representation in sentences a board member or a service user can read.

Every sentence is built from one row of the representation table; nothing is recomputed. A table that has been
through disclosure control (``analytics.suppression``) has hidden counts as null and rounded ones flagged: the
sentences then say "fewer than 8" and "about", never a hidden number.
"""

from __future__ import annotations

import polars as pl

from analytics import columns as C
from analytics.representation import Representation, latest_period

_RANK_WORDS = {C.STATUS_UNDER: 0, C.STATUS_ABSENT: 0, C.STATUS_OVER: 1}


def level_phrase(level_name: str, level_key: str) -> str:
    """Level name in a sentence: "Board and governance" -> "board and governance level"."""
    name = (level_name or level_key or "this").split(" (")[0].strip()
    return f"{name[0].lower() + name[1:]} level" if name else "this level"


ROUNDED = "rounded"  # the flag analytics.suppression adds to rounded rows


def _people(n: int | None, *, about: bool = False) -> str:
    if n is None:
        return "a few people"
    return ("about " if about else "") + ("1 person" if n == 1 else f"{n:,} people")


def _number(n: int | None, *, about: bool, hidden: str) -> str:
    """A count as the reader may see it: hidden ones as words, rounded ones with 'about'."""
    if n is None:
        return hidden
    return f"about {n:,}" if about and n else f"{n:,}"


def _baseline_words(rep: Representation) -> str:
    if rep.baseline.kind == "user":
        return f"of the comparison group ({rep.baseline.source})"
    if rep.baseline.kind == "need_weighted":
        return "of the people the organisation serves, weighted by need"
    return "of the people living in the area the organisation serves"


def _sentence(row: dict, rep: Representation, hidden: str) -> str:
    where = f"At {level_phrase(row[C.LEVEL_NAME], row[C.LEVEL_KEY])}"
    n, label, about = row[C.INVOLVED], row[C.GROUP_LABEL], bool(row.get(ROUNDED))
    total = _number(row[C.TOTAL], about=about, hidden="a small number of")
    against = f"against {row[C.BASELINE_SHARE]:.0%} {_baseline_words(rep)}"
    share = f" ({row[C.SHARE]:.0%})" if row[C.SHARE] is not None else ""
    count = _number(n, about=about, hidden=hidden)
    verb = "is" if n == 1 else "are"
    if row[C.STATUS] == C.STATUS_OVER:
        return (
            f"{where}, {count} of {total} people involved {verb} {label}{share}, {against}: "
            "more than a matching share."
        )
    shortfall = row[C.SHORTFALL]
    missing = "some people missing" if shortfall is None else f"about {_people(shortfall)} missing"
    if n == 0:
        return f"{where}, none of the {total} people involved is {label}, {against}: {missing}."
    return f"{where}, {count} of {total} people involved {verb} {label}{share}, {against}: {missing}."


def headlines(rep: Representation, settings=None, *, period: str | None = None) -> list[str]:
    """Plain-English sentences for the latest period (or ``period``), top level first.

    One sentence per group that is under-represented, absent or over-represented (the statistics say so, not
    chance), then one per level with no such group where some gap is too small to tell from chance, and one
    per level on undeclared values. ``settings`` is accepted for symmetry with the other functions; thresholds
    come from ``rep``.
    """
    from models.settings import get_settings

    hidden = f"fewer than {(settings or get_settings()).suppress_below}"
    period = period or latest_period(rep.rows)
    if period is None:
        return ["There is nobody counted yet: add people and their involvement first."]
    rows = rep.rows.filter(pl.col(C.PERIOD) == period)
    sentences: list[str] = []
    flagged = (
        rows.filter(pl.col(C.STATUS).is_in(list(_RANK_WORDS)))
        .with_columns(pl.col(C.STATUS).replace_strict(_RANK_WORDS, return_dtype=pl.Int64).alias("_kind"))
        .sort(
            pl.col(C.LEVEL_RANK),
            "_kind",
            pl.col(C.SHORTFALL),
            descending=[True, False, True],
            nulls_last=True,
        )
    )
    sentences += [
        _sentence(row, rep, hidden) for row in flagged.iter_rows(named=True)
    ]  # a handful of table rows

    small = (
        rows.filter(
            ((pl.col(C.TOTAL) > 0) | pl.col(C.TOTAL).is_null()) & (pl.col(C.STATUS) != C.STATUS_NO_BASELINE)
        )
        .group_by(C.LEVEL_RANK, C.LEVEL_NAME, C.LEVEL_KEY, C.TOTAL)
        .agg(
            (pl.col(C.STATUS) == C.STATUS_TOO_FEW).any().alias("_too_few"),
            pl.col(C.STATUS).is_in(list(_RANK_WORDS)).any().alias("_flagged"),
        )
        .filter(pl.col("_too_few") & ~pl.col("_flagged"))
        .sort(C.LEVEL_RANK, descending=True)
    )
    rounded = ROUNDED in rows.columns and bool(rows[ROUNDED].any())
    for row in small.iter_rows(named=True):
        verb = "is" if row[C.TOTAL] == 1 else "are"
        sentences.append(
            f"At {level_phrase(row[C.LEVEL_NAME], row[C.LEVEL_KEY])}, {_people(row[C.TOTAL], about=rounded)} "
            f"with a known value {verb} too few for the statistics to tell a gap from chance."
        )

    tables = rep.tables.filter(
        (pl.col(C.PERIOD) == period)
        & ((pl.col(C.UNKNOWN) > 0) | pl.col(C.UNKNOWN).is_null())
        & (pl.col(C.PEOPLE).is_null() | (pl.col(C.PEOPLE) > 0))
    )
    for row in tables.sort(C.LEVEL_RANK, descending=True).iter_rows(named=True):
        about = bool(row.get(ROUNDED))
        declared = f" ({row[C.DECLARATION_RATE]:.0%} declared)" if row[C.DECLARATION_RATE] is not None else ""
        people = _number(row[C.PEOPLE], about=about, hidden="a small number")
        unknown = _people(row[C.UNKNOWN], about=about)
        sentences.append(
            f"At {level_phrase(row[C.LEVEL_NAME], row[C.LEVEL_KEY])}, {unknown} of {people} did not state "
            f"or have no record of this, so the figures above leave them out{declared}."
        )
    if not sentences:
        sentences.append(f"In {period}, no group is clearly under- or over-represented at any level.")
    return sentences
