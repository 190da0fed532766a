"""Stored network aggregates (issue 17, scale): each organisation's published figures for the network view,
kept in the database so that a first network render reads one small row per part instead of every
organisation's records.

The bytes are made and read by ``analytics.network_loader`` (Arrow IPC of published frames, JSON for their
description); this module only keeps them, keyed by organisation, aggregate key and part, with the
organisation's **data version** (:func:`organisation_versions`: its change counters in ``data_change``, which
every writer of its records bumps in its own transaction). A stored part is used only while that version is
still the organisation's current one; after an import (or a form, an erasure, a new level) it is stale and is
computed and stored again on the next read.

What is stored is what a restricted (``viewer``) role is shown: small counts hidden, the others rounded. Never
records and never exact counts; the caller is responsible for passing only published frames, and
``tests/analytics/test_network_aggregates.py`` checks every stored count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from sqlalchemy import delete, select, tuple_
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from models.tables import DataChange, NetworkAggregate, table_of

__all__ = ["delete_aggregates", "organisation_versions", "read_aggregates", "store_aggregates"]


def organisation_versions(engine: Engine, organisation_ids: Iterable[int]) -> dict[int, str]:
    """{organisation id: its data version}: its change counters ("table=version/rewritten", sorted), one read
    for all of them. An organisation nobody has written to yet has the empty version."""
    ids = sorted(set(organisation_ids))
    counters = table_of(DataChange).c
    found: dict[int, list[str]] = {i: [] for i in ids}
    if not ids:
        return {}
    with engine.connect() as connection:
        rows = connection.execute(
            select(counters.organisation_id, counters.table_name, counters.version, counters.rewritten)
            .where(counters.organisation_id.in_(ids))
            .order_by(counters.organisation_id, counters.table_name)).all()
    for o, t, v, r in rows:
        found[int(o)].append(f"{t}={int(v)}/{int(r)}")
    return {o: "|".join(parts) for o, parts in found.items()}


def read_aggregates(engine: Engine, wanted: Mapping[int, str],
                    versions: Mapping[int, str]) -> dict[int, dict[str, bytes]]:
    """{organisation id: {part: bytes}} of the stored aggregates ``wanted`` ({organisation id: aggregate key}),
    only those computed from the organisation's current data version (``versions``); an organisation with
    nothing current stored is left out. One read for all of them."""
    if not wanted:
        return {}
    table = table_of(NetworkAggregate).c
    pairs = sorted(wanted.items())
    found: dict[int, dict[str, bytes]] = {}
    with engine.connect() as connection:
        rows = connection.execute(
            select(table.organisation_id, table.part, table.data_version, table.payload)
            .where(tuple_(table.organisation_id, table.aggregate_key).in_(pairs))).all()
    for o, part, version, payload in rows:
        if versions.get(int(o)) == version:
            found.setdefault(int(o), {})[str(part)] = bytes(payload)
    return found


def store_aggregates(engine: Engine, organisation_id: int, key: str, version: str,
                     parts: Mapping[str, bytes]) -> bool:
    """Replace the organisation's stored parts for ``key`` with ``parts``, computed from data ``version``, in
    one transaction (nothing half-written). False when another process stored the same key at the same moment
    (its rows are kept) or the organisation has gone."""
    table = table_of(NetworkAggregate)
    now = datetime.now(UTC)
    rows = [{"organisation_id": organisation_id, "aggregate_key": key, "part": part, "data_version": version,
             "payload": payload, "computed_at": now} for part, payload in parts.items()]
    try:
        with engine.begin() as connection:
            connection.execute(delete(table).where(
                (table.c.organisation_id == organisation_id) & (table.c.aggregate_key == key)))
            if rows:
                connection.execute(table.insert(), rows)
    except IntegrityError:
        return False
    return True


def delete_aggregates(connection: Connection, organisation_id: int) -> None:
    """Forget every stored aggregate of the organisation, in the caller's transaction (an erasure)."""
    table = table_of(NetworkAggregate)
    connection.execute(delete(table).where(table.c.organisation_id == organisation_id))
