"""The ``presence user`` command: manage sign-in users and their roles from the server's command line."""

from __future__ import annotations

import argparse
import getpass

from analytics.protection import safe_for_spreadsheet
from data import codes


def cli_actor() -> str:
    """The actor the audit trail names for a command-line change (``cli:<login>``)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # pragma: no cover - no login name in some containers
        return "cli"


def run_user_cli(args: argparse.Namespace) -> int:
    """``presence user add|remove|list [EMAIL] --organisation CODE --role ROLE``: manage sign-in users."""
    from models import crud, users
    from models.db import get_engine, session_scope, upgrade_schema

    engine = get_engine()
    upgrade_schema(engine)
    actor = cli_actor()
    with session_scope(engine) as session:
        if args.action == "list":
            organisation = (
                crud.get_organisation(session=session, code=args.organisation) if args.organisation else None
            )
            frame = users.users_frame(
                session=session, organisation_ids=None if organisation is None else [organisation.id]
            )
            if frame.height == 0:
                print("No users yet: add one with 'presence user add EMAIL --role data_steward'.")
                return 0
            for row in safe_for_spreadsheet(frame).iter_rows(named=True):
                state = "" if row["active"] else " (suspended)"
                print(f"{row['organisation_code']}\t{row['email']}\t{row['role_label']}{state}")
            return 0
        if not args.email:
            raise ValueError(f"'presence user {args.action}' needs the user's email address.")
        if args.action == "add":
            if not args.role:
                raise ValueError("'presence user add' needs --role: " + ", ".join(codes.USER_ROLES) + ".")
            organisation = crud.get_organisation(session=session, code=args.organisation)
            users.set_role(
                session=session,
                email=args.email,
                organisation_id=organisation.id,
                role=args.role,
                actor=actor,
            )
            role_label = codes.USER_ROLES[args.role]
            print(f"{users.normalise_email(args.email)} is now {role_label} of {organisation.code}.")
            return 0
        if args.action == "remove":
            organisation_id = None
            if args.organisation:
                organisation_id = crud.get_organisation(session=session, code=args.organisation).id
            removed = users.remove_user(
                session=session, email=args.email, actor=actor, organisation_id=organisation_id
            )
            where = f" in {args.organisation}" if args.organisation else ""
            print(f"Removed {users.normalise_email(args.email)}{where} ({removed} role(s)).")
            return 0
    raise ValueError(f"'{args.action}' is not add, remove or list.")
