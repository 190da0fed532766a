"""Plotly figures for the dashboard, and the one way pages show them.

Every figure has a title that states its finding (worked out from the data it shows), labelled axes, and
does not rely on colour alone: status is written in heatmap cells, groups differ by marker symbol and line
dash as well as colour. :func:`show` draws a figure with its text alternative: a caption with the key numbers
and the table behind it in an expander.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from analytics import columns as c
from dashboard import display

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "triangle-down", "star", "cross", "pentagon",
           "hexagon")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
DIVERGING = "RdBu"  # red = fewer than the baseline, blue = more; readable by the common colour-vision types
RATIO_TICKS = (0.25, 0.5, 1, 2, 4)  # log axes and the heatmap's colour scale are labelled with real values
RATIO_LIMIT = 2.0  # the heatmap's colour scale spans log2 ratio -2 .. 2 (a quarter of ... four times)
NHS_BLUE = "#005EB8"
GREY = "#768692"

CELL_WORDS = {
    c.STATUS_ABSENT: "✕ Absent",
    c.STATUS_UNDER: "▼ Under",
    c.STATUS_WITHIN_RANGE: "● Within",
    c.STATUS_OVER: "▲ Over",
    c.STATUS_UNCERTAIN: "? Uncertain",
    c.STATUS_TOO_FEW: "… Too few",
    c.STATUS_NO_BASELINE: "– No baseline",
    c.STATUS_NO_DATA: "– No one",
    c.STATUS_HIDDEN: "* Hidden",
}

_PLAIN_GROUP = {
    "female": "Women", "male": "Men", "yes": "Disabled people", "no": "Non-disabled people",
    "no_religion": "People with no religion", "other": "People in the 'other' group",
    "service_user": "Service users", "carer": "Carers",
    "both": "People who are both service users and carers",
}


def count(value: int | None) -> str:
    """A count in a label: "*" where disclosure control hid it (a small number)."""
    return "*" if value is None else f"{value:,}"


def people(group: str, label: str, characteristic: str) -> str:
    """A plain noun phrase for a group: 'Black or Black British people', 'Women', 'People aged 18 to 24'."""
    if characteristic == "age_band":
        words = label.lower()
        return f"People {words}" if words.startswith("under") else f"People aged {words}"
    if characteristic in ("sex", "disability", "religion", "involvement_type") and group in _PLAIN_GROUP:
        return _PLAIN_GROUP[group]
    if characteristic == "gender_same_as_birth":
        return f"People whose gender is the same as at birth: {label.lower()}"
    return f"{label} people"


def short_level(level_name: str) -> str:
    """'Strategic (commissioning, policy, service development)' -> 'Strategic'."""
    return level_name.split(" (")[0].strip() or level_name


def level_phrase(level_name: str) -> str:
    """'Board and governance' -> 'board and governance level' (the words before any bracket)."""
    name = short_level(level_name)
    return f"{name[0].lower()}{name[1:]} level"


def wrap(text: str, width: int = 70) -> str:
    """Break a long title into lines of at most ``width`` characters (plotly titles do not wrap)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])


def _legend_lines(traces: list[dict], width: int = 900) -> int:
    """About how many lines the horizontal legend above the plot needs (room is made for them)."""
    shown = [str(t.get("name", "")) for t in traces if t.get("showlegend", True) and t.get("name")]
    if len(shown) < 2:
        return 1
    return max(1, math.ceil(sum(7 * len(name) + 50 for name in shown) / width))


def _figure(traces: list[dict], title: str, *, height: int = 420, x_title: str = "", y_title: str = "",
            width: int = 80, xaxis: dict | None = None, yaxis: dict | None = None, **layout) -> go.Figure:
    """One figure from trace dicts and the shared layout, built in a single step (plotly's update_* calls are
    slow: a filter change has to redraw several charts within the interactive budget)."""
    title = wrap(title, width)
    lines = title.count("<br>") + 1
    extra = 22 * (lines - 1) + 20 * (_legend_lines(traces) - 1)
    return go.Figure(data=traces, layout={
        "title": {"text": title, "x": 0, "xanchor": "left", "xref": "container", "y": 1, "yanchor": "top",
                  "yref": "container", "pad": {"t": 12, "l": 12}, "font": {"size": 16}},
        "height": height + extra, "margin": {"l": 10, "r": 10, "t": 78 + extra, "b": 10},
        "xaxis": {"title": {"text": x_title}, **(xaxis or {})},
        "yaxis": {"title": {"text": y_title}, **(yaxis or {})},
        "font": {"family": "Arial, sans-serif", "size": 13},
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"},
        **layout,
    })


def show(fig: go.Figure, caption: str, table: pl.DataFrame | None = None, *, key: str | None = None) -> None:
    """Draw a figure with its text alternative: the finding (its title) and the caption under it, the table
    behind it in an expander."""
    st.plotly_chart(fig, width="stretch", key=key, config={"displaylogo": False})
    finding = (fig.layout.title.text or "").replace("<br>", " ").strip()
    # the text alternative starts with the chart's finding: the title is drawn inside the chart, where a
    # screen reader does not read it
    st.caption(f"**Chart: {finding}.** {caption}" if finding else caption)
    if table is not None and table.height:
        with st.expander("The numbers behind this chart"):
            st.dataframe(table, hide_index=True, width="stretch", column_config=display.help_config(table))


# --- Representation heatmap ---------------------------------------------------------------------------------

def _latest(rows: pl.DataFrame) -> pl.DataFrame:
    if rows.height == 0:
        return rows
    return rows.filter(pl.col(c.PERIOD) == rows.get_column(c.PERIOD).max())


def _no_one_from(who: str) -> str:
    """'White people' -> 'No White people'; 'Women' -> 'No women'; 'People aged 18 to 24' -> 'No people aged
    18 to 24' (names of groups keep their capitals)."""
    first, _, rest = who.partition(" ")
    if first in ("Women", "Men", "People", "Carers", "Disabled", "Non-disabled", "Service"):
        first = first.lower()
    return f"No {first} {rest}".strip()


def heatmap_finding(rows: pl.DataFrame) -> str:
    """The heatmap's title: the most senior level where a group is missing; otherwise what stops a finding (no
    baseline, too few people) or that no group is, where there are enough people to tell."""
    latest = _latest(rows)
    if latest.height == 0:
        return "No one is recorded as involved yet"
    characteristic = latest.get_column(c.CHARACTERISTIC)[0]
    period = latest.get_column(c.PERIOD)[0]
    counted = latest.filter((pl.col(c.TOTAL) > 0) | pl.col(c.TOTAL).is_null())
    if counted.height and (counted.get_column(c.STATUS) == c.STATUS_NO_BASELINE).all():
        return f"No baseline to compare with in {period}: the counts are shown, but no gap can be judged"
    missing = latest.filter(pl.col(c.STATUS).is_in([c.STATUS_UNDER, c.STATUS_ABSENT])).sort(
        [c.LEVEL_RANK, c.SHORTFALL], descending=[True, True])
    if missing.height == 0:
        too_few = latest.filter(pl.col(c.STATUS) == c.STATUS_TOO_FEW).get_column(c.LEVEL_NAME).unique().len()
        if too_few:
            return (f"No group is clearly under-represented in {period} where there are enough people to tell "
                    f"({too_few} level{'s have' if too_few != 1 else ' has'} too few)")
        return f"No group is clearly under-represented at any level in {period}"
    top = missing.row(0, named=True)
    who = people(top[c.GROUP], top[c.GROUP_LABEL], characteristic)
    where = level_phrase(top[c.LEVEL_NAME])
    others = missing.height - 1
    tail = f" (and {others} more gap{'s' if others != 1 else ''})" if others else ""
    if top[c.STATUS] == c.STATUS_ABSENT:
        return f"{_no_one_from(who)} are involved at {where} in {period}{tail}"
    return f"{who} are under-represented at {where} in {period}{tail}"


MAX_LINES = 8  # line charts draw at most this many groups (one legend entry, colour and dash each)
MAX_GROUPS = 30  # a crossed view with more groups charts the ones with the largest gaps; the rest are a table


def top_groups(rows: pl.DataFrame, limit: int = MAX_GROUPS) -> list[str]:
    """The group labels with the largest gaps in the latest period (most people missing at any level, then
    the lowest ratio), at most ``limit`` of them, in their table order. ``rows`` carry the derived ratio
    (``analytics.stats.compare_with_baseline``): representation rows or a trend series."""
    latest = _latest(rows)
    most = pl.col(c.SHORTFALL).max().fill_null(0) if c.SHORTFALL in latest.columns else pl.lit(0)
    ranked = (latest.group_by(c.GROUP_LABEL)
              .agg(most.alias("_most"), pl.col(c.RATIO).min().alias("_lowest"))
              .sort(["_most", "_lowest", c.GROUP_LABEL], descending=[True, False, False], nulls_last=True))
    chosen = set(ranked.head(limit).get_column(c.GROUP_LABEL).to_list())
    return [g for g in dict.fromkeys(latest.get_column(c.GROUP_LABEL).to_list()) if g in chosen]


def heatmap(rows: pl.DataFrame, groups: Sequence[str] | None = None) -> go.Figure:
    """Levels x groups for the latest period, coloured by log ratio (centred at 1), status in every cell; only
    ``groups`` (labels) when given, the title still about every group."""
    latest = _latest(rows)
    if groups is not None:
        latest = latest.filter(pl.col(c.GROUP_LABEL).is_in(list(groups)))
    latest = latest.sort([c.LEVEL_RANK]).with_columns(
        pl.col(c.LEVEL_NAME).str.split(" (").list.first())
    groups = list(dict.fromkeys(latest.get_column(c.GROUP_LABEL).to_list()))
    levels = list(dict.fromkeys(latest.get_column(c.LEVEL_NAME).to_list()))
    cell = {(r[c.LEVEL_NAME], r[c.GROUP_LABEL]): r for r in latest.iter_rows(named=True)}
    z, text, hover = [], [], []
    for level in levels:
        z_row, text_row, hover_row = [], [], []
        for group in groups:
            r = cell.get((level, group))
            ratio = None if r is None else r[c.RATIO]
            status = c.STATUS_NO_DATA if r is None else r[c.STATUS]
            if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
                value = -RATIO_LIMIT if status == c.STATUS_ABSENT else None
            else:
                value = max(-RATIO_LIMIT, min(RATIO_LIMIT, math.log2(ratio))) if ratio > 0 else -RATIO_LIMIT
            z_row.append(value)
            words = CELL_WORDS.get(status, status)
            text_row.append(words if ratio is None else f"{words}<br>{ratio:.2f}×")
            hover_row.append("" if r is None else (
                f"{group} at {level}: {count(r[c.INVOLVED])} of {count(r[c.TOTAL])} people"
                + ("" if r[c.SHARE] is None else f" ({r[c.SHARE]:.0%})")
                + ("" if r[c.BASELINE_SHARE] is None else f"; baseline {r[c.BASELINE_SHARE]:.0%}")))
        z.append(z_row)
        text.append(text_row)
        hover.append(hover_row)
    ticks = RATIO_TICKS  # evenly spaced on the log scale, so the labels never overlap
    heat = dict(
        type="heatmap", z=z, x=groups, y=levels, text=text, texttemplate="%{text}", customdata=hover,
        hovertemplate="%{customdata}<extra></extra>", colorscale=DIVERGING, zmid=0, zmin=-RATIO_LIMIT,
        zmax=RATIO_LIMIT, xgap=2, ygap=2, hoverongaps=False,
        colorbar={"title": {"text": "Ratio to<br>baseline"}, "tickvals": [math.log2(t) for t in ticks],
                  "ticktext": [f"{t:g}×" + (" equal" if t == 1 else "") for t in ticks]},
    )
    return _figure([heat], heatmap_finding(rows), height=140 + 70 * max(len(levels), 1), x_title="Group",
                   y_title="Level (board at the top)", xaxis={"side": "bottom", "tickangle": -20})


# --- Share against baseline --------------------------------------------------------------------------------

def share_finding(level_rows: pl.DataFrame) -> str:
    if level_rows.height == 0:
        return "No one is recorded at this level"
    level = level_phrase(level_rows.get_column(c.LEVEL_NAME)[0])
    compared = level_rows.filter(pl.col(c.BASELINE_SHARE).is_not_null())
    if compared.height == 0:
        return f"At {level}, there is no baseline to compare with: the shares are shown, no gap is judged"
    below = compared.filter(pl.col(c.STATUS).is_in([c.STATUS_UNDER, c.STATUS_ABSENT])).height
    if below == 0:
        if compared.filter(pl.col(c.STATUS) == c.STATUS_TOO_FEW).height:
            return f"At {level}, too few people to tell whether any group is below its share of the population"
        return f"At {level}, no group is clearly below its share of the population"
    return f"At {level}, {below} of {compared.height} groups are clearly below their share of the population"


def _differences(a: list, b: list) -> list:
    """a - b element by element, None where either is missing (error-bar lengths)."""
    return [None if x is None or y is None else x - y for x, y in zip(a, b, strict=True)]


def share_chart(level_rows: pl.DataFrame, *, title_width: int = 80) -> go.Figure:
    """Each group's share at one level with its Wilson interval, beside the baseline share."""
    rows = level_rows.sort(c.GROUP_LABEL, descending=True)
    share = (rows.get_column(c.SHARE) * 100).to_list()
    low = (rows.get_column(c.CI_LOW) * 100).to_list()
    high = (rows.get_column(c.CI_HIGH) * 100).to_list()
    labels = rows.get_column(c.GROUP_LABEL).to_list()
    involved = dict(
        type="scatter", x=share, y=labels, mode="markers", name="Involved (95% interval)",
        marker={"symbol": "circle", "size": 11, "color": NHS_BLUE},
        error_x={"type": "data", "symmetric": False,
                 "array": _differences(high, share), "arrayminus": _differences(share, low),
                 "color": NHS_BLUE, "thickness": 2},
        hovertemplate="%{y}: %{x:.1f}% of people involved<extra></extra>",
    )
    baseline = dict(
        type="scatter", x=(rows.get_column(c.BASELINE_SHARE) * 100).to_list(), y=labels, mode="markers",
        name="Baseline",
        marker={"symbol": "line-ns-open", "size": 22, "color": "#D55E00", "line": {"width": 3}},
        hovertemplate="%{y}: %{x:.1f}% of the baseline population<extra></extra>",
    )
    return _figure([involved, baseline], share_finding(level_rows), height=150 + 34 * max(len(labels), 1),
                   x_title="Share of people involved (%)", y_title="Group", width=title_width,
                   xaxis={"rangemode": "tozero", "ticksuffix": "%"})


# --- Pipeline and relative likelihood -------------------------------------------------------------------

def pipeline_finding(pipe: pl.DataFrame) -> str:
    """The group whose share falls most from the lowest to the highest level."""
    if pipe.height == 0:
        return "No one is recorded as involved yet"
    characteristic = pipe.get_column(c.CHARACTERISTIC)[0]
    ranks = pipe.get_column(c.LEVEL_RANK)
    ends = pipe.filter(pl.col(c.LEVEL_RANK).is_in([ranks.min(), ranks.max()]) & pl.col(c.SHARE).is_not_null())
    change = ends.sort(c.LEVEL_RANK).group_by(c.GROUP, c.GROUP_LABEL, maintain_order=True).agg(
        pl.col(c.SHARE).first().alias("first"), pl.col(c.SHARE).last().alias("last"),
        pl.col(c.LEVEL_NAME).first().alias("from"), pl.col(c.LEVEL_NAME).last().alias("to"),
        pl.len().alias("n"),
    ).filter(pl.col("n") == 2).with_columns((pl.col("last") - pl.col("first")).alias("drop")).sort("drop")
    if change.height == 0:
        return "The pipeline from individual care to board"
    worst = change.row(0, named=True)
    who = people(worst[c.GROUP], worst[c.GROUP_LABEL], characteristic)
    if worst["drop"] >= 0:
        return "No group's share falls between individual care and the board"
    return (f"{who}: {worst['first']:.0%} of people at {level_phrase(worst['from'])}, "
            f"{worst['last']:.0%} at {level_phrase(worst['to'])}")


def pipeline_chart(pipe: pl.DataFrame) -> go.Figure:
    """Share of each group per level, individual care (left) to board (right); one line style per group."""
    traces = []
    ordered = pipe.sort(c.LEVEL_RANK).with_columns(pl.col(c.LEVEL_NAME).str.split(" (").list.first())
    levels = list(dict.fromkeys(ordered.get_column(c.LEVEL_NAME).to_list()))
    for i, ((label,), group_rows) in enumerate(ordered.group_by(c.GROUP_LABEL, maintain_order=True)):
        traces.append(dict(
            type="scatter", x=group_rows.get_column(c.LEVEL_NAME).to_list(),
            y=(group_rows.get_column(c.SHARE) * 100).to_list(),
            mode="lines+markers", name=str(label),
            line={"color": PALETTE[i % len(PALETTE)], "dash": DASHES[i % len(DASHES)], "width": 2.5},
            marker={"symbol": SYMBOLS[i % len(SYMBOLS)], "size": 10},
            hovertemplate=f"{label}: %{{y:.1f}}% at %{{x}}<extra></extra>",
        ))
    return _figure(traces, pipeline_finding(pipe), x_title="Level, from individual care to board",
                   y_title="Share of people involved (%)",
                   xaxis={"categoryorder": "array", "categoryarray": levels},
                   yaxis={"rangemode": "tozero", "ticksuffix": "%"})


RL_GROUP = "group_label"
RL_VALUE = "relative_likelihood"


def likelihood_finding(rl: pl.DataFrame, characteristic: str) -> str:
    clear = rl.filter(pl.col("ci_low") > 1).sort(RL_VALUE, descending=True)
    if clear.height == 0:
        return "No group is clearly less likely than the reference group to be at a decision-making level"
    top = clear.row(0, named=True)
    who = people(top["group"], top[RL_GROUP], characteristic)
    return (f"{who} are {top[RL_VALUE]:.1f} times less likely than the reference group to be at a "
            "decision-making level")


def likelihood_chart(rl: pl.DataFrame, characteristic: str) -> go.Figure:
    """Relative likelihood with its 95% interval per group, on a log axis with a line at 1 (equal)."""
    rows = rl.filter(pl.col(RL_VALUE).is_not_null()).sort(RL_VALUE).with_columns(
        (pl.col("ci_high") - pl.col(RL_VALUE)).alias("_plus"),
        (pl.col(RL_VALUE) - pl.col("ci_low")).alias("_minus"),
    )
    values = rows.get_column(RL_VALUE).to_list()
    points = dict(
        type="scatter", x=values, y=rows.get_column(RL_GROUP).to_list(), mode="markers",
        name="Relative likelihood",
        marker={"symbol": "diamond", "size": 12, "color": NHS_BLUE},
        error_x={"type": "data", "symmetric": False,
                 "array": rows.get_column("_plus").to_list(),
                 "arrayminus": rows.get_column("_minus").to_list(),
                 "color": NHS_BLUE},
        hovertemplate="%{y}: %{x:.2f}<extra></extra>",
    )
    # the line at 1 (equal likelihood): shapes take data values, annotations log10 values on a log axis
    equal = {"type": "line", "x0": 1, "x1": 1, "xref": "x", "y0": 0, "y1": 1, "yref": "paper",
             "line": {"dash": "dash", "color": "#425563", "width": 2}}
    label = {"x": 0, "xref": "x", "y": 1, "yref": "paper", "yanchor": "bottom", "text": "1 = equal",
             "showarrow": False, "font": {"color": "#425563"}}
    span = [v for v in values + rows.get_column("ci_low").to_list() + rows.get_column("ci_high").to_list()
            if v is not None and v > 0]
    low, high = min([*span, 0.25]), max([*span, 4])
    ticks = [t for t in (0.0625, 0.125, *RATIO_TICKS, 8, 16) if low / 1.5 <= t <= high * 1.5]
    axis = {"type": "log", "tickvals": ticks, "ticktext": [f"{t:g}" for t in ticks],
            "range": [math.log10(low / 1.2), math.log10(high * 1.2)], "minor": {"showgrid": False}}
    return _figure([points], likelihood_finding(rl, characteristic), height=160 + 40 * max(rows.height, 1),
                   x_title="Relative likelihood (log scale; above 1: less likely to be at a decision-making level)",
                   y_title="Group", xaxis=axis, shapes=[equal], annotations=[label])


# --- Trends -----------------------------------------------------------------------------------------------

def trend_chart(level_long: pl.DataFrame, title: str) -> go.Figure:
    """Share per period for each group at one level, with interval bands and a star where status changed."""
    traces = []
    ordered = level_long.sort(c.PERIOD_START)
    for i, ((label,), g) in enumerate(ordered.group_by(c.GROUP_LABEL, maintain_order=True)):
        colour = PALETTE[i % len(PALETTE)]
        x = g.get_column(c.PERIOD).to_list()
        low = (g.get_column(c.CI_LOW) * 100).to_list()
        high = (g.get_column(c.CI_HIGH) * 100).to_list()
        band_x = [p for p, v in zip(x, high, strict=True) if v is not None]
        band_low = [v for v in low if v is not None]
        band_high = [v for v in high if v is not None]
        if band_x and len(band_low) == len(band_high):
            traces.append(dict(
                type="scatter", x=band_x + band_x[::-1], y=band_high + band_low[::-1], fill="toself",
                fillcolor=colour, opacity=0.15, line={"width": 0}, hoverinfo="skip", showlegend=False,
                legendgroup=str(label),
            ))
        traces.append(dict(
            type="scatter", x=x, y=(g.get_column(c.SHARE) * 100).to_list(), mode="lines+markers",
            name=str(label), legendgroup=str(label),
            line={"color": colour, "dash": DASHES[i % len(DASHES)], "width": 2.5},
            marker={"symbol": SYMBOLS[i % len(SYMBOLS)], "size": 8},
            hovertemplate=f"{label}: %{{y:.1f}}% in %{{x}}<extra></extra>",
        ))
        if "status_changed" in g.columns:
            changed = g.filter(pl.col("status_changed").fill_null(False))
            if changed.height:
                traces.append(dict(
                    type="scatter", x=changed.get_column(c.PERIOD).to_list(),
                    y=(changed.get_column(c.SHARE) * 100).to_list(),
                    mode="markers", name=f"{label}: status changed", legendgroup=str(label), showlegend=False,
                    marker={"symbol": "star", "size": 16, "color": colour,
                            "line": {"width": 1, "color": "#000"}},
                    customdata=changed.get_column(c.STATUS).to_list(),
                    hovertemplate=f"{label}: status became %{{customdata}} in %{{x}}<extra></extra>",
                ))
    return _figure(traces, title, x_title="Period", y_title="Share of people involved (%)",
                   xaxis={"type": "category"}, yaxis={"rangemode": "tozero", "ticksuffix": "%"})


# --- Data quality -----------------------------------------------------------------------------------------

def declaration_finding(level_rates: pl.DataFrame, characteristic_label: str) -> str:
    rated = level_rates.filter(pl.col(c.DECLARATION_RATE).is_not_null()).sort(c.DECLARATION_RATE)
    if rated.height == 0:
        return "No one is recorded as involved yet"
    low = rated.row(0, named=True)
    return (f"{characteristic_label} is recorded for {low[c.DECLARATION_RATE]:.0%} of people at "
            f"{level_phrase(low[c.LEVEL_NAME])}, the lowest of any level")


def declaration_chart(level_rates: pl.DataFrame, characteristic_label: str) -> go.Figure:
    """Declaration rate per level (bars labelled with the percentage and the counts)."""
    rows = level_rates.sort(c.LEVEL_RANK)
    rates = (rows.get_column(c.DECLARATION_RATE).fill_null(0) * 100).to_list()
    text = [("*" if v is None else f"{r:.0f}%") + f" ({count(t)} of {count(p)})" for v, r, t, p in zip(
        rows.get_column(c.DECLARATION_RATE).to_list(), rates, rows.get_column(c.TOTAL).to_list(),
        rows.get_column(c.PEOPLE).to_list(), strict=True)]
    bars = dict(
        type="bar", x=rates, y=rows.get_column(c.LEVEL_NAME).to_list(), orientation="h", text=text,
        textposition="auto",
        marker={"color": NHS_BLUE}, hovertemplate="%{y}: %{x:.0f}% declared<extra></extra>",
    )
    title = declaration_finding(level_rates, characteristic_label)
    return _figure([bars], title, height=140 + 50 * rows.height,
                   x_title="People whose answer is recorded (%)", y_title="Level",
                   xaxis={"range": [0, 100], "ticksuffix": "%"})


def rate_over_time_chart(frame: pl.DataFrame, *, series: str, value: str, title: str,
                         y_title: str = "Declared (%)", order: Sequence[str] | None = None) -> go.Figure:
    """One line per ``series`` value of ``value`` (a 0-1 rate) over periods, each with its own dash."""
    traces = []
    ordered = frame.sort(c.PERIOD)
    names = list(order) if order else list(dict.fromkeys(ordered.get_column(series).to_list()))
    for i, name in enumerate(names):
        g = ordered.filter(pl.col(series) == name)
        if g.height == 0:
            continue
        traces.append(dict(
            type="scatter", x=g.get_column(c.PERIOD).to_list(), y=(g.get_column(value) * 100).to_list(),
            mode="lines+markers",
            name=short_level(str(name)),
            line={"color": PALETTE[i % len(PALETTE)], "dash": DASHES[i % len(DASHES)]},
            marker={"symbol": SYMBOLS[i % len(SYMBOLS)], "size": 8},
            hovertemplate=f"{name}: %{{y:.0f}}% in %{{x}}<extra></extra>",
        ))
    return _figure(traces, title, x_title="Period", y_title=y_title, xaxis={"type": "category"},
                   yaxis={"range": [0, 105], "ticksuffix": "%"})


def trend_finding(summary: pl.DataFrame, characteristic: str, level_name: str) -> str:
    """The trend chart's title: the clearest rising or falling group at the level, or that none is clear."""
    where = level_phrase(level_name)
    clear = summary.filter(pl.col("trend_words").str.starts_with("Rising")
                           | pl.col("trend_words").str.starts_with("Falling")).sort("cochran_armitage_p")
    if clear.height == 0:
        return f"At {where}, no group's share shows a clear rise or fall"
    top = clear.row(0, named=True)
    direction = "rising" if top["trend_words"].startswith("Rising") else "falling"
    who = people(top[c.GROUP], top[c.GROUP_LABEL], characteristic)
    if top["first_share"] is None or top["latest_share"] is None:  # a share withheld (a hidden count)
        return f"At {where}, the share of {who} is {direction}"
    return (f"At {where}, the share of {who} is {direction} "
            f"({top['first_share']:.0%} to {top['latest_share']:.0%})")


def shortfall_chart(outreach: pl.DataFrame, characteristic: str, *, top: int = 15) -> go.Figure:
    """The largest shortfalls (people missing) as horizontal bars, labelled with the status in words."""
    rows = outreach.sort("priority").head(top)
    activity = pl.col("unit") == "activity"
    where = pl.when(activity).then(pl.col("activity_name")).otherwise(pl.col(c.LEVEL_NAME))
    rows = rows.with_columns((pl.col(c.GROUP_LABEL) + " · " + where).alias("_label"))
    labels = rows.get_column("_label").to_list()[::-1]
    status = rows.get_column(c.STATUS).replace_strict(CELL_WORDS, default="").to_list()[::-1]
    bars = dict(
        type="bar", x=rows.get_column(c.SHORTFALL).to_list()[::-1], y=labels, orientation="h",
        text=status, textposition="auto", marker={"color": "#D55E00"},
        hovertemplate="%{y}: %{x} people missing<extra></extra>",
    )
    if rows.height:
        first = rows.row(0, named=True)
        place = first["activity_name"] if first["unit"] == "activity" else level_phrase(first[c.LEVEL_NAME])
        who = people(first[c.GROUP], first[c.GROUP_LABEL], characteristic)
        about = "" if first[c.SHORTFALL] is None else f" (about {first[c.SHORTFALL]} people)"
        title = f"Most missing: {who} at {place}{about}"
    else:
        title = "No one is missing"
    most = max(rows.get_column(c.SHORTFALL).max() or 0, 1)
    return _figure([bars], title, height=140 + 28 * max(rows.height, 1), x_title="People missing",
                   xaxis={"dtick": 1 if most <= 10 else None, "rangemode": "tozero"},
                   y_title="Group · where")


# --- Outreach: people to add, and a plan's burn-up (issue 18) ------------------------------------------------

def people_to_add_chart(outreach: pl.DataFrame, evidence: Sequence[str], *, top: int = 15) -> go.Figure:
    """Bars of people to add per gap (group · committee or level), with the evidence written beside each."""
    rows = outreach.head(top).with_columns(pl.Series("_evidence", list(evidence)[:top], dtype=pl.String))
    where = pl.when(pl.col("unit") == "activity").then(pl.col("activity_name")).otherwise(pl.col(c.LEVEL_NAME))
    rows = rows.with_columns((pl.col(c.GROUP_LABEL) + " · " + where).alias("_label"))
    shortfall = rows.get_column(c.SHORTFALL).to_list()[::-1]
    bars = dict(
        type="bar", x=shortfall, y=rows.get_column("_label").to_list()[::-1], orientation="h",
        text=[f"{n if n is not None else '*'} to add · {e}" for n, e in
              zip(shortfall, rows.get_column("_evidence").to_list()[::-1], strict=True)],
        textposition="outside", cliponaxis=False, marker={"color": "#D55E00", "pattern": {"shape": "/"}},
        hovertemplate="%{y}: %{x} people to add<extra></extra>",
    )
    total = sum(n for n in shortfall if n is not None)
    title = (f"{total} people to add across the {rows.height} gaps shown" if rows.height else "No one to add")
    most = max([n for n in shortfall if n is not None] or [1])
    return _figure([bars], title, height=140 + 34 * max(rows.height, 1), x_title="People to add",
                   xaxis={"dtick": 1 if most <= 10 else None, "rangemode": "tozero", "range": [0, most * 3]},
                   y_title="Group · where")


def burn_up_chart(series: pl.DataFrame, title: str, target: int) -> go.Figure:
    """A plan's burn-up: net people added since the start (with joined and left), against the straight line
    to the target. Lines differ by dash and marker as well as colour; hidden (small) counts leave gaps."""
    days = series.get_column("day").to_list()
    traces = [
        dict(type="scatter", mode="lines+markers", name="Net added (joined − left)", x=days,
             y=series.get_column("net").to_list(), line={"color": NHS_BLUE, "width": 3},
             marker={"symbol": "circle", "size": 5}),
        dict(type="scatter", mode="lines", name="Joined", x=days, y=series.get_column("joined").to_list(),
             line={"color": PALETTE[2], "dash": "dot"}),
        dict(type="scatter", mode="lines", name="Left", x=days, y=series.get_column("left").to_list(),
             line={"color": PALETTE[5], "dash": "dashdot"}),
        dict(type="scatter", mode="lines", name="On track (straight line to the target)", x=days,
             y=series.get_column("on_track_line").to_list(), line={"color": GREY, "dash": "dash"}),
    ]
    return _figure(traces, title, height=360, x_title="Date", y_title="People",
                   yaxis={"rangemode": "tozero", "range": [None, max(target, 1) + 1]})
