"""Board pack: the paper a board, a council of governors or the public can read, previewed here and
downloaded as PDF, Word or HTML, with the one-page public summary. Published figures by default; exact ones
(NOT FOR PUBLICATION on every page) only for roles that may see them."""

from __future__ import annotations

import base64
import html
from functools import partial

import streamlit as st

from analytics import report
from analytics.report.content import Bullets, Chart, Paragraph, Subheading, Table
from dashboard import auth, cache, filters

DOWNLOADS = (
    ("pdf", "Board pack (PDF)", "A4, tagged for screen readers, prints in black and white."),
    ("docx", "Board pack (Word)", "To drop into the board papers."),
    ("html", "Board pack (web page)", "One self-contained file."),
    ("public", "Public summary (PDF)", "One page in plain English for the website: always suppressed."),
)

MARKDOWN = str.maketrans({ch: "\\" + ch for ch in "\\`*_[]<>#$~|"})


def md(text: str) -> str:
    """Text shown as it is: a "*" (a hidden number) must not turn into emphasis."""
    return text.translate(MARKDOWN)


st.title("Board pack")
st.markdown(
    "The paper for the board or the council of governors: who is involved where decisions are made, the "
    "pipeline, trends, the 4PI scorecard, outreach priorities and data quality, in plain words. It uses the "
    "sidebar's characteristic, baseline and who is counted, and the same figures as the other pages."
)
f, viewer = filters.require("board_pack")
exact_allowed = viewer.exact(f.organisation_id)
latest = filters.load(cache.board_pack, f, viewer, None, False)
left, right = st.columns(2)
period = left.selectbox(
    "Quarter",
    latest.choices[::-1],
    index=latest.choices[::-1].index(latest.period),
    key="pack_period",
    help="The pack covers one quarter (the latest complete one first) and the eight quarters up to it.",
)
exact = right.toggle(
    "Exact figures (NOT FOR PUBLICATION)",
    value=False,
    disabled=not exact_allowed,
    key="pack_exact",
    help="For the organisation's own use: every page is marked NOT FOR PUBLICATION. Only data stewards and "
    "equality leads may choose it." if exact_allowed else "Your role sees published figures only.",
)
asked = None if period == latest.period else period  # None: the figures already made for the latest quarter
figures = filters.load(cache.board_pack, f, viewer, asked, exact)
pack = filters.load(cache.board_pack_document, f, viewer, asked, exact)
if pack.exact:
    st.warning("NOT FOR PUBLICATION: exact figures, including small numbers that could identify people. "
               "Share only the published version.", icon=":material/policy:")
else:
    st.caption(":material/shield: Publishable: disclosure-controlled figures (suppressed and rounded).")

columns = st.columns(len(DOWNLOADS))
stem = f"presence-board-pack-{figures.organisation.code}-{figures.period}"
for column, (file_format, label, help_text) in zip(columns, DOWNLOADS, strict=True):
    with column:
        column.download_button(
            label,
            partial(cache.board_pack_file, f, viewer, asked, exact, file_format),
            file_name=("presence-public-summary-" + f"{figures.organisation.code}-{figures.period}.pdf")
            if file_format == "public" else stem + ("-exact" if exact else "") + report.SUFFIXES[file_format],
            mime=report.FORMATS[file_format],
            icon=":material/download:",
            key=f"pack-{file_format}",
            help=help_text,
            on_click=auth.record_download,
            args=(viewer, f.organisation_id, "board_pack" if file_format != "public" else "public_summary"),
            kwargs={"file_format": file_format},
        )

st.divider()
st.subheader("Preview")
with st.container(border=True):
    st.markdown(f"### {md(pack.title)}")
    st.table({"": [k for k, _ in pack.cover], " ": [v for _, v in pack.cover]})
    for section in pack.sections:
        st.markdown(f"### {md(section.heading)}")
        for block in section.blocks:
            if isinstance(block, Paragraph):
                st.markdown(f"**{md(block.text)}**" if block.strong else md(block.text))
            elif isinstance(block, Bullets):
                st.markdown("\n".join(f"- {md(item)}" for item in block.items))
            elif isinstance(block, Subheading):
                st.markdown(f"#### {md(block.text)}")
            elif isinstance(block, Table):
                st.caption(md(block.caption))
                st.dataframe({name: [row[i] for row in block.rows] for i, name in enumerate(block.columns)},
                             hide_index=True, width="stretch")
            elif isinstance(block, Chart):
                # an <img> with its text alternative (st.image has no alt text: WCAG 1.1.1)
                source = base64.b64encode(block.png).decode("ascii")
                st.html(f'<figure style="margin:0"><img src="data:image/png;base64,{source}" '
                        f'alt="{html.escape(block.alt, quote=True)}" style="max-width:100%;height:auto">'
                        f'<figcaption>{html.escape(block.caption)}</figcaption></figure>')
                with st.expander("What the chart shows"):
                    st.write(block.alt)
