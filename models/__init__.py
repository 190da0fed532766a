"""Presence data layer: SQLModel tables, settings, engine and sessions."""

from models import audit_chain  # noqa: F401  (chains every audit_event row as it is inserted)
from models.db import get_engine, session_scope, upgrade_schema
from models.settings import Settings, get_settings
from models.tables import (
    ALL_TABLES,
    Activity,
    AppUser,
    Attendance,
    AuditEvent,
    Baseline,
    Feedback,
    ImpactLog,
    ImportLog,
    Involvement,
    Level,
    Meeting,
    Organisation,
    Payment,
    Person,
    ReviewStep,
    SupportOffer,
    UserRole,
)

__all__ = [
    "ALL_TABLES", "Activity", "AppUser", "Attendance", "AuditEvent", "Baseline", "Feedback", "ImpactLog",
    "ImportLog", "Involvement", "Level", "Meeting", "Organisation", "Payment", "Person", "ReviewStep",
    "Settings", "SupportOffer", "UserRole", "get_engine", "get_settings", "session_scope", "upgrade_schema",
]
