"""The pack as Word (.docx), because board papers are assembled in Word: real headings (Heading 1 / 2, so
the navigation pane and a table of contents work), real tables with a header row that repeats on each page,
charts as pictures with their text alternative, and the publication mark in every page's header."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from analytics.report.content import Bullets, Chart, Pack, Paragraph, Subheading, Table


def _repeat_header(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _alt_text(picture: Any, alt: str) -> None:
    """The picture's description (what a screen reader says), as Word's "Alt Text" box sets it."""
    doc_pr = picture._inline.docPr
    doc_pr.set("descr", alt)
    doc_pr.set("title", alt[:120])


def render_docx(pack: Pack) -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.8))
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(13 if pack.kind == "public" else 10)
    document.core_properties.title = pack.title
    document.core_properties.author = "Presence"
    header = section.header.paragraphs[0]
    header.text = f"{pack.organisation} · {pack.period} · {pack.marking}"
    header.runs[0].bold = pack.exact
    footer = section.footer.paragraphs[0]
    footer.text = pack.marking if pack.exact else "Presence"
    if pack.exact:
        footer.runs[0].bold = True

    document.add_heading(pack.title, level=0)
    cover = document.add_table(rows=0, cols=2)
    cover.style = "Table Grid"
    for key, value in pack.cover:
        cells = cover.add_row().cells
        cells[0].text, cells[1].text = key, value
        cells[0].paragraphs[0].runs[0].bold = True
    for part in pack.sections:
        if part.new_page:
            document.add_page_break()  # type: ignore[no-untyped-call]
        document.add_heading(part.heading, level=1)
        for block in part.blocks:
            if isinstance(block, Paragraph):
                paragraph = document.add_paragraph()
                paragraph.add_run(block.text).bold = block.strong
            elif isinstance(block, Bullets):
                for item in block.items:
                    document.add_paragraph(item, style="List Bullet")
            elif isinstance(block, Subheading):
                document.add_heading(block.text, level=2)
            elif isinstance(block, Table):
                document.add_paragraph(block.caption, style="Caption")
                table = document.add_table(rows=1, cols=len(block.columns))
                table.style = "Table Grid"
                for cell, name in zip(table.rows[0].cells, block.columns, strict=True):
                    cell.text = name
                    cell.paragraphs[0].runs[0].bold = True
                _repeat_header(table.rows[0])
                for row in block.rows:
                    for cell, value in zip(table.add_row().cells, row, strict=True):
                        cell.text = value
            elif isinstance(block, Chart):
                document.add_paragraph(block.caption, style="Caption")
                picture = document.add_picture(io.BytesIO(block.png), width=Cm(16.5))
                _alt_text(picture, block.alt)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
