"""Sign-in modes, the viewer a session gets, and the Admin page, in Streamlit's AppTest."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.roles import allowed_pages
from dashboard import auth, cache
from models import audit, users
from models.crud import create_organisation
from models.db import get_engine, session_scope, upgrade_schema
from models.settings import get_settings
from models.tables import OrganisationCreate

ADMIN = str(Path(__file__).resolve().parents[2] / "dashboard" / "views" / "admin.py")
PG_URL = "postgresql+psycopg://presence@127.0.0.1:5432/never_connected"


def _production(monkeypatch, url: str = PG_URL) -> None:
    monkeypatch.setenv("PRESENCE_ENV", "production")
    monkeypatch.setenv("PRESENCE_DATABASE_URL", url)
    get_settings.cache_clear()


# --- current_user
# ---------------------------------------------------------------------------------------------


def test_local_mode_is_the_embedded_default():
    assert auth.is_local_mode()
    assert auth.current_user() == get_settings().local_user == "local@presence.invalid"


def test_local_user_is_a_setting(monkeypatch):
    monkeypatch.setenv("PRESENCE_LOCAL_USER", "me@example.org")
    get_settings.cache_clear()
    assert auth.current_user() == "me@example.org"


def test_production_refuses_the_embedded_database(monkeypatch, tmp_path):
    monkeypatch.setenv("PRESENCE_ENV", "production")
    monkeypatch.setenv("PRESENCE_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="needs PRESENCE_DATABASE_URL set to a PostgreSQL database"):
        auth.current_user()


def test_production_without_sign_in_is_nobody(monkeypatch):
    _production(monkeypatch)
    assert not auth.is_local_mode()
    assert auth.current_user() is None  # st.user is empty: no local user in production


@pytest.mark.parametrize(
    "claims,email",
    [
        ({"is_logged_in": True, "email": "Ada@NHS.net", "exp": +600}, "ada@nhs.net"),
        ({"is_logged_in": True, "preferred_username": "grace@nhs.net"}, "grace@nhs.net"),
        ({"is_logged_in": True, "email": "old@nhs.net", "exp": -1}, None),  # expired token
        ({"is_logged_in": False, "email": "x@nhs.net"}, None),
        ({"is_logged_in": True}, None),  # no address claim
        ({}, None),
    ],
)
def test_production_identity_from_the_token(monkeypatch, claims, email):
    # "exp" is given in seconds from now and made absolute here: a time taken when the tests are collected
    # has passed by the time a long run reaches this test.
    if "exp" in claims:
        claims = claims | {"exp": time.time() + claims["exp"]}
    _production(monkeypatch)
    monkeypatch.setattr(auth, "_claims", lambda: claims)
    assert auth.current_user() == email


# --- current_viewer
# -------------------------------------------------------------------------------------------


@pytest.fixture
def app_database():
    """The configured (temporary) database with organisations A and B and a few users."""
    engine = get_engine(get_settings().database_url)
    upgrade_schema(engine)
    with session_scope(engine) as session:
        a = create_organisation(session=session, organisation=OrganisationCreate(code="A", name="Trust A")).id
        b = create_organisation(session=session, organisation=OrganisationCreate(code="B", name="Trust B")).id
        for email, organisation, role in (
            ("steward@a.org", a, "data_steward"),
            ("board@a.org", a, "board_member"),
            ("steward@b.org", b, "data_steward"),
        ):
            users.set_role(
                session=session, email=email, organisation_id=organisation, role=role, actor="setup"
            )
    return engine, a, b


def test_viewer_in_local_mode_is_steward_of_everything(app_database):
    _, a, b = app_database
    from analytics.roles import resolve_viewer

    local = resolve_viewer(app_database[0], auth.current_user(), local_mode=auth.is_local_mode())
    assert local.local_mode and local.roles == {a: "data_steward", b: "data_steward"}


def _script_viewer():
    import streamlit as st

    from dashboard import auth as script_auth

    viewer = script_auth.current_viewer()
    st.write(f"viewer={viewer.email};roles={sorted(viewer.roles.items())}")
    st.write(f"banner={script_auth.local_mode_banner() is not None}")


def _run_as(monkeypatch, email: str | None, script=_script_viewer) -> AppTest:
    monkeypatch.setattr(auth, "is_local_mode", lambda settings=None: False)
    monkeypatch.setattr(auth, "current_user", lambda: email)
    at = AppTest.from_function(script, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def test_signed_in_user_gets_their_roles_and_the_sign_in_is_audited(monkeypatch, app_database):
    engine, a, _ = app_database
    at = _run_as(monkeypatch, "board@a.org")
    assert f"viewer=board@a.org;roles=[({a}, 'board_member')]" in _texts(at)
    assert "banner=False" in _texts(at)
    at.run()  # a rerun in the same session is not a new sign-in
    events = audit.audit_frame(engine, user="board@a.org", action=audit.SIGN_IN)
    assert events["organisation_id"].to_list() == [a]


def test_unknown_user_sees_nothing_and_is_audited(monkeypatch, app_database):
    engine, a, b = app_database
    at = _run_as(monkeypatch, "stranger@elsewhere.org")
    assert "roles=[]" in _texts(at)
    assert audit.audit_frame(engine, user="stranger@elsewhere.org", action=audit.ACCESS_DENIED).height == 1
    from analytics.roles import resolve_viewer

    nobody = resolve_viewer(engine, "stranger@elsewhere.org")
    assert allowed_pages(nobody, a) == set() and allowed_pages(nobody, b) == set()


def _script_gate():
    import streamlit as st

    from dashboard import auth as script_auth

    viewer = script_auth.sign_in_gate()
    st.write(f"through as {viewer.email}")


def test_sign_in_gate_stops_strangers(monkeypatch, app_database):
    at = _run_as(monkeypatch, None, _script_gate)
    assert "through as" not in _texts(at)
    assert at.button[0].label == "Sign in"
    at = _run_as(monkeypatch, "stranger@elsewhere.org", _script_gate)
    assert "through as" not in _texts(at)
    assert "no role in any organisation" in at.info[0].value
    at = _run_as(monkeypatch, "steward@b.org", _script_gate)
    assert "through as steward@b.org" in _texts(at)


def test_local_mode_banner_says_so_on_the_page():
    def script():
        from dashboard import auth as script_auth

        script_auth.local_mode_banner()

    at = AppTest.from_function(script, default_timeout=60)
    at.run()
    assert "Local single-user mode" in at.warning[0].value
    assert "local@presence.invalid" in at.warning[0].value
    assert "data steward of every organisation" in at.warning[0].value


def test_no_banner_in_production(monkeypatch):
    _production(monkeypatch)
    assert auth.local_mode_banner() is None


# --- The Admin page
# -------------------------------------------------------------------------------------------


def _admin(monkeypatch, email: str, organisation_id: int) -> AppTest:
    monkeypatch.setattr(auth, "is_local_mode", lambda settings=None: False)
    monkeypatch.setattr(auth, "current_user", lambda: email)
    at = AppTest.from_file(ADMIN, default_timeout=60)
    at.session_state["filters"] = cache.Filters(organisation_id=organisation_id, organisation_name="Trust")
    at.run()
    assert not at.exception, at.exception
    return at


def test_admin_page_lists_only_this_organisations_users(monkeypatch, app_database):
    _, a, _ = app_database
    at = _admin(monkeypatch, "steward@a.org", a)
    listed = at.dataframe[0].value
    assert sorted(listed["email"].tolist()) == ["board@a.org", "steward@a.org"]


def test_admin_page_gives_a_role_and_audits_it(monkeypatch, app_database):
    engine, a, _ = app_database
    at = _admin(monkeypatch, "steward@a.org", a)
    at.text_input[0].input("New.Lead@A.org")
    at.selectbox[0].select("equality_lead")
    next(b for b in at.button if b.label == "Give this role").click()
    at.run()
    assert not at.exception
    assert at.success[0].value == "new.lead@a.org is now Equality lead here."
    assert "new.lead@a.org" in at.dataframe[0].value["email"].tolist()  # listed at once, not after a reload
    assert users.roles_for_email(engine, "new.lead@a.org") == {a: "equality_lead"}
    granted = audit.audit_frame(engine, organisation_id=a, action=audit.ROLE_GRANTED, user="steward@a.org")
    assert granted.filter(granted["detail"].str.contains("new.lead@a.org")).height == 1


def test_admin_page_shows_a_refusal_as_a_sentence(monkeypatch, app_database):
    _, a, _ = app_database
    at = _admin(monkeypatch, "steward@a.org", a)
    at.text_input[0].input("=1+1@evil.org")
    next(b for b in at.button if b.label == "Give this role").click()
    at.run()
    assert "is not an email address" in at.error[0].value


@pytest.mark.parametrize("email", ["board@a.org", "steward@b.org", "stranger@elsewhere.org"])
def test_admin_page_refuses_everyone_else(monkeypatch, app_database, email):
    engine, a, _ = app_database
    at = _admin(monkeypatch, email, a)
    assert not at.dataframe and not at.text_input
    assert "does not include this page" in at.warning[0].value
    refused = audit.audit_frame(engine, user=email, action=audit.ACCESS_DENIED, organisation_id=a)
    assert refused.height == 1 and '"page": "admin"' in refused["detail"][0]


def test_admin_audit_trail_shows_this_organisation_only(monkeypatch, app_database):
    engine, a, b = app_database
    audit.record_event(
        engine=engine,
        user="steward@b.org",
        action=audit.EXPORT,
        organisation_id=b,
        detail={"what": "secret of B"},
    )
    at = _admin(monkeypatch, "steward@a.org", a)
    trail = at.dataframe[1].value
    assert not trail["detail"].str.contains("secret of B").any()
    assert trail["action"].isin([audit.ROLE_GRANTED, audit.SIGN_IN]).any()


def test_secrets_example_configures_entra_id():
    import tomllib

    example = Path(__file__).resolve().parents[2] / ".streamlit" / "secrets.example.toml"
    settings = tomllib.loads(example.read_text(encoding="utf-8"))["auth"]
    assert set(settings) >= {
        "redirect_uri",
        "cookie_secret",
        "client_id",
        "client_secret",
        "server_metadata_url",
    }
    assert settings["redirect_uri"].endswith("/oauth2callback")
    assert settings["server_metadata_url"] == (
        "https://login.microsoftonline.com/<tenant-id>/v2.0/.well-known/openid-configuration"
    )
    text = example.read_text(encoding="utf-8")
    assert text.count("\n#") > 20  # every setting is explained
