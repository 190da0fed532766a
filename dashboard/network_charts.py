"""The funnel plot of the Network page (plotly); readable without colour: each position has its own symbol."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import polars as pl

from analytics import columns as c
from analytics import network as n
from dashboard import charts

POSITION_SYMBOLS = {
    n.POSITION_WITHIN: "circle",
    n.POSITION_BELOW_95: "triangle-down-open",
    n.POSITION_BELOW_998: "triangle-down",
    n.POSITION_ABOVE_95: "triangle-up-open",
    n.POSITION_ABOVE_998: "triangle-up",
}
POSITION_COLOURS = {
    n.POSITION_WITHIN: charts.GREY,
    n.POSITION_BELOW_95: "#D55E00",
    n.POSITION_BELOW_998: "#D55E00",
    n.POSITION_ABOVE_95: charts.NHS_BLUE,
    n.POSITION_ABOVE_998: charts.NHS_BLUE,
}


def _guide_lines(plotted: pl.DataFrame) -> list[dict]:
    """Funnel lines for the median catchment's baseline share, as a guide; each organisation's own limits are
    the whiskers."""
    p = float(plotted[c.BASELINE_SHARE].median())
    sizes = np.unique(np.geomspace(5, max(float(plotted[c.TOTAL].max()) * 1.2, 10), 120).round())
    traces = []
    for coverage, dash, label in ((0.95, "dash", "95%"), (0.998, "dot", "99.8%")):
        low, high = n.funnel_limits(sizes, np.full(len(sizes), p), coverage)
        for values, show in ((low, True), (high, False)):
            traces.append({"type": "scatter", "x": sizes, "y": values, "mode": "lines",
                           "line": {"color": "#425563", "dash": dash, "width": 1},
                           "name": f"{label} limits for a catchment with {p:.0%} in the group",
                           "legendgroup": label, "showlegend": show, "hoverinfo": "skip"})
    return traces


def funnel_chart(funnel: pl.DataFrame, title: str) -> go.Figure:
    """Ratio to the own catchment (y) against people counted (x), with each organisation's 99.8% limits as a
    whisker, the target line at 1 and guide funnel lines."""
    plotted = funnel.filter(pl.col(n.POSITION) != n.POSITION_NONE)
    traces: list[dict] = []
    if plotted.height:
        traces += _guide_lines(plotted)
    for position, symbol in POSITION_SYMBOLS.items():
        part = plotted.filter(pl.col(n.POSITION) == position)
        if part.height == 0:
            continue
        ratio = part[c.RATIO].to_numpy()
        above, below = part[n.HIGH_998].to_numpy() - ratio, ratio - part[n.LOW_998].to_numpy()
        traces.append({
            "type": "scatter", "x": part[c.TOTAL].to_list(), "y": ratio, "mode": "markers+text",
            "text": part[n.ORGANISATION_CODE].to_list(), "textposition": "middle right",
            "marker": {"symbol": symbol, "size": 13, "color": POSITION_COLOURS[position],
                       "line": {"width": 2, "color": POSITION_COLOURS[position]}},
            "error_y": {"type": "data", "symmetric": False,
                        "array": above, "arrayminus": below,
                        "color": "#AEB7BD", "thickness": 1, "width": 4},
            "customdata": part[n.ORGANISATION_NAME].to_list(),
            "hovertemplate": "%{customdata}<br>%{x} people, ratio %{y:.2f}<extra></extra>",
            "name": f"{position[0].upper()}{position[1:]}",
        })
    return charts._figure(
        traces, title, height=480, x_title="People counted with a known answer (published, rounded)",
        y_title="Ratio to the organisation's own catchment (1 = matches)",
        xaxis={"type": "log"},
        shapes=[{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 1, "y1": 1,
                 "line": {"color": "#000000", "width": 1}}],
    )
