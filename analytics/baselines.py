"""Baselines: who the organisation serves, as a share of each group, and a sentence naming the source.

Three kinds (:class:`BaselineSpec`):

* ``census``: Census 2021 usual residents of the organisation's catchment (its local authorities summed), from
  ``data.baselines.area_baseline``; adults only (the ``PRESENCE_BASELINE_MIN_AGE`` setting, 18 by default)
  where adult figures exist, and the description names the age floor and the geography;
* ``user``: a baseline the organisation supplied (``frames.baselines`` rows of one ``source``, e.g. its
  caseload);
* ``need_weighted``: Census counts x each group's Mental Health Act detention rate, so that communities
  particularly affected by mental-health services weigh more. The rates are recomputed from NHS England's
  detention counts over England's residents at the same age floor, every ONS group folded into its NHS
  category (``need_rates``), so for England the weighted counts are the detentions themselves.

Crossed characteristics take their shares from a cross-table ONS publishes (``crossed_shares``), never from
the product of two single shares.

Groups meaning "not stated" or "not known" are left out before the shares are normalised over known groups.
The 19-group ethnicity counts give the folded NHS detail, the broad groups and White / ethnic minority.

Why one module of about 650 lines: the three kinds of baseline and the crossed shares are one algorithm, "the
population share each group is compared with", and they share its steps (recorded values to groups, unknowns
left out, the age floor, the sentence naming the source); each kind is a short branch of :func:`baseline_counts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import polars as pl

from analytics import columns as C
from analytics.counting import CROSS, group_labels, group_mapping
from analytics.loader import Frames
from data import characteristics as registry
from data import codes, vocabulary

if TYPE_CHECKING:
    from models.settings import Settings

BASELINE_KINDS = ("census", "user", "need_weighted")
COUNT = "count"
ERROR_KIND = "baseline kind must be 'census', 'user' or 'need_weighted', not '{}'."
ERROR_USER_SOURCE = (
    "A user-supplied baseline needs a source name (for example BaselineSpec(kind='user', source='caseload'))."
)
NO_CENSUS_TABLE = (
    "No baseline: Presence ships no Census 2021 {words} figures; a supplied baseline (the caseload, for "
    "example) can be compared with instead"
)
ERROR_USER_MISSING = "There is no supplied baseline called '{}' for {}; the organisation has: {}."

_ETHNICITY_FAMILY = registry.ETHNICITY_FAMILY
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

ENGLAND, WALES, ENGLAND_AND_WALES = "E92000001", "W92000004", "K04000001"
COUNTRY_NAMES = {ENGLAND: "England", WALES: "Wales", ENGLAND_AND_WALES: "England and Wales"}
NO_COMBINATION = "No baseline for this combination"
ICB_ONLY = ("disability", "religion")  # figures for ICBs only: local-authority catchments use their ICBs


class _Reference(Protocol):
    """What analytics uses of ``data.baselines`` (the module satisfies this protocol)."""

    def reference_baselines(self) -> pl.DataFrame: ...

    def figures_min_age(self, characteristic: str, min_age: int) -> int: ...

    def icb_weighted_baseline(
        self, area_codes: Sequence[str], characteristic: str
    ) -> tuple[pl.DataFrame, list[str]]: ...

    def area_baseline(self, area_codes: Sequence[str], characteristic: str, min_age: int = 0) -> pl.DataFrame: ...

    def detention_rates(self, year: str = "2023-24") -> pl.DataFrame: ...

    def crossed_baseline(
        self, country_code: str, characteristics: tuple[str, str], min_age: int
    ) -> tuple[pl.DataFrame, int]: ...


def _reference() -> _Reference:
    """The shipped reference baselines module (imported late: it is optional for most of analytics)."""
    from data import baselines as reference

    return reference


def _area_names(areas: Sequence[str]) -> str:
    try:
        table = _reference().reference_baselines()
        by_code = pl.col("geography_code").is_in(list(areas))
        if "nhs_code" in table.columns:
            by_code = by_code | pl.col("nhs_code").is_in(list(areas))
        names = (
            table.filter(by_code)
            .unique("geography_code")
            .sort("geography_name")["geography_name"]
            .to_list()
        )
    except Exception:  # noqa: BLE001 - names are only decoration for the description
        names = []
    return ", ".join(names or list(areas))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _min_age(min_age: int | None) -> int:
    """The age floor asked for, or the ``PRESENCE_BASELINE_MIN_AGE`` setting when None."""
    if min_age is not None:
        return min_age
    from models.settings import get_settings

    return get_settings().baseline_min_age


def figures_min_age(characteristic: str, min_age: int) -> int:
    """The age the shipped Census figures of ``characteristic`` count from when ``min_age`` is asked for."""
    return _reference().figures_min_age(source_of(characteristic), min_age)


def age_floor_text(min_age: int) -> str:
    """ "aged 18 and over", "aged 16 and over" or "of all ages"."""
    return f"aged {min_age} and over" if min_age else "of all ages"


def baseline_population(characteristic: str, min_age: int | None = None) -> str:
    """Who a Census baseline of ``characteristic`` counts, for a chart caption: "Census 2021 residents aged 18
    and over", or, where no adult figures are published, "... of all ages (no adult figures for religion)".
    ``min_age`` defaults to the ``PRESENCE_BASELINE_MIN_AGE`` setting."""
    floor = _min_age(min_age)
    used = figures_min_age(characteristic, floor)
    text = f"Census 2021 residents {age_floor_text(used)}"
    if used < floor:
        text += f" (no figures for adults only are published for {characteristic.replace('_', ' ')})"
    return text


def country_of(areas: Sequence[str]) -> str:
    """England, Wales or England and Wales: the country (GSS code) the areas lie in (NHS codes are English)."""
    kinds = {"W" if a.startswith("W") else "K" if a.startswith("K") else "E" for a in areas}
    if kinds == {"E"}:
        return ENGLAND
    if kinds == {"W"}:
        return WALES
    return ENGLAND_AND_WALES


def has_census_figures(characteristic: str, areas: Sequence[str] = ()) -> bool:
    """False when the shipped Census tables certainly have no figures for ``characteristic`` in ``areas``.

    Involvement type never has a Census figure; sex always has national figures. Otherwise the reference
    table is asked; when it cannot say (or does not know the areas at all) the answer is True, and
    ``area_baseline`` decides or explains.
    """
    if characteristic == "involvement_type":
        return False
    if characteristic == "sex":
        return True
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
    if bool(have["_has"].all()):
        return True
    if characteristic in ICB_ONLY and hasattr(_reference(), "icb_weighted_baseline"):
        try:
            _reference().icb_weighted_baseline(wanted, characteristic)
        except ValueError:
            return False
        return True
    return False


@dataclass(frozen=True)
class CensusFigures:
    """Raw Census counts [group, count] of a catchment, the level their labels are at, and a description that
    names the population (age floor) and the geography the figures are for."""

    counts: pl.DataFrame
    level: str
    description: str


def census_figures(areas: Sequence[str], characteristic: str, min_age: int | None = None) -> CensusFigures:
    """The Census 2021 figures for ``areas``: ethnicity at its 19 groups where the areas have them, else at the
    broad groups (ICB areas); sex nationally (England, Wales or both: no local figures are shipped); other
    characteristics for the areas themselves. Adults (``min_age`` 16 or 18, default the setting) where the
    characteristic has adult figures; the description says when it has not."""
    reference = _reference()
    floor = _min_age(min_age)
    used = figures_min_age(characteristic, floor)
    areas = list(areas)
    where = f"{_area_names(areas)} ({_plural(len(areas), 'area')})"
    note = ""
    if characteristic in _ETHNICITY_FAMILY:
        level = "ethnicity"
        try:
            raw = reference.area_baseline(areas, "ethnicity", used)
        except ValueError:
            if characteristic == "ethnicity":
                raise
            raw, level = reference.area_baseline(areas, "ethnicity_broad", used), "ethnicity_broad"
            note = " (broad groups only for these areas"
            note += "; adults estimated with England's age profile of each group)" if used else ")"
        else:
            note = "; ethnic group by age estimated by raking (see METHODS.md)" if used else ""
    elif characteristic == "sex":
        country = country_of(areas)
        raw, level = reference.area_baseline([country], "sex", used), "sex"
        where = f"{COUNTRY_NAMES[country]} (national figures: Census 2021 sex is not shipped for smaller areas)"
    else:
        level = characteristic
        try:
            raw = reference.area_baseline(areas, characteristic, used)
        except ValueError:
            icb_figures = getattr(reference, "icb_weighted_baseline", None)
            if icb_figures is None or characteristic not in ICB_ONLY:
                raise
            raw, icbs = icb_figures(areas, characteristic)
            where += f"; ICB figures ({', '.join(icbs)}) applied to the catchment's residents"
    if used < floor:
        note += f"; no adult figures are published for {characteristic.replace('_', ' ')}"
    description = f"Census 2021, usual residents {age_floor_text(used)} of {where}{note}"
    return CensusFigures(counts=raw, level=level, description=description)


def census_counts(areas: Sequence[str], characteristic: str, min_age: int | None = None) -> tuple[pl.DataFrame, str]:
    """Raw Census 2021 [group, count] for ``areas`` and the level the labels are at (see ``census_figures``)."""
    figures = census_figures(areas, characteristic, min_age)
    return figures.counts, figures.level


def _census_description(areas: Sequence[str], min_age: int | None = None) -> str:
    """The description of the Census ethnicity figures of ``areas`` (used by ``presence analyse``)."""
    return census_figures(areas, "ethnicity_broad", min_age).description


def _unrecognised_note(unrecognised: list[str]) -> str:
    if not unrecognised:
        return ""
    return f"; groups not recognised and left out: {', '.join(map(str, unrecognised))}"


# --- Need weighting -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedRates:
    """Detention rates per 100,000 for each of the 19 ONS groups (the rate of the NHS category it folds into),
    on the population the baseline counts; ``missing`` names NHS categories the year has no count for."""

    by_code: dict[str, float]
    missing: tuple[str, ...]
    year: str
    min_age: int


def need_rates(year: str = "2023-24", min_age: int | None = None) -> NeedRates:
    """Each NHS ethnic category's detentions divided by England's residents (at the age floor) of every ONS
    group folded into it: "Any other ethnic group" with Arab, "Any other White background" with Gypsy or Irish
    Traveller and Roma. Multiplying England's residents by these rates gives back the detentions exactly."""
    floor = _min_age(min_age)
    reference = _reference()
    rates = reference.detention_rates(year=year)
    detailed = rates.filter((pl.col("group_level") == "ethnicity") & pl.col("detentions").is_not_null())
    detentions = dict(zip(detailed["group"].to_list(), detailed["detentions"].to_list(), strict=True))
    folds = list(dict.fromkeys(c.nhs_fold for c in codes.ETHNIC_CATEGORIES))
    missing = tuple(f for f in folds if f not in detentions)
    if missing:
        return NeedRates(by_code={}, missing=missing, year=year, min_age=floor)
    england = reference.area_baseline([ENGLAND], "ethnicity", floor)
    population = dict(zip(england["group"].to_list(), england["count"].to_list(), strict=True))
    folded: dict[str, float] = {}
    for category in codes.ETHNIC_CATEGORIES:
        folded[category.nhs_fold] = folded.get(category.nhs_fold, 0.0) + population.get(category.code, 0)
    by_code = {
        c.code: 100_000 * detentions[c.nhs_fold] / folded[c.nhs_fold] if folded[c.nhs_fold] else 0.0
        for c in codes.ETHNIC_CATEGORIES
    }
    return NeedRates(by_code=by_code, missing=(), year=year, min_age=floor)


def _broad_rates(rates: NeedRates) -> dict[str, float]:
    """Rates of the ONS broad groups (Chinese in Asian, as the broad Census counts have it): each group's
    detentions over its residents, from the same England figures as the detailed rates."""
    england = _reference().area_baseline([ENGLAND], "ethnicity", rates.min_age)
    population = dict(zip(england["group"].to_list(), england["count"].to_list(), strict=True))
    people: dict[str, float] = {}
    detained: dict[str, float] = {}
    for c in codes.ETHNIC_CATEGORIES:
        n = population.get(c.code, 0)
        people[c.broad] = people.get(c.broad, 0.0) + n
        detained[c.broad] = detained.get(c.broad, 0.0) + n * rates.by_code[c.code]
    return {b: detained[b] / people[b] if people[b] else 0.0 for b in people}


def need_weighted_counts(
    areas: Sequence[str],
    characteristic: str = "ethnicity_broad",
    *,
    year: str = "2023-24",
    min_age: int | None = None,
) -> CensusFigures:
    """Census counts of ``areas`` x each group's detention rate (``need_rates``): raw [group, count] at the level
    of the Census figures, with a description. Empty, with the reason, when the year lacks a group's rate."""
    rates = need_rates(year, min_age)
    figures = census_figures(areas, characteristic, rates.min_age)
    if rates.missing:
        every = len(rates.missing) == len({c.nhs_fold for c in codes.ETHNIC_CATEGORIES})
        names = "any ethnic group" if every else ", ".join(codes.ETHNICITY_LABELS[m] for m in rates.missing)
        empty = pl.DataFrame(schema={C.GROUP: pl.String, COUNT: pl.Float64})
        return CensusFigures(
            counts=empty,
            level=figures.level,
            description=(
                f"No need-weighted baseline for {year}: NHS England detention counts for {names} are not "
                "shipped for that year (rates are never guessed from other groups)"
            ),
        )
    if figures.level == "ethnicity":
        source, _ = to_groups(figures.counts, "ethnicity", detail="ons19")
        weights = rates.by_code
    else:
        source, _ = to_groups(figures.counts, "ethnicity_broad", source_level="ethnicity_broad")
        weights = _broad_rates(rates)
    weighted = source.with_columns(
        (pl.col(COUNT) * pl.col(C.GROUP).replace_strict(weights, default=0.0, return_dtype=pl.Float64)).alias(COUNT)
    )
    description = (
        f"Need-weighted: {figures.description}, each ethnic group weighted by its Mental Health Act detention "
        f"rate (NHS England {year} detentions per 100,000 residents of England {age_floor_text(rates.min_age)}; "
        "'Any other ethnic group' includes Arab and 'Any other White background' includes Gypsy or Irish "
        "Traveller and Roma)"
    )
    return CensusFigures(counts=weighted, level=figures.level, description=description)


def _need_weighted(
    areas: Sequence[str], characteristic: str, settings: Settings, detail: str, year: str
) -> tuple[pl.DataFrame, str]:
    figures = need_weighted_counts(areas, characteristic, year=year, min_age=settings.baseline_min_age)
    if figures.counts.is_empty():
        return figures.counts, figures.description
    result, unrecognised = to_groups(
        figures.counts,
        characteristic,
        source_level=figures.level,
        chinese_as_asian=settings.chinese_as_asian,
        detail=detail,
    )
    return result, figures.description + _unrecognised_note(unrecognised)


# --- One characteristic --------------------------------------------------------------------------------------


def baseline_counts(
    frames: Frames, characteristic: str, spec: BaselineSpec, settings: Settings, detail: str = "nhs"
) -> tuple[pl.DataFrame, str]:
    """[group, count] of known groups for one characteristic, and a plain description of its source."""
    chinese = settings.chinese_as_asian
    if spec.kind == "user":
        return _user_counts(frames, characteristic, spec, chinese, detail)
    areas = tuple(spec.areas) if spec.areas is not None else tuple(frames.catchment)
    empty = pl.DataFrame(schema={C.GROUP: pl.String, COUNT: pl.Float64})
    if not areas:
        return empty, "No baseline: the organisation has no catchment areas recorded"
    entry = registry.BY_KEY.get(characteristic)
    if spec.kind == "need_weighted":
        if entry is not None and entry.need_weighted:
            return _need_weighted(areas, characteristic, settings, detail, spec.detention_year)
        counts, description = baseline_counts(
            frames, characteristic, BaselineSpec(kind="census", areas=areas), settings, detail
        )
        return counts, description + " (need weighting applies to ethnicity only)"
    if entry is not None and entry.census is None:
        return empty, NO_CENSUS_TABLE.format(words=entry.words)
    if not has_census_figures(characteristic, areas):
        readable = characteristic.replace("_", " ")
        return empty, f"No baseline: no Census 2021 {readable} figures are shipped for these areas"
    figures = census_figures(areas, characteristic, settings.baseline_min_age)
    counts, unrecognised = to_groups(
        figures.counts, characteristic, source_level=figures.level, chinese_as_asian=chinese, detail=detail
    )
    return counts, figures.description + _unrecognised_note(unrecognised)


def source_of(characteristic: str) -> str:
    """The person column a characteristic is recorded in (its registry entry's ``column``)."""
    found = registry.BY_KEY.get(characteristic)
    return characteristic if found is None else found.column


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
            ERROR_USER_MISSING.format(spec.source, frames.organisation_name or "this organisation", ", ".join(have))
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
    counts, unrecognised = to_groups(table, characteristic, source_level=level, chinese_as_asian=chinese, detail=detail)
    names = sorted({n for n in rows["geography_name"].to_list() if n})
    where = f" for {', '.join(names)}" if names else ""
    return counts, description + where + _unrecognised_note(unrecognised)


# --- Crossed characteristics ---------------------------------------------------------------------------------

# (first, second) characteristic -> (table, the characteristics the shipped cross-table is recorded at)
CROSS_TABLES: dict[tuple[str, str], tuple[str, tuple[str, str]]] = {
    ("ethnicity", "sex"): ("RM032", ("ethnicity", "sex")),
    ("ethnicity_broad", "sex"): ("RM032", ("ethnicity", "sex")),
    ("ethnicity_binary", "sex"): ("RM032", ("ethnicity", "sex")),
    ("ethnicity_broad", "religion"): ("RM031", ("ethnicity_broad", "religion")),
    ("ethnicity_binary", "religion"): ("RM031", ("ethnicity_broad", "religion")),
}
CROSS_TABLE_NAMES = {"RM032": "ethnic group by sex", "RM031": "ethnic group by religion"}


def _no_combination(characteristics: Sequence[str], reason: str) -> tuple[pl.DataFrame, str]:
    readable = " x ".join(c.replace("_", " ") for c in characteristics)
    text = f"{NO_COMBINATION} ({readable}): {reason}; shares are shown without a status"
    return pl.DataFrame(schema={C.GROUP: pl.String, C.BASELINE_SHARE: pl.Float64}), text


def _recorded_to_group(characteristic: str, recorded_at: str, chinese_as_asian: bool, detail: str) -> dict[str, str]:
    """Cross-table label -> group of ``characteristic`` (labels without a group are left out)."""
    if recorded_at == "ethnicity_broad":
        if characteristic == "ethnicity_binary":
            return {
                b: codes.BINARY_WHITE if b == codes.BROAD_WHITE else codes.BINARY_MINORITY for b in codes.BROAD_GROUPS
            }
        return {b: b for b in codes.BROAD_GROUPS}
    return group_mapping(characteristic, chinese_as_asian=chinese_as_asian, detail=detail)


def crossed_shares(
    frames: Frames, characteristics: Sequence[str], spec: BaselineSpec, settings: Settings, detail: str = "nhs"
) -> tuple[pl.DataFrame, str]:
    """[group, baseline_share] of crossed groups from a cross-table ONS publishes (RM032 ethnic group x sex,
    RM031 ethnic group x religion, for the country of the catchment), or no shares and a description that
    says there is no baseline for this combination. Shares are never products of the single shares."""
    pair = tuple(characteristics)
    swapped = pair[::-1] in CROSS_TABLES and pair not in CROSS_TABLES
    key = pair[::-1] if swapped else pair
    if spec.kind != "census":
        return _no_combination(pair, "crossed baselines come only from Census cross-tables")
    if len(pair) != 2 or key not in CROSS_TABLES:
        return _no_combination(pair, "Census 2021 publishes no cross-table of these characteristics")
    if key[1] == "religion" and not settings.chinese_as_asian:
        return _no_combination(pair, "the ethnic group by religion table counts Chinese people as Asian")
    areas = tuple(spec.areas) if spec.areas is not None else tuple(frames.catchment)
    if not areas:
        return _no_combination(pair, "the organisation has no catchment areas recorded")
    table, recorded = CROSS_TABLES[key]
    country = country_of(areas)
    floor = settings.baseline_min_age
    rows, used = _reference().crossed_baseline(country, recorded, floor)
    if rows.is_empty():
        return _no_combination(pair, f"the {table} table is not shipped for {COUNTRY_NAMES[country]}")
    first = _recorded_to_group(key[0], recorded[0], settings.chinese_as_asian, detail)
    second = group_mapping(key[1])
    mapped = (
        rows.with_columns(
            pl.col("group_1").replace_strict(first, default=None, return_dtype=pl.String),
            pl.col("group_2").replace_strict(second, default=None, return_dtype=pl.String),
        )
        .drop_nulls(["group_1", "group_2"])
        .group_by("group_1", "group_2")
        .agg(pl.col("count").cast(pl.Float64).sum())
    )
    left, right = ("group_2", "group_1") if swapped else ("group_1", "group_2")
    counts = mapped.select((pl.col(left) + CROSS + pl.col(right)).alias(C.GROUP), pl.col("count").alias(COUNT))
    description = (
        f"Census 2021 table {table} ({CROSS_TABLE_NAMES[table]}), usual residents {age_floor_text(used)} of "
        f"{COUNTRY_NAMES[country]} (national figures: ONS publishes this cross-table for countries only)"
    )
    if used < floor:
        description += "; ONS publishes it for all ages only"
    return shares(counts), description


def baseline_shares(
    frames: Frames, characteristics: Sequence[str], spec: BaselineSpec, settings: Settings, detail: str = "nhs"
) -> tuple[pl.DataFrame, str]:
    """[group, baseline_share] over known groups and the description. Crossed characteristics take their
    shares from a published cross-table (``crossed_shares``) or have none."""
    if len(characteristics) > 1:
        return crossed_shares(frames, characteristics, spec, settings, detail)
    counts, description = baseline_counts(frames, characteristics[0], spec, settings, detail)
    return shares(counts), description


__all__ = [
    "BaselineSpec",
    "CensusFigures",
    "NeedRates",
    "age_floor_text",
    "baseline_population",
    "census_figures",
    "country_of",
    "crossed_shares",
    "need_rates",
    "need_weighted_counts",
    "baseline_counts",
    "baseline_shares",
    "broad_group",
    "census_counts",
    "group_labels",
    "shares",
    "to_groups",
]
