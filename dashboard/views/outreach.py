"""Outreach: whom to approach, where, and how many people to add; plans with owners, partners, actions and
progress measured from the records; an optimised recruitment plan; a working list to download."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from analytics import columns as c
from analytics import outreach as o
from analytics import outreach_plans as op
from analytics import selections
from dashboard import cache, charts, display, filters
from models import plans as plan_store

st.title("Outreach")
st.markdown(
    "Groups that are absent or under-represented, most people to add first: per level, and per "
    "committee, project or group within it. Start a plan from a gap, then follow its progress."
)
f, viewer = filters.require("outreach")
full = filters.load(cache.outreach, f, viewer)
filters.context_caption(f, frame=full)
today = date.today()
store = {"engine": cache.engine(), "organisation_id": f.organisation_id}
user = viewer.email or "local user"


def _run(write, **kwargs) -> bool:
    """Call a plan write; show its one-sentence error instead of failing the page."""
    try:
        write(**store, user=user, **kwargs)
    except ValueError as error:
        st.error(str(error), icon=":material/error:")
        return False
    return True


plan_frames = filters.load(cache.plans, f, viewer)
progress = filters.load(cache.plan_progress, f, viewer, plan_frames, today)
if progress.height:
    measured = dict(progress.filter(pl.col(op.MEASURED) != pl.col("status")).select("ref", op.MEASURED).iter_rows())
    if measured:
        plan_store.set_statuses(**store, statuses=measured)

# --- The gaps ----------------------------------------------------------------------------------------------
st.subheader("Gaps: people to add")
if full.height == 0:
    st.success(
        "No group is clearly under-represented or absent at any level or activity in the latest "
        "period of the chosen range.",
        icon=":material/check_circle:",
    )
    chosen = full
else:
    left, middle, right = st.columns(3)
    scopes = {"level": "Whole levels", "activity": "Single activities"}
    scope = left.multiselect(
        "Show", list(scopes), default=list(scopes), format_func=scopes.get, key="outreach_scope"
    )
    level_names = full.sort(c.LEVEL_RANK, descending=True).get_column(c.LEVEL_NAME).unique(maintain_order=True)
    levels = middle.multiselect(
        "Levels", level_names.to_list(), key="outreach_levels", placeholder="All levels",
        help="Leave empty for every level.",
    )
    group_names = full.get_column(c.GROUP_LABEL).unique(maintain_order=True).to_list()
    groups = right.multiselect(
        "Groups", group_names, key=f"outreach_groups_{f.characteristic}", placeholder="All groups",
        help="Leave empty for every group.",
    )
    chosen = full.filter(pl.col(o.UNIT).is_in(scope))
    if levels:
        chosen = chosen.filter(pl.col(c.LEVEL_NAME).is_in(levels))
    if groups:
        chosen = chosen.filter(pl.col(c.GROUP_LABEL).is_in(groups))
if full.height and chosen.height == 0:
    st.info("Nothing matches these choices: clear a filter above to see more.", icon=":material/filter_alt_off:")
elif chosen.height:
    table = display.outreach_working_list(chosen, plan_frames, progress, f.characteristic)
    people_missing = selections.people_to_add(chosen)
    st.metric(
        "People to add at whole levels", f"{people_missing:,}", border=True,
        help="Added up over the levels shown: how many more people from each group would give it a share "
        "matching the baseline (whole people). Activities overlap their levels, so they are not added.",
    )
    charts.show(
        charts.people_to_add_chart(chosen, table.get_column("Evidence").to_list()),
        "Each bar is one group on one committee, project or whole level; its length is how many more people "
        "from that group a share matching the baseline would need, and the words beside it say how strong "
        "the evidence is.",
        table,
        key="outreach",
    )
    st.markdown("**Start a plan from a gap** (one click: the plan is pre-filled with the people to add).")
    planned = set(table.drop_nulls("Plan").get_column("Priority").to_list())
    for gap in chosen.head(10).iter_rows(named=True):
        where = gap[o.ACTIVITY_NAME] or gap[c.LEVEL_NAME]
        about = "*" if gap[c.SHORTFALL] is None else gap[c.SHORTFALL]
        text_col, button_col = st.columns([4, 1])
        text_col.markdown(f"{gap[o.PRIORITY]}. **{gap[c.GROUP_LABEL]}** on the **{where}**: {about} to add")
        if gap[o.PRIORITY] in planned:
            button_col.caption("Has a plan")
        elif button_col.button("Start a plan", key=f"start_plan_{gap[o.PRIORITY]}", icon=":material/flag:"):
            draft = op.plan_draft(gap, today=today, characteristic=f.characteristic, involvement=f.involvement)
            try:
                ref = plan_store.create_plan(**store, plan=plan_store.PlanCreate(**draft), user=user)
            except ValueError as error:
                st.error(str(error), icon=":material/error:")
            else:
                st.session_state["outreach_open_plan"] = ref
                st.rerun()

# --- Plans -------------------------------------------------------------------------------------------------
st.subheader("Outreach plans")
st.caption(
    "Progress is counted from the involvement records: people of the group who joined there since the plan "
    "started, minus those who left. A plan is met when that reaches the target, or when the group is no "
    "longer under-represented or absent there."
)
if progress.height == 0:
    st.info("No plan yet: start one from a gap above.", icon=":material/info:")
open_ref = st.session_state.get("outreach_open_plan")
for plan in progress.sort("ref").iter_rows(named=True):
    ref = plan["ref"]
    where = plan["activity_name"] or plan["level_name"]
    label = f"{ref} · {plan['title']} · {plan['status_words']}"
    with st.expander(label, expanded=ref == open_ref):
        owner = plan["owner_team"] or plan["owner_email"] or "no owner yet"
        st.markdown(
            f"**Target:** {plan['target_people']} more people ({plan['group']}, "
            f"{display.INVOLVEMENT_FILTERS.get(plan['involvement'], plan['involvement']).lower()}) on the "
            f"{where} by {plan['target_date']:%d %B %Y} · **Owner:** {owner} · **Started:** "
            f"{plan['started_on']:%d %B %Y}"
        )
        st.metric("Progress", plan["progress_words"], border=True,
                  help="Net people of the group added there since the plan started: joined minus left.")
        st.markdown(f"**Status:** {plan['status_words']}")
        series = cache.plan_series(f, viewer, plan_frames, ref, today)
        charts.show(
            charts.burn_up_chart(series, f"Burn-up: {plan['progress_words']}", plan["target_people"]),
            "The solid line is the net number of people added since the plan started (joined minus left); the "
            "dashed line is the straight path to the target by its date. Hidden small numbers leave gaps.",
            display.burn_up_table(series),
            key=f"burnup_{ref}",
        )
        partners = plan_frames.partners.filter(pl.col("plan_ref") == ref)
        actions = plan_frames.actions.filter(pl.col("plan_ref") == ref)
        st.markdown("**Community partners**")
        for partner in partners.iter_rows(named=True):
            st.markdown(f"- {partner['name']}" + (f" ({partner['contact_role']})" if partner["contact_role"] else ""))
        if partners.height == 0:
            st.caption("No partner yet.")
        with st.form(f"partner_{ref}", clear_on_submit=True):
            a, b = st.columns(2)
            name = a.text_input("Partner organisation", key=f"partner_name_{ref}")
            role = b.text_input("Contact role (no names or contact details)", key=f"partner_role_{ref}")
            if st.form_submit_button("Add partner") and _run(
                plan_store.add_partner, plan_ref=ref, name=name, contact_role=role
            ):
                st.session_state["outreach_open_plan"] = ref
                st.rerun()
        st.markdown("**Actions**")
        for step in actions.iter_rows(named=True):
            done = f"done {step['done_on']:%d %B %Y}" if step["done_on"] else f"due {step['due_date']:%d %B %Y}"
            overdue = " · **overdue**" if step["done_on"] is None and step["due_date"] < today else ""
            with_whom = f" with {step['partner']}" if step["partner"] else ""
            st.markdown(f"- {step['action']}{with_whom}: {done}{overdue}")
        if actions.height == 0:
            st.caption("No action yet.")
        with st.form(f"action_{ref}", clear_on_submit=True):
            a, b, d = st.columns([3, 2, 1])
            what = a.text_input("Action", key=f"action_text_{ref}")
            with_partner = b.selectbox("With partner", ["(none)", *partners.get_column("name").to_list()],
                                       key=f"action_partner_{ref}")
            due = d.date_input("Due", value=plan["target_date"], key=f"action_due_{ref}")
            if st.form_submit_button("Add action") and _run(
                plan_store.add_action, plan_ref=ref, action=what, due_date=due,
                partner=None if with_partner == "(none)" else with_partner,
            ):
                st.session_state["outreach_open_plan"] = ref
                st.rerun()
        open_actions = actions.filter(pl.col("done_on").is_null()).get_column("action").to_list()
        if open_actions:
            a, b = st.columns([3, 1])
            done = a.selectbox("Mark an action done", open_actions, key=f"done_pick_{ref}")
            if b.button("Done today", key=f"done_{ref}") and _run(
                plan_store.update_action, plan_ref=ref, action=done, done_on=today
            ):
                st.rerun()
        with st.form(f"edit_{ref}"):
            st.markdown("**Edit the plan**")
            a, b, d = st.columns(3)
            title = a.text_input("Title", value=plan["title"], key=f"title_{ref}")
            target = b.number_input("Target (more people)", min_value=1, value=int(plan["target_people"]),
                                    key=f"target_{ref}")
            by = d.date_input("By", value=plan["target_date"], key=f"by_{ref}")
            a, b, d = st.columns(3)
            team = a.text_input("Owner (a team, in words)", value=plan["owner_team"] or "", key=f"team_{ref}")
            email = b.text_input("Or owner (a Presence user's email)", value=plan["owner_email"] or "",
                                 key=f"email_{ref}")
            keep = d.selectbox("Status", ["measured", "dropped"], index=int(plan["status"] == "dropped"),
                               format_func={"measured": "Measured from the records", "dropped": "Dropped"}.get,
                               key=f"status_{ref}",
                               help="Open, on track, behind and met are worked out from the records.")
            notes = st.text_area("Notes", value=plan["notes"] or "", key=f"notes_{ref}")
            if st.form_submit_button("Save changes"):
                status = "dropped" if keep == "dropped" else (
                    plan[op.MEASURED] if plan[op.MEASURED] != "dropped" else "open")
                if _run(plan_store.update_plan, ref=ref, changes={
                    "title": title, "target_people": int(target), "target_date": by, "owner_team": team,
                    "owner_email": email, "notes": notes, "status": status,
                }):
                    st.session_state["outreach_open_plan"] = ref
                    st.rerun()

# --- Optimised recruitment ---------------------------------------------------------------------------------
st.subheader("Optimised recruitment")
st.caption(
    "How many people can you recruit this year? Presence works out which recruits to which committees would "
    "bring the most committees to the 4PI meeting minimum and close the most gaps, giving more weight to "
    "communities over-represented in mental-health services."
)
capacity = st.number_input("We can recruit about this many people", min_value=0, max_value=200, value=6,
                           key="outreach_capacity")
recruiting = filters.load(cache.recruitment, f, viewer, int(capacity), today)
st.markdown("**Plan draft**")
for sentence in recruiting.sentences:
    st.markdown(sentence)
if recruiting.allocation.height:
    st.dataframe(
        recruiting.allocation.select(
            pl.col("activity_name").alias("Committee or activity"), pl.col(c.GROUP_LABEL).alias("Group"),
            pl.col("recruits").alias("Recruits"),
        ),
        hide_index=True, width="stretch",
    )

# --- The working list --------------------------------------------------------------------------------------
if chosen.height:
    st.subheader("The working list")
    st.dataframe(table, hide_index=True, width="stretch")
    filters.downloads(table, f"presence-outreach-{f.characteristic}", "Outreach")
