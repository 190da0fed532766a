""""View as": a data steward looks at the whole dashboard as a board member, an outreach worker or the public
would, to check what they publish.

The preview is not a display trick: the steward's viewer is replaced for the run by a viewer holding the chosen
role in the chosen organisation, so every page, menu entry, cache scope, disclosure rule and download goes
through exactly the protection that role gets. A banner says so on every page, and each switch is written to
the audit trail (action ``view_as``).
"""

from __future__ import annotations

import streamlit as st

from analytics.roles import Viewer
from models import audit

KEY = "view_as"  # the widget's key in st.session_state
AUDITED_KEY = "_view_as_audited"  # the last (organisation, role) written to the audit trail
ACTION = "view_as"
ACTION_WORDS = "Viewed the dashboard as another role"
ROLES = ("board_member", "outreach_worker", "viewer", "network_viewer")
ROLE_WORDS = {
    None: "Yourself (data steward)",
    "board_member": "A board member",
    "outreach_worker": "An outreach worker",
    "viewer": "The public (a viewer)",
    "network_viewer": "A network viewer (an ICB or region)",
}
HELP = (
    "See every page as someone with another role sees it: the same menu, the same suppressed and rounded "
    "figures, nothing they may not see. Use it to check what you publish. Switching is recorded in the audit "
    "trail."
)
BANNER = (
    "**You are viewing the dashboard as {who}.** Every page shows only what that role sees, with its "
    "protection. Choose *Yourself* under *View as* in the sidebar to go back."
)


def can_preview(viewer: Viewer, organisation_id: int | None) -> bool:
    """Only a data steward of the organisation may view it as another role."""
    return organisation_id is not None and viewer.role(organisation_id) == "data_steward"


def previewed(viewer: Viewer, organisation_id: int, role: str | None) -> Viewer:
    """The viewer a preview stands for: the steward's email, holding only ``role`` in the organisation (or
    the steward themselves when ``role`` is None)."""
    if role is None:
        return viewer
    if role not in ROLES:
        raise ValueError(f"'{role}' is not a role the dashboard can be viewed as: use one of {', '.join(ROLES)}.")
    if role == "network_viewer":  # as a network grant of every organisation the steward looks after would show
        stewarded = [o for o, r in viewer.roles.items() if r == "data_steward"]
        return Viewer(email=viewer.email, roles=dict.fromkeys(stewarded, role), local_mode=viewer.local_mode)
    return Viewer(email=viewer.email, roles={organisation_id: role}, local_mode=viewer.local_mode)


def _engine():
    from dashboard import cache

    return cache.engine()


def _audit(viewer: Viewer, organisation_id: int, role: str | None) -> None:
    """Write a switch (to a role, or back to the steward) once."""
    last = st.session_state.get(AUDITED_KEY)
    now = (organisation_id, role)
    if last == now or (last is None and role is None):
        return
    st.session_state[AUDITED_KEY] = now
    audit.record_event(
        engine=_engine(), user=viewer.email or "unknown", action=ACTION, organisation_id=organisation_id,
        detail={"role": role or "data_steward", "as": ROLE_WORDS[role]},
    )


def view_as(viewer: Viewer, organisation_id: int | None) -> Viewer:
    """The sidebar's "View as" choice for a data steward, and the viewer the run should use; everyone else
    (and a steward who chose themselves) is returned unchanged."""
    if not can_preview(viewer, organisation_id):
        st.session_state.pop(KEY, None)
        return viewer
    role = st.sidebar.selectbox(
        "View as", [None, *ROLES], key=KEY, format_func=ROLE_WORDS.get, help=HELP,
    )
    _audit(viewer, organisation_id, role)
    if role is None:
        return viewer
    st.info(BANNER.format(who=ROLE_WORDS[role].lower()), icon=":material/visibility:")
    return previewed(viewer, organisation_id, role)
