"""Who sees what: viewers from the database, permissions, pages, and protected results for every role."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import polars as pl
import pytest

from analytics import columns as c
from analytics import protection, roles, suppression
from analytics.baselines import BaselineSpec
from analytics.loader import make_frames
from analytics.representation import representation_table
from analytics.roles import Viewer
from data import codes
from models import users
from models.crud import create_organisation
from models.db import get_engine, session_scope, upgrade_schema
from models.settings import get_settings
from models.tables import OrganisationCreate
from presence_cli import main as cli

RESTRICTED = ("board_member", "outreach_worker", "viewer")
EXACT = ("data_steward", "equality_lead")


# --- Small synthetic organisation -------------------------------------------------------------------------


def _frames(seed: int = 1, n: int = 300):
    rng = np.random.default_rng(seed)
    levels = pl.DataFrame(
        {
            "id": [1, 2, 3, 4, 5],
            "rank": [lv[0] for lv in codes.DEFAULT_LEVELS],
            "key": [lv[1] for lv in codes.DEFAULT_LEVELS],
            "name": [lv[2] for lv in codes.DEFAULT_LEVELS],
            "decision_making": [lv[3] for lv in codes.DEFAULT_LEVELS],
        }
    )
    activities = pl.DataFrame(
        {
            "id": [1, 2, 3, 4, 5, 6],
            "level_id": [1, 2, 3, 4, 5, 5],
            "ref": [f"ACT{i}" for i in range(6)],
            "name": [f"Activity {i}" for i in range(6)],
            "kind": "committee",
            "involvement_area": "A",
            "involves": "both",
            "start_date": date(2023, 1, 1),
        }
    )
    ethnicity = ["A"] * 10 + ["B", "C", "D", "H", "M", "N", "S", "R", "Z", "99"]
    people = pl.DataFrame(
        {
            "id": range(1, n + 1),
            "ref": [f"P{i}" for i in range(1, n + 1)],
            "involvement_type": "service_user",
            "ethnicity": rng.choice(ethnicity, n).tolist(),
            "sex": rng.choice(["female", "male", "not_known"], n).tolist(),
        }
    )
    activity = rng.choice([1, 2, 3, 4, 5, 6], n, p=[0.5, 0.25, 0.13, 0.08, 0.02, 0.02])
    involvements = pl.DataFrame(
        {
            "id": range(1, n + 1),
            "ref": [f"I{i}" for i in range(1, n + 1)],
            "person_id": range(1, n + 1),
            "activity_id": activity.tolist(),
            "start_date": date(2024, 1, 1),
        }
    )
    categories = [k for k in codes.ETHNICITY_BY_CODE if k not in codes.ETHNICITY_UNKNOWN_CODES]
    baselines = pl.DataFrame(
        {
            "source": "t",
            "year": 2021,
            "geography_code": "E1",
            "geography_name": "Area",
            "characteristic": "ethnicity",
            "group": categories,
            "count": [1000.0 if k == "A" else 60.0 for k in categories],
        }
    )
    organisation = pl.DataFrame({"id": [1], "code": ["A"], "name": ["Org A"], "catchment": [["E1"]]})
    return make_frames(
        organisation=organisation,
        levels=levels,
        activities=activities,
        people=people,
        involvements=involvements,
        baselines=baselines,
    )


@pytest.fixture(scope="module")
def frames():
    return _frames()


@pytest.fixture(scope="module")
def rep(frames):
    return representation_table(
        frames,
        characteristic="ethnicity_broad",
        period="year",
        baseline=BaselineSpec(kind="user", source="t"),
    )


def viewer(role: str | None, organisation_id: int = 1) -> Viewer:
    return Viewer(email=f"{role}@example.org", roles={} if role is None else {organisation_id: role})


def small_counts(
    frame: pl.DataFrame,
    columns=(
        c.INVOLVED,
        c.TOTAL,
        c.PEOPLE,
        c.UNKNOWN,
        c.NOT_STATED,
        c.NOT_KNOWN,
        "decision_making_n",
        "other_only_n",
    ),
) -> list[int]:
    """Every shown count of 1-7 (there must be none) and every count that is not a multiple of 5."""
    bad = []
    for column in columns:
        if column in frame.columns:
            values = frame[column].drop_nulls().to_list()
            bad += [v for v in values if 1 <= v <= 7 or v % 5 != 0]
    return bad


# --- Viewers from the database ----------------------------------------------------------------------------


def _two_organisations(engine) -> tuple[int, int]:
    with session_scope(engine) as session:
        a = create_organisation(session=session, organisation=OrganisationCreate(code="A", name="A")).id
        b = create_organisation(session=session, organisation=OrganisationCreate(code="B", name="B")).id
        users.set_role(
            session=session, email="lead@a.example.org", organisation_id=a, role="equality_lead", actor="t"
        )
        users.set_role(
            session=session, email="board@b.example.org", organisation_id=b, role="board_member", actor="t"
        )
    return a, b


def test_resolve_viewer_reads_roles(engine):
    a, b = _two_organisations(engine)
    lead = roles.resolve_viewer(engine, "Lead@A.example.org")
    assert lead.roles == {a: "equality_lead"} and lead.email == "lead@a.example.org"
    assert lead.can("exact", a) and not lead.can("aggregates", b)
    board = roles.resolve_viewer(engine, "board@b.example.org")
    assert board.roles == {b: "board_member"} and not board.exact(b)


@pytest.mark.parametrize("email", [None, "", "stranger@example.org", "x@y.org' OR '1'='1", "not an email"])
def test_unknown_users_see_nothing(engine, email, rep):
    a, b = _two_organisations(engine)
    nobody = roles.resolve_viewer(engine, email)
    assert nobody.roles == {} and not nobody.is_known
    for organisation in (a, b):
        assert roles.allowed_pages(nobody, organisation) == set()
        with pytest.raises(PermissionError):
            protection.protect_representation(rep, nobody, organisation)
        with pytest.raises(PermissionError):
            protection.protect(pl.DataFrame({"n": [10]}), nobody, organisation)


def test_local_mode_is_data_steward_of_every_organisation(engine):
    a, b = _two_organisations(engine)
    local = roles.resolve_viewer(engine, "local@presence.invalid", local_mode=True)
    assert local.local_mode and local.roles == {a: "data_steward", b: "data_steward"}


def test_organisation_a_never_sees_b(engine, rep):
    a, b = _two_organisations(engine)
    lead = roles.resolve_viewer(engine, "lead@a.example.org")
    assert roles.allowed_pages(lead, b) == set()
    for call in (
        lambda: protection.protect_representation(rep, lead, b),
        lambda: protection.protect_frame(pl.DataFrame({"n": [10]}), lead, b),
        lambda: protection.protect(rep, lead, b),
        lambda: roles.require(lead, "aggregates", b),
    ):
        with pytest.raises(PermissionError, match="no role in this organisation"):
            call()
    mixed = pl.DataFrame({c.ORGANISATION_ID: [a, b], "n": [40, 50]})
    assert protection.protect_frame(mixed, lead, a)[c.ORGANISATION_ID].to_list() == [a]


def test_scoped_viewer_stands_for_a_cache_key():
    board = viewer("board_member", 3)
    again = roles.scoped_viewer(board.scope_key(3))
    assert again.roles == {3: "board_member"} and again.scope_key(3) == board.scope_key(3)
    assert roles.scoped_viewer("3:none").roles == {}
    assert roles.scoped_viewer("3:'; DROP TABLE x").roles == {}


# --- Permissions and pages --------------------------------------------------------------------------------


STEWARD_ONLY = {"import_data", "admin", "records", "corrections", "setup"}  # pages that change data


@pytest.mark.parametrize(
    "role,pages",
    [
        ("data_steward", set(roles.PAGE_PERMISSIONS)),
        ("equality_lead", set(roles.PAGE_PERMISSIONS) - STEWARD_ONLY),
        ("board_member", set(roles.PAGE_PERMISSIONS) - STEWARD_ONLY - {"outreach"}),
        ("outreach_worker", set(roles.PAGE_PERMISSIONS) - STEWARD_ONLY),
        ("viewer", set(roles.PAGE_PERMISSIONS) - STEWARD_ONLY - {"outreach"}),
        ("network_viewer", {"network"}),  # published figures beside other organisations', nothing else
    ],
)
def test_allowed_pages_per_role(role, pages):
    assert roles.allowed_pages(viewer(role), 1) == pages
    assert roles.allowed_pages(viewer(role), 2) == set()
    assert roles.allowed_pages(viewer(role), None) == set()


@pytest.mark.parametrize(
    "who,permission,message",
    [
        (Viewer(email=""), "aggregates", "Sign in first"),
        (
            viewer(None),
            "aggregates",
            "You have no role in this organisation, so you cannot see this organisation's",
        ),
        (viewer("board_member"), "export", r"Your role \(Board member\) does not allow you to export data\."),
        (viewer("viewer"), "outreach", r"Your role \(Viewer\) does not allow you to see outreach lists\."),
        (viewer("equality_lead"), "admin", r"Your role \(Equality lead\) does not allow you to manage users"),
    ],
)
def test_require_says_why_in_one_sentence(who, permission, message):
    with pytest.raises(PermissionError, match=message):
        roles.require(who, permission, 1)


def test_an_empty_database_offers_the_local_user_the_set_up_and_import_pages():
    local = Viewer(email="local@presence.invalid", roles={}, local_mode=True)
    assert roles.allowed_pages(local, None) == {"setup", "overview", "import_data", "methods"}
    assert roles.allowed_pages(Viewer(email="someone@example.org"), None) == set()


def test_require_refuses_unknown_permissions():
    with pytest.raises(ValueError, match="'root' is not a permission"):
        roles.require(viewer("data_steward"), "root", 1)


def test_every_role_has_a_permission_set():
    assert set(roles.PERMISSIONS) == set(codes.USER_ROLES) | {codes.NETWORK_VIEWER} == set(codes.ROLE_LABELS)
    assert set(roles.PAGE_PERMISSIONS.values()) <= set(roles.PERMISSION_WORDS)


# --- Protected representations ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", RESTRICTED)
def test_restricted_roles_get_suppressed_figures(rep, role):
    out = protection.protect_representation(rep, viewer(role), 1)
    assert type(out) is type(rep) and out.baseline_description == rep.baseline_description
    assert small_counts(out.rows) == [] and small_counts(out.tables) == []
    assert not out.rows[suppression.NOT_FOR_PUBLICATION].any()
    assert out.rows[suppression.SUPPRESSED].any()  # this organisation has small groups: some are hidden
    exact_small = rep.rows.filter((pl.col(c.INVOLVED) >= 1) & (pl.col(c.INVOLVED) <= 7)).height
    assert out.rows[suppression.suppressed_flag(c.INVOLVED)].sum() >= exact_small


@pytest.mark.parametrize("role", EXACT)
def test_exact_roles_get_exact_figures_marked_not_for_publication(rep, role):
    out = protection.protect_representation(rep, viewer(role), 1)
    assert out.rows[c.INVOLVED].to_list() == rep.rows[c.INVOLVED].to_list()
    assert out.tables[c.PEOPLE].to_list() == rep.tables[c.PEOPLE].to_list()
    assert (
        out.rows[suppression.NOT_FOR_PUBLICATION].all() and out.tables[suppression.NOT_FOR_PUBLICATION].all()
    )


def test_exact_figures_never_reach_a_restricted_role(rep):
    exact = protection.protect_representation(rep, viewer("equality_lead"), 1)
    with pytest.raises(ValueError, match="Exact figures were about to reach"):
        protection.protect_representation(exact, viewer("board_member"), 1)
    suppressed = protection.protect_representation(rep, viewer("board_member"), 1)
    assert protection.protect_representation(suppressed, viewer("viewer"), 1).rows.equals(suppressed.rows)


# --- Every view a page or download shows, for a board member and an outreach worker -----------------------


def _views(frames, rep, who: Viewer):
    """What the dashboard would give this viewer: each view built from the protected representation."""
    from analytics import decision, outreach, quality, trends

    protected = protection.protect(rep, who, 1)
    views = {
        "representation rows": protected.rows,
        "representation tables": protected.tables,
        "pipeline": protection.protect(protection.GroupRows(decision.pipeline(protected)), who, 1),
        "trend series": protection.protect(trends.trend_table(protected), who, 1).series,
        "relative likelihood": protection.protect(
            protection.LikelihoodTable(
                decision.relative_likelihood(frames, characteristic="ethnicity_broad", period="year")
            ),
            who,
            1,
        ),
        "data quality": protection.protect(
            protection.QualityTable(quality.data_quality(frames, period="year")), who, 1
        ),
        "download": protection.publishable(protected.rows),
    }
    if who.can("outreach", 1):
        views["outreach"] = protection.protect(
            protection.OutreachList(outreach.outreach_list(protected, frames=frames)), who, 1
        )
    return views


@pytest.mark.parametrize("role", ("board_member", "outreach_worker"))
def test_no_view_shows_a_small_count(frames, rep, role):
    views = _views(frames, rep, viewer(role))
    for name, frame in views.items():
        if name == "download":
            values = [v for col in (c.INVOLVED, c.TOTAL) for v in frame[col].to_list()]
            assert all(v == "*" or (int(v) == 0 or int(v) >= 8) for v in values), name
            continue
        assert small_counts(frame) == [], name
        assert not frame[suppression.NOT_FOR_PUBLICATION].any(), name
    if role == "outreach_worker":
        assert views["outreach"].height > 0


def test_headlines_from_a_protected_representation_show_no_small_count(rep):
    from analytics.headlines import headlines

    sentences = headlines(protection.protect(rep, viewer("board_member"), 1))
    text = " ".join(sentences)
    assert "None" not in text
    # counts appear as "n of N"; neither may be 1-7 (shortfalls, "about 3 people missing", are estimates)
    counts = [int(n) for pair in re.findall(r"\b(\d+) of (\d+)\b", text) for n in pair]
    assert [n for n in counts if 1 <= n <= 7] == []


def test_board_member_may_not_have_outreach_or_record_lists(frames, rep):
    from analytics import outreach, quality

    board = viewer("board_member")
    protected = protection.protect(rep, board, 1)
    with pytest.raises(PermissionError, match="see outreach lists"):
        protection.protect(protection.OutreachList(outreach.outreach_list(protected, frames=frames)), board, 1)
    with pytest.raises(PermissionError, match="see record-level lists"):
        protection.protect(protection.RecordList(quality.missing_fields(frames)), board, 1)
    lead = protection.protect(protection.RecordList(quality.missing_fields(frames)), viewer("equality_lead"), 1)
    assert lead[suppression.NOT_FOR_PUBLICATION].all() if lead.height else True


def test_views_built_from_exact_figures_are_refused_for_restricted_roles(frames, rep):
    from analytics import outreach, trends

    worker = viewer("outreach_worker")
    with pytest.raises(ValueError, match="built from exact figures"):
        protection.protect(trends.trend_table(rep), worker, 1)
    with pytest.raises(ValueError, match="built from exact figures"):
        protection.protect(protection.OutreachList(outreach.outreach_list(rep, frames=frames)), worker, 1)


def test_relative_likelihood_shows_no_counts_and_figures_from_rounded_counts(frames):
    from analytics import decision
    from analytics.stats import relative_risk

    exact = decision.relative_likelihood(frames, characteristic="ethnicity_broad", period="year")
    out = protection.protect(protection.LikelihoodTable(exact), viewer("board_member"), 1)
    assert out["decision_making_n"].null_count() == out.height == out["other_only_n"].null_count()
    assert out[suppression.suppressed_flag("decision_making_n")].all() and out[suppression.SUPPRESSED].all()
    big = (exact["decision_making_n"] >= 8) & (exact["other_only_n"] >= 8)
    # a group with a count below 8 has no figure at all
    assert out.filter(~big)["likelihood"].null_count() == out.filter(~big).height
    assert out.filter(~big)["relative_likelihood"].null_count() == out.filter(~big).height
    # elsewhere the figures come from the rounded counts: a hand-made view, worked out below
    made = pl.DataFrame(
        {
            c.PERIOD: ["2024"] * 4,
            c.GROUP: ["W", "B", "A", "M"],
            "decision_making_n": [41, 12, 9, 3],
            "other_only_n": [160, 58, 31, 20],
            "likelihood": [0.0] * 4,
            "relative_likelihood": [0.0] * 4,
            c.CI_LOW: [0.0] * 4,
            c.CI_HIGH: [0.0] * 4,
            "reference_group": ["W"] * 4,
        }
    )
    got = protection.protect(protection.LikelihoodTable(made), viewer("board_member"), 1)
    # W: 40 / (40 + 160) = 0.2; B: 10 / (10 + 60) = 0.142857, RL = 0.2 / 0.142857 = 1.4;
    # A: 10 / (10 + 30) = 0.25, RL = 0.2 / 0.25 = 0.8; M: 3 < 8, nothing
    assert got["likelihood"].to_list() == pytest.approx([0.2, 1 / 7, 0.25, None], nan_ok=True)
    assert got["relative_likelihood"].to_list()[:3] == pytest.approx([1.0, 1.4, 0.8])
    assert got["relative_likelihood"][3] is None and got[c.CI_LOW][0] is None and got[c.CI_LOW][3] is None
    rr, low, high = relative_risk([40], [200], [10], [70])
    assert got[c.CI_LOW][1] == pytest.approx(low[0]) and got[c.CI_HIGH][1] == pytest.approx(high[0])
    assert got["decision_making_n"].null_count() == 4
    # a reference group below the threshold leaves no ratio for anyone
    small_reference = protection.protect(
        protection.LikelihoodTable(made.with_columns(pl.lit("M").alias("reference_group"))), viewer("viewer"), 1
    )
    assert small_reference["relative_likelihood"].null_count() == 4
    # exact roles: unchanged, marked
    lead = protection.protect(protection.LikelihoodTable(exact), viewer("equality_lead"), 1)
    assert (
        lead["decision_making_n"].equals(exact["decision_making_n"])
        and lead[suppression.NOT_FOR_PUBLICATION].all()
    )


def test_relative_likelihood_with_the_level_tables_hides_groups_they_hide(frames):
    from analytics import decision

    board = viewer("board_member")
    exact = decision.relative_likelihood(frames, characteristic="ethnicity_broad", period="year")
    levels = protection.build_protected(_builder(frames), "ethnicity_broad", board, 1)
    out = protection.protect_likelihood(exact, board, 1, levels=levels)
    hidden = levels.rows.filter(pl.col(suppression.suppressed_flag(c.INVOLVED))).select(c.PERIOD, c.GROUP)
    assert hidden.height > 0
    blocked = out.join(hidden.unique(), on=[c.PERIOD, c.GROUP])
    assert blocked["likelihood"].null_count() == blocked.height
    assert blocked["relative_likelihood"].null_count() == blocked.height
    # never more than without the level tables
    alone = protection.protect(protection.LikelihoodTable(exact), board, 1)
    assert out["likelihood"].null_count() >= alone["likelihood"].null_count()
    shown = out.filter(pl.col("likelihood").is_not_null())
    assert (
        shown["likelihood"].to_list()
        == alone.join(shown.select(c.PERIOD, c.GROUP), on=[c.PERIOD, c.GROUP])["likelihood"].to_list()
    )


def _crossed_builder(frames):
    single = _builder(frames)

    def build(characteristic):
        if isinstance(characteristic, tuple):
            return representation_table(
                frames,
                characteristic=characteristic[0],
                characteristics=characteristic,
                period="year",
                baseline=BaselineSpec(kind="user", source="t"),
            )
        return single(characteristic)

    return build


def test_intersectional_tables_are_protected_too(frames):
    crossed = _crossed_builder(frames)(("ethnicity_broad", "sex"))
    # the old path (no single views at hand): the conservative rule, no small count, no known total
    out = protection.protect(crossed, viewer("viewer"), 1)
    assert small_counts(out.rows) == [] and small_counts(out.tables) == []
    assert out.tables[c.TOTAL].null_count() == out.tables.height


def test_crossed_tables_are_protected_with_their_single_views(frames):
    build = _crossed_builder(frames)
    board = viewer("board_member")
    calls = []

    def counting(ch):
        calls.append(ch)
        return build(ch)

    out = protection.build_protected(counting, ("ethnicity_broad", "sex"), board, 1)
    assert calls[0] == ("ethnicity_broad", "sex") and set(calls[1:]) == {*suppression.ETHNIC_FAMILY, "sex"}
    assert small_counts(out.rows) == [] and small_counts(out.tables) == []
    assert not out.rows[suppression.NOT_FOR_PUBLICATION].any()
    # the single views it was protected with are those of their own pages, and a crossed margin never
    # exceeds its single-view cell
    singles = {ch: protection.build_protected(build, ch, board, 1).rows for ch in ("ethnicity_broad", "sex")}
    for index, ch in enumerate(("ethnicity_broad", "sex")):
        margins = (
            out.rows.with_columns(
                pl.col(c.GROUP).str.split(suppression.CROSS_SEPARATOR).list.get(index).alias("g")
            )
            .group_by(c.LEVEL_KEY, c.PERIOD, "g")
            .agg(pl.col(c.INVOLVED).sum().alias("m"), pl.col(c.INVOLVED).is_null().all().alias("all_hidden"))
        )
        single = singles[ch].select(c.LEVEL_KEY, c.PERIOD, pl.col(c.GROUP).alias("g"), c.INVOLVED)
        both = margins.join(single, on=[c.LEVEL_KEY, c.PERIOD, "g"])
        assert both.height > 0
        # rounding: each shown crossed cell is within 2 of its true value
        shown = both.filter(pl.col(c.INVOLVED).is_not_null())
        assert (shown["m"] <= shown[c.INVOLVED] + 2 * 10 + 2).all()
    # exact roles get the exact crossed table, marked, without building the single views
    calls.clear()
    lead = protection.build_protected(counting, ("ethnicity_broad", "sex"), viewer("equality_lead"), 1)
    assert calls == [("ethnicity_broad", "sex")] and lead.rows[suppression.NOT_FOR_PUBLICATION].all()
    # protect_representation with the single views gives the same
    again = protection.protect_representation(
        build(("ethnicity_broad", "sex")),
        board,
        1,
        together_with=[build(ch) for ch in (*suppression.ETHNIC_FAMILY, "sex")],
    )
    assert again.rows[c.INVOLVED].equals(out.rows[c.INVOLVED])


def test_the_joint_path_shows_more_than_the_conservative_one(frames):
    crossed = _crossed_builder(frames)(("ethnicity_broad", "sex"))
    board = viewer("board_member")
    joint = protection.build_protected(_crossed_builder(frames), ("ethnicity_broad", "sex"), board, 1)
    alone = protection.protect(crossed, board, 1)
    assert joint.rows[c.INVOLVED].null_count() <= alone.rows[c.INVOLVED].null_count()
    assert joint.tables[c.TOTAL].null_count() < alone.tables[c.TOTAL].null_count()


def test_every_view_of_a_family_is_the_same_whichever_was_asked_for(frames):
    board = viewer("board_member")
    build = _builder(frames)
    reps = [build(ch) for ch in suppression.ETHNIC_FAMILY]
    together = suppression.suppress_views([(r.rows, r.tables) for r in reps])
    for ch, (rows, _tables) in zip(suppression.ETHNIC_FAMILY, together, strict=True):
        assert protection.build_protected(build, ch, board, 1).rows[c.INVOLVED].equals(rows[c.INVOLVED])


# --- Downloads -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,safe",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Black or Black British", "Black or Black British"),
        ("a=b", "a=b"),
    ],
)
def test_downloads_are_formula_safe(raw, safe):
    frame = pl.DataFrame({"label": [raw], "n": [10]})
    assert protection.safe_for_spreadsheet(frame)["label"].to_list() == [safe]


def test_publishable_download(rep):
    out = protection.protect_representation(rep, viewer("board_member"), 1)
    download = protection.publishable(out.rows)
    assert "*" in download[c.INVOLVED].to_list()
    assert suppression.NOT_FOR_PUBLICATION not in download.columns
    exact = protection.publishable(protection.protect_representation(rep, viewer("data_steward"), 1).rows)
    assert exact[suppression.NOT_FOR_PUBLICATION].all()
    labelled = protection.publishable(out.rows.with_columns(pl.lit("=1+1").alias(c.GROUP_LABEL)))
    assert set(labelled[c.GROUP_LABEL].to_list()) == {"'=1+1"}


# --- The ``presence user`` command ------------------------------------------------------------------------


def test_user_cli(capsys):
    engine = get_engine(get_settings().database_url)
    upgrade_schema(engine)
    with session_scope(engine) as session:
        create_organisation(session=session, organisation=OrganisationCreate(code="RX1", name="Trust"))
    assert cli(["user", "add", "Steward@Example.org", "--organisation", "RX1", "--role", "data_steward"]) == 0
    assert "steward@example.org is now Data steward of RX1" in capsys.readouterr().out
    assert cli(["user", "add", "board@example.org", "--role", "board_member"]) == 0  # the only organisation
    assert cli(["user", "list"]) == 0
    listing = capsys.readouterr().out
    assert re.search(r"RX1\tboard@example.org\tBoard member", listing)
    assert cli(["user", "remove", "board@example.org", "--organisation", "RX1"]) == 0
    assert cli(["user", "add", "x@example.org", "--role", "root"]) == 2
    assert "'root' is not a role" in capsys.readouterr().err
    assert cli(["user", "add", "--role", "viewer"]) == 2
    assert cli(["user", "remove", "steward@example.org"]) == 2  # the last data steward stays
    assert "last data steward" in capsys.readouterr().err
    assert cli(["user", "add", "x@y.org' OR '1'='1", "--role", "viewer"]) == 2
    assert users.roles_for_email(engine, "board@example.org") == {}


def test_user_cli_network_viewers(capsys):
    engine = get_engine(get_settings().database_url)
    upgrade_schema(engine)
    with session_scope(engine) as session:
        for code, catchment in (("LON1", ["E09000012"]), ("MAN1", ["E08000003"])):
            create_organisation(session=session,
                                organisation=OrganisationCreate(code=code, name=code, catchment=catchment))
    assert cli(["user", "network", "icb@example.org", "--icb", "qmf"]) == 0
    assert "network viewer of ICB QMF" in capsys.readouterr().out
    assert cli(["user", "network", "nat@example.org", "--all"]) == 0
    assert cli(["user", "list"]) == 0
    listing = capsys.readouterr().out
    assert re.search(r"network\ticb@example.org\tNetwork viewer of ICB QMF .*\(1 organisations now\)", listing)
    assert re.search(r"network\tnat@example.org\tNetwork viewer of every organisation \(2 organisations now\)",
                     listing)
    viewer_ = roles.resolve_viewer(engine, "icb@example.org")
    assert set(viewer_.roles.values()) == {"network_viewer"} and len(viewer_.roles) == 1
    assert cli(["user", "network", "x@example.org"]) == 2  # no scope
    assert "needs one of --all" in capsys.readouterr().err
    assert cli(["user", "network", "x@example.org", "--region", "atlantis"]) == 2
    assert cli(["user", "unnetwork", "icb@example.org", "--icb", "QMF"]) == 0
    assert roles.resolve_viewer(engine, "icb@example.org").roles == {}


def _builder(frames):
    def build(characteristic: str):
        return representation_table(
            frames,
            characteristic=characteristic,
            period="year",
            baseline=BaselineSpec(kind="user", source="t"),
        )

    return build


def test_ethnicity_views_are_protected_together(frames):
    board = viewer("board_member")
    views = {ch: protection.build_protected(_builder(frames), ch, board, 1) for ch in suppression.ETHNIC_FAMILY}
    # the shared table figures are hidden and shown alike in every view
    tables = [
        views[ch].tables.select(c.LEVEL_KEY, c.PEOPLE, c.TOTAL, c.UNKNOWN).sort(c.LEVEL_KEY)
        for ch in suppression.ETHNIC_FAMILY
    ]
    assert tables[0].equals(tables[1]) and tables[1].equals(tables[2])
    # a broad group adds up its detailed categories: never exactly one hidden cell among them and it
    detailed = views["ethnicity"].rows
    broad = views["ethnicity_broad"].rows
    for row in broad.iter_rows(named=True):
        categories = detailed.filter(
            (pl.col(c.LEVEL_KEY) == row[c.LEVEL_KEY])
            & pl.col(c.GROUP).is_in(
                [g for g in detailed[c.GROUP].unique().to_list() if codes.ethnicity_broad(g) == row[c.GROUP]]
            )
        )
        hidden = categories[c.INVOLVED].null_count() + (row[c.INVOLVED] is None)
        assert hidden != 1, f"{row[c.GROUP]} at {row[c.LEVEL_KEY]}"
    for ch, rep in views.items():
        assert small_counts(rep.rows) == [] and small_counts(rep.tables) == [], ch


def test_build_protected_gives_exact_roles_one_view(frames):
    calls = []

    def build(characteristic):
        calls.append(characteristic)
        return _builder(frames)(characteristic)

    out = protection.build_protected(build, "ethnicity_broad", viewer("equality_lead"), 1)
    assert calls == ["ethnicity_broad"] and out.rows[suppression.NOT_FOR_PUBLICATION].all()
    calls.clear()
    protection.build_protected(build, "ethnicity_broad", viewer("viewer"), 1)
    assert sorted(calls) == sorted(suppression.ETHNIC_FAMILY)
    with pytest.raises(PermissionError):
        protection.build_protected(build, "ethnicity_broad", viewer(None), 1)


# --- Protection dispatches on result types ---------------------------------------------------------------


def test_a_frame_without_a_result_type_is_refused_unless_already_protected(rep):
    board = viewer("board_member")
    with pytest.raises(TypeError, match="does not know what kind of result"):
        protection.protect(pl.DataFrame({c.GROUP: ["W"], c.INVOLVED: [3], c.TOTAL: [10]}), board, 1)
    with pytest.raises(TypeError, match="does not know what kind of result"):
        protection.protect(object(), board, 1)
    published = protection.protect(rep, board, 1).rows
    assert protection.protect(published, board, 1).equals(published)  # already protected: passed as it is


def test_the_same_frame_is_protected_by_the_type_it_travels_in(rep):
    """Column names do not choose the rules: the same rows are representation rows in GroupRows and a plain
    table of counts in CountTable (every integer column suppressed on its own)."""
    board = viewer("board_member")
    rows = rep.rows.select(c.LEVEL_KEY, c.PERIOD, c.CHARACTERISTIC, c.GROUP, c.INVOLVED, c.TOTAL)
    as_rows = protection.protect(protection.GroupRows(rows), board, 1)
    as_counts = protection.protect(protection.CountTable(rows, counts=[c.INVOLVED]), board, 1)
    assert small_counts(as_rows) == [] and small_counts(as_counts.select(c.INVOLVED)) == []
    assert as_counts[c.TOTAL].equals(rows[c.TOTAL])  # not a count in that table: left as it was
    assert any(t % 5 for t in rows[c.TOTAL].to_list())  # the exact totals are not all multiples of 5 ...
    assert all(t is None or t % 5 == 0 for t in as_rows[c.TOTAL].to_list())  # ... the published ones are


# --- A network viewer: published figures on the Network page, nothing else ------------------------------------


def test_a_network_viewer_cannot_obtain_exact_or_record_level_data(frames, rep):
    from analytics import decision, outreach, quality, trends

    network = viewer("network_viewer")
    assert not network.exact(1) and not network.can("aggregates", 1) and network.can("network", 1)
    published = protection.protect(rep, viewer("board_member"), 1)  # as a board member would see it
    attempts = {
        "representation": lambda: protection.protect(rep, network, 1),
        "protected representation": lambda: protection.protect(published, network, 1),
        "built and protected": lambda: protection.build_protected(_builder(frames), "ethnicity_broad", network, 1),
        "representation directly": lambda: protection.protect_representation(rep, network, 1),
        "trend": lambda: protection.protect(trends.trend_table(published), network, 1),
        "pipeline": lambda: protection.protect(protection.GroupRows(decision.pipeline(published)), network, 1),
        "likelihood": lambda: protection.protect_likelihood(
            decision.relative_likelihood(frames, characteristic="ethnicity_broad", period="year"), network, 1
        ),
        "data quality": lambda: protection.protect(
            protection.QualityTable(quality.data_quality(frames, period="year")), network, 1
        ),
        "outreach list": lambda: protection.protect(
            protection.OutreachList(outreach.outreach_list(published, frames=frames)), network, 1
        ),
        "records": lambda: protection.protect(protection.RecordList(quality.missing_fields(frames)), network, 1),
        "record-level frame": lambda: protection.protect_frame(
            quality.missing_fields(frames), network, 1, kind="record_level"
        ),
        "counts": lambda: protection.protect_frame(pl.DataFrame({"n": [3]}), network, 1),
        "headline text": lambda: protection.protect("3 of 12 people", network, 1),
    }
    for name, attempt in attempts.items():
        with pytest.raises(PermissionError, match="does not allow you"):
            attempt()
        assert name


def test_a_network_viewer_gets_the_published_figures_the_network_page_shows(frames):
    """The Network page builds each organisation's figures as a restricted role receives them (the 'viewer'
    scope), whoever looks: no count of 1-7, nothing marked not for publication, the same as a board member's."""
    from analytics import network

    published = network.published_representation(frames, 1, characteristic="ethnicity_broad", period="year",
                                                  baseline=BaselineSpec(kind="user", source="t"))
    assert small_counts(published.rows) == [] and small_counts(published.tables) == []
    assert not published.rows[suppression.NOT_FOR_PUBLICATION].any()
    levels = network.published_representation(frames, 1, characteristic="ethnicity_broad", period="year",
                                               baseline=BaselineSpec(kind="user", source="t"), together=False)
    board = protection.build_protected(_builder(frames), "ethnicity_broad", viewer("board_member"), 1)
    assert levels.rows[c.INVOLVED].equals(board.rows[c.INVOLVED])  # level by level: a board member's figures



def test_a_restricted_outreach_list_is_chosen_from_published_statuses(frames, rep):
    """Which committee rows are listed must follow from the published figures: a row chosen by its exact status
    would tell a restricted reader that a hidden count was below expectation."""
    from analytics import outreach

    worker = viewer("outreach_worker")
    protected = protection.protect(rep, worker, 1)
    exact_choice = outreach.outreach_list(protected, frames=frames)
    published = outreach.outreach_list(protected, frames=frames, published=True)
    listed = protection.protect(protection.OutreachList(published), worker, 1)

    period = outreach.latest_period(protected.rows)
    every_row = outreach._published_activity(outreach._activity_rows(protected, frames, period))
    missing = every_row.filter(pl.col(c.STATUS).is_in([c.STATUS_UNDER, c.STATUS_ABSENT]))
    key = [outreach.ACTIVITY_REF, c.GROUP]
    activity = listed.filter(pl.col(outreach.UNIT) == "activity")
    assert sorted(activity.select(key).rows()) == sorted(missing.select(key).rows())
    # teeth: some row the exact statuses would list is not under or absent in the published figures
    chosen_exactly = exact_choice.filter(pl.col(outreach.UNIT) == "activity").select(key)
    assert chosen_exactly.join(missing.select(key), on=key, how="anti").height > 0
