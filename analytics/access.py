"""Who may see what: the viewer context that every analytics output passes through.

A ``Viewer`` is an identity (an email from sign-in, or the local single-user mode) with a role per
organisation, read from the database. Deny by default: a viewer with no role for an organisation sees nothing
of it, and an unknown or suspended user has no role anywhere.

The rules are enforced here, below the user interface, so that no page, download or CLI command can show more
than the role allows:

* :func:`require` raises ``PermissionError`` (one plain sentence) when the viewer lacks a permission;
* :func:`allowed_pages` is the set of dashboard pages a viewer may open (the app offers only these);
* :func:`protect_representation`, :func:`protect_frame` and :func:`protect` apply the organisation scope and
  the disclosure rules: a board member, outreach worker or viewer receives suppressed, rounded figures
  (:mod:`analytics.suppression`); a data steward or equality lead receives the exact figures marked
  ``not_for_publication``;
* :func:`build_protected` builds and protects a representation with the other views of the same people: the
  ethnicity family, or for a crossed table ``(a, b)`` its two single views (joint protection);
* :func:`protect_likelihood` protects the relative-likelihood view (no counts for restricted roles; ratios
  from rounded counts, only where the counts and, with ``levels``, the level tables allow).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from analytics import columns as c
from analytics import suppression
from data import codes
from models.settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

# What each role may do. "exact" = unsuppressed figures (marked "not for publication").
PERMISSIONS: dict[str, frozenset[str]] = {
    "data_steward": frozenset(
        {"aggregates", "exact", "outreach", "record_level", "import", "export", "admin", "audit"}
    ),
    "equality_lead": frozenset({"aggregates", "exact", "outreach", "record_level"}),
    "board_member": frozenset({"aggregates"}),
    "outreach_worker": frozenset({"aggregates", "outreach"}),
    "viewer": frozenset({"aggregates"}),
}
assert set(PERMISSIONS) == set(codes.USER_ROLES)

# The permission each dashboard page needs (page key -> permission).
PAGE_PERMISSIONS: dict[str, str] = {
    "overview": "aggregates",
    "representation": "aggregates",
    "decision_making": "aggregates",
    "trends": "aggregates",
    "outreach": "outreach",
    "data_quality": "aggregates",
    "methods": "aggregates",
    "scorecard": "aggregates",
    "activity_view": "aggregates",
    "board_pack": "aggregates",
    "import_data": "import",
    "records": "import",
    "corrections": "import",
    "setup": "admin",
    "admin": "admin",
    "network": "aggregates",  # published figures of every organisation the viewer may see
}

# Pages the local single-user mode offers while the database has no organisation yet.
EMPTY_DATABASE_PAGES = ("setup", "overview", "import_data", "methods")

PERMISSION_WORDS = {
    "aggregates": "see this organisation's figures",
    "exact": "see exact (unsuppressed) figures",
    "outreach": "see outreach lists",
    "record_level": "see record-level lists",
    "import": "import data",
    "export": "export data",
    "admin": "manage users and roles",
    "audit": "read the audit trail",
}

ERROR_NO_ROLE = "You have no role in this organisation, so you cannot {what}: ask its data steward for one."
ERROR_NOT_ALLOWED = "Your role ({role}) does not allow you to {what}."
ERROR_NOT_SIGNED_IN = "Sign in first: Presence shows nothing to someone it does not know."
ERROR_UNKNOWN_PERMISSION = "'{permission}' is not a permission Presence knows."
ERROR_EXACT_TO_RESTRICTED = "Exact figures were about to reach a role that may only see suppressed ones."

# Integer columns of analytics frames that are keys, not counts of people.
KEY_INTEGER_COLUMNS = frozenset(
    {
        c.LEVEL_RANK,
        c.ORGANISATION_ID,
        "id",
        "rank",
        "year",
        "cycle",
        "priority",
        "period_index",
        "activity_id",
        "level_id",
    }
)
# Columns that mark a frame as record-level (one row per record, with its reference).
RECORD_LEVEL_COLUMNS = frozenset({"ref", "person_id", "person_ref"})


@dataclass(frozen=True)
class Viewer:
    """The person looking, with their role in each organisation they may see (organisation id -> role)."""

    email: str
    roles: Mapping[int, str] = field(default_factory=dict)
    local_mode: bool = False

    def role(self, organisation_id: int) -> str | None:
        return self.roles.get(organisation_id)

    def can(self, permission: str, organisation_id: int) -> bool:
        role = self.role(organisation_id)
        return role is not None and permission in PERMISSIONS[role]

    @property
    def organisation_ids(self) -> tuple[int, ...]:
        return tuple(sorted(self.roles))

    @property
    def is_known(self) -> bool:
        """True when the viewer has a role somewhere (an unknown user sees nothing at all)."""
        return bool(self.email) and bool(self.roles)

    def exact(self, organisation_id: int) -> bool:
        """True when this viewer receives exact figures (marked not for publication) for the organisation."""
        return self.can("exact", organisation_id)

    def scope_key(self, organisation_id: int) -> str:
        """A small, hashable cache-key part: results may be shared only between viewers with the same
        scope."""
        return f"{organisation_id}:{self.role(organisation_id) or 'none'}"


NOBODY = Viewer(email="")


def scoped_viewer(scope_key: str) -> Viewer:
    """The anonymous viewer a cache key stands for ("3:board_member" -> a board member of organisation 3).

    Cached functions receive only the scope key; this lets them apply exactly that scope's rules.
    """
    organisation, _, role = scope_key.partition(":")
    if role not in PERMISSIONS:
        return NOBODY
    return Viewer(email=f"scope:{scope_key}", roles={int(organisation): role})


def resolve_viewer(engine: Engine, email: str | None, local_mode: bool = False) -> Viewer:
    """The viewer for a signed-in email, with their roles from the database (deny by default).

    In the local single-user mode the user is data steward of every organisation. An email that is unknown,
    suspended or not an email at all gives a viewer with no roles.
    """
    from sqlmodel import Session

    from models import users

    if not email:
        return NOBODY
    with Session(engine) as session:
        if local_mode:
            return Viewer(
                email=email,
                roles={i: "data_steward" for i in users.organisation_ids(session=session)},
                local_mode=True,
            )
        return Viewer(email=email.strip().lower(), roles=users.roles_for(session=session, email=email))


# --- Checks -------------------------------------------------------------------------------------------------


def _check_permission(permission: str) -> None:
    if permission not in PERMISSION_WORDS:
        raise ValueError(ERROR_UNKNOWN_PERMISSION.format(permission=permission))


def require(viewer: Viewer, permission: str, organisation_id: int) -> None:
    """Raise ``PermissionError`` with a plain sentence unless the viewer has ``permission`` in the
    organisation."""
    _check_permission(permission)
    what = PERMISSION_WORDS[permission]
    if not viewer.email:
        raise PermissionError(ERROR_NOT_SIGNED_IN)
    role = viewer.role(organisation_id)
    if role is None:
        raise PermissionError(ERROR_NO_ROLE.format(what=what))
    if permission not in PERMISSIONS[role]:
        raise PermissionError(ERROR_NOT_ALLOWED.format(role=codes.USER_ROLES[role], what=what))


def allowed_pages(viewer: Viewer, organisation_id: int | None) -> set[str]:
    """The dashboard pages this viewer may open for the organisation (empty for an unknown viewer).

    With no organisation chosen (an empty database) the local single-user mode may still open the overview,
    import and methods pages, so that the first organisation can be brought in; everyone else gets nothing.
    """
    if not viewer.email:
        return set()
    if organisation_id is None:  # no organisation yet: only the local user may bring the first one in
        return set(EMPTY_DATABASE_PAGES) if viewer.local_mode else set()
    return {page for page, permission in PAGE_PERMISSIONS.items() if viewer.can(permission, organisation_id)}


def visible_organisation_ids(viewer: Viewer, organisation_ids: Sequence[int]) -> list[int]:
    """The given organisations that the viewer may see, in the given order."""
    return [i for i in organisation_ids if viewer.can("aggregates", i)]


# --- Protecting results
# ---------------------------------------------------------------------------------------


def _only_organisation(frame: pl.DataFrame, organisation_id: int) -> pl.DataFrame:
    if c.ORGANISATION_ID in frame.columns:
        return frame.filter(pl.col(c.ORGANISATION_ID) == organisation_id)
    return frame


def _replace(result: Any, **changes: Any) -> Any:
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return dataclasses.replace(result, **changes)
    if hasattr(result, "_replace"):
        return result._replace(**changes)
    clone = copy.copy(result)
    for name, value in changes.items():
        object.__setattr__(clone, name, value)
    return clone


def protect_representation(
    rep: Any,
    viewer: Viewer,
    organisation_id: int,
    settings: Settings | None = None,
    *,
    together_with: Sequence[Any] = (),
) -> Any:
    """The representation this viewer may receive: suppressed for restricted roles, exact and marked
    otherwise.

    ``rep`` is an :class:`analytics.representation.Representation` (anything with ``rows`` and ``tables``);
    the result is the same type. ``together_with`` are the other views of the same people and filters (the
    detailed, broad and binary ethnicity tables: see :func:`build_protected`), protected jointly so that no
    view gives away what another hides. For a crossed ``rep`` (two characteristics), ``together_with`` are
    the single-characteristic views and their families: the crossed table is protected jointly with them
    (:func:`analytics.suppression.suppress_crossed`), they are published as on their own pages. A crossed
    ``rep`` without them gets the conservative rule (see SECURITY.md). Raises ``PermissionError`` when the
    viewer may not see the organisation.
    """
    require(viewer, "aggregates", organisation_id)
    rows = _only_organisation(rep.rows, organisation_id)
    tables = _only_organisation(rep.tables, organisation_id) if rep.tables is not None else None
    if suppression.is_protected(rows):
        if viewer.exact(organisation_id) or not bool(rows[suppression.NOT_FOR_PUBLICATION].any()):
            return _replace(rep, rows=rows, tables=tables)
        raise ValueError(ERROR_EXACT_TO_RESTRICTED)
    if viewer.exact(organisation_id):
        rows = suppression.mark_exact(rows, suppression.ROW_COUNTS)
        tables = None if tables is None else suppression.mark_exact(tables, suppression.TABLE_COUNTS)
        return _with_joiners(_replace(rep, rows=rows, tables=tables), [rep], viewer, organisation_id, settings)
    others = [_frames_of(o, organisation_id) for o in together_with]
    settings = settings or get_settings()
    parts = suppression.crossed_parts(getattr(rep, "characteristic", None))
    if len(parts) == 2 and others:
        families = [
            [
                view
                for view in others
                if suppression.family(_characteristic_of(view))[0] == suppression.family(p)[0]
            ]
            for p in parts
        ]
        (rows, tables), _ = suppression.suppress_crossed((rows, tables), families, settings)
        return _with_joiners(_replace(rep, rows=rows, tables=tables), [], viewer, organisation_id, settings)
    rows, tables = suppression.suppress_views([(rows, tables), *others], settings)[0]
    crossed = len(parts) > 1
    family = [] if crossed else [rep, *together_with]
    return _with_joiners(_replace(rep, rows=rows, tables=tables), family, viewer, organisation_id, settings)


def _with_joiners(
    rep: Any,
    family: Sequence[Any],
    viewer: Viewer,
    organisation_id: int,
    settings: Settings | None,
    index: int = 0,
) -> Any:
    """``rep`` with its joiners (the people who joined each level in each period, behind the trend test) as
    this viewer may use them: exact and marked for exact roles; for the others suppressed and rounded jointly
    with the joiners of the other views of the same people (``family``, in the same order as their rows were
    protected; ``rep`` is ``family[index]``), so that a trend p-value says no more than published counts
    would. A crossed table's joiners are not given to restricted
    viewers (empty ``family``): its trends are not tested for them."""
    if not hasattr(rep, "joiners") or rep.joiners is None:
        return rep
    if viewer.exact(organisation_id):
        joiners = suppression.mark_exact(_only_organisation(rep.joiners, organisation_id), suppression.ROW_COUNTS)
        return _replace(rep, joiners=joiners)
    views = [getattr(member, "joiners", None) for member in family]
    if not views or any(v is None for v in views):
        return _replace(rep, joiners=None)
    published = suppression.suppress_views(
        [(_only_organisation(v, organisation_id), None) for v in views], settings or get_settings()
    )
    return _replace(rep, joiners=published[index][0])


def _frames_of(rep: Any, organisation_id: int) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    return (
        _only_organisation(rep.rows, organisation_id),
        None if rep.tables is None else _only_organisation(rep.tables, organisation_id),
    )


def _characteristic_of(view: tuple[pl.DataFrame, pl.DataFrame | None]) -> str | None:
    rows, tables = view
    for frame in (rows, tables):
        if frame is not None and c.CHARACTERISTIC in frame.columns and frame.height:
            return frame[c.CHARACTERISTIC][0]
    return None


def build_protected(
    build: Callable[[Any], Any],
    characteristic: str | tuple[str, str],
    viewer: Viewer,
    organisation_id: int,
    settings: Settings | None = None,
) -> Any:
    """Build the representation for ``characteristic`` with ``build(characteristic)`` and protect it for the
    viewer; for a restricted viewer, the other views of the same people (detailed / broad / binary ethnicity)
    are built too and protected jointly, so each view hides what the others would give away.

    ``build`` is typically ``lambda ch: representation_table(frames, characteristic=ch, period=..., ...)``. A
    sibling view that cannot be built (say, no baseline for it) is left out: its totals are then treated as
    published elsewhere, the cautious assumption. The family is always protected in the same order, so each
    view is the same whichever of them was asked for.

    ``characteristic`` may be a pair ``(a, b)``: the crossed (intersectional) table, built with
    ``build((a, b))`` (for instance ``lambda ch: representation_table(frames, characteristic=ch[0],
    characteristics=ch, ...) if isinstance(ch, tuple) else representation_table(frames, characteristic=ch,
    ...)``). For a restricted viewer it is protected jointly with the single views of ``a`` and ``b`` (and
    their families), built with ``build(a)`` and ``build(b)`` and published exactly as on their own pages.
    """
    require(viewer, "aggregates", organisation_id)
    if isinstance(characteristic, tuple | list):
        crossed = tuple(characteristic)
        rep = build(crossed)
        if viewer.exact(organisation_id):
            return protect_representation(rep, viewer, organisation_id, settings)
        singles = [
            built
            for part in dict.fromkeys(crossed)
            for built in _family_views(build, part, organisation_id).values()
        ]
        return protect_representation(rep, viewer, organisation_id, settings, together_with=singles)
    rep = build(characteristic)
    if viewer.exact(organisation_id) or suppression.is_protected(rep.rows):
        return protect_representation(rep, viewer, organisation_id, settings)
    views = _family_views(build, characteristic, organisation_id, built={characteristic: rep})
    order = list(views)
    published = suppression.suppress_views(
        [_frames_of(views[ch], organisation_id) for ch in order], settings or get_settings()
    )
    rows, tables = published[order.index(characteristic)]
    return _with_joiners(
        _replace(rep, rows=rows, tables=tables),
        [views[ch] for ch in order],
        viewer,
        organisation_id,
        settings,
        index=order.index(characteristic),
    )


def _family_views(
    build: Callable[[Any], Any], characteristic: str, organisation_id: int, built: dict | None = None
) -> dict[str, Any]:
    """The representations of ``characteristic``'s family in family order (those that can be built)."""
    views = {}
    for member in suppression.family(characteristic):
        if built and member in built:
            views[member] = built[member]
            continue
        try:
            views[member] = build(member)
        except ValueError:
            if member == characteristic:
                raise
    return views


def _integer_counts(frame: pl.DataFrame) -> list[str]:
    return [
        name
        for name, dtype in frame.schema.items()
        if dtype.is_integer() and name not in KEY_INTEGER_COLUMNS and not name.endswith("_id")
    ]


LIKELIHOOD_COUNTS = ("decision_making_n", "other_only_n")


def protect_likelihood(
    frame: pl.DataFrame,
    viewer: Viewer,
    organisation_id: int,
    *,
    levels: Any = None,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """The relative-likelihood view (:func:`analytics.decision.relative_likelihood`) as this viewer may
    receive it.

    Its counts (people at a decision-making level, people only at other levels) are not sums of the level
    tables' cells but are tied to them (with one decision-making level they *are* that level's cells), so a
    restricted viewer gets no counts at all (null, flagged as hidden). The likelihood, the relative
    likelihood and its interval are computed from the counts rounded to the rounding base, and shown only
    where both counts of the group and of the reference group are at least the threshold; with ``levels``
    (the protected representation of the same characteristic, period and involvement) also only where none
    of the group's cells at any level of that period is hidden, so the view cannot narrow a cell the level
    tables hide. Exact roles get the frame unchanged, marked not for publication.
    """
    settings = settings or get_settings()
    require(viewer, "aggregates", organisation_id)
    frame = _only_organisation(frame, organisation_id)
    if suppression.is_protected(frame):
        if viewer.exact(organisation_id) or not bool(frame[suppression.NOT_FOR_PUBLICATION].any()):
            return frame
        raise ValueError(ERROR_EXACT_TO_RESTRICTED)
    if viewer.exact(organisation_id):
        return suppression.mark_exact(frame, LIKELIHOOD_COUNTS)
    return _published_likelihood(frame, settings, levels)


def _published_likelihood(frame: pl.DataFrame, settings: Settings, levels: Any = None) -> pl.DataFrame:
    """The likelihood figures from the counts rounded to the rounding base, by the engine's own derivation
    (:func:`analytics.decision.with_likelihood`). A count of 1 to threshold - 1 is hidden (so is the group's
    figure, and with a hidden reference group everyone's ratio); 0 is shown as 0, so "no one from this group is
    at a decision-making level" is said from published counts. The counts themselves are not shown."""
    from analytics.decision import with_likelihood

    base, small = settings.rounding_base, settings.suppress_below

    def published(col: str) -> pl.Expr:
        value = pl.col(col)
        return pl.when((value >= small) | (value == 0)).then(suppression.round_expr(value, base))

    decision, other = LIKELIHOOD_COUNTS
    work = frame.with_columns(published(decision).alias("_d"), published(other).alias("_o"))
    if "reference_group" not in work.columns:
        work = work.with_columns(pl.lit(None, dtype=pl.String).alias("reference_group"))
    hidden = _groups_hidden_in(levels)
    if hidden is not None:
        work = (
            work.join(hidden, on=[c.PERIOD, c.GROUP], how="left", maintain_order="left")
            .with_columns(
                *[pl.when(pl.col("_hidden").is_null()).then(pl.col(x)).alias(x) for x in ("_d", "_o")]
            )
            .drop("_hidden")
        )
    figures = with_likelihood(
        work.select(c.PERIOD, c.GROUP, "reference_group", pl.col("_d").alias(decision), pl.col("_o").alias(other)),
        confidence=settings.confidence,
    )
    everywhere = [True] * frame.height
    names = ["likelihood", "relative_likelihood", c.CI_LOW, c.CI_HIGH, "likelihood_words"]
    return frame.with_columns(
        *[pl.Series(col, [None] * frame.height, dtype=pl.Int64) for col in LIKELIHOOD_COUNTS],
        *[pl.Series(suppression.suppressed_flag(col), everywhere) for col in LIKELIHOOD_COUNTS],
        *[figures[name] for name in names],
        pl.lit(True).alias(suppression.SUPPRESSED),
        pl.lit(True).alias(suppression.ROUNDED),
        pl.lit(False).alias(suppression.NOT_FOR_PUBLICATION),
    )


def _groups_hidden_in(levels: Any) -> pl.DataFrame | None:
    """(period, group) pairs with a hidden cell at some level of a protected representation (None: none
    given)."""
    rows = getattr(levels, "rows", None)
    if rows is None:
        return None
    flag = suppression.suppressed_flag(c.INVOLVED)
    hidden = pl.col(flag) if flag in rows.columns else pl.col(c.INVOLVED).is_null()
    return rows.filter(hidden).select(c.PERIOD, c.GROUP).unique().with_columns(pl.lit(True).alias("_hidden"))


def protect_frame(
    frame: pl.DataFrame,
    viewer: Viewer,
    organisation_id: int,
    *,
    kind: str = "aggregate",
    counts: Sequence[str] | None = None,
    derived: Mapping[str, pl.Expr | None] | None = None,
    lines: Sequence[Sequence[str]] = (),
    settings: Settings | None = None,
) -> pl.DataFrame:
    """An analytics frame as this viewer may receive it.

    ``kind``: "aggregate" (counts of people: needs 'aggregates'), "outreach" (needs 'outreach') or
    "record_level" (one row per record: needs 'record_level'; returned exact and marked not for publication).
    For restricted viewers the ``counts`` columns (default: every integer column that is not a key) are
    suppressed and rounded, and the ``derived`` figures recomputed or withheld (default: every float column is
    null where a count of its row is hidden and rounded to 2 decimals elsewhere).

    Frames shaped like representation rows (group, involved, total) get the full representation rules; an
    outreach list keeps its level rows (already from a protected representation) and has its activity rows
    suppressed per activity; a relative-likelihood frame has its likelihood recomputed from published counts.
    """
    settings = settings or get_settings()
    permission = {"aggregate": "aggregates", "outreach": "outreach", "record_level": "record_level"}.get(kind)
    if permission is None:
        raise ValueError(f"'{kind}' is not a kind of result; use aggregate, outreach or record_level.")
    require(viewer, permission, organisation_id)
    frame = _only_organisation(frame, organisation_id)
    if suppression.is_protected(frame):
        if viewer.exact(organisation_id) or not bool(frame[suppression.NOT_FOR_PUBLICATION].any()):
            return frame
        raise ValueError(ERROR_EXACT_TO_RESTRICTED)
    if kind == "record_level":
        return frame.with_columns(pl.lit(True).alias(suppression.NOT_FOR_PUBLICATION))
    is_rows = {c.GROUP, c.INVOLVED, c.TOTAL} <= set(frame.columns) and counts is None
    if viewer.exact(organisation_id):
        present = (
            list(counts)
            if counts is not None
            else (list(suppression.ROW_COUNTS) if is_rows else _integer_counts(frame))
        )
        return suppression.mark_exact(frame, present)
    if is_rows:
        return _protect_rows_like(frame, settings)
    if counts is None and {c.PEOPLE, c.TOTAL, c.LEVEL_KEY, c.PERIOD} <= set(frame.columns):
        return suppression.suppress_tables(frame, settings)  # a data-quality view: the representation's rules
    if counts is None and set(LIKELIHOOD_COUNTS) <= set(frame.columns):
        return _published_likelihood(frame, settings)  # without the level tables: see protect_likelihood
    if counts is None:
        counts = _integer_counts(frame)
        if {c.PEOPLE, c.TOTAL, c.UNKNOWN} <= set(counts) and not lines:
            lines = [(c.PEOPLE, c.TOTAL, c.UNKNOWN)] + (
                [(c.UNKNOWN, c.NOT_STATED, c.NOT_KNOWN)] if {c.NOT_STATED, c.NOT_KNOWN} <= set(counts) else []
            )
    if derived is None:
        derived = {name: None for name, dtype in frame.schema.items() if dtype.is_float()}
        if c.DECLARATION_RATE in derived and {c.PEOPLE, c.TOTAL} <= set(counts):
            derived[c.DECLARATION_RATE] = (
                pl.when(pl.col(c.PEOPLE) > 0).then(pl.col(c.TOTAL) / pl.col(c.PEOPLE)).otherwise(None)
            )
    return suppression.suppress_frame(frame, counts, derived=derived, lines=lines, settings=settings)


ERROR_BUILT_FROM_EXACT = (
    "This result was built from exact figures, so it cannot be shown to a role that sees suppressed figures: "
    "build it from the protected representation."
)


def _from_published(frame: pl.DataFrame, settings: Settings) -> None:
    if not suppression.looks_published(frame, suppression.ROW_COUNTS, settings):
        raise ValueError(ERROR_BUILT_FROM_EXACT)


def _protect_rows_like(frame: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """Representation-shaped rows (a trend series, a pipeline, an outreach list) for a restricted viewer.

    An outreach list's level rows must come from a protected representation (checked: their counts are all
    published values); its activity rows, counted from the records, are suppressed per activity, with adjusted
    p-values withheld (the list holds only some groups of each activity, not the whole family).
    """
    if "unit" not in frame.columns or "activity_ref" not in frame.columns:
        rows, _ = suppression.suppress_representation(frame, None, settings)
        return rows
    order = frame.columns
    level = frame.filter(pl.col("unit") != "activity")
    _from_published(level, settings)
    activity, _ = suppression.suppress_representation(
        frame.filter(pl.col("unit") == "activity"),
        None,
        settings,
        extra_key=("unit", "activity_ref"),
        adjust=False,
    )
    level = suppression.mark_published(level)
    merged = pl.concat([level, activity], how="diagonal_relaxed")
    return merged.select([*order, *[n for n in merged.columns if n not in order]])


def protect(result: Any, viewer: Viewer, organisation_id: int, settings: Settings | None = None) -> Any:
    """Apply :func:`protect_representation` / :func:`protect_frame` to any analytics result (the dashboard's
    gate).

    Handles a Representation (``rows`` + ``tables``), a frame, a trend (``series`` + ``summary``), and tuples,
    lists and dicts of those. Text (headlines) and other plain values pass unchanged after the access check:
    they must be built from a protected representation. A frame with a ``ref`` column is record-level.
    """
    require(viewer, "aggregates", organisation_id)
    if result is None or isinstance(result, str | int | float | bool):
        return result
    if hasattr(result, "rows") and hasattr(result, "tables"):
        return protect_representation(result, viewer, organisation_id, settings)
    if hasattr(result, "series") and hasattr(result, "summary"):
        if not viewer.exact(organisation_id):
            _from_published(result.series, settings or get_settings())
        return _replace(
            result,
            series=protect(result.series, viewer, organisation_id, settings),
            summary=protect_frame(
                result.summary, viewer, organisation_id, counts=(), derived={}, settings=settings
            ),
        )
    if isinstance(result, pl.DataFrame):
        if RECORD_LEVEL_COLUMNS & set(result.columns):
            return protect_frame(result, viewer, organisation_id, kind="record_level", settings=settings)
        kind = "outreach" if "unit" in result.columns and "priority" in result.columns else "aggregate"
        return protect_frame(result, viewer, organisation_id, kind=kind, settings=settings)
    if isinstance(result, Mapping):
        return {k: protect(v, viewer, organisation_id, settings) for k, v in result.items()}
    if isinstance(result, tuple | list):
        protected = [protect(v, viewer, organisation_id, settings) for v in result]
        return type(result)(protected) if isinstance(result, list) else tuple(protected)
    return result


# --- Downloads ----------------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_for_spreadsheet(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells that a spreadsheet would run as a formula (starting = + - @ tab or return) get a leading
    '."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(r"^[=+\-@\t\r]"))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text_columns
    )


def publishable(frame: pl.DataFrame) -> pl.DataFrame:
    """A protected frame ready to download: counts as "*" / numbers, formula-safe text, flags dropped.

    The ``not_for_publication`` column is kept when True, so an exact file carries its mark.
    """
    shown = suppression.display_counts(frame)
    if suppression.NOT_FOR_PUBLICATION in shown.columns and not bool(
        shown[suppression.NOT_FOR_PUBLICATION].any()
    ):
        shown = shown.drop(suppression.NOT_FOR_PUBLICATION)
    return safe_for_spreadsheet(shown)
