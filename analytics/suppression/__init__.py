"""Statistical disclosure control for the representation tables: the NHS secondary-care small-number rule.

What a restricted reader (board member, outreach worker, viewer) receives:

* **Primary suppression.** A count of 1 to ``settings.suppress_below - 1`` (1-7 by default) is hidden.
* **Rounding.** Every other count is rounded to the nearest ``settings.rounding_base`` (5): 8 -> 10, 12 -> 10,
  13 -> 15. Zero stays 0. Totals are computed from the unrounded data and then rounded, so they need not equal
  the sum of the rounded cells.
* **Secondary suppression.** A hidden cell must not be recoverable by subtraction. Every additive relation a
  reader can see is a *line*: within one level x period table, the groups add up to the people with a known
  value, and known + not stated + not known add up to everyone counted; the same group (or the same total)
  at the different levels of a period; the detailed ethnic categories of one broad group (whose total is the
  broad view), the ethnic-minority broad groups (whose total is the binary view); the cells of an
  intersectional table sharing one group of either characteristic (whose total is the single-characteristic
  view). A line with exactly one hidden cell gets a second: the smallest non-zero shown cell of the line,
  repeated until no line has exactly one. Table figures are decided first from the table lines alone, so every
  view of a characteristic hides the same ones; "everyone counted" is never hidden to protect anything (it is
  the same for every characteristic and shown with the others), so known + unknown = everyone is left to
  rounding and to the audit.
* **Audit.** A reader can combine lines and rounding intervals (the corner 1 + 8 + 8 = 17 -> 15, with 10 and
  10 shown, pins the hidden cell to 1). :func:`pinned_cells` tightens every cell's possible range line by line
  until nothing changes, assuming a total published in another view is known to within its rounding, and
  :func:`protect_cells` hides more cells until no hidden small count is pinned. Everyone counted at a level
  is assumed known exactly (other characteristics' known + unknown narrow its rounding). Views of the same
  people (detailed, broad, binary ethnicity) are protected together (:func:`suppress_views`).
* **Crossed tables.** A crossed (intersectional) table is protected jointly with its two single views
  (:func:`suppress_crossed`): the single views are published exactly as on their own pages, and the crossed
  cells sharing a group plus the people whose other answer is unknown (never published: free cells) add up
  to the single-view cell (:func:`link_crossed`); only crossed figures are hidden more, and a crossed table
  of a level and period that still gives a hidden count away is withheld whole (its "*" may be 0). Without
  its single views a crossed table gets a conservative rule: margins assumed known exactly, table figures
  withheld, tables with a small margin withheld.
* **Derived figures.** Shares, ratios, gaps, expected numbers, shortfalls, z, Wilson intervals, binomial
  p-values (Holm-adjusted) and the status are derived from the *published* counts by the engine's own
  function (:func:`analytics.stats.compare_with_baseline`), so nothing shown carries more information than
  the published counts and the public baseline. A row with a hidden count has the status ``hidden`` ("hidden
  (small numbers)") and no interval, p-value or other figure that needs the hidden count.

How the result is represented (one choice, for tables, charts and downloads alike): count columns keep their
integer type and are **null where hidden**, with a boolean ``<column>_suppressed`` beside each count column, a
row-level ``suppressed`` flag (some figure of the row is hidden), ``rounded`` (counts rounded) and
``not_for_publication`` (True for the exact figures a data steward or equality lead sees). Charts plot the
nullable numbers (a hidden bar is simply absent); :func:`display_counts` turns count columns into the strings
a table or download shows ("*", "15").

A "*" never stands for zero: only counts of 1 or more are hidden, and the secondary cell chosen is never a
zero.

Where each part lives (private modules; use the names exported here):

* ``_rules``: the two rules on single values, the flag columns, the plain-English sentences.
* ``_lines``: the one-hidden-cell rule and the audit (:func:`secondary_suppression`, :func:`pinned_cells`,
  :func:`protect_cells`) on numbered cells and the lines that add them up.
* ``_cells``: a representation's views as numbered cells and their lines (:func:`build_cells`), crossed
  tables linked to their single views (:func:`link_crossed`).
* ``_decide``: which cells to hide (table figures first, then groups; what a crossed table withholds).
* ``_publish``: the published views (:func:`suppress_views`, :func:`suppress_representation`), derived figures
  from the published counts, the exact and published marks.
* ``_crossed``: :func:`suppress_crossed`, a crossed table with its two single views.
* ``_frames``: :func:`suppress_frame` for any other aggregate frame, and :func:`display_counts`.
"""


from analytics.suppression._cells import (
    ETHNIC_FAMILY,
    CellSystem,
    build_cells,
    crossed_parts,
    family,
    link_crossed,
    representation_lines,
    table_key,
)
from analytics.suppression._crossed import suppress_crossed
from analytics.suppression._frames import display_counts, is_protected, shown_counts, suppress_frame
from analytics.suppression._lines import Line, pinned_cells, protect_cells, secondary_suppression
from analytics.suppression._publish import (
    DERIVED,
    looks_published,
    mark_exact,
    mark_published,
    recompute_row_statistics,
    suppress_representation,
    suppress_tables,
    suppress_views,
)
from analytics.suppression._rules import (
    CROSS_SEPARATOR,
    ERROR_MISSING,
    ERROR_NEGATIVE,
    FLAG_COLUMNS,
    LEVEL_LINE_KEY,
    NOT_FOR_PUBLICATION,
    NOT_FOR_PUBLICATION_TEXT,
    ROUNDED,
    ROW_COUNTS,
    SUPPRESSED,
    SUPPRESSED_MARK,
    SUPPRESSION_TEXT,
    TABLE_COUNTS,
    TABLE_KEY,
    describe,
    is_small,
    round_count,
    round_expr,
    suppressed_flag,
)

__all__ = [
    "CROSS_SEPARATOR",
    "DERIVED",
    "ERROR_MISSING",
    "ERROR_NEGATIVE",
    "ETHNIC_FAMILY",
    "FLAG_COLUMNS",
    "LEVEL_LINE_KEY",
    "NOT_FOR_PUBLICATION",
    "NOT_FOR_PUBLICATION_TEXT",
    "ROUNDED",
    "ROW_COUNTS",
    "SUPPRESSED",
    "SUPPRESSED_MARK",
    "SUPPRESSION_TEXT",
    "TABLE_COUNTS",
    "TABLE_KEY",
    "CellSystem",
    "Line",
    "build_cells",
    "crossed_parts",
    "describe",
    "display_counts",
    "family",
    "is_protected",
    "is_small",
    "link_crossed",
    "looks_published",
    "mark_exact",
    "mark_published",
    "pinned_cells",
    "protect_cells",
    "recompute_row_statistics",
    "representation_lines",
    "round_count",
    "round_expr",
    "secondary_suppression",
    "shown_counts",
    "suppress_crossed",
    "suppress_frame",
    "suppress_representation",
    "suppress_tables",
    "suppress_views",
    "suppressed_flag",
    "table_key",
]
