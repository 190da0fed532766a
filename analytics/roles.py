"""Who may see what: roles, their permissions and the viewer that carries them.

A ``Viewer`` is an identity (an email from sign-in, or the local single-user mode) with a role per
organisation, read from the database. Deny by default: a viewer with no role for an organisation sees nothing
of it, and an unknown or suspended user has no role anywhere.

* :func:`require` raises ``PermissionError`` (one plain sentence) when the viewer lacks a permission;
* :func:`allowed_pages` is the set of dashboard pages a viewer may open (the app offers only these);
* :func:`visible_organisation_ids` the organisations whose figures a viewer may see.

What a permitted viewer then receives (suppressed or exact figures) is decided in :mod:`analytics.protection`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from data import codes

__all__ = [
    "EMPTY_DATABASE_PAGES",
    "ERROR_NOT_ALLOWED",
    "ERROR_NOT_SIGNED_IN",
    "ERROR_NO_ROLE",
    "ERROR_UNKNOWN_PERMISSION",
    "NOBODY",
    "PAGE_PERMISSIONS",
    "PERMISSIONS",
    "PERMISSION_WORDS",
    "Viewer",
    "allowed_pages",
    "require",
    "resolve_viewer",
    "scoped_viewer",
    "visible_organisation_ids",
]

# What each role may do. "exact" = unsuppressed figures (marked "not for publication"); "network" = the
# organisation's published figures on the Network page, beside the other organisations the viewer may see.
PERMISSIONS: dict[str, frozenset[str]] = {
    "data_steward": frozenset(
        {"aggregates", "exact", "outreach", "record_level", "import", "export", "admin", "audit", "network"}
    ),
    "equality_lead": frozenset({"aggregates", "exact", "outreach", "record_level", "network"}),
    "board_member": frozenset({"aggregates", "network"}),
    "outreach_worker": frozenset({"aggregates", "outreach", "network"}),
    "viewer": frozenset({"aggregates", "network"}),
    # granted a set of organisations (models.network_grants), not a role in one: published figures on the
    # Network page and nothing else: no organisation page, no records, no exact figures
    codes.NETWORK_VIEWER: frozenset({"network"}),
}
assert set(PERMISSIONS) == set(codes.ROLE_LABELS)

# The permission each dashboard page needs (page key -> permission).
PAGE_PERMISSIONS: dict[str, str] = {
    "overview": "aggregates",
    "representation": "aggregates",
    "decision_making": "aggregates",
    "trends": "aggregates",
    "outreach": "outreach",
    "data_quality": "aggregates",
    "methods": "aggregates",
    "scorecard": "aggregates",
    "activity_view": "aggregates",
    "board_pack": "aggregates",
    "import_data": "import",
    "records": "import",
    "corrections": "import",
    "setup": "admin",
    "admin": "admin",
    "network": "network",  # published figures of every organisation the viewer may see
}

# Pages the local single-user mode offers while the database has no organisation yet.
EMPTY_DATABASE_PAGES = ("setup", "overview", "import_data", "methods")

PERMISSION_WORDS = {
    "aggregates": "see this organisation's figures",
    "exact": "see exact (unsuppressed) figures",
    "outreach": "see outreach lists",
    "record_level": "see record-level lists",
    "import": "import data",
    "export": "export data",
    "admin": "manage users and roles",
    "audit": "read the audit trail",
    "network": "compare this organisation's published figures with other organisations'",
}

ERROR_NO_ROLE = "You have no role in this organisation, so you cannot {what}: ask its data steward for one."
ERROR_NOT_ALLOWED = "Your role ({role}) does not allow you to {what}."
ERROR_NOT_SIGNED_IN = "Sign in first: Presence shows nothing to someone it does not know."
ERROR_UNKNOWN_PERMISSION = "'{permission}' is not a permission Presence knows."


@dataclass(frozen=True)
class Viewer:
    """The person looking, with their role in each organisation they may see (organisation id -> role)."""

    email: str
    roles: Mapping[int, str] = field(default_factory=dict)
    local_mode: bool = False

    def role(self, organisation_id: int) -> str | None:
        return self.roles.get(organisation_id)

    def can(self, permission: str, organisation_id: int) -> bool:
        role = self.role(organisation_id)
        return role is not None and permission in PERMISSIONS[role]

    @property
    def organisation_ids(self) -> tuple[int, ...]:
        return tuple(sorted(self.roles))

    @property
    def is_known(self) -> bool:
        """True when the viewer has a role somewhere (an unknown user sees nothing at all)."""
        return bool(self.email) and bool(self.roles)

    def exact(self, organisation_id: int) -> bool:
        """True when this viewer receives exact figures (marked not for publication) for the organisation."""
        return self.can("exact", organisation_id)

    def scope_key(self, organisation_id: int) -> str:
        """A small, hashable cache-key part: results may be shared only between viewers with the same
        scope."""
        return f"{organisation_id}:{self.role(organisation_id) or 'none'}"


NOBODY = Viewer(email="")


def scoped_viewer(scope_key: str) -> Viewer:
    """The anonymous viewer a cache key stands for ("3:board_member" -> a board member of organisation 3).

    Cached functions receive only the scope key; this lets them apply exactly that scope's rules.
    """
    organisation, _, role = scope_key.partition(":")
    if role not in PERMISSIONS or not organisation.isdigit():
        return NOBODY
    return Viewer(email=f"scope:{scope_key}", roles={int(organisation): role})


def resolve_viewer(engine: Engine, email: str | None, local_mode: bool = False) -> Viewer:
    """The viewer for a signed-in email, with their roles from the database (deny by default).

    In the local single-user mode the user is data steward of every organisation. An email that is unknown,
    suspended or not an email at all gives a viewer with no roles. A network viewer's grants
    (:mod:`models.network_grants`) give the role ``network_viewer`` in every organisation they cover where the
    user has no role of their own (a role in an organisation is never lowered by a network grant).
    """
    from sqlmodel import Session

    from models import network_grants, users

    if not email:
        return NOBODY
    with Session(engine) as session:
        if local_mode:
            return Viewer(
                email=email,
                roles={i: "data_steward" for i in users.organisation_ids(session=session)},
                local_mode=True,
            )
        roles = users.roles_for(session=session, email=email)
        for organisation_id in network_grants.network_organisation_ids(session=session, email=email):
            roles.setdefault(organisation_id, codes.NETWORK_VIEWER)
        return Viewer(email=email.strip().lower(), roles=roles)


def _check_permission(permission: str) -> None:
    if permission not in PERMISSION_WORDS:
        raise ValueError(ERROR_UNKNOWN_PERMISSION.format(permission=permission))


def require(viewer: Viewer, permission: str, organisation_id: int) -> None:
    """Raise ``PermissionError`` with a plain sentence unless the viewer has ``permission`` in the
    organisation."""
    _check_permission(permission)
    what = PERMISSION_WORDS[permission]
    if not viewer.email:
        raise PermissionError(ERROR_NOT_SIGNED_IN)
    role = viewer.role(organisation_id)
    if role is None:
        raise PermissionError(ERROR_NO_ROLE.format(what=what))
    if permission not in PERMISSIONS[role]:
        raise PermissionError(ERROR_NOT_ALLOWED.format(role=codes.ROLE_LABELS[role], what=what))


def allowed_pages(viewer: Viewer, organisation_id: int | None) -> set[str]:
    """The dashboard pages this viewer may open for the organisation (empty for an unknown viewer).

    With no organisation chosen (an empty database) the local single-user mode may still open the overview,
    import and methods pages, so that the first organisation can be brought in; everyone else gets nothing.
    """
    if not viewer.email:
        return set()
    if organisation_id is None:  # no organisation yet: only the local user may bring the first one in
        return set(EMPTY_DATABASE_PAGES) if viewer.local_mode else set()
    return {page for page, permission in PAGE_PERMISSIONS.items() if viewer.can(permission, organisation_id)}


def visible_organisation_ids(
    viewer: Viewer, organisation_ids: Sequence[int], permission: str = "aggregates"
) -> list[int]:
    """The given organisations that the viewer may see (with ``permission``: "network" for the Network page),
    in the given order."""
    _check_permission(permission)
    return [i for i in organisation_ids if viewer.can(permission, i)]
