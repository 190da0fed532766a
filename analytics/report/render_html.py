"""The pack as one self-contained HTML file: styles inline, charts embedded as data: URIs with their text
alternative, real headings and tables (header cells with scope), printable (A4, the mark on every printed
page through a repeated header). Nothing is fetched from anywhere when it is opened."""

from __future__ import annotations

import base64
from html import escape

from analytics.report.content import Block, Bullets, Chart, Pack, Paragraph, Subheading, Table

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 15px; line-height: 1.5; color: #000;
       max-width: 56em; margin: 0 auto; padding: 1em 1.5em; }
body.public { font-size: 19px; }
.mark { border: 2px solid #000; padding: .4em .8em; font-weight: bold; text-align: center; margin: .5em 0; }
.mark.published { border-width: 1px; font-weight: normal; }
h1 { font-size: 1.8em; } h2 { border-bottom: 2px solid #000; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: .6em 0 1.2em; font-size: .9em; }
th, td { border: 1px solid #555; padding: .25em .5em; text-align: left; vertical-align: top; }
td.n { text-align: right; white-space: nowrap; }
caption { text-align: left; font-style: italic; padding-bottom: .3em; }
figure { margin: 1em 0; } figure img { max-width: 100%; height: auto; }
figcaption { font-style: italic; }
@page { size: A4; margin: 2cm 1.8cm; }
@media print { h2.new-page { break-before: page; } .mark { position: running(mark); } }
"""


def _table(block: Table) -> str:
    from analytics.report.render_pdf import is_numeric

    numeric = [is_numeric(block, i) for i in range(len(block.columns))]
    head = "".join(f'<th scope="col">{escape(name)}</th>' for name in block.columns)
    rows = "".join(
        "<tr>" + "".join(f'<td{" class=n" if numeric[i] else ""}>{escape(cell)}</td>' for i, cell in enumerate(row))
        + "</tr>" for row in block.rows)
    return (f"<table><caption>{escape(block.caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _block(block: Block) -> str:
    if isinstance(block, Paragraph):
        text = escape(block.text)
        return f"<p><strong>{text}</strong></p>" if block.strong else f"<p>{text}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Subheading):
        return f"<h3>{escape(block.text)}</h3>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        data = base64.b64encode(block.png).decode("ascii")
        return (f'<figure><figcaption>{escape(block.caption)}</figcaption>'
                f'<img src="data:image/png;base64,{data}" alt="{escape(block.alt)}"></figure>')
    raise TypeError(f"Unknown block {type(block).__name__}")


def render_html(pack: Pack) -> bytes:
    mark_class = "mark" if pack.exact else "mark published"
    mark = f'<div class="{mark_class}" role="note">{escape(pack.marking)}</div>'
    cover = "".join(f'<tr><th scope="row">{escape(k)}</th><td>{escape(v)}</td></tr>' for k, v in pack.cover)
    body = []
    for section in pack.sections:
        css = ' class="new-page"' if section.new_page else ""
        body.append(f"<section><h2{css}>{escape(section.heading)}</h2>"
                    + "".join(_block(b) for b in section.blocks) + "</section>")
    footer = mark if pack.exact else ""
    html = (
        f'<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(pack.title)}</title><style>{STYLE}</style></head>"
        f'<body class="{escape(pack.kind)}"><header>{mark}</header><main><h1>{escape(pack.title)}</h1>'
        f"<table><caption>About this {'summary' if pack.kind == 'public' else 'pack'}</caption>{cover}</table>"
        + "".join(body) + f"</main><footer>{footer}</footer></body></html>\n"
    )
    return html.encode("utf-8")
