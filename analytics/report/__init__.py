"""The board pack: one organisation's figures for one quarter as a paper a board, a council of governors or
the public can read (PDF, Word or a single HTML file), and the one-page public summary.

- :mod:`~analytics.report.figures` gathers the figures with the dashboard's own analytics calls and
  disclosure gate (published by default; exact only for roles that may see exact figures);
- :mod:`~analytics.report.assemble` puts them into sections (:mod:`~analytics.report.content`: a pure data
  structure of sentences, tables and charts);
- ``render_pdf`` (Typst), ``render_docx`` (python-docx) and ``render_html`` lay it out; none needs a browser.
"""

from __future__ import annotations

from analytics.report.assemble import PUBLIC_HEADINGS, SECTION_HEADINGS, board_pack, public_summary
from analytics.report.content import NOT_FOR_PUBLICATION, Pack
from analytics.report.figures import PackFigures, PackRequest, gather
from analytics.report.plans import PLAN_PROGRESS_COLUMNS, outreach_plan_progress

FORMATS = {"pdf": "application/pdf",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "html": "text/html", "public": "application/pdf"}
SUFFIXES = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "public": ".pdf"}


def render(pack: Pack, format: str) -> bytes:
    """The pack as bytes: "pdf" (and "public", the summary as PDF), "docx" or "html"."""
    if format in ("pdf", "public"):
        from analytics.report.render_pdf import render_pdf

        return render_pdf(pack)
    if format == "docx":
        from analytics.report.render_docx import render_docx

        return render_docx(pack)
    if format == "html":
        from analytics.report.render_html import render_html

        return render_html(pack)
    raise ValueError(f"'{format}' is not a pack format: use one of {', '.join(FORMATS)}.")


def build(figures: PackFigures, format: str) -> tuple[Pack, bytes]:
    """The pack for ``format`` ("public": the one-page public summary) and its bytes."""
    pack = public_summary(figures) if format == "public" else board_pack(figures)
    return pack, render(pack, format)


__all__ = [
    "FORMATS",
    "NOT_FOR_PUBLICATION",
    "PLAN_PROGRESS_COLUMNS",
    "PUBLIC_HEADINGS",
    "SECTION_HEADINGS",
    "SUFFIXES",
    "Pack",
    "PackFigures",
    "PackRequest",
    "board_pack",
    "build",
    "gather",
    "outreach_plan_progress",
    "public_summary",
    "render",
]
