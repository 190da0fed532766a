"""Baselines: who the organisation serves, as a share of each group, and a sentence naming the source.

Three kinds (:class:`BaselineSpec`):

* ``census``: Census 2021 usual residents of the organisation's catchment (its local authorities summed), from
  ``data.baselines.area_baseline``;
* ``user``: a baseline the organisation supplied (``frames.baselines`` rows of one ``source``, e.g. its
  caseload);
* ``need_weighted``: Census counts x each group's Mental Health Act detention rate, so that communities
  particularly affected by mental-health services weigh more. Shares are normalised afterwards, so only the
  ratios of the rates matter (the overall rate cancels out).

Groups meaning "not stated" or "not known" are left out before the shares are normalised over known groups.
The 19-group ethnicity counts give the folded NHS detail, the broad groups and White / ethnic minority.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from analytics import columns as C
from analytics.counting import CROSS, group_labels, group_mapping
from analytics.loader import Frames
from data import codes, vocabulary

BASELINE_KINDS = ("census", "user", "need_weighted")
COUNT = "count"
ERROR_KIND = "baseline kind must be 'census', 'user' or 'need_weighted', not '{}'."
ERROR_USER_SOURCE = (
    "A user-supplied baseline needs a source name (for example BaselineSpec(kind='user', source='caseload'))."
)
ERROR_USER_MISSING = "There is no supplied baseline called '{}' for {}; the organisation has: {}."

_ETHNICITY_FAMILY = ("ethnicity", "ethnicity_broad", "ethnicity_binary")
_OVERALL_WORDS = {"all", "total", "overall", "england", "national", "all ethnic groups", "all groups"}
_BROAD_ALIASES = {vocabulary.key(g): g for g in codes.BROAD_GROUPS} | {
    "mixed": codes.BROAD_MIXED,
    "mixed or multiple": codes.BROAD_MIXED,
    "mixed multiple ethnic groups": codes.BROAD_MIXED,
    "asian": codes.BROAD_ASIAN,
    "asian asian british or asian welsh": codes.BROAD_ASIAN,
    "black": codes.BROAD_BLACK,
    "black black british black welsh caribbean or african": codes.BROAD_BLACK,
    "black african caribbean or black british": codes.BROAD_BLACK,
    "other ethnic groups": codes.BROAD_OTHER,
    "other": codes.BROAD_OTHER,
    "any other ethnic group": codes.BROAD_OTHER,
}


@dataclass(frozen=True)
class BaselineSpec:
    """Which baseline to compare with.

    ``areas`` overrides the organisation's catchment for census and need-weighted baselines; ``source``,
    ``year`` and ``geography_code`` pick rows of a user-supplied baseline; ``detention_year`` picks the Mental
    Health Act statistics used for need weighting.
    """

    kind: str = "census"
    source: str | None = None
    year: int | None = None
    geography_code: str | None = None
    areas: tuple[str, ...] | None = None
    detention_year: str = "2023-24"

    def __post_init__(self) -> None:
        if self.kind not in BASELINE_KINDS:
            raise ValueError(ERROR_KIND.format(self.kind))
        if self.kind == "user" and not self.source:
            raise ValueError(ERROR_USER_SOURCE)


# --- Reading group labels ----------------------------------------------------------------------------------


def broad_group(label: object) -> str | None:
    """The broad ethnic group a label names ("Black", "Black or Black British" ...), or None."""
    return _BROAD_ALIASES.get(vocabulary.key(label))


def _label_to_target(
    label: str,
    characteristic: str,
    source_level: str,
    mapping: dict[str, str],
) -> str | None:
    """Map one baseline label to a target group; None when unknown or not recognised."""
    if characteristic in _ETHNICITY_FAMILY:
        if source_level == "ethnicity_broad":
            broad = broad_group(label)
            if broad is None:
                return None
            if characteristic == "ethnicity_binary":
                return codes.BINARY_WHITE if broad == codes.BROAD_WHITE else codes.BINARY_MINORITY
            return broad if characteristic == "ethnicity_broad" else None
        code = vocabulary.try_normalise("ethnicity", label)
        return None if code is None else mapping.get(code)
    code = vocabulary.try_normalise(characteristic, label)
    return None if code is None else mapping.get(code)


def to_groups(
    table: pl.DataFrame,
    characteristic: str,
    *,
    source_level: str | None = None,
    chinese_as_asian: bool = True,
    detail: str = "nhs",
) -> tuple[pl.DataFrame, list[str]]:
    """Sum a [group, count] table of raw labels into the groups of ``characteristic``.

    ``source_level`` is the characteristic the labels were recorded at ("ethnicity" 19 groups or
    "ethnicity_broad"); it defaults to ``characteristic``. Returns the [group, count] frame of known groups
    and the labels that were not recognised (labels meaning not stated / not known are dropped silently, as
    intended).
    """
    source_level = source_level or characteristic
    mapping = group_mapping(characteristic, chinese_as_asian=chinese_as_asian, detail=detail)
    labels = table[C.GROUP].cast(pl.String).unique().to_list()  # distinct labels of a small aggregated table
    lookup, unrecognised = {}, []
    for label in labels:
        target = _label_to_target(label, characteristic, source_level, mapping)
        if target is not None:
            lookup[label] = target
        elif not _means_unknown(label):
            unrecognised.append(label)
    known = (
        table.lazy()
        .with_columns(pl.col(C.GROUP).cast(pl.String).replace_strict(lookup, default=None).alias("_target"))
        .filter(pl.col("_target").is_not_null())
        .group_by("_target")
        .agg(pl.col(COUNT).cast(pl.Float64).sum())
        .rename({"_target": C.GROUP})
        .collect()
    )
    return known, sorted(unrecognised, key=str)


def _means_unknown(label: object) -> bool:
    k = vocabulary.key(label)
    aliases = {vocabulary.key(a) for a in vocabulary.NOT_STATED_ALIASES + vocabulary.NOT_KNOWN_ALIASES}
    return k in aliases or k in {"not answered", "does not apply", "not applicable"}


def shares(counts: pl.DataFrame) -> pl.DataFrame:
    """[group, count] -> [group, baseline_share], normalised over the groups given (all known)."""
    total = counts[COUNT].sum() if counts.height else 0
    if not total:
        return pl.DataFrame(schema={C.GROUP: pl.String, C.BASELINE_SHARE: pl.Float64})
    return counts.select(C.GROUP, (pl.col(COUNT) / total).alias(C.BASELINE_SHARE))


# --- Sources -----------------------------------------------------------------------------------------------


def _reference():
    """The shipped reference baselines module (imported late: it is optional for most of analytics)."""
    from data import baselines as reference

    return reference


def _area_names(areas: Sequence[str]) -> str:
    try:
        table = _reference().reference_baselines()
        names = (
            table.filter(pl.col("geography_code").is_in(list(areas)))
            .unique("geography_code")
            .sort("geography_name")["geography_name"]
            .to_list()
        )
    except Exception:  # noqa: BLE001 - names are only decoration for the description
        names = []
    return ", ".join(names or list(areas))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def has_census_figures(characteristic: str, areas: Sequence[str] = ()) -> bool:
    """False when the shipped Census tables certainly have no figures for ``characteristic`` in ``areas``.

    Involvement type never has a Census figure. Otherwise the reference table is asked; when it cannot say
    (or does not know the areas at all) the answer is True, and ``area_baseline`` decides or explains.
    """
    if characteristic == "involvement_type":
        return False
    try:
        table = _reference().reference_baselines()
    except Exception:  # noqa: BLE001 - unknown: let area_baseline answer
        return True
    if not {"characteristic", "geography_code"} <= set(table.columns):
        return True
    wanted = list(areas)
    by_area = pl.col("geography_code").is_in(wanted)
    if "nhs_code" in table.columns:
        by_area = by_area | pl.col("nhs_code").is_in(wanted)
    rows = table.filter(by_area) if wanted else table
    if rows.height == 0:
        return True
    names = ("ethnicity", "ethnicity_broad") if characteristic in _ETHNICITY_FAMILY else (characteristic,)
    have = rows.group_by("geography_code").agg(pl.col("characteristic").is_in(names).any().alias("_has"))
    return bool(have["_has"].all())


def census_counts(areas: Sequence[str], characteristic: str) -> tuple[pl.DataFrame, str]:
    """Raw Census 2021 [group, count] for ``areas`` and the level the labels are at.

    Ethnicity is read at its 19 groups where the areas have them, else at the broad groups (ICB areas).
    """
    reference = _reference()
    if characteristic in _ETHNICITY_FAMILY:
        try:
            return reference.area_baseline(list(areas), "ethnicity"), "ethnicity"
        except ValueError:
            if characteristic == "ethnicity":
                raise
            return reference.area_baseline(list(areas), "ethnicity_broad"), "ethnicity_broad"
    return reference.area_baseline(list(areas), characteristic), characteristic


def _census_description(areas: Sequence[str]) -> str:
    return f"Census 2021, usual residents of {_area_names(areas)} ({_plural(len(areas), 'area')})"


def _unrecognised_note(unrecognised: list[str]) -> str:
    if not unrecognised:
        return ""
    return f"; groups not recognised and left out: {', '.join(map(str, unrecognised))}"


def _detention_weights(
    year: str, levels: tuple[str, ...], chinese_as_asian: bool
) -> tuple[dict, dict, float]:
    """(detailed code -> rate, broad group -> rate, overall rate or NaN) from the shipped MHA statistics."""
    rates = _reference().detention_rates(year=year)
    detailed, broad, overall = {}, {}, float("nan")
    for row in rates.select(
        "group_level", "group", "rate_per_100k"
    ).iter_rows():  # a few dozen aggregated rows
        level, group, rate = vocabulary.key(row[0]), row[1], row[2]
        if rate is None:
            continue
        if level in _OVERALL_WORDS or vocabulary.key(group) in _OVERALL_WORDS:
            overall = float(rate)
        elif "broad" in level:
            if broad_group(group):
                broad[broad_group(group)] = float(rate)
        else:
            code = vocabulary.try_normalise("ethnicity", group)
            if code in codes.ETHNICITY_BY_CODE:
                detailed[code] = float(rate)
            elif broad_group(group):
                broad[broad_group(group)] = float(rate)
    return detailed, broad, overall


def _need_weighted(
    areas: Sequence[str], characteristic: str, settings, detail: str, year: str
) -> tuple[pl.DataFrame, str]:
    raw, level = census_counts(areas, characteristic)
    detailed, broad, overall = _detention_weights(year, (), settings.chinese_as_asian)
    fallback = overall
    if fallback != fallback:  # NaN: no overall rate shipped; use the mean of the rates there are
        known = list(detailed.values()) + list(broad.values())
        fallback = sum(known) / len(known) if known else 1.0
    used = {"detailed": 0, "broad": 0, "overall": 0}
    if level == "ethnicity":
        source, _ = to_groups(raw, "ethnicity", detail="ons19")
        weights = {}
        for code in source[C.GROUP].to_list():
            category = codes.ETHNICITY_BY_CODE[code]
            b = codes.ethnicity_broad(code, chinese_as_asian=settings.chinese_as_asian)
            if code in detailed:
                weights[code], kind = detailed[code], "detailed"
            elif category.nhs_fold in detailed:
                weights[code], kind = detailed[category.nhs_fold], "detailed"
            elif b in broad:
                weights[code], kind = broad[b], "broad"
            else:
                weights[code], kind = fallback, "overall"
            used[kind] += 1
        weighted = source.with_columns(
            (pl.col(COUNT) * pl.col(C.GROUP).replace_strict(weights, return_dtype=pl.Float64)).alias(COUNT)
        )
        result, unrecognised = to_groups(
            weighted,
            characteristic,
            source_level="ethnicity",
            chinese_as_asian=settings.chinese_as_asian,
            detail=detail,
        )
    else:
        source, unrecognised = to_groups(raw, "ethnicity_broad", source_level="ethnicity_broad")
        weights = {}
        for group in source[C.GROUP].to_list():
            kind = "broad" if group in broad else "overall"
            weights[group] = broad.get(group, fallback)
            used[kind] += 1
        weighted = source.with_columns(
            (pl.col(COUNT) * pl.col(C.GROUP).replace_strict(weights, return_dtype=pl.Float64)).alias(COUNT)
        )
        result, _ = to_groups(weighted, characteristic, source_level="ethnicity_broad")
    parts = [
        f"{_plural(n, 'group')} by its {k} rate" if n == 1 else f"{n} groups by their {k} rate"
        for k, n in used.items()
        if n
    ]
    description = (
        f"Need-weighted: {_census_description(areas)}, each ethnic group weighted by its "
        f"Mental Health Act detention rate (NHS England, {year}; {', '.join(parts)})"
        + _unrecognised_note(unrecognised)
    )
    return result, description


def baseline_counts(
    frames: Frames, characteristic: str, spec: BaselineSpec, settings, detail: str = "nhs"
) -> tuple[pl.DataFrame, str]:
    """[group, count] of known groups for one characteristic, and a plain description of its source."""
    chinese = settings.chinese_as_asian
    if spec.kind == "user":
        return _user_counts(frames, characteristic, spec, chinese, detail)
    areas = tuple(spec.areas) if spec.areas is not None else tuple(frames.catchment)
    empty = pl.DataFrame(schema={C.GROUP: pl.String, COUNT: pl.Float64})
    if not areas:
        return empty, "No baseline: the organisation has no catchment areas recorded"
    if spec.kind == "need_weighted":
        if characteristic in _ETHNICITY_FAMILY:
            return _need_weighted(areas, characteristic, settings, detail, spec.detention_year)
        counts, description = baseline_counts(
            frames, characteristic, BaselineSpec(kind="census", areas=areas), settings, detail
        )
        return counts, description + " (need weighting applies to ethnicity only)"
    if not has_census_figures(characteristic, areas):
        readable = characteristic.replace("_", " ")
        return empty, f"No baseline: no Census 2021 {readable} figures are shipped for these areas"
    raw, level = census_counts(areas, characteristic)
    counts, unrecognised = to_groups(
        raw, characteristic, source_level=level, chinese_as_asian=chinese, detail=detail
    )
    note = " (broad groups only for these areas)" if level != source_of(characteristic) else ""
    return counts, _census_description(areas) + note + _unrecognised_note(unrecognised)


def source_of(characteristic: str) -> str:
    return "ethnicity" if characteristic in _ETHNICITY_FAMILY else characteristic


def _user_counts(
    frames: Frames, characteristic: str, spec: BaselineSpec, chinese: bool, detail: str
) -> tuple[pl.DataFrame, str]:
    rows = frames.baselines.filter(pl.col("source") == spec.source)
    if spec.year is not None:
        rows = rows.filter(pl.col("year") == spec.year)
    if spec.geography_code is not None:
        rows = rows.filter(pl.col("geography_code") == spec.geography_code)
    if rows.height == 0:
        have = sorted(set(frames.baselines["source"].to_list())) or ["none"]
        raise ValueError(
            ERROR_USER_MISSING.format(
                spec.source, frames.organisation_name or "this organisation", ", ".join(have)
            )
        )
    available = set(rows["characteristic"].to_list())
    candidates = [characteristic]
    if characteristic in _ETHNICITY_FAMILY:
        candidates += [c for c in ("ethnicity", "ethnicity_broad") if c != characteristic]
    level = next((c for c in candidates if c in available), None)
    year_text = "" if rows["year"].n_unique() != 1 else f" {rows['year'][0]}"
    description = f"Supplied baseline '{spec.source}'{year_text}"
    if level is None or (characteristic == "ethnicity" and level != "ethnicity"):
        empty = pl.DataFrame(schema={C.GROUP: pl.String, COUNT: pl.Float64})
        return empty, description + f" (it has no figures for {characteristic.replace('_', ' ')})"
    table = rows.filter(pl.col("characteristic") == level).select(C.GROUP, COUNT)
    counts, unrecognised = to_groups(
        table, characteristic, source_level=level, chinese_as_asian=chinese, detail=detail
    )
    names = sorted({n for n in rows["geography_name"].to_list() if n})
    where = f" for {', '.join(names)}" if names else ""
    return counts, description + where + _unrecognised_note(unrecognised)


def baseline_shares(
    frames: Frames, characteristics: Sequence[str], spec: BaselineSpec, settings, detail: str = "nhs"
) -> tuple[pl.DataFrame, str]:
    """[group, baseline_share] over known groups and the description. Crossed characteristics multiply the
    marginal shares (which assumes the characteristics are independent in the population: said in the text).
    """
    result, descriptions = None, []
    for characteristic in characteristics:
        counts, description = baseline_counts(frames, characteristic, spec, settings, detail)
        descriptions.append(description)
        part = shares(counts)
        if result is None:
            result = part
            continue
        result = result.join(part, how="cross", suffix="_r").select(
            (pl.col(C.GROUP) + CROSS + pl.col(f"{C.GROUP}_r")).alias(C.GROUP),
            (pl.col(C.BASELINE_SHARE) * pl.col(f"{C.BASELINE_SHARE}_r")).alias(C.BASELINE_SHARE),
        )
    assert result is not None
    if len(characteristics) > 1:
        unique = list(dict.fromkeys(descriptions))
        text = (
            "; ".join(unique) + " (crossed shares are products of the single shares, assuming independence)"
        )
    else:
        text = descriptions[0]
    return result, text


__all__ = [
    "BaselineSpec",
    "baseline_counts",
    "baseline_shares",
    "broad_group",
    "census_counts",
    "group_labels",
    "shares",
    "to_groups",
]
