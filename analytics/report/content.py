"""What a board pack is made of: a pure data structure of sections, sentences, tables and charts.

The assembly (:mod:`analytics.report.assemble`) fills it from the same analytics and disclosure functions the
dashboard pages use; the renderers (:mod:`analytics.report.render_pdf`, ``render_docx``, ``render_html``) only
lay it out. Nothing here computes a figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NOT_FOR_PUBLICATION = "NOT FOR PUBLICATION"
PUBLISHABLE = "Publishable: disclosure-controlled figures"


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text; ``strong`` for a sentence that carries the section's point."""

    text: str
    strong: bool = False


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table of text cells (figures already as they may be shown: "*" where hidden)."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    """A static chart: PNG bytes and the text alternative that says what it shows."""

    png: bytes
    alt: str
    caption: str


@dataclass(frozen=True)
class Subheading:
    text: str


Block = Paragraph | Bullets | Table | Chart | Subheading


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]
    new_page: bool = False


@dataclass(frozen=True)
class Pack:
    """A board pack (or the one-page public summary): a title, the cover facts and the sections."""

    title: str
    organisation: str
    period: str
    exact: bool
    cover: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...] = field(default_factory=tuple)
    kind: str = "board"  # "board" or "public"

    @property
    def marking(self) -> str:
        """The mark every page carries: "NOT FOR PUBLICATION" for exact figures."""
        return NOT_FOR_PUBLICATION if self.exact else PUBLISHABLE

    @property
    def headings(self) -> tuple[str, ...]:
        return tuple(s.heading for s in self.sections)

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def charts(self) -> list[Chart]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]
