"""Column mapping: what a heading Presence does not know means, per organisation, and how the importer words
its advice for the place it is used from (the command line or the Import data page).

A column the importer does not recognise is never dropped silently: it is a problem the user resolves by
mapping it to a field (``--map "Borough=local_authority"``) or marking it ``ignore``. Mappings given to a
committed import are remembered for the organisation (table ``column_mapping``), so the next import of the same
register needs no mapping step.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection, Engine

from data import vocabulary
from models.tables import ColumnMapping, table_of

IGNORE = "ignore"
CLI, WEB = "cli", "web"
UNRECOGNISED = "is not a column Presence recognises, so it would be dropped"
BAD_MAP = "'{item}' is not a mapping: write HEADER=field or HEADER=ignore."
UNKNOWN_FIELD = "'{field}' is not a field of {table}; use one of: {fields}, or ignore."

_WORDING: contextvars.ContextVar[str] = contextvars.ContextVar("presence_import_wording", default=CLI)

# The same advice in the words of the page's own controls.
WEB_PHRASES: tuple[tuple[str, str], ...] = (
    ("choose a sheet with --sheet and a table with --table",
     "choose a sheet in the 'Sheet' box and a table in the 'Table' box"),
    ("choose one with --table", "choose it in the 'Table' box above"),
    ("choose the sheet for", "in the 'Sheet' box, choose the sheet for"),
    ("import them one at a time with --sheet", "import them one at a time, choosing each in the 'Sheet' box"),
    ("with --sheet", "in the 'Sheet' box"),
    ("name one with --organisation", "choose one in the sidebar's 'Organisation' box"),
    ("map it with --map \"HEADER=field\" or mark it with --map \"HEADER=ignore\"",
     "choose its field, or 'ignore', in the column mapping step below"),
    ("confirm with --create-committees", "tick 'Create the new committees' below"),
    ("run 'presence demo' or create one before importing", "create one on the Set up page"),
)


def accepted_for_unrecognised() -> str:
    return say('map it with --map "HEADER=field" or mark it with --map "HEADER=ignore"')


@contextmanager
def wording(where: str) -> Iterator[None]:
    """Word the importer's advice for ``where`` (``cli`` or ``web``) inside this block."""
    token = _WORDING.set(where)
    try:
        yield
    finally:
        _WORDING.reset(token)


def say(text: str) -> str:
    """``text`` as the current place words it (command-line options become the page's boxes)."""
    if _WORDING.get() != WEB:
        return text
    for cli, web in WEB_PHRASES:
        text = text.replace(cli, web)
    return text


def parse_maps(items: Iterable[str] | None) -> dict[str, str]:
    """``["Borough=local_authority", "Notes=ignore"]`` -> {"borough": "local_authority", "notes": "ignore"}
    (headings folded as the importer folds them)."""
    found: dict[str, str] = {}
    for item in items or []:
        header, sep, field = item.partition("=")
        if not sep or not header.strip() or not field.strip():
            raise ValueError(BAD_MAP.format(item=item))
        found[vocabulary.key(header)] = field.strip()
    return found


def check_fields(mapping: Mapping[str, str], table: str, fields: Sequence[str]) -> None:
    for field in mapping.values():
        if field != IGNORE and field not in fields:
            raise ValueError(UNKNOWN_FIELD.format(field=field, table=table, fields=", ".join(fields)))


def remembered(connection: Connection | Engine, organisation_id: int | None) -> dict[str, dict[str, str]]:
    """table -> {folded heading: field or ignore}, as remembered for the organisation."""
    if organisation_id is None:
        return {}
    table = table_of(ColumnMapping)
    query = select(table.c.table_name, table.c.header, table.c.field).where(
        table.c.organisation_id == organisation_id
    )
    if isinstance(connection, Engine):
        with connection.connect() as own:
            rows = own.execute(query).all()
    else:
        rows = connection.execute(query).all()
    found: dict[str, dict[str, str]] = {}
    for name, header, field in rows:
        found.setdefault(name, {})[header] = field
    return found


def remember(connection: Connection, organisation_id: int, table_name: str, mapping: Mapping[str, str]) -> None:
    """Store (or replace) the organisation's mapping of these headings for the table."""
    if not mapping:
        return
    table = table_of(ColumnMapping)
    headers = [vocabulary.key(h)[:200] for h in mapping]
    connection.execute(
        delete(table).where(
            (table.c.organisation_id == organisation_id)
            & (table.c.table_name == table_name)
            & table.c.header.in_(headers)
        )
    )
    now = datetime.now(UTC)
    connection.execute(
        table.insert(),
        [
            {"organisation_id": organisation_id, "table_name": table_name, "header": vocabulary.key(h)[:200],
             "field": f, "updated_at": now}
            for h, f in mapping.items()
        ],
    )
