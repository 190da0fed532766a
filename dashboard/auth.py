"""Identity for the dashboard: one ``current_user()`` that tests can replace, and the viewer built from it."""

from __future__ import annotations

import streamlit as st

from analytics.access import Viewer
from models.settings import get_settings


def current_user() -> str | None:
    """The signed-in user's email; in the embedded local mode, the configured local user."""
    settings = get_settings()
    if settings.env != "production":
        return settings.local_user
    user = getattr(st, "user", None)
    if user is not None and getattr(user, "is_logged_in", False):
        return user.get("email")
    return None


def current_viewer() -> Viewer:
    """The viewer for this session (full access to every organisation in local mode, for now)."""
    from dashboard.data import all_organisations

    email = current_user()
    if email is None:
        return Viewer(email="")
    organisations = all_organisations()
    return Viewer(email=email, roles={int(o["id"]): "data_steward" for o in organisations}, local_mode=True)
