"""Setting up and checking the database: ``presence init-db``, ``presence demo`` and ``presence audit verify``."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.engine import Engine
from sqlmodel import func, select

from models import Organisation, db, get_engine, session_scope, upgrade_schema
from models.audit_chain import verify_chain


def ready_engine() -> Engine:
    """The engine of PRESENCE_DATABASE_URL, its schema brought up to date (every command that reads or writes
    records starts here). Looked up on ``models.db`` when called, so a test can point it at its own engine."""
    engine = db.get_engine()
    db.upgrade_schema(engine)
    return engine


def init_db(args: argparse.Namespace | None = None) -> int:
    """Create or upgrade the schema and load the shipped reference baselines (idempotent)."""
    from models.seeding import load_reference_baselines

    engine = get_engine()
    upgrade_schema(engine)
    loaded = load_reference_baselines(engine)
    print(f"Database ready at {engine.url.render_as_string(hide_password=True)}; "
          f"{loaded} reference baseline rows added.")
    role = getattr(args, "app_role", None)
    if role:
        from models.db_roles import grant_app_role

        grant_app_role(engine, role)
        print(f"Role {role} may now run Presence: it can read and add to the audit trail, never change it.")
    return 0


def demo(args: argparse.Namespace) -> int:
    """Seed the synthetic demo trust (or, with --network, the demo network of 12 organisations); with
    --if-empty, only when there is no organisation yet."""
    from models.seeding import seed_demo

    init_db()
    engine = get_engine()
    if args.if_empty:
        with session_scope(engine) as session:
            organisations = session.exec(select(func.count()).select_from(Organisation)).one()
        if organisations:
            print("The database already has data; the demo trust was not added.")
            return 0
    if getattr(args, "network", False):
        from analytics.network_loader import organisations as network_organisations
        from analytics.network_loader import precompute
        from models.seeding import seed_network

        print("\n".join(seed_network(engine=engine, seed=args.seed)))
        stored = precompute(engine, network_organisations(engine), characteristics=("ethnicity_binary",))
        print(f"Stored {stored} sets of published network aggregates (ethnicity, by year and by quarter).")
        return 0
    summary = seed_demo(engine=engine, scale=args.scale, seed=args.seed)
    print(summary)
    return 0


def verify_audit(args: argparse.Namespace) -> int:
    """``presence audit verify``: 0 and one sentence when the chain holds; 1 and the first break otherwise."""
    report = verify_chain(ready_engine())
    if report.intact:
        print(report.sentence)
        return 0
    print(f"presence: {report.sentence}", file=sys.stderr)
    return 1
