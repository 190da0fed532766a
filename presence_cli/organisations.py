"""Setting up organisations: ``presence organisation add|list`` and ``presence level list|set|add|remove``."""

from __future__ import annotations

import argparse

from sqlmodel import Session

from models import crud
from models.organisations import (
    LEVEL_TWICE,
    NO_SUCH_LEVEL,
    LevelChoice,
    add_organisation,
    level_choices,
    levels_frame,
    organisations_frame,
    set_levels,
)
from models.tables import row_id
from presence_cli.database import ready_engine
from presence_cli.operator import cli_user


def run_organisation(args: argparse.Namespace) -> int:
    """``presence organisation add --code CODE --name NAME --catchment CODES`` and ``presence organisation list``."""
    engine = ready_engine()
    if args.action == "list":
        frame = organisations_frame(engine=engine)
        if not frame.height:
            print("There is no organisation yet: add one with 'presence organisation add'.")
        for code, name, catchment, levels, people in frame.iter_rows():
            print(f"{code}\t{name}\tcatchment: {catchment or '(none)'}\t{levels} levels\t{people:,} people")
        return 0
    if not args.code or not args.name:
        raise ValueError("'presence organisation add' needs --code and --name (and usually --catchment).")
    organisation = add_organisation(engine=engine, code=args.code, name=args.name, catchment=args.catchment or "",
                                    user=cli_user())
    print(f"Added {organisation.name} ({organisation.code}) with catchment "
          f"{';'.join(organisation.catchment) or '(none)'} and the five default levels.")
    return 0


def run_level(args: argparse.Namespace) -> int:
    """``presence level list|set|add|remove [KEY] [--name] [--rank] [--decision-making yes|no]``."""
    engine = ready_engine()
    with Session(engine) as session:
        organisation = crud.get_organisation(session=session, code=args.organisation)
    current = level_choices(engine=engine, organisation_id=row_id(organisation))
    if args.action != "list":
        if not args.key:
            raise ValueError(f"'presence level {args.action}' needs the level's KEY.")
        keys = [lv.key for lv in current]
        flag = None if args.decision_making is None else args.decision_making == "yes"
        if args.action == "remove":
            if args.key not in keys:
                raise ValueError(NO_SUCH_LEVEL.format(organisation=organisation.code, key=args.key,
                                                      keys=", ".join(keys)))
            current = [lv for lv in current if lv.key != args.key]
        elif args.action == "add":
            if args.key in keys:
                raise ValueError(LEVEL_TWICE.format(key=args.key))
            new = LevelChoice(args.key, args.name or args.key.replace("_", " ").capitalize(), bool(flag))
            place = (args.rank or len(current) + 1) - 1
            current.insert(min(place, len(current)), new)
        else:  # set
            if args.key not in keys:
                raise ValueError(NO_SUCH_LEVEL.format(organisation=organisation.code, key=args.key,
                                                      keys=", ".join(keys)))
            old = current.pop(keys.index(args.key))
            new = LevelChoice(old.key, args.name or old.name, old.decision_making if flag is None else flag)
            place = (args.rank or keys.index(args.key) + 1) - 1
            current.insert(min(place, len(current)), new)
        changes = set_levels(engine=engine, organisation_id=row_id(organisation), levels=current, user=cli_user())
        print("Levels " + "; ".join(f"{k}: {', '.join(v)}" for k, v in changes.items() if v) + "."
              if any(changes.values()) else "Levels unchanged.")
    for rank, key, name, decision, activities in levels_frame(engine=engine,
                                                              organisation_id=row_id(organisation)).iter_rows():
        print(f"{rank}\t{key}\t{name}\t{'decision-making' if decision else ''}\t{activities} activities")
    return 0
