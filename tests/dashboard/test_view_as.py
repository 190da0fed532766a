"""'View as': a data steward sees the dashboard exactly as a board member, an outreach worker or the public
would (same menu, same protection), with a banner, and every switch is audited."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest
from test_app_pages import demo_db, demo_file, open_page, page_path, texts  # noqa: F401 (fixtures)

from analytics.roles import Viewer
from dashboard import auth, cache, filters, preview
from models import audit
from models.settings import get_settings

EXACT = "NOT FOR PUBLICATION"
SUPPRESSED = "Suppressed for publication"


def _links(at: AppTest) -> set[str]:
    """The labels of the sidebar menu's page links."""
    return {element.proto.label for element in at.sidebar.get("page_link")}


def _view_as(at: AppTest, role: str | None) -> AppTest:
    at.selectbox(key=preview.KEY).set_value(role).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.usefixtures("demo_db")
def test_a_steward_sees_the_overview_as_a_board_member_would():
    at = open_page("overview")
    assert EXACT in texts(at)
    assert {"Outreach", "Import data", "Admin"} <= _links(at)
    _view_as(at, "board_member")
    shown = texts(at)
    assert "You are viewing the dashboard as a board member" in shown
    assert EXACT not in shown and SUPPRESSED in shown  # the board member's protection, not the steward's
    assert not {"Outreach", "Import data", "Admin"} & _links(at)  # the pages the role does not include
    assert {"Overview", "Representation", "Decision-making"} <= _links(at)
    # the same figures a real board member gets: the cache scope is the role's
    board = Viewer(email="board@example.invalid", roles={1: "board_member"})
    f = at.session_state[filters.STATE_KEY]
    shown_sentences = [m.value[2:] for m in at.markdown if m.value.startswith("- ")]
    assert cache.headlines(f, board) == shown_sentences
    # what the role's protection hides (small committee counts) is not claimed as a finding either
    assert "None" not in " ".join(shown_sentences)


@pytest.mark.usefixtures("demo_db")
def test_pages_the_role_does_not_include_cannot_be_opened_in_the_preview():
    at = _view_as(open_page("overview"), "board_member")
    for page in ("admin", "outreach", "import_data"):  # not registered for the run: no URL reaches them
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page_path(page))
    at.switch_page(page_path("representation")).run()
    assert not at.exception and SUPPRESSED in texts(at) and EXACT not in texts(at)


@pytest.mark.usefixtures("demo_db")
@pytest.mark.parametrize("role,sees_outreach", [("outreach_worker", True), ("viewer", False)])
def test_other_roles_get_their_own_menus(role, sees_outreach):
    at = _view_as(open_page("overview"), role)
    assert ("Outreach" in _links(at)) is sees_outreach
    assert "Admin" not in _links(at) and EXACT not in texts(at)


@pytest.mark.usefixtures("demo_db")
def test_switching_is_audited_once_per_switch_and_back():
    at = _view_as(open_page("overview"), "board_member")
    at.run()  # a rerun in the same preview is not a new switch
    _view_as(at, None)
    assert EXACT in texts(at) and "Admin" in _links(at)
    events = audit.audit_frame(cache.engine(), action=preview.ACTION)
    details = [json.loads(d) for d in events.get_column("detail").to_list()]
    assert sorted(d["role"] for d in details) == ["board_member", "data_steward"]
    assert set(events.get_column("user").to_list()) == {get_settings().local_user}


@pytest.mark.usefixtures("demo_db")
def test_only_stewards_are_offered_the_preview(monkeypatch):
    lead = Viewer(email="lead@example.invalid", roles={1: "equality_lead"})
    monkeypatch.setattr(filters, "current_viewer", lambda: lead)
    monkeypatch.setattr(auth, "current_viewer", lambda: lead)
    at = open_page("overview")
    assert not [s for s in at.selectbox if s.key == preview.KEY]
    with pytest.raises(ValueError, match="not a role the dashboard can be viewed as"):
        preview.previewed(lead, 1, "data_steward")
