"""The pack as PDF: A4, tagged (PDF/UA-1), black and white friendly, laid out by Typst.

Typst comes as a Python wheel (``typst``) with its compiler inside: no system browser, no TeX, nothing to
install on the server. The layout is ``templates/pack.typ``; the words and figures reach it as JSON, so no text
is ever interpreted as markup. Fonts: DejaVu Sans from matplotlib's own package (no system fonts are read), so
the PDF is the same on every machine.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

import matplotlib
import typst

from analytics.report.content import Block, Bullets, Chart, Pack, Paragraph, Subheading, Table

TEMPLATE = Path(__file__).resolve().parent / "templates" / "pack.typ"
FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def column_widths(table: Table) -> list[float]:
    """Column widths: 0 (as wide as its content) for short columns, else a share of the rest by the
    longest cell."""
    widths = []
    for i, name in enumerate(table.columns):
        longest = max([len(row[i]) for row in table.rows], default=0)
        if longest <= 14 and len(name) <= 16:
            widths.append(0.0)
        else:
            widths.append(float(min(max(longest, 8), 48)))
    return widths


NUMERIC = re.compile(r"^[\d.,*–%+-]+( of [\d,*]+| to [\d.*]+)?$")


def is_numeric(table: Table, column: int) -> bool:
    """True when every cell of the column is a figure (right-aligned, so that digits line up)."""
    cells = [row[column] for row in table.rows]
    return bool(cells) and all(NUMERIC.match(cell.strip()) for cell in cells)


def _block(block: Block, charts: dict[int, str]) -> dict[str, Any]:
    if isinstance(block, Paragraph):
        return {"type": "paragraph", "text": block.text, "strong": block.strong}
    if isinstance(block, Bullets):
        return {"type": "bullets", "items": list(block.items)}
    if isinstance(block, Subheading):
        return {"type": "subheading", "text": block.text}
    if isinstance(block, Table):
        return {"type": "table", "caption": block.caption, "columns": list(block.columns),
                "rows": [list(r) for r in block.rows], "widths": column_widths(block),
                "numeric": [is_numeric(block, i) for i in range(len(block.columns))]}
    if isinstance(block, Chart):
        return {"type": "chart", "file": charts[id(block)], "alt": block.alt, "caption": block.caption}
    raise TypeError(f"Unknown block {type(block).__name__}")


def pack_json(pack: Pack, charts: dict[int, str]) -> dict[str, Any]:
    return {
        "title": pack.title, "organisation": pack.organisation, "period": pack.period, "exact": pack.exact,
        "marking": pack.marking, "kind": pack.kind, "cover": [list(pair) for pair in pack.cover],
        "sections": [{"heading": s.heading, "new_page": s.new_page,
                      "blocks": [_block(b, charts) for b in s.blocks]} for s in pack.sections],
    }


def render_pdf(pack: Pack) -> bytes:
    """The pack as a tagged A4 PDF (PDF/UA-1)."""
    with tempfile.TemporaryDirectory(prefix="presence-pack-") as folder:
        root = Path(folder)
        charts = {}
        for number, chart in enumerate(pack.charts(), start=1):
            name = f"chart-{number}.png"
            (root / name).write_bytes(chart.png)
            charts[id(chart)] = name
        (root / "pack.json").write_text(json.dumps(pack_json(pack, charts)), encoding="utf-8")
        (root / "pack.typ").write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
        return typst.compile(str(root / "pack.typ"), root=str(root), font_paths=[str(FONTS)],
                             ignore_system_fonts=True, pdf_standards="ua-1")
