"""Static charts for the board pack (matplotlib, PNG), readable in black and white.

Every series has its own marker and line style as well as a shade, and every chart comes with a text
alternative that says what it shows. Hidden figures (disclosure control) are not plotted; the alternative text
says so. The charts draw figures they are given; they compute none.
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display, no browser

import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402

from analytics import columns as c  # noqa: E402

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">", "p")
LINES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)))
GREYS = ("#000000", "#444444", "#666666", "#222222", "#555555", "#333333")
DPI = 150


def _style(index: int) -> dict[str, Any]:
    return {
        "marker": MARKERS[index % len(MARKERS)],
        "linestyle": LINES[index % len(LINES)],
        "color": GREYS[index % len(GREYS)],
        "markerfacecolor": "white" if index % 2 else GREYS[index % len(GREYS)],
        "markersize": 6,
        "linewidth": 1.6,
    }


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def _short(label: str, width: int = 22) -> str:
    label = label.split(" (")[0]
    return label if len(label) <= width else label[: width - 1] + "…"


def pipeline_chart(pipe: pl.DataFrame) -> tuple[bytes, str]:
    """One line per group: its share of the people involved at each level, individual care (left) to board
    (right). Returns the PNG and its text alternative."""
    levels = pipe.select(c.LEVEL_RANK, c.LEVEL_NAME).unique().sort(c.LEVEL_RANK)
    names = [_short(n, 16) for n in levels.get_column(c.LEVEL_NAME).to_list()]
    ranks = levels.get_column(c.LEVEL_RANK).to_list()
    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    described = []
    for i, (label, rows) in enumerate(pipe.group_by(c.GROUP_LABEL, maintain_order=True)):
        by_rank = {r[c.LEVEL_RANK]: r[c.SHARE] for r in rows.iter_rows(named=True)}
        values = [None if by_rank.get(rank) is None else by_rank[rank] * 100 for rank in ranks]
        ax.plot(range(len(ranks)), [float("nan") if v is None else v for v in values],
                label=_short(label[0]), **_style(i))
        shown = ", ".join(f"{n} {'hidden' if v is None else f'{v:.0f}%'}" for n, v in
                          zip(names, values, strict=True))
        described.append(f"{_short(label[0])}: {shown}")
    ax.set_xticks(range(len(ranks)), names, fontsize=8)
    ax.set_ylabel("Share of people involved (%)")
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="#cccccc", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    alt = ("Line chart of each group's share of the people involved at each level, from individual care to "
           "the board. " + "; ".join(described) + ".")
    return _png(fig), alt


def trend_chart(series: pl.DataFrame, level_name: str) -> tuple[bytes, str]:
    """One line per group: its share at one level in each quarter. Returns the PNG and its text
    alternative."""
    periods = series.get_column(c.PERIOD).unique().sort().to_list()
    fig, ax = plt.subplots(figsize=(7.2, 3.0))
    described = []
    for i, (label, rows) in enumerate(series.sort(c.PERIOD).group_by(c.GROUP_LABEL, maintain_order=True)):
        by_period = {r[c.PERIOD]: r[c.SHARE] for r in rows.iter_rows(named=True)}
        values = [None if by_period.get(p) is None else by_period[p] * 100 for p in periods]
        ax.plot(range(len(periods)), [float("nan") if v is None else v for v in values],
                label=_short(label[0]), **_style(i))
        shown = [f"{v:.0f}%" for v in values if v is not None]
        hidden = sum(v is None for v in values)
        text = f"{_short(label[0])}: " + (" then ".join(shown) if shown else "no figure shown")
        if hidden:
            text += f" ({hidden} quarter{'s' if hidden != 1 else ''} hidden or empty)"
        described.append(text)
    ax.set_xticks(range(len(periods)), periods, fontsize=8)
    ax.set_ylabel("Share (%)")
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="#cccccc", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    alt = (f"Line chart of each group's share of the people at the {level_name} level, quarter by quarter "
           f"from {periods[0]} to {periods[-1]}. " + "; ".join(described) + ".") if periods else ""
    return _png(fig), alt
