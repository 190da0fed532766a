"""Identity for the dashboard: one ``current_user()`` that tests can replace, and the viewer built from it.

Two modes, decided by ``PRESENCE_ENV``:

* **production**: sign-in through an OpenID Connect provider (Microsoft Entra ID for most NHS organisations)
with
  Streamlit's ``st.login``, configured in ``.streamlit/secrets.toml`` (see ``secrets.example.toml``). Someone
  who is not signed in sees only the sign-in page; someone signed in sees only what their roles allow.
* anything else (the embedded default of ``make run``): a **local single-user mode**. The configured local
user
  (``PRESENCE_LOCAL_USER``) is data steward of every organisation, and every page says so in a banner. The
  local mode is never used when ``PRESENCE_ENV=production`` (and production refuses the embedded SQLite
  database).

Roles live in the database (:mod:`models.users`), so a role removed on the Admin page is gone at the next
rerun.
"""

from __future__ import annotations

import time
import tomllib
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAuthError

from analytics.roles import NOBODY, Viewer, allowed_pages, resolve_viewer
from models import audit
from models.settings import Settings, cookie_secret_problem, get_settings

SIGNED_IN_KEY = "_presence_signed_in"
LOCAL_BANNER = (
    "**Local single-user mode.** You are {user}, data steward of every organisation in this database, "
    "with no sign-in. This is for trying Presence on one computer only: for shared use set "
    "PRESENCE_ENV=production, a PostgreSQL database and sign-in (see SECURITY.md)."
)
SIGN_IN_TEXT = (
    "Presence shows equality information about people involved in shaping services, so it needs to know who "
    "you are. Sign in with your organisation account."
)
EXPIRED_TEXT = "Your sign-in has expired: sign in again."
NO_ROLE_TEXT = (
    "You are signed in as {email}, but you have no role in any organisation yet, so there is nothing to "
    "show. Ask your organisation's data steward to add you."
)
PAGE_REFUSED = "Your role does not include this page. Use the pages in the menu."
SIGN_IN_NOT_CONFIGURED = (
    "Sign-in is not configured: an administrator must create {file} from .streamlit/secrets.example.toml "
    "(see SECURITY.md) before anyone can sign in."
)
SECRETS_UNREADABLE = "{file} is not a valid TOML file ({reason}), so Presence cannot start: fix it and restart."


def is_local_mode(settings: Settings | None = None) -> bool:
    """True in the embedded single-user mode: never when PRESENCE_ENV=production."""
    return (settings or get_settings()).env != "production"


def secrets_files() -> list[Path]:
    """The secrets files Streamlit reads, in order (a later file overrides an earlier one)."""
    return [Path(p) for p in st.get_option("secrets.files")]


def _label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def secrets_problem(files: list[Path] | None = None) -> str | None:
    """One sentence when the sign-in secrets would be unsafe in production (naming the file), else None.

    The ``cookie_secret`` Streamlit will use is the one in the last file that sets it; an unreadable file is
    a problem too. Missing secrets are not: sign-in is then simply not configured (see ``sign_in_gate``).
    """
    found: tuple[object, Path] | None = None
    for path in files if files is not None else secrets_files():
        if not path.is_file():
            continue
        try:
            secrets = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            reason = " ".join(str(error).split())[:120]
            return SECRETS_UNREADABLE.format(file=_label(path), reason=reason)
        section = secrets.get("auth")
        if isinstance(section, dict) and "cookie_secret" in section:
            found = (section["cookie_secret"], path)
    if found is None:
        return None
    return cookie_secret_problem(found[0], file=_label(found[1]))


def refuse_unsafe_secrets() -> None:
    """Production only: stop the app, with one sentence, when its sign-in secrets are unsafe."""
    if is_local_mode():
        return
    problem = secrets_problem()
    if problem:
        st.error(problem, icon=":material/gpp_bad:")
        st.stop()


def _sign_in() -> None:
    """Start the sign-in; when it is not configured, say so on the page (not Streamlit's redacted error)."""
    try:
        st.login()
    except StreamlitAuthError:
        files = [p for p in secrets_files() if p.is_file()] or secrets_files()[-1:]
        st.error(
            SIGN_IN_NOT_CONFIGURED.format(file=_label(files[-1]) if files else ".streamlit/secrets.toml"),
            icon=":material/key_off:",
        )


def _claims() -> Any:
    return getattr(st, "user", None)


def _claim(user: Any, name: str) -> Any:
    try:
        return user.get(name)
    except (AttributeError, KeyError):  # pragma: no cover - st.user outside a running app
        return None


def _expired(user: Any, now: float | None = None) -> bool:
    """Streamlit does not check the identity token's expiry time; Presence does."""
    expires = _claim(user, "exp")
    return expires is not None and float(expires) < (now if now is not None else time.time())


def current_user() -> str | None:
    """The signed-in user's email (lower-case); in the local mode the configured local user; None otherwise.

    Entra ID puts the address in ``email`` when that optional claim is configured, and always in
    ``preferred_username`` (the sign-in name, usually the email address).
    """
    settings = get_settings()
    if is_local_mode(settings):
        return settings.local_user
    user = _claims()
    if user is None or not _claim(user, "is_logged_in") or _expired(user):
        return None
    email = _claim(user, "email") or _claim(user, "preferred_username")
    return str(email).strip().lower() if email else None


def _engine():
    from dashboard import cache

    return cache.engine()


def _record_sign_in(viewer: Viewer) -> None:
    """Write the sign-in to the audit trail once per browser session (one event per organisation)."""
    if not viewer.email or st.session_state.get(SIGNED_IN_KEY) == viewer.email:
        return
    st.session_state[SIGNED_IN_KEY] = viewer.email
    mode = "local" if viewer.local_mode else "oidc"
    engine = _engine()
    if not viewer.roles:
        audit.record_event(
            engine=engine,
            user=viewer.email,
            action=audit.ACCESS_DENIED,
            detail={"reason": "signed in with no role", "mode": mode},
        )
        return
    for organisation_id, role in sorted(viewer.roles.items()):
        audit.record_event(
            engine=engine,
            user=viewer.email,
            action=audit.SIGN_IN,
            organisation_id=organisation_id,
            detail={"role": role, "mode": mode},
        )


def current_viewer() -> Viewer:
    """The viewer for this run: roles read from the database (local mode: data steward of everything)."""
    email = current_user()
    if email is None:
        return NOBODY
    viewer = resolve_viewer(_engine(), email, local_mode=is_local_mode())
    _record_sign_in(viewer)
    return viewer


def local_mode_banner() -> str | None:
    """Show the local-mode banner (the app calls this on every page); returns its text, or None when signed
    in."""
    settings = get_settings()
    if not is_local_mode(settings):
        return None
    text = LOCAL_BANNER.format(user=settings.local_user)
    st.warning(text, icon=":material/person_alert:")
    return text


def sign_in_gate() -> Viewer:
    """The signed-in viewer; otherwise the sign-in page, and the run stops (production only).

    A signed-in user with no role sees a sentence saying so and nothing else.
    """
    viewer = current_viewer()
    if viewer.email and viewer.roles:
        return viewer
    st.title("Presence")
    if not viewer.email:
        user = _claims()
        if user is not None and _claim(user, "is_logged_in") and _expired(user):
            st.info(EXPIRED_TEXT)
        st.markdown(SIGN_IN_TEXT)
        if st.button("Sign in", type="primary", icon=":material/login:"):
            _sign_in()
    else:
        st.info(NO_ROLE_TEXT.format(email=viewer.email))
        sign_out_button()
    st.stop()
    return viewer  # pragma: no cover - st.stop() ends the run


def sign_out_button(viewer: Viewer | None = None) -> None:
    """A sign-out button in the sidebar (production only); the sign-out is audited."""
    if is_local_mode():
        return
    if st.sidebar.button("Sign out", icon=":material/logout:"):
        viewer = viewer or current_viewer()
        for organisation_id in viewer.organisation_ids or ((None,) if viewer.email else ()):
            audit.record_event(
                engine=_engine(), user=viewer.email, action=audit.SIGN_OUT, organisation_id=organisation_id
            )
        st.session_state.pop(SIGNED_IN_KEY, None)
        st.logout()


def require_page(page: str, viewer: Viewer, organisation_id: int | None) -> None:
    """Stop the page unless the viewer's role includes it (every page checks; hiding pages is not enough)."""
    if page not in allowed_pages(viewer, organisation_id):
        if viewer.email:
            audit.record_event(
                engine=_engine(),
                user=viewer.email,
                action=audit.ACCESS_DENIED,
                organisation_id=organisation_id,
                detail={"page": page},
            )
        st.warning(PAGE_REFUSED, icon=":material/lock:")
        st.stop()


def record_download(
    viewer: Viewer,
    organisation_id: int,
    what: str,
    *,
    rows: int | None = None,
    file_format: str | None = None,
    exact: bool | None = None,
) -> None:
    """Write a download (or export) to the audit trail: who, which organisation, what, how many rows."""
    audit.record_event(
        engine=_engine(),
        user=viewer.email or "unknown",
        action=audit.DOWNLOAD,
        organisation_id=organisation_id,
        detail={
            "what": what,
            "rows": rows,
            "format": file_format,
            "exact": viewer.exact(organisation_id) if exact is None else exact,
        },
    )
