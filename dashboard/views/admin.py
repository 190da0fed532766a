"""Admin: a data steward decides who may see this organisation's figures, and reads the audit trail.

Only data stewards reach this page (the menu offers it to no one else, and the page checks again). Every
change is written to the append-only audit trail by ``models.users`` in the same transaction, naming the
steward.
"""

from __future__ import annotations

import streamlit as st

from analytics import protection
from dashboard import auth, cache, filters, preview
from data import codes
from models import audit, network_grants, users

AUDIT_LIMITS = (100, 500, 2000)
DONE_KEY = "_admin_done"  # the confirmation of the last change, shown after the rerun
ACTION_WORDS = {
    audit.SIGN_IN: "Signed in",
    audit.SIGN_OUT: "Signed out",
    audit.ACCESS_DENIED: "Refused access",
    audit.IMPORT: "Imported",
    audit.EXPORT: "Exported",
    audit.DOWNLOAD: "Downloaded",
    audit.ROLE_GRANTED: "Role given",
    audit.ROLE_REVOKED: "Role taken away",
    audit.USER_REMOVED: "User removed",
    audit.USER_ACTIVE_CHANGED: "Suspended or restored",
    preview.ACTION: preview.ACTION_WORDS,
}
ROLE_HELP = (
    "Data steward: import, export, this page, exact figures. Equality lead: exact figures (not for "
    "publication) and record-level data-quality lists. Board member and viewer: suppressed figures only. "
    "Outreach worker: suppressed figures and outreach lists."
)

st.title("Admin: users, roles and the audit trail")
f, viewer = filters.require()
auth.require_page("admin", viewer, f.organisation_id)
organisation_id = f.organisation_id
engine = cache.engine()
st.caption(f"{f.organisation_name} · only data stewards see this page · every change below is audited")


# Every change is limited to the organisations this viewer is data steward of (models.users checks it).
STEWARD_OF = sorted(o for o, role in viewer.roles.items() if role == "data_steward")


def _change(action, success: str, **kwargs) -> None:
    """Run one change in its own transaction; show its one-sentence error if it is refused."""
    try:
        users.apply_change(engine, action, actor=viewer.email, scope=STEWARD_OF, **kwargs)
    except ValueError as error:
        st.error(str(error), icon=":material/error:")
        return
    # run the page again at once, so the list of users shows the change; the confirmation survives the rerun
    st.session_state[DONE_KEY] = success
    st.rerun()


users_tab, network_tab, audit_tab = st.tabs(["Users and roles", "Network viewers", "Audit trail"])

with users_tab:
    done = st.session_state.pop(DONE_KEY, None)
    if done:
        st.success(done, icon=":material/check:")
    people = users.users_of(engine, [organisation_id])
    if people.height:
        st.dataframe(
            people.select("email", "role_label", "active"),
            column_config={
                "email": "Email",
                "role_label": "Role",
                "active": st.column_config.CheckboxColumn(
                    "Active", help="A suspended user keeps their role but sees nothing."
                ),
            },
            hide_index=True,
            width="stretch",
        )
    else:
        st.info("No one has a role in this organisation yet.")

    st.subheader("Give someone a role")
    with st.form("grant", clear_on_submit=True):
        email = st.text_input(
            "Email address",
            placeholder="name@nhs.net",
            help="Exactly as they sign in with (their organisation account).",
        )
        role = st.selectbox("Role", list(codes.USER_ROLES), format_func=codes.USER_ROLES.get, help=ROLE_HELP)
        grant = st.form_submit_button("Give this role", type="primary")
    if grant:
        _change(
            users.set_role,
            f"{email.strip().lower()} is now {codes.USER_ROLES[role]} here.",
            email=email,
            organisation_id=organisation_id,
            role=role,
        )

    if people.height:
        st.subheader("Take a role away, suspend or restore")
        with st.form("change"):
            who = st.selectbox("User", people["email"].to_list())
            what = st.radio(
                "Change",
                ("remove", "suspend", "restore"),
                horizontal=True,
                format_func={
                    "remove": "Take away their role here",
                    "suspend": "Suspend (everywhere)",
                    "restore": "Restore",
                }.get,
            )
            change = st.form_submit_button("Apply")
        if change and what == "remove":
            _change(
                users.remove_role,
                f"{who} no longer has a role here.",
                email=who,
                organisation_id=organisation_id,
            )
        elif change:
            _change(
                users.set_active,
                f"{who} is {'restored' if what == 'restore' else 'suspended'}.",
                email=who,
                active=what == "restore",
            )

with network_tab:
    st.markdown(
        "A **network viewer** (an ICB, a region, a national body) sees only the **published** figures (small "
        "numbers hidden, others rounded) of every organisation in their scope, on the Network page, and nothing "
        "else: no organisation page, no records, no exact figures. Here you may grant a view of an organisation "
        "you are data steward of; a region, an ICB or every organisation is granted by the server's operator "
        "(`presence user network`), because it also covers organisations added later."
    )
    grants = network_grants.grants_covering(engine, STEWARD_OF)
    if grants.height:
        st.dataframe(
            grants.select("email", "scope", "organisations", "active"),
            column_config={"email": "Email", "scope": "Scope", "organisations": "Organisations now",
                           "active": st.column_config.CheckboxColumn("Active")},
            hide_index=True, width="stretch",
        )
    else:
        st.info("No network viewer covers this organisation.")
    kind = "organisation"
    choices = {o["code"]: o["name"] for o in cache.all_organisations() if o["id"] in STEWARD_OF}
    with st.form("network_grant", clear_on_submit=True):
        network_email = st.text_input("Email address", placeholder="name@nhs.net", key="network_email")
        value = st.selectbox("Organisation", list(choices), format_func=choices.get, key="network_value")
        give = st.form_submit_button("Make them a network viewer", type="primary")
    if give:
        _change(network_grants.grant_network,
                f"{network_email.strip().lower()} is now a network viewer of "
                f"{network_grants.scope_label(kind, value or '')}.",
                email=network_email, scope_kind=kind, scope_value=value)
    if grants.height:
        with st.form("network_revoke"):
            labels = {i: f"{r['email']}: {r['scope']}" for i, r in enumerate(grants.iter_rows(named=True))}
            chosen = st.selectbox("Grant", list(labels), format_func=labels.get)
            take = st.form_submit_button("Take this grant away")
        if take:
            row = grants.row(chosen, named=True)
            _change(network_grants.revoke_network, f"{row['email']} no longer sees {row['scope']}.",
                    email=row["email"], scope_kind=row["scope_kind"], scope_value=row["scope_value"])

with audit_tab:
    left, middle, right = st.columns(3)
    action = left.selectbox(
        "What", [None, *ACTION_WORDS], format_func=lambda a: "Everything" if a is None else ACTION_WORDS[a]
    )
    user = middle.text_input("Who (email)", help="Exact email address; leave empty for everyone.")
    limit = right.selectbox("Newest", AUDIT_LIMITS, format_func=lambda n: f"{n} events")
    trail = audit.audit_frame(
        engine, organisation_id=organisation_id, limit=limit, action=action, user=user.strip().lower() or None
    )
    if trail.height == 0:
        st.info("No events match.")
    else:
        st.dataframe(
            trail.drop("organisation_id"),
            hide_index=True,
            width="stretch",
            column_config={
                "id": None,
                "at": st.column_config.DatetimeColumn("When (UTC)", format=filters.DATETIME_FORMAT + ":ss"),
                "user": "Who",
                "action": "What",
                "detail": "Details",
            },
        )
        st.download_button(
            "Download the audit trail (CSV)",
            protection.safe_for_spreadsheet(trail).write_csv().encode("utf-8"),
            file_name="presence-audit.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click=auth.record_download,
            args=(viewer, organisation_id, "audit trail"),
            kwargs={"rows": trail.height, "file_format": "csv"},
        )
