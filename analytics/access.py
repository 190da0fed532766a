"""Who may see what: the viewer context that every analytics output passes through.

A ``Viewer`` is an identity (an email from sign-in, or the local single-user mode) with a role per organisation, read
from the database. Deny by default: a viewer with no role for an organisation sees nothing of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from data import codes

# What each role may do. "exact" = unsuppressed figures (marked "not for publication").
PERMISSIONS: dict[str, frozenset[str]] = {
    "data_steward": frozenset({"aggregates", "exact", "outreach", "record_level", "import", "export", "admin", "audit"}),
    "equality_lead": frozenset({"aggregates", "exact", "outreach", "record_level"}),
    "board_member": frozenset({"aggregates"}),
    "outreach_worker": frozenset({"aggregates", "outreach"}),
    "viewer": frozenset({"aggregates"}),
}
assert set(PERMISSIONS) == set(codes.USER_ROLES)


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

    def scope_key(self, organisation_id: int) -> str:
        """A small, hashable cache-key part: results may be shared only between viewers with the same scope."""
        return f"{organisation_id}:{self.role(organisation_id) or 'none'}"


NOBODY = Viewer(email="")
