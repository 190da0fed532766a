"""Network viewers: grants of a set of organisations (all, a region, an ICB, one organisation), on SQLite and
PostgreSQL, audited in the hash chain like every other role change."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from analytics import roles
from data import areas
from models import audit, network_grants, users
from models.audit_chain import verify_chain
from models.crud import create_organisation
from models.db import session_scope
from models.tables import OrganisationCreate

# Catchments from the demo network: Hackney + Tower Hamlets (North East London ICB, QMF, London), Manchester
# (Greater Manchester, QOP, North West), Bradford (West Yorkshire, QWO), Cardiff (Wales: no ICB), Allerdale
# (a Cumbrian district: North East and North Cumbria, QHM).
CATCHMENTS = {
    "LON": ["E09000012", "E09000030"],
    "MAN": ["E08000003"],
    "BRA": ["E08000035"],
    "CAR": ["W06000015"],
    "ALL": ["E07000026"],
}


@pytest.fixture
def organisations(fresh_engine) -> dict[str, int]:
    suffix = uuid.uuid4().hex[:6]
    with session_scope(fresh_engine) as session:
        return {
            code: create_organisation(
                session=session,
                organisation=OrganisationCreate(code=f"{code}{suffix}", name=code, catchment=catchment),
            ).id
            for code, catchment in CATCHMENTS.items()
        }


def _code(fresh_engine, organisation_id: int) -> str:
    with fresh_engine.connect() as connection:
        query = text("SELECT code FROM organisation WHERE id = :i")
        return connection.execute(query, {"i": organisation_id}).scalar_one()


def test_the_migration_creates_the_grant_table_with_its_rules(fresh_engine):
    columns = {c["name"] for c in inspect(fresh_engine).get_columns("network_grant")}
    assert {"id", "user_id", "scope_kind", "scope_value", "created_at"} <= columns
    with session_scope(fresh_engine) as session:
        users.set_role(session=session, email="x@example.org", organisation_id=create_organisation(
            session=session, organisation=OrganisationCreate(code="Z1", name="Z")).id, role="viewer", actor="cli:t")
    with pytest.raises(IntegrityError), fresh_engine.begin() as connection:  # the database refuses other kinds
        connection.execute(text(
            "INSERT INTO network_grant (user_id, scope_kind, scope_value, created_at) "
            "SELECT id, 'planet', '', CURRENT_TIMESTAMP FROM app_user"))


@pytest.mark.parametrize(
    "kind,value,expected",
    [
        ("all", None, {"LON", "MAN", "BRA", "CAR", "ALL"}),
        ("region", "london", {"LON"}),
        ("region", "north_east_and_yorkshire", {"BRA", "ALL"}),  # Allerdale is in NENC, Bradford in WY
        ("region", "Wales", {"CAR"}),
        ("icb", "qop", {"MAN"}),
        ("icb", "QHM", {"ALL"}),
    ],
)
def test_a_grant_covers_the_organisations_of_its_scope(fresh_engine, organisations, kind, value, expected):
    email = f"icb.{uuid.uuid4().hex[:6]}@example.org"
    with session_scope(fresh_engine) as session:
        network_grants.grant_network(session=session, email=email, scope_kind=kind, scope_value=value,
                                     actor="cli:operator")
    with session_scope(fresh_engine) as session:
        covered = network_grants.network_organisation_ids(session=session, email=email)
        assert covered == sorted(organisations[c] for c in expected)
        assert users.roles_for(session=session, email=email) == {}  # no role in any organisation
    viewer = roles.resolve_viewer(fresh_engine, email)
    assert viewer.roles == {organisations[c]: "network_viewer" for c in expected}
    for organisation_id in viewer.roles:
        assert roles.allowed_pages(viewer, organisation_id) == {"network"}
        assert not viewer.can("aggregates", organisation_id) and not viewer.exact(organisation_id)


def test_an_explicit_list_is_several_organisation_grants(fresh_engine, organisations):
    email = "list@example.org"
    with session_scope(fresh_engine) as session:
        for code in ("LON", "CAR"):
            network_grants.grant_network(session=session, email=email, scope_kind="organisation",
                                         scope_value=_code(fresh_engine, organisations[code]), actor="system")
    assert set(roles.resolve_viewer(fresh_engine, email).roles) == {organisations["LON"], organisations["CAR"]}


def test_a_role_in_an_organisation_is_not_lowered_by_a_network_grant(fresh_engine, organisations):
    email = "both@example.org"
    with session_scope(fresh_engine) as session:
        users.set_role(session=session, email=email, organisation_id=organisations["LON"], role="equality_lead",
                       actor="cli:t")
        network_grants.grant_network(session=session, email=email, scope_kind="all", actor="cli:t")
    viewer = roles.resolve_viewer(fresh_engine, email)
    assert viewer.role(organisations["LON"]) == "equality_lead"
    assert viewer.role(organisations["MAN"]) == "network_viewer"


def test_grants_and_revocations_are_audited_in_the_chain(fresh_engine, organisations):
    email = "audited@example.org"
    with session_scope(fresh_engine) as session:
        network_grants.grant_network(session=session, email=email, scope_kind="icb", scope_value="QMF",
                                     actor="cli:operator")
        again = network_grants.grant_network(session=session, email=email, scope_kind="icb", scope_value="qmf",
                                             actor="cli:operator")  # already there: nothing new
        assert again.scope_value == "QMF"
    with session_scope(fresh_engine) as session:
        network_grants.revoke_network(session=session, email=email, scope_kind="icb", scope_value="QMF",
                                      actor="cli:operator")
    events = audit.audit_frame(fresh_engine, user="cli:operator")
    details = [json.loads(d) if isinstance(d, str) else d for d in events["detail"].to_list()]
    assert events["action"].to_list() == [audit.ROLE_REVOKED, audit.ROLE_GRANTED]  # newest first, one grant
    assert details[1] == {"email": email, "role": "network_viewer", "scope_kind": "icb", "scope_value": "QMF"}
    assert details[0]["previous_role"] == "network_viewer"
    assert verify_chain(fresh_engine).intact
    assert roles.resolve_viewer(fresh_engine, email).roles == {}


def test_a_data_steward_may_grant_only_their_own_organisations(fresh_engine, organisations):
    """A region, an ICB or all would also cover organisations added later: only an operator grants those."""
    steward = "steward@example.org"
    with session_scope(fresh_engine) as session:
        users.set_role(session=session, email=steward, organisation_id=organisations["MAN"], role="data_steward",
                       actor="cli:t")
    with session_scope(fresh_engine) as session:
        network_grants.grant_network(session=session, email="gm@example.org", scope_kind="organisation",
                                     scope_value=_code(fresh_engine, organisations["MAN"]), actor=steward)
    refused = [("all", None, "Only the server's operator"), ("region", "north_west", "Only the server's operator"),
               ("icb", "QOP", "Only the server's operator"),  # Greater Manchester covers only MAN today
               ("organisation", _code(fresh_engine, organisations["LON"]), "not a data steward")]
    for kind, value, message in refused:
        with pytest.raises(ValueError, match=message), session_scope(fresh_engine) as session:
            network_grants.grant_network(session=session, email="gm@example.org", scope_kind=kind,
                                         scope_value=value, actor=steward)
    assert roles.resolve_viewer(fresh_engine, "gm@example.org").roles == {organisations["MAN"]: "network_viewer"}


@pytest.mark.parametrize(
    "kind,value,message",
    [("planet", "x", "not a network scope"), ("icb", "QXX", "There is no ICB"),
     ("region", "mordor", "There is no region"), ("organisation", "NOPE", "There is no organisation")],
)
def test_unknown_scopes_are_refused_with_the_choices(fresh_engine, organisations, kind, value, message):
    with pytest.raises(ValueError, match=message), session_scope(fresh_engine) as session:
        network_grants.grant_network(session=session, email="n@example.org", scope_kind=kind, scope_value=value,
                                     actor="cli:t")


def test_a_suspended_or_removed_network_viewer_sees_nothing(fresh_engine, organisations):
    email = "gone@example.org"
    with session_scope(fresh_engine) as session:
        network_grants.grant_network(session=session, email=email, scope_kind="all", actor="cli:t")
    with session_scope(fresh_engine) as session:
        users.set_active(session=session, email=email, active=False, actor="cli:t")
    assert roles.resolve_viewer(fresh_engine, email).roles == {}
    with session_scope(fresh_engine) as session:
        users.set_active(session=session, email=email, active=True, actor="cli:t")
        users.remove_user(session=session, email=email, actor="cli:t")
    assert roles.resolve_viewer(fresh_engine, email).roles == {}
    with session_scope(fresh_engine) as session:
        assert network_grants.grants_frame(session=session).height == 0
    assert verify_chain(fresh_engine).intact


def test_every_icb_of_the_lookup_has_a_region():
    assert set(areas.icbs()) == set(areas.ICB_REGIONS)
    assert len(areas.ICB_REGIONS) == 42 and set(areas.ICB_REGIONS.values()) == set(areas.REGIONS) - {areas.WALES}
