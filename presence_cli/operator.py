"""Who runs the command line, as the import log and the audit trail name them."""

from __future__ import annotations

import getpass


def cli_user() -> str:
    """``cli:<login name>`` (``cli`` where the container has no login name)."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "cli"
