"""Headlines: the latest period's representation in sentences a board member or a service user can read.

Findings come first, caveats after. First the gaps where decisions are made: groups absent or clearly
under-represented at a decision-making level as a whole **or in one of its committees** (the per-activity rows
of :func:`analytics.outreach.outreach_list`), ranked by people to add; then gaps at the other levels and
over-representation; then one sentence per level on what limits the figures (too few people to tell, hidden
counts, answers not recorded). When nothing is found the sentence says what was checked, and it never claims
more than the figures allow: without a baseline, or with too few people or hidden counts, it says which.

Every sentence is built from one row of the representation table or of the outreach list; nothing is
recomputed. A table that has been through disclosure control (``analytics.suppression``) has hidden counts as
null and rounded ones flagged: the sentences then say "fewer than 8" and "about", never a hidden number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from analytics import columns as C
from analytics import outreach
from analytics.representation import Representation, latest_period
from data import characteristics as registry

if TYPE_CHECKING:
    from models.settings import Settings

_RANK_WORDS = {C.STATUS_UNDER: 0, C.STATUS_ABSENT: 0, C.STATUS_OVER: 1}
MISSING = (C.STATUS_UNDER, C.STATUS_ABSENT)
NOBODY = "There is nobody counted yet: add people and their involvement first."
CHARACTERISTIC_WORDS = {c.key: c.words for c in registry.REGISTRY}


def characteristic_words(characteristic: str) -> str:
    """What a characteristic (or a crossed pair, "ethnicity_broad × sex") is called in a sentence:
    "ethnicity", "ethnicity and sex"."""
    parts = [CHARACTERISTIC_WORDS.get(p.strip(), p.strip().replace("_", " ")) for p in characteristic.split("×")]
    return " and ".join(dict.fromkeys(parts))


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


def _where(row: dict[str, Any]) -> str:
    level = level_phrase(row[C.LEVEL_NAME], row[C.LEVEL_KEY])
    if row.get(outreach.UNIT) == "activity" and row.get(outreach.ACTIVITY_NAME):
        return f"In {row[outreach.ACTIVITY_NAME]}, at {level}"
    return f"At {level}"


def _sentence(row: dict[str, Any], rep: Representation, hidden: str) -> str:
    where = _where(row)
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
        of = "the small number of" if row[C.TOTAL] is None else f"the {total}"
        return f"{where}, none of {of} people involved is {label}, {against}: {missing}."
    return f"{where}, {count} of {total} people involved {verb} {label}{share}, {against}: {missing}."


def decision_gaps(
    rep: Representation, found: pl.DataFrame | None = None, *, period: str | None = None
) -> pl.DataFrame:
    """Groups absent or clearly under-represented where decisions are made in the latest (or given) period:
    at each decision-making level as a whole and, when ``found`` is the outreach list with its per-activity
    rows (:func:`analytics.outreach.outreach_list` given the frames), in each committee or group at those
    levels. Ranked by people to add (shortfall), most first, then by evidence; columns as the outreach list
    without its priority (the row order is the ranking)."""
    period = period or latest_period(rep.rows)
    if found is None:  # the levels as a whole: the representation rows themselves (with their disclosure flags)
        found = rep.rows.with_columns(
            pl.lit("level").alias(outreach.UNIT), pl.lit(None, dtype=pl.String).alias(outreach.ACTIVITY_NAME)
        )
    if period is None or found.height == 0:
        return found.clear()
    decision = rep.rows.filter(pl.col(C.DECISION_MAKING)).get_column(C.LEVEL_KEY).unique().implode()
    return found.filter(
        (pl.col(C.PERIOD) == period) & pl.col(C.LEVEL_KEY).is_in(decision) & pl.col(C.STATUS).is_in(MISSING)
    ).sort(  # the outreach list's own order: most people missing, then the strongest evidence
        [C.SHORTFALL, C.P_ADJUSTED, C.LEVEL_RANK], descending=[True, False, True], nulls_last=True
    ).drop(outreach.PRIORITY, strict=False)


def _no_baseline(rows: pl.DataFrame) -> bool:
    counted = rows.filter((pl.col(C.TOTAL) > 0) | pl.col(C.TOTAL).is_null())
    return counted.height > 0 and bool((counted.get_column(C.STATUS) == C.STATUS_NO_BASELINE).all())


def _hidden_levels(rows: pl.DataFrame) -> set[str]:
    """Levels where disclosure control hid a count that a comparison needs."""
    hidden = rows.filter(pl.col(C.INVOLVED).is_null() & (pl.col(C.STATUS) != C.STATUS_NO_BASELINE))
    return set(hidden.get_column(C.LEVEL_KEY).to_list())


def _caveats(rows: pl.DataFrame, tables: pl.DataFrame, word: str, hidden: str) -> list[tuple[str, str]]:
    """(level key, sentence): one sentence per level, board first, on what limits its figures."""
    compared = rows.filter(
        ((pl.col(C.TOTAL) > 0) | pl.col(C.TOTAL).is_null()) & (pl.col(C.STATUS) != C.STATUS_NO_BASELINE)
    )
    small = {
        r[C.LEVEL_KEY]: r
        for r in compared.group_by(C.LEVEL_KEY, C.TOTAL)
        .agg(
            (pl.col(C.STATUS) == C.STATUS_TOO_FEW).any().alias("_too_few"),
            pl.col(C.STATUS).is_in(list(_RANK_WORDS)).any().alias("_flagged"),
            pl.col(ROUNDED).any().alias("_about") if ROUNDED in rows.columns else pl.lit(False).alias("_about"),
        )
        .filter(pl.col("_too_few") & ~pl.col("_flagged"))
        .iter_rows(named=True)
    }
    hidden_levels = _hidden_levels(rows)
    unknown = {
        r[C.LEVEL_KEY]: r
        for r in tables.filter(
            ((pl.col(C.UNKNOWN) > 0) | pl.col(C.UNKNOWN).is_null())
            & (pl.col(C.PEOPLE).is_null() | (pl.col(C.PEOPLE) > 0))
        ).iter_rows(named=True)
    }
    levels = pl.concat([rows.select(C.LEVEL_RANK, C.LEVEL_KEY, C.LEVEL_NAME),
                        tables.select(C.LEVEL_RANK, C.LEVEL_KEY, C.LEVEL_NAME)], how="vertical_relaxed")
    result = []
    for level in levels.unique().sort(C.LEVEL_RANK, descending=True).iter_rows(named=True):
        key, parts = level[C.LEVEL_KEY], []
        if key in small:
            row = small[key]
            verb = "is" if row[C.TOTAL] == 1 else "are"
            parts.append(
                f"{_people(row[C.TOTAL], about=row['_about'])} with a known {word} {verb} too few for the "
                "statistics to tell a gap from chance"
            )
        if key in hidden_levels:
            parts.append(f"some groups' counts are hidden ({hidden} people), so no gap is claimed for them")
        if key in unknown:
            row = unknown[key]
            about = bool(row.get(ROUNDED))
            recorded = f" ({row[C.DECLARATION_RATE]:.0%} declared)" if row[C.DECLARATION_RATE] is not None else ""
            parts.append(
                f"{_people(row[C.UNKNOWN], about=about)} of "
                f"{_number(row[C.PEOPLE], about=about, hidden='a small number')} did not state their {word} or "
                f"have no record of it, so the figures leave them out{recorded}"
            )
        if parts:
            result.append((key, f"At {level_phrase(level[C.LEVEL_NAME], key)}, " + "; ".join(parts) + "."))
    return result


def _checked(rep: Representation, rows: pl.DataFrame, word: str, *, committees: bool) -> str:
    groups = rows.filter(pl.col(C.STATUS) != C.STATUS_NO_BASELINE).get_column(C.GROUP).n_unique()
    levels = rows.filter(pl.col(C.DECISION_MAKING)).select(C.LEVEL_RANK, C.LEVEL_NAME).unique()
    names = [level_phrase(n, "").removesuffix(" level") for n in
             levels.sort(C.LEVEL_RANK, descending=True).get_column(C.LEVEL_NAME).to_list()]
    where = " and ".join(names) + (" levels" if len(names) > 1 else " level") if names else "decision-making levels"
    inside = " and in each of their committees and groups" if committees else ""
    return (f"{groups} {word} group{'s' if groups != 1 else ''} at the {where}{inside}, against "
            f"{rep.baseline_description or 'the baseline'}")


def headlines(
    rep: Representation,
    settings: Settings | None = None,
    *,
    period: str | None = None,
    committees: pl.DataFrame | None = None,
) -> list[str]:
    """Plain-English sentences for the latest period (or ``period``), findings first.

    ``committees`` is the outreach list with its per-activity rows (``outreach_list(rep, frames)``, protected
    like every other result): given it, absences inside each decision-making committee are findings too.
    ``settings`` gives the suppression threshold for the words about hidden counts.
    """
    from models.settings import get_settings

    hidden = f"fewer than {(settings or get_settings()).suppress_below}"
    period = period or latest_period(rep.rows)
    if period is None:
        return [NOBODY]
    rows = rep.rows.filter(pl.col(C.PERIOD) == period)
    tables = rep.tables.filter(pl.col(C.PERIOD) == period)
    word = characteristic_words(rep.characteristic)
    sentences: list[str] = []
    caveats = _caveats(rows, tables, word, hidden)
    if _no_baseline(rows):
        why = (rep.baseline_description or "").removeprefix("No baseline: ").rstrip(".")
        sentences.append(
            f"There is no baseline to compare {word} with" + (f" ({why})" if why else "")
            + f", so for {period} Presence cannot say whether any group is under- or over-represented: the "
            "counts are shown, but nothing is compared. Choose another baseline, or import one of your own."
        )
        return sentences + [sentence for _, sentence in caveats]

    gaps = decision_gaps(rep, committees, period=period)
    sentences += [_sentence(row, rep, hidden) for row in gaps.iter_rows(named=True)]
    if gaps.height == 0:
        limited = {key for key, sentence in caveats if "too few" in sentence or "hidden" in sentence}
        decision_keys = set(rows.filter(pl.col(C.DECISION_MAKING)).get_column(C.LEVEL_KEY).to_list())
        checked = _checked(rep, rows, word, committees=committees is not None)
        if decision_keys & limited:
            sentences.append(
                f"In {period}, checking {checked}: no group is clearly under-represented or absent where there "
                "are enough people to tell; at some of these levels there are too few people, or counts are "
                "hidden, to say either way (see below)."
            )
        else:
            sentences.append(f"In {period}, checking {checked}: no group is clearly under-represented or absent.")

    others = rows.filter(
        pl.col(C.STATUS).is_in(list(_RANK_WORDS)) & ~(pl.col(C.DECISION_MAKING) & pl.col(C.STATUS).is_in(MISSING))
    ).with_columns(pl.col(C.STATUS).replace_strict(_RANK_WORDS, return_dtype=pl.Int64).alias("_kind"))
    others = others.sort(["_kind", C.LEVEL_RANK, C.SHORTFALL], descending=[False, True, True], nulls_last=True)
    sentences += [_sentence(row, rep, hidden) for row in others.iter_rows(named=True)]

    if committees is not None and committees.height:
        decision = rows.filter(pl.col(C.DECISION_MAKING)).get_column(C.LEVEL_KEY).unique().implode()
        elsewhere = committees.filter(
            (pl.col(outreach.UNIT) == "activity") & (pl.col(C.PERIOD) == period)
            & ~pl.col(C.LEVEL_KEY).is_in(decision) & pl.col(C.STATUS).is_in(MISSING)
        ).height
        if elsewhere:
            sentences.append(
                f"In committees and groups at the other levels, the outreach list has {elsewhere} more "
                f"group{'s' if elsewhere != 1 else ''} absent or under-represented."
            )

    sentences += [sentence for _, sentence in caveats]
    unbased = rows.filter((pl.col(C.STATUS) == C.STATUS_NO_BASELINE) & (pl.col(C.TOTAL) > 0))
    labels = unbased.get_column(C.GROUP_LABEL).unique(maintain_order=True).to_list()
    if labels:
        sentences.append(
            f"{', '.join(labels)}: no baseline figure, so counted but not compared (no claim either way)."
        )
    return sentences
