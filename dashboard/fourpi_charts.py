"""The figures of the 4PI pages (plotly); readable without colour: each bar has its status written on it."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from analytics import columns as k
from analytics.fourpi.disclosure import fourpi_headline
from analytics.wording import RAG_COLOURS, RAG_WORDS


def scorecard_chart(card: pl.DataFrame) -> go.Figure:
    """One bar per indicator with a value (its status written on it), and a tick where it would meet the
    standard; the title is the scorecard's headline."""
    shown = card.filter(pl.col(k.VALUE).is_not_null()).reverse()
    fig = go.Figure(
        go.Bar(
            x=(shown.get_column(k.VALUE) * 100).to_list(),
            y=shown.get_column(k.INDICATOR_LABEL).to_list(),
            orientation="h",
            marker_color=[RAG_COLOURS[r] for r in shown.get_column(k.RAG)],
            text=[
                f"{round(v * 100)}% {RAG_WORDS[r]}"
                for v, r in zip(shown.get_column(k.VALUE), shown.get_column(k.RAG), strict=True)
            ],
            textposition=["inside" if v >= 0.3 else "outside" for v in shown.get_column(k.VALUE)],
            hovertemplate="%{y}: %{x:.0f}%<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=(shown.get_column(k.GREEN_FROM) * 100).to_list(),
            y=shown.get_column(k.INDICATOR_LABEL).to_list(),
            mode="markers",
            marker={"symbol": "line-ns-open", "size": 18, "color": "#000000"},
            name="Meets the standard from",
            hovertemplate="Meets the standard from %{x:.0f}%<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": fourpi_headline(card), "x": 0, "xanchor": "left", "font": {"size": 15}},
        height=max(320, 34 * shown.height + 120),
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        xaxis={"title": "Share meeting the standard (%)", "range": [0, 105]},
        showlegend=False,
        template="plotly_white",
        font={"family": "Arial, sans-serif", "size": 13},
    )
    return fig


def scorecard_caption(card: pl.DataFrame) -> str:
    """The chart's text alternative: what it shows, then each charted indicator's value and status in words
    (empty when no indicator has a value to chart)."""
    charted = card.filter(pl.col(k.VALUE).is_not_null())
    if charted.height == 0:
        return ""
    values = "; ".join(
        f"{r[k.INDICATOR_LABEL]}: {round(r[k.VALUE] * 100)}% ({RAG_WORDS[r[k.RAG]][2:].lower()})"
        for r in charted.iter_rows(named=True)
    )
    return (
        "Each bar is one indicator, with its status written on it; the black tick marks where it would meet "
        "the standard. " + values + "."
    )
