"""The board pack and the public summary, put together from :class:`PackFigures` as sections of sentences,
tables and charts (:mod:`analytics.report.content`).

Only wording and layout happen here: every number is a figure from :mod:`analytics.report.figures` (the
dashboard's own functions and disclosure gate), shown as the pages show it ("*" where hidden).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from analytics import columns as c
from analytics import columns as k
from analytics import outreach as o
from analytics import suppression
from analytics import trends as t
from analytics.decision import DECISION_MAKING_N, LIKELIHOOD, OTHER_ONLY_N, REFERENCE_GROUP, RELATIVE_LIKELIHOOD
from analytics.fourpi.disclosure import fourpi_headline
from analytics.fourpi.scorecard import RAG_HIDDEN, fix_first
from analytics.periods import parse_period
from analytics.report import charts
from analytics.report.content import Block, Bullets, Chart, Pack, Paragraph, Section, Subheading, Table
from analytics.report.figures import PackFigures
from analytics.wording import (
    CHARACTERISTIC_LABELS,
    INVOLVEMENT_FILTERS,
    QUALITY_LABELS,
    RAG_WORDS,
    STANDARD_WORDS,
    STATUS_MARKS,
    STATUS_MEANINGS,
    STATUS_WORDS,
)
from models.settings import Settings, get_settings

MARK = suppression.SUPPRESSED_MARK
HIDDEN_ROW_WORDS = "* Too few people to show"
MISSING = (c.STATUS_UNDER, c.STATUS_ABSENT)
SECTION_HEADINGS = (
    "In plain words",
    "Presence where decisions are made",
    "The pipeline from individual care to board",
    "Trends over the last eight quarters",
    "The 4PI scorecard",
    "Outreach priorities",
    "Data quality",
    "Methods and glossary",
)
# One row of a figures frame (``DataFrame.rows(named=True)``): column name -> value of that column's type.
Row = dict[str, Any]
OGL = ("Contains public sector information licensed under the Open Government Licence v3.0 "
       "(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/): Office for National "
       "Statistics, Census 2021; NHS England, Mental Health Act Statistics.")


# --- Cells: a figure as the reader may see it ----------------------------------------------------------------

def _hidden(row: Row, name: str) -> bool:
    return bool(row.get(suppression.suppressed_flag(name)))


def count(row: Row, name: str) -> str:
    """A count: "*" where disclosure control hid it, else with thousands commas."""
    value = row.get(name)
    if _hidden(row, name) or (value is None and row.get(suppression.SUPPRESSED)):
        return MARK
    return "–" if value is None else f"{int(value):,}"


def percent(row: Row, name: str, digits: int = 1) -> str:
    """A 0-1 share as a percentage: "*" where withheld with a hidden count, "–" where there is none."""
    value = row.get(name)
    if value is None:
        return MARK if row.get(suppression.SUPPRESSED) else "–"
    return f"{value * 100:.{digits}f}"


def figure(row: Row, name: str, digits: int = 2) -> str:
    value = row.get(name)
    if value is None:
        return MARK if row.get(suppression.SUPPRESSED) else "–"
    return f"{value:.{digits}f}"


def status_words(status: str) -> str:
    return f"{STATUS_MARKS.get(status, '')} {STATUS_WORDS.get(status, status)}".strip()


def people(n: str) -> str:
    return "1 person" if n == "1" else f"{n} people"


# --- Cover --------------------------------------------------------------------------------------------------

def _quarter_words(period: str) -> str:
    _, first, last = parse_period(period)
    return f"{period} ({first:%-d %B} to {last:%-d %B %Y})"


def age_floor_words(settings: Settings | None = None) -> str:
    """The baseline's age floor in words (``baseline_min_age``; the shipped Census baselines count residents
    of every age where the setting does not exist)."""
    floor = getattr(settings or get_settings(), "baseline_min_age", None)
    if floor is None or floor == 0:
        return "residents of all ages"
    return f"residents aged {floor} and over"


def cover(fig: PackFigures, *, public: bool = False) -> tuple[tuple[str, str], ...]:
    settings = get_settings()
    rep = fig.rep
    if fig.exact:
        publishable = ("No. NOT FOR PUBLICATION: exact figures, including small numbers that could identify "
                       "people. Share only the published version.")
    else:
        publishable = (f"Yes. Disclosure-controlled figures: counts rounded to the nearest "
                       f"{settings.rounding_base}; * = 1 to {settings.suppress_below - 1} people, hidden, with "
                       "any other figure that would give a hidden one away.")
    facts = [
        ("Organisation", f"{fig.organisation.name} ({fig.organisation.code})"),
        ("Period", _quarter_words(fig.period)),
    ]
    if not public:
        facts.append(("Trends", f"the eight quarters {fig.period_from} to {fig.period}"))
    facts += [
        ("Compared with", rep.baseline_description),
        ("Age floor", f"{age_floor_words(settings).capitalize()} (the baseline's age floor, "
                      "PRESENCE_BASELINE_MIN_AGE)"),
        ("Who is counted", f"{INVOLVEMENT_FILTERS.get(rep.involvement, rep.involvement)}, by "
                           f"{CHARACTERISTIC_LABELS.get(rep.characteristic, rep.characteristic).lower()}"),
        ("Prepared", f"{fig.generated:%-d %B %Y}, by Presence from the organisation's involvement records"),
        ("Publishable", publishable),
    ]
    return tuple(facts)


# --- Sections ------------------------------------------------------------------------------------------------

def plain_words(fig: PackFigures) -> Section:
    return Section("In plain words", (
        Paragraph(f"What the figures for {fig.period} say, in sentences (the same as the dashboard's Overview)."),
        Bullets(tuple(fig.headlines)),
    ))


def _latest(frame: pl.DataFrame, period: str) -> pl.DataFrame:
    return frame.filter(pl.col(c.PERIOD) == period)


def _level_table(rows: pl.DataFrame, level: str) -> Table:
    body = tuple(
        (r[c.GROUP_LABEL], f"{count(r, c.INVOLVED)} of {count(r, c.TOTAL)}", percent(r, c.SHARE),
         f"{r[c.BASELINE_SHARE] * 100:.1f}" if r[c.BASELINE_SHARE] is not None else "–",
         count(r, c.SHORTFALL) if r[c.STATUS] in MISSING else "–", status_words(r[c.STATUS]))
        for r in rows.iter_rows(named=True)
    )
    return Table(f"{level}: each group's share of the people with a known answer, against its share of the "
                 "population.",
                 ("Group", "People", "Share %", "Population %", "People to add", "Status"), body)


def to_add(r: Row) -> str:
    """'about 3 people to add', or words where the number is hidden (a small number)."""
    add = count(r, c.SHORTFALL)
    return "a small number to add, hidden" if add == MARK else f"about {people(add)} to add"


def _missing_phrase(r: Row) -> str:
    who = r[c.GROUP_LABEL]
    if r[c.STATUS] == c.STATUS_ABSENT:
        return f"{STATUS_MARKS[c.STATUS_ABSENT]} no one from {who} ({to_add(r)})"
    return f"{STATUS_MARKS[c.STATUS_UNDER]} {who} under-represented ({to_add(r)})"


def decisions(fig: PackFigures) -> Section:
    rows = _latest(fig.rep.rows, fig.period).filter(pl.col(c.DECISION_MAKING))
    blocks: list[Block] = [Paragraph(
        "Are the people involved where decisions are made like the people the organisation serves? For each "
        "decision-making level, and each committee in it, the groups that are absent or clearly fewer than "
        "their share, and how many more people would give them a matching share ('people to add').")]
    if rows.height == 0:
        return Section("Presence where decisions are made",
                       (*blocks, Paragraph("No level is marked as decision-making for this organisation.")))
    committees = fig.outreach.filter(pl.col(o.UNIT) == "activity") if fig.outreach is not None else None
    for level_rows in rows.sort(c.LEVEL_RANK, descending=True).partition_by(c.LEVEL_RANK, maintain_order=True):
        level = level_rows.get_column(c.LEVEL_NAME)[0]
        blocks.append(Subheading(level))
        missing = level_rows.filter(pl.col(c.STATUS).is_in(MISSING)).sort(c.SHORTFALL, descending=True,
                                                                          nulls_last=True)
        if missing.height:
            blocks.append(Paragraph("Missing at this level: " + "; ".join(
                _missing_phrase(r) for r in missing.iter_rows(named=True)) + ".", strong=True))
        else:
            blocks.append(Paragraph("No group is clearly missing at this level as a whole.", strong=True))
        blocks.append(_level_table(level_rows, level))
        names = fig.committees.filter(pl.col(c.LEVEL_NAME) == level)
        if committees is None:
            blocks.append(Paragraph("Committee by committee: part of the outreach list, which this role does "
                                    "not include. Ask an equality lead for the published pack."))
            continue
        if names.height == 0:
            continue
        items = []
        for committee in names.iter_rows(named=True):
            gaps = committees.filter(pl.col(o.ACTIVITY_REF) == committee["activity_ref"]).sort(
                c.SHORTFALL, descending=True, nulls_last=True)
            if gaps.height:
                items.append(f"{committee['activity_name']}: " + "; ".join(
                    _missing_phrase(r) for r in gaps.iter_rows(named=True)) + ".")
            else:
                items.append(f"{committee['activity_name']}: no group clearly missing.")
        blocks += [Paragraph("Committee by committee (a group missing from a committee is named even when "
                             "the level as a whole has it):"), Bullets(tuple(items))]
    missing = rows.filter(pl.col(c.STATUS).is_in(MISSING))
    if missing.height:
        shown = [r[c.SHORTFALL] for r in missing.iter_rows(named=True) if not _hidden(r, c.SHORTFALL)]
        total = sum(v for v in shown if v is not None)
        groups = f"{missing.height} group{'s are' if missing.height != 1 else ' is'}"
        blocks.append(Paragraph(f"In all, {groups} missing at the decision-making levels; about {total:,} more "
                                f"{'person' if total == 1 else 'people'} would give every group a matching "
                                "share.", strong=True))
    return Section("Presence where decisions are made", tuple(blocks), new_page=True)


def pipeline(fig: PackFigures) -> Section:
    pipe = fig.pipeline
    blocks: list[Block] = [Paragraph(
        "Each group's share of the people involved at each level, from individual care to the board. A group "
        "whose share falls towards the board thins out on the way to where decisions are made.")]
    if pipe.height:
        png, alt = charts.pipeline_chart(pipe)
        blocks.append(Chart(png, alt, f"The pipeline, {fig.period}. Hidden shares (*) are not drawn."))
        levels = pipe.select(c.LEVEL_RANK, c.LEVEL_NAME).unique().sort(c.LEVEL_RANK)
        ranks = levels.get_column(c.LEVEL_RANK).to_list()
        body = []
        for (label,), rows in pipe.group_by(c.GROUP_LABEL, maintain_order=True):
            by_rank = {r[c.LEVEL_RANK]: percent(r, c.SHARE) for r in rows.iter_rows(named=True)}
            body.append((label, *[by_rank.get(rank, "–") for rank in ranks]))
        blocks.append(Table(f"Share % at each level, {fig.period}.",
                            ("Group", *[n.split(" (")[0] for n in levels.get_column(c.LEVEL_NAME).to_list()]),
                            tuple(body)))
    blocks += likelihood(fig)
    return Section("The pipeline from individual care to board", tuple(blocks), new_page=True)


def likelihood(fig: PackFigures) -> list[Block]:
    rl = fig.likelihood.filter(pl.col(c.PERIOD) == fig.period)
    blocks: list[Block] = [Subheading("Relative likelihood of reaching a decision-making level")]
    if rl.height == 0:
        return [*blocks, Paragraph("No one with a known answer is involved in this quarter.")]
    reference = rl.get_column(REFERENCE_GROUP)[0]
    labels = rl.filter(pl.col(c.GROUP) == reference).get_column(c.GROUP_LABEL)
    reference_label = labels[0] if labels.len() else reference
    blocks.append(Paragraph(
        f"How much less likely people in each group are than {reference_label} people to be involved at a "
        "decision-making level rather than only at other levels (the NHS Workforce Race Equality Standard "
        "way). 1 means equally likely; 2 means half as likely. When the 95% interval does not include 1, the "
        "difference is unlikely to be chance."))
    body = tuple(
        (r[c.GROUP_LABEL], count(r, DECISION_MAKING_N), count(r, OTHER_ONLY_N), percent(r, LIKELIHOOD),
         figure(r, RELATIVE_LIKELIHOOD), f"{figure(r, c.CI_LOW)} to {figure(r, c.CI_HIGH)}")
        for r in rl.iter_rows(named=True))
    blocks.append(Table(f"Relative likelihood, {fig.period} (reference group: {reference_label}).",
                        ("Group", "At decision-making levels", "Only at other levels",
                         "Chance of reaching decision-making %", "Relative likelihood", "95% interval"), body))
    clear = [r for r in rl.iter_rows(named=True)
             if r[c.CI_LOW] is not None and r[c.GROUP] != reference and (r[c.CI_LOW] > 1 or r[c.CI_HIGH] < 1)]
    if clear:
        blocks.append(Bullets(tuple(
            f"{r[c.GROUP_LABEL]}: relative likelihood {figure(r, RELATIVE_LIKELIHOOD)}, "
            f"{'less' if r[c.CI_LOW] > 1 else 'more'} likely than {reference_label} people to reach a "
            "decision-making level; unlikely to be chance." for r in clear)))
    elif rl.filter(pl.col(c.GROUP) != reference).get_column(RELATIVE_LIKELIHOOD).is_null().all():
        blocks.append(Paragraph("No group has enough people at and away from the decision-making levels for a "
                                "likelihood to be shown without giving away small numbers."))
    else:
        blocks.append(Paragraph("No group's likelihood differs from the reference group's by more than chance "
                                "would explain."))
    return blocks


def trends(fig: PackFigures) -> Section:
    series, summary = fig.trend.series, fig.trend.summary
    blocks: list[Block] = [Paragraph(
        f"Each group's share at the decision-making levels in each quarter from {fig.period_from} to "
        f"{fig.period}, and whether it is really changing. The trend test (Cochran-Armitage) asks whether the "
        "shares move in one direction more than chance would explain.")]
    keys = fig.rep.rows.filter(pl.col(c.DECISION_MAKING)).get_column(c.LEVEL_KEY).unique()
    levels = series.filter(pl.col(c.LEVEL_KEY).is_in(keys.implode()))
    if levels.height == 0 or levels.get_column(c.PERIOD).n_unique() < 2:
        return Section("Trends over the last eight quarters",
                       (*blocks, Paragraph("A trend needs at least two quarters with people counted.")),
                       new_page=True)
    for (rank,), level_series in levels.sort(c.LEVEL_RANK, descending=True).group_by(c.LEVEL_RANK,
                                                                                      maintain_order=True):
        level = level_series.get_column(c.LEVEL_NAME)[0]
        blocks.append(Subheading(level))
        png, alt = charts.trend_chart(level_series, level)
        blocks.append(Chart(png, alt, f"{level}: share of each group, quarter by quarter. Hidden shares (*) "
                                      "are not drawn."))
        words = summary.filter(pl.col(c.LEVEL_RANK) == rank).sort(t.COCHRAN_ARMITAGE_P, nulls_last=True)
        blocks.append(Bullets(tuple(f"{r[c.GROUP_LABEL]}: {r[t.TREND_WORDS]}" for r in words.iter_rows(named=True))))
        changes = level_series.filter(pl.col(t.STATUS_CHANGED) & (pl.col(c.PERIOD) > fig.period_from))
        if changes.height:
            blocks.append(Paragraph("Status changes: " + "; ".join(
                f"{r[c.PERIOD]}, {r[c.GROUP_LABEL]} became {STATUS_WORDS.get(r[c.STATUS], r[c.STATUS]).lower()}"
                for r in changes.sort(c.PERIOD).iter_rows(named=True)) + "."))
    return Section("Trends over the last eight quarters", tuple(blocks), new_page=True)


def _rag_words(rag: str) -> str:
    return HIDDEN_ROW_WORDS if rag == RAG_HIDDEN else RAG_WORDS.get(rag, rag)


def fix_first_line(row: Row) -> str:
    """One 'what to fix first' line, as the scorecard page writes it."""
    return (f"{RAG_WORDS[row[k.RAG]][0]} {row[k.INDICATOR_LABEL]} ({row[k.STANDARD]}): "
            f"{round(row[k.VALUE] * 100)}% ({count(row, k.NUMERATOR)} of {count(row, k.DENOMINATOR)}; meets "
            f"the standard from {round(row[k.GREEN_FROM] * 100)}%). {row[k.TREND]}.")


def scorecard(fig: PackFigures) -> Section:
    card = fig.scorecard
    if card is None:
        return Section("The 4PI scorecard", (Paragraph(
            f"There are no 4PI records (meetings, payments, feedback) for {fig.period} yet."),), new_page=True)
    blocks: list[Block] = [
        Paragraph(f"How far involvement met each of the five 4PI National Involvement Standards in "
                  f"{fig.scorecard_period}; the trend compares it with the same quarter a year before."),
        Paragraph(fourpi_headline(card), strong=True),
    ]
    first = fix_first(card)
    if first.height:
        blocks += [Subheading("What to fix first"),
                   Bullets(tuple(fix_first_line(r) for r in first.iter_rows(named=True)))]
    body = tuple(
        (r[k.STANDARD], r[k.INDICATOR_LABEL],
         MARK if r[k.RAG] == RAG_HIDDEN else ("–" if r[k.VALUE] is None else f"{round(r[k.VALUE] * 100)}%"),
         f"{count(r, k.NUMERATOR)} of {count(r, k.DENOMINATOR)}", _rag_words(r[k.RAG]), r[k.TREND] or "–")
        for r in card.iter_rows(named=True))
    blocks.append(Table("The 4PI scorecard: ● meets the standard, ▲ close, ✕ falls short.",
                        ("Standard", "Indicator", "Value", "Count", "Status", "Trend"), body))
    blocks.append(Bullets(tuple(f"{name}: {words}" for name, words in STANDARD_WORDS.items())))
    if not fig.exact:
        blocks.append(Paragraph("Counts of meetings and activities are exact: they say nothing about any one "
                                "person. Counts of people and of fees and expenses claims are suppressed for "
                                "publication, and their shares and statuses are worked out from the counts "
                                "shown."))
    return Section("The 4PI scorecard", tuple(blocks), new_page=True)


def _evidence(r: Row) -> str:
    p = r.get(c.P_ADJUSTED)
    if r[c.STATUS] == c.STATUS_ABSENT:
        return "No one from this group, though some expected"
    if p is None:
        return "Not shown" if r.get(suppression.SUPPRESSED) or r[o.UNIT] == "activity" else "Not tested"
    if p < 0.001:
        return "Very strong (adjusted p < 0.001)"
    if p < 0.01:
        return "Strong (adjusted p < 0.01)"
    return f"Adjusted p = {p:.3f}"


def outreach(fig: PackFigures, top: int = 10) -> Section:
    blocks: list[Block] = [Paragraph(
        "Where outreach would close the biggest gaps: groups absent or under-represented, most people to add "
        "first (the dashboard's Outreach list), and the outreach plans' progress.")]
    if fig.outreach is None:
        blocks.append(Paragraph("The outreach list is not part of this role's figures: ask an equality lead for "
                                "the published pack."))
    elif fig.outreach.height == 0:
        blocks.append(Paragraph(f"In {fig.period} no group is clearly missing at any level or activity."))
    else:
        rows = fig.outreach.head(top)
        body = tuple(
            (str(r[o.PRIORITY]), r[c.LEVEL_NAME].split(" (")[0],
             r[o.ACTIVITY_NAME] or "(the whole level)", r[c.GROUP_LABEL],
             f"{count(r, c.INVOLVED)} of {count(r, c.TOTAL)}", count(r, c.SHORTFALL), _evidence(r))
            for r in rows.iter_rows(named=True))
        blocks.append(Table(f"The top {rows.height} of {fig.outreach.height} gaps, {fig.period}.",
                            ("Priority", "Level", "Where", "Group", "People now", "People to add", "Evidence"),
                            body))
    blocks.append(Subheading("Outreach plans"))
    plans = fig.plan_progress
    if plans.height == 0:
        blocks.append(Paragraph("No outreach plan is recorded in Presence yet."))
    else:
        blocks.append(Table("Progress of the outreach plans.", tuple(n.capitalize() for n in plans.columns),
                            tuple(tuple("–" if v is None else str(v) for v in row) for row in plans.iter_rows())))
    return Section("Outreach priorities", tuple(blocks), new_page=True)


def quality(fig: PackFigures) -> Section:
    latest = fig.quality.filter(pl.col(c.PERIOD) == fig.period).sort(c.LEVEL_RANK, descending=True)
    blocks: list[Block] = [Paragraph(
        "Every figure leaves out the people whose answer is not recorded. The declaration rate is the share of "
        "people at a level whose answer is recorded: 'not stated' means asked but declined; 'not known' means "
        "never asked or not written down, which better recording can fix.")]
    if latest.height == 0:
        return Section("Data quality", (*blocks, Paragraph("No one is recorded in this quarter.")))
    characteristics = [ch for ch in QUALITY_LABELS if ch in latest.get_column(c.CHARACTERISTIC).to_list()]
    body = []
    for (level,), rows in latest.group_by(c.LEVEL_NAME, maintain_order=True):
        by = {r[c.CHARACTERISTIC]: percent(r, c.DECLARATION_RATE, 0) for r in rows.iter_rows(named=True)}
        body.append((level.split(" (")[0], *[by.get(ch, "–") for ch in characteristics]))
    blocks.append(Table(f"Declared %, by level and characteristic, {fig.period}.",
                        ("Level", *[QUALITY_LABELS[ch] for ch in characteristics]), tuple(body)))
    ethnicity = latest.filter((pl.col(c.CHARACTERISTIC) == "ethnicity") & pl.col(c.DECISION_MAKING))
    sentences = []
    for r in ethnicity.iter_rows(named=True):
        rate = percent(r, c.DECLARATION_RATE, 0)
        if rate in (MARK, "–"):
            continue
        unknown = count(r, c.UNKNOWN)
        unknown = "a small number of people" if unknown == MARK else people(unknown)
        sentences.append(f"At the {r[c.LEVEL_NAME].split(' (')[0].lower()} level, {rate}% of people have their "
                         f"ethnicity recorded; {unknown} without it are left out of the figures above.")
    lowest = latest.filter(pl.col(c.DECLARATION_RATE).is_not_null()).sort(c.DECLARATION_RATE).head(1)
    for r in lowest.iter_rows(named=True):
        name = QUALITY_LABELS.get(r[c.CHARACTERISTIC], r[c.CHARACTERISTIC]).lower()
        sentences.append(f"The least complete is {name} at the {r[c.LEVEL_NAME].split(' (')[0].lower()} level "
                         f"({percent(r, c.DECLARATION_RATE, 0)}% declared): figures for it say least about who is "
                         "missing.")
    sentences.append("Where fewer than about four in five answers are recorded, treat a gap as a sign to look "
                     "closer rather than a settled finding: the people not recorded could change it.")
    blocks.append(Bullets(tuple(sentences)))
    return Section("Data quality", tuple(blocks), new_page=True)


def methods(fig: PackFigures) -> Section:
    settings = get_settings()
    rep = fig.rep
    glossary = (
        f"Baseline: the share of each group among the people the organisation serves ({age_floor_words(settings)};"
        " see the cover), after leaving out those whose answer is unknown.",
        "Share: the people from a group as a share of the people at a level whose answer is recorded.",
        f"Under-represented: a share below {rep.under_threshold:g} times the baseline share, where chance is an "
        f"unlikely explanation (exact binomial test, Holm's correction for testing many groups at once, "
        f"significance level {rep.alpha:g}).",
        "People to add: how many more people from a group a level would need for a matching share.",
        f"Interval: the range the true share is likely to lie in ({rep.confidence:.0%} Wilson interval).",
        "Relative likelihood: the chance of being at a decision-making level for people from one group, divided "
        "into the same chance for the reference group (the NHS Workforce Race Equality Standard method), with a "
        "95% interval.",
        "Trend test: the Cochran-Armitage test for a steady rise or fall in a share over the quarters.",
        "4PI scorecard: each indicator is a share of meetings, activities, people or claims that met the "
        "standard; red, amber and green are written as words and marks (✕ falls short, ▲ close, ● meets).",
        ("Disclosure control: this pack shows exact figures and is NOT FOR PUBLICATION; the published pack "
         "hides small numbers. " if fig.exact else "Disclosure control (this pack): ")
        + suppression.describe(settings) + " Shares, ratios and tests are worked out from the counts shown.",
    )
    meanings = tuple(
        f"{status_words(status)}: " + meaning.format(under=settings.under_threshold,
                                                     over=round(settings.upper_threshold, 2))
        for status, meaning in STATUS_MEANINGS.items())
    return Section("Methods and glossary", (
        Paragraph("What the numbers mean, in plain words. The full methods are in METHODS.md, and on the "
                  "dashboard's Methods and glossary page."),
        Bullets(glossary),
        Subheading("Status words"),
        Bullets(meanings),
        Subheading("Sources and licence"),
        Paragraph(OGL),
        Paragraph("The involvement records are the organisation's own. Presence is open-source software; the "
                  "same figures are on its dashboard for the same choices."),
    ), new_page=True)


def board_pack(fig: PackFigures) -> Pack:
    """The board pack for one organisation and quarter (see the module docstring)."""
    sections = (plain_words(fig), decisions(fig), pipeline(fig), trends(fig), scorecard(fig), outreach(fig),
                quality(fig), methods(fig))
    assert tuple(s.heading for s in sections) == SECTION_HEADINGS
    return Pack(title=f"Who is involved, and who is missing: {fig.organisation.name}, {fig.period}",
                organisation=fig.organisation.name, period=fig.period, exact=fig.exact, cover=cover(fig),
                sections=sections)


# --- The public summary --------------------------------------------------------------------------------------

PUBLIC_HEADINGS = ("What we measured", "Who is missing", "What we will do", "You said, we did")


def _public_gap(r: Row) -> str:
    level = r[c.LEVEL_NAME].split(" (")[0].lower()
    where = "our " + (r[o.ACTIVITY_NAME].split(" (")[0] if r.get(o.ACTIVITY_NAME) else f"{level} level")
    add = count(r, c.SHORTFALL)
    more = "a few more" if add == MARK else f"about {add} more"
    if r[c.STATUS] == c.STATUS_ABSENT:
        return f"No one from {r[c.GROUP_LABEL]} backgrounds is on {where}. We need {more}."
    return f"Too few people from {r[c.GROUP_LABEL]} backgrounds are on {where}. We need {more}."


def public_summary(fig: PackFigures) -> Pack:
    """One page in plain English, easy-read style, for the website and for service users. Always built from
    published figures (``fig`` must not be exact)."""
    if fig.exact:
        raise ValueError("The public summary is always suppressed: build it from published figures.")
    rep = fig.rep
    rows = _latest(rep.rows, fig.period)
    measured = (
        "We counted who helps shape our services.",
        "We compared them with the people who live in the area we serve.",
        "We looked at every level, from people's own care up to our board.",
    )
    if fig.outreach is not None:  # levels and committees, most people to add first
        gaps = fig.outreach.head(4)
    else:
        gaps = rows.filter(pl.col(c.STATUS).is_in(MISSING)).sort(
            [c.SHORTFALL, c.LEVEL_RANK], descending=[True, True], nulls_last=True).head(4)
    who = tuple(_public_gap(r) for r in gaps.iter_rows(named=True)) or (
        "No group is clearly missing at any level this time.",)
    todo = ["We will reach out to the groups we are missing, biggest gaps first."]
    if fig.plan_progress.height:  # one line, so the summary stays on one page
        plans = fig.plan_progress.height
        todo.append(f"We have {plans} outreach plan{'s' if plans != 1 else ''} under way; "
                    f"the board pack shows how each is going.")
    todo.append("We will check again every three months and tell you what we find.")
    impact = fig.impact.filter(pl.col(k.WHAT_CHANGED).is_not_null()).sort(k.LATEST_ON, descending=True).head(2)
    did = tuple(f"{r[k.ACTIVITY_NAME].split(' (')[0]}: {r[k.WHAT_CHANGED]}" for r in impact.iter_rows(named=True)) or (
        "We will write here what changed because of what you told us.",)
    settings = get_settings()
    sections = (
        Section("What we measured", (Bullets(measured),)),
        Section("Who is missing", (Bullets(who),)),
        Section("What we will do", (Bullets(tuple(todo)),)),
        Section("You said, we did", (Bullets(did),
                                     Paragraph(f"To keep people private, numbers are rounded and small numbers "
                                               f"(1 to {settings.suppress_below - 1}) are not shown."))),
    )
    _, first, last = parse_period(fig.period)
    facts = (("Who we are", fig.organisation.name), ("When", f"{first:%B} to {last:%B %Y}"),
             ("Compared with", f"the people who live in the area we serve ({rep.baseline_description})"))
    return Pack(title="Who helps shape our services?", organisation=fig.organisation.name,
                period=fig.period, exact=False, cover=facts, sections=sections, kind="public")
