"""``presence user add|remove|list``: manage sign-in users and their roles; ``presence user network|unnetwork``:
network viewers (published figures of a set of organisations, on the Network page only)."""

from __future__ import annotations

import argparse

from sqlmodel import Session

from analytics.protection import safe_for_spreadsheet
from data import codes
from models import crud, network_grants, users
from models.db import session_scope
from models.tables import row_id
from presence_cli.database import ready_engine
from presence_cli.operator import cli_user


def run(args: argparse.Namespace) -> int:
    """``presence user add|remove|list [EMAIL] --organisation CODE --role ROLE``: manage sign-in users."""
    engine = ready_engine()
    actor = cli_user()
    with session_scope(engine) as session:
        if args.action == "list":
            organisation = (
                crud.get_organisation(session=session, code=args.organisation) if args.organisation else None
            )
            frame = users.users_frame(
                session=session, organisation_ids=None if organisation is None else [row_id(organisation)]
            )
            grants = network_grants.grants_frame(session=session) if organisation is None else None
            if frame.height == 0 and (grants is None or grants.height == 0):
                print("No users yet: add one with 'presence user add EMAIL --role data_steward'.")
                return 0
            for row in safe_for_spreadsheet(frame).iter_rows(named=True):
                state = "" if row["active"] else " (suspended)"
                print(f"{row['organisation_code']}\t{row['email']}\t{row['role_label']}{state}")
            for row in safe_for_spreadsheet(grants).iter_rows(named=True) if grants is not None else []:
                state = "" if row["active"] else " (suspended)"
                print(f"network\t{row['email']}\t{codes.ROLE_LABELS[codes.NETWORK_VIEWER]} of {row['scope']} "
                      f"({row['organisations']} organisations now){state}")
            return 0
        if not args.email:
            raise ValueError(f"'presence user {args.action}' needs the user's email address.")
        if args.action in ("network", "unnetwork"):
            return _network(session, args, actor)
        if args.action == "add":
            if not args.role:
                raise ValueError("'presence user add' needs --role: " + ", ".join(codes.USER_ROLES) + ".")
            organisation = crud.get_organisation(session=session, code=args.organisation)
            users.set_role(
                session=session,
                email=args.email,
                organisation_id=row_id(organisation),
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


def _scopes(args: argparse.Namespace) -> list[tuple[str, str | None]]:
    """(scope kind, value) pairs named by --all, --region, --icb or --organisations (one of them)."""
    if args.all:
        return [("all", None)]
    if args.region:
        return [("region", args.region)]
    if args.icb:
        return [("icb", args.icb)]
    if args.organisations:
        return [("organisation", code.strip()) for code in args.organisations.split(",") if code.strip()]
    raise ValueError(
        f"'presence user {args.action}' needs one of --all, --region NAME, --icb CODE or --organisations CODES."
    )


def _network(session: Session, args: argparse.Namespace, actor: str) -> int:
    """``presence user network|unnetwork EMAIL --all|--region|--icb|--organisations``."""
    email = users.normalise_email(args.email)
    for kind, value in _scopes(args):
        if args.action == "network":
            grant = network_grants.grant_network(session=session, email=email, scope_kind=kind, scope_value=value,
                                                 actor=actor)
            covered = network_grants.organisations_in_scope(session=session, kind=kind, value=grant.scope_value)
            label = network_grants.scope_label(kind, grant.scope_value)
            print(f"{email} is now a network viewer of {label}: published figures of {len(covered)} "
                  "organisation(s) now, on the Network page only.")
        else:
            network_grants.revoke_network(session=session, email=email, scope_kind=kind, scope_value=value,
                                          actor=actor)
            print(f"{email} no longer sees {network_grants.scope_label(kind, (value or '').strip())}.")
    return 0
