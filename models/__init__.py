"""Presence data layer: SQLModel tables, settings, engine and sessions.

The names below are imported when first used (PEP 562), so that ``from models.settings import Settings`` does
not load SQLAlchemy and every table: ``import analytics`` stays light. The audit trail's hash chain is
attached where the tables are defined (the end of ``models.tables``).
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "get_engine": "models.db",
    "session_scope": "models.db",
    "upgrade_schema": "models.db",
    "Settings": "models.settings",
    "get_settings": "models.settings",
}
_TABLES = (
    "ALL_TABLES", "Activity", "AppUser", "Attendance", "AuditEvent", "Baseline", "Feedback", "ImpactLog",
    "ImportLog", "Involvement", "Level", "Meeting", "Organisation", "Payment", "Person", "ReviewStep",
    "SupportOffer", "UserRole",
)
_WHERE.update(dict.fromkeys(_TABLES, "models.tables"))

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'models' has no attribute {name!r}")
