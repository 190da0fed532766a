"""`presence analyse` end to end, the database loader on SQLite and PostgreSQL, and METHODS.md coverage."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from representation_fixtures import (
    fake_reference,  # noqa: F401 - a fixture, used through pytestmark
    settings,
)
from scipy import stats as sps

from analytics import columns as C
from analytics.file_analysis import ANALYSE_ROW_COLUMNS, ANALYSE_TABLE_COLUMNS
from analytics.loader import load_frames
from analytics.representation import representation_table
from presence_cli import main

pytestmark = pytest.mark.usefixtures("fake_reference")

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run_json(capsys, *argv):
    assert main(["analyse", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def test_analyse_json_with_levels_and_unknowns(tmp_path, capsys):
    involved = write(
        tmp_path,
        "involved.csv",
        "level,group,count\nboard, White British ,10\nboard,black caribbean,1\n"
        "board,Prefer not to say,2\nboard,Klingon,1\ncommittee,A,20\ncommittee,N,0\n",
    )
    baseline = write(
        tmp_path,
        "baseline.csv",
        "group,percent\nWhite - British,60\nBlack or Black British - Caribbean,15\n"
        "Black, Black British, Black Welsh, Caribbean or African: African,25\nNot stated,5\n".replace(
            "Black, Black British, Black Welsh, Caribbean or African: African",
            '"Black, Black British, Black Welsh, Caribbean or African: African"',
        ),
    )
    out = run_json(capsys, "--involved", involved, "--baseline", baseline)
    assert set(out) >= {"rows", "tables"}
    assert tuple(out["rows"][0]) == ANALYSE_ROW_COLUMNS
    assert tuple(out["tables"][0]) == ANALYSE_TABLE_COLUMNS
    tables = {t["level"]: t for t in out["tables"]}
    # board: 10 + 1 known; "Prefer not to say" and the unrecognised "Klingon" are unknown (3)
    assert (tables["board"]["people"], tables["board"]["total"], tables["board"]["unknown"]) == (14, 11, 3)
    assert tables["board"]["declaration_rate"] == pytest.approx(11 / 14)
    rows = {(r["level"], r["group"]): r for r in out["rows"]}
    african = rows[("committee", "N")]
    # committee: 0 of 20 African against 25 / 100 = 0.25: expected 5, absent, shortfall (people to add)
    # ceil((5 - 0) / 0.75) = ceil(6.67) = 7 (7 of 27 = 25.9%)
    assert (
        african["involved"],
        african["total"],
        african["expected"],
        african["shortfall"],
        african["status"],
    ) == (0, 20, 5.0, 7, C.STATUS_ABSENT)
    assert african["p_value"] == pytest.approx(sps.binomtest(0, 20, 0.25).pvalue)
    caribbean = rows[("board", "M")]
    assert caribbean["group_label"] == "Caribbean"
    assert caribbean["baseline_share"] == pytest.approx(0.15)
    assert caribbean["share"] == pytest.approx(1 / 11)


def test_analyse_csv_with_count_baseline_and_free_labels(tmp_path, capsys):
    involved = write(
        tmp_path, "sex.csv", "group,count,period\nFemale,30,2024\nmale,10,2024\nNot known,5,2024\n"
    )
    baseline = write(tmp_path, "sex_base.csv", "group,count\nfemale,510\nMale,490\n")
    assert main(["analyse", "--involved", involved, "--baseline", baseline, "--format", "csv"]) == 0
    rows = pl.read_csv(capsys.readouterr().out.encode())
    assert tuple(rows.columns) == ANALYSE_ROW_COLUMNS
    female = rows.filter(pl.col("group") == "female").row(0, named=True)
    # 30 of 40 against 0.51: ratio 0.75 / 0.51 = 1.4706 -> over
    assert female["ratio"] == pytest.approx(0.75 / 0.51)
    assert female["group_label"] == "female"
    assert female["period"] == 2024 and female["level"] == "all"
    # exact p of 30 of 40 against 0.51 = 0.0024; two groups are one test (no Holm doubling) < 0.05 and
    # ratio > 1.25: over
    assert female["p_adjusted"] == pytest.approx(sps.binomtest(30, 40, 0.51).pvalue)
    assert female["status"] == C.STATUS_OVER


def test_analyse_alpha_and_threshold(tmp_path, capsys):
    involved = write(tmp_path, "i.csv", "group,count\nA,750\nM,250\n")
    baseline = write(tmp_path, "b.csv", "group,share\nA,0.7\nM,0.3\n")
    # M: 250 / 1000 = 0.25 against 0.30: ratio 0.833, within range at threshold 0.8 (0.8 .. 1.25)
    default = {
        r["group"]: r for r in run_json(capsys, "--involved", involved, "--baseline", baseline)["rows"]
    }
    assert default["M"]["status"] == C.STATUS_WITHIN_RANGE
    # at 0.9 it is outside; exact p = 0.00049 (two groups: one test, not doubled) < 0.05: under
    strict = {
        r["group"]: r
        for r in run_json(capsys, "--involved", involved, "--baseline", baseline, "--threshold", "0.9")[
            "rows"
        ]
    }
    assert strict["M"]["p_adjusted"] == pytest.approx(sps.binomtest(250, 1000, 0.3).pvalue)
    assert strict["M"]["status"] == C.STATUS_UNDER
    # with alpha 0.0001 the gap is not significant, and 0 of 1000 would be: uncertain
    tiny = {
        r["group"]: r
        for r in run_json(
            capsys, "--involved", involved, "--baseline", baseline, "--threshold", "0.9", "--alpha", "0.0001"
        )["rows"]
    }
    assert tiny["M"]["status"] == C.STATUS_UNCERTAIN


def test_analyse_census_baseline(tmp_path, capsys):
    involved = write(tmp_path, "i.csv", "group,count\nWhite British,8\nAfrican,2\n")
    out = run_json(capsys, "--involved", involved, "--baseline", "census:E1")
    rows = {r["group"]: r for r in out["rows"]}
    # no Gypsy/Roma/Arab in the involved file: the census is folded to NHS codes; known total 1000
    assert "GT" not in rows and rows["C"]["baseline_share"] == pytest.approx(0.08)
    assert rows["N"]["baseline_share"] == pytest.approx(0.15)
    assert out["baseline"] == (
        "Census 2021, usual residents aged 18 and over of Eastham (1 area); "
        "ethnic group by age estimated by raking (see METHODS.md)"
    )
    broad = write(tmp_path, "broad.csv", "group,count\nWhite,8\nBlack,2\n")
    rows = {r["group"]: r for r in run_json(capsys, "--involved", broad, "--baseline", "census:E1")["rows"]}
    assert rows["Black or Black British"]["baseline_share"] == pytest.approx(0.25)  # 100 + 150 of 1000


@pytest.mark.parametrize(
    "involved,baseline,message",
    [
        ("group,count\nA,3\nM,x\n", "group,count\nA,1\n", "i.csv, row 3: count 'x' is not a whole number."),
        ("group,count\nA,2.5\n", "group,count\nA,1\n", "i.csv, row 2: count '2.5' is not a whole number."),
        ("group,count\nA,-1\n", "group,count\nA,1\n", "i.csv, row 2: count '-1' must not be negative."),
        (
            "grp,count\nA,1\n",
            "group,count\nA,1\n",
            "i.csv, row 1: there is no 'group' column (the columns are: grp, count).",
        ),
        ("", "group,count\nA,1\n", "i.csv: the file is empty."),
        ("group,count\n", "group,count\nA,1\n", "i.csv: the file has a header but no rows."),
        ("group,count\nA,1\n", "group,share\nA,1.5\n", "b.csv, row 2: share '1.5' must be between 0 and 1."),
        (
            "group,count\nA,1\n",
            "group,percent\nA,60\nM,101\n",
            "b.csv, row 3: percent '101' must be between 0 and 100.",
        ),
        (
            "group,count\nA,1\n",
            "group,weight\nA,1\n",
            "b.csv, row 1: a baseline needs a 'count', 'share' or 'percent' column",
        ),
        ("group,count\nA,1\n", "group,count\nA,lots\n", "b.csv, row 2: count 'lots' is not a number."),
        (
            "group,count\nA,1\n",
            "group,count\nNot stated,10\n",
            "b.csv: the baseline has no known group with a figure above 0.",
        ),
    ],
)
def test_analyse_malformed_files_exit_2_with_one_sentence(tmp_path, capsys, involved, baseline, message):
    i = write(tmp_path, "i.csv", involved)
    b = write(tmp_path, "b.csv", baseline)
    assert main(["analyse", "--involved", i, "--baseline", b]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"presence: {message}")
    assert err.count("\n") == 0


def test_analyse_missing_file_and_bad_options(tmp_path, capsys):
    b = write(tmp_path, "b.csv", "group,count\nA,1\n")
    assert main(["analyse", "--involved", str(tmp_path / "nope.csv"), "--baseline", b]) == 2
    assert "nope.csv: the file does not exist." in capsys.readouterr().err
    assert main(["analyse", "--involved", b, "--baseline", b, "--alpha", "1.5"]) == 2
    assert "--alpha must be between 0 and 1" in capsys.readouterr().err
    assert main(["analyse", "--involved", b, "--baseline", "census:"]) == 2
    assert "census:E09000007" in capsys.readouterr().err
    (tmp_path / "latin1.csv").write_bytes("group,count\nCafé,1\n".encode("latin-1"))
    assert main(["analyse", "--involved", str(tmp_path / "latin1.csv"), "--baseline", b]) == 2
    assert "latin1.csv: the file is not a UTF-8 text CSV file." in capsys.readouterr().err


# --- The loader on both databases --------------------------------------------------------------------------


def test_load_frames_and_analyse_from_the_database(engine):
    from models.crud import create_organisation, levels_by_key
    from models.db import session_scope
    from models.tables import (
        Activity,
        Attendance,
        Baseline,
        Involvement,
        Meeting,
        OrganisationCreate,
        Person,
    )

    with session_scope(engine) as session:
        org = create_organisation(
            session=session, organisation=OrganisationCreate(code="T1", name="Test trust", catchment=["E1"])
        )
        levels = levels_by_key(session=session, organisation_id=org.id)
        board = Activity(
            organisation_id=org.id,
            level_id=levels["board"].id,
            ref="BRD",
            name="Board",
            involvement_area="D",
            start_date=date(2020, 1, 1),
        )
        session.add(board)
        session.flush()
        people = [
            Person(organisation_id=org.id, ref=f"P{i}", involvement_type="service_user", ethnicity=e)
            for i, e in enumerate(["A", "M", "Z"])
        ]
        session.add_all(people)
        session.flush()
        session.add_all(
            [
                Involvement(
                    organisation_id=org.id,
                    ref=f"I{p.id}",
                    person_id=p.id,
                    activity_id=board.id,
                    start_date=date(2024, 1, 10),
                    end_date=date(2024, 2, 10),
                )
                for p in people[:2]
            ]
        )
        meeting = Meeting(organisation_id=org.id, activity_id=board.id, ref="M1", date=date(2024, 2, 1))
        session.add(meeting)
        session.flush()
        session.add(Attendance(organisation_id=org.id, meeting_id=meeting.id, person_id=people[2].id))
        session.add(
            Baseline(
                organisation_id=org.id,
                source="caseload",
                year=2024,
                geography_code="T1",
                geography_name="Caseload",
                characteristic="ethnicity",
                group="A",
                count=70,
            )
        )
        session.add(
            Baseline(
                organisation_id=org.id,
                source="caseload",
                year=2024,
                geography_code="T1",
                geography_name="Caseload",
                characteristic="ethnicity",
                group="M",
                count=30,
            )
        )
        org_id = org.id

    frames = load_frames(engine, organisation_id=org_id)
    assert frames.catchment == ["E1"] and frames.organisation_name == "Test trust"
    assert frames.levels["rank"].to_list() == [1, 2, 3, 4, 5]
    assert frames.people.height == 3 and frames.involvements.height == 2 and frames.attendance.height == 1
    assert frames.meetings["date"].dtype == pl.Date
    rep = representation_table(frames, "ethnicity", settings=settings())
    table = rep.tables.filter(pl.col(C.LEVEL_KEY) == "board").row(0, named=True)
    assert (table[C.PERIOD], table[C.PEOPLE], table[C.TOTAL], table[C.NOT_STATED]) == ("2024-Q1", 3, 2, 1)
    from analytics.baselines import BaselineSpec

    user = representation_table(
        frames, "ethnicity", baseline=BaselineSpec(kind="user", source="caseload"), settings=settings()
    )
    row = user.rows.filter((pl.col(C.LEVEL_KEY) == "board") & (pl.col(C.GROUP) == "M")).row(0, named=True)
    assert (row[C.INVOLVED], row[C.TOTAL], row[C.BASELINE_SHARE]) == (1, 2, 0.3)
    with pytest.raises(ValueError, match="There is no organisation with id 999"):
        load_frames(engine, organisation_id=999)


# --- METHODS.md explains every column ----------------------------------------------------------------------


def test_methods_explains_every_column():
    text = (ROOT / "METHODS.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^## (.+)$", text, flags=re.MULTILINE))
    needed = set(C.ROW_COLUMNS) | set(C.TABLE_COLUMNS) | {"relative_likelihood", "cochran_armitage"}
    assert needed - headings == set()
    for status in C.STATUSES:
        assert f"`{status}`" in text
    assert "What the numbers cannot say" in text
    import analytics

    assert [name for name in analytics.__all__ if f"`{name}`" not in text and f".{name}`" not in text] == []


# --- The shipped reference tables (data/baselines.py), when present -----------------------------------------


def _real_reference():
    reference = pytest.importorskip("data.baselines")
    try:
        reference.reference_baselines()
    except FileNotFoundError as error:
        pytest.skip(str(error))
    return reference


@pytest.mark.parametrize("kind", ["census", "need_weighted"])
def test_shipped_baselines_give_shares_over_known_groups(kind, monkeypatch):
    reference = _real_reference()
    from analytics import baselines

    monkeypatch.setattr(baselines, "_reference", lambda: reference)
    from representation_fixtures import frames_with, involvements_frame, people_frame

    people = people_frame(["A", "N", "H", "GT"])
    inv = involvements_frame([(i, 10, date(2024, 1, 1), date(2024, 1, 31)) for i in (1, 2, 3, 4)])
    frames = frames_with(people, inv, catchment=("E09000022", "E09000028"))  # Lambeth, Southwark
    for characteristic in ("ethnicity", "ethnicity_broad", "ethnicity_binary", "age_band"):
        rep = representation_table(
            frames, characteristic, baseline=baselines.BaselineSpec(kind=kind), settings=settings()
        )
        shares = rep.rows.filter(pl.col(C.LEVEL_KEY) == "individual")[C.BASELINE_SHARE]
        assert shares.sum() == pytest.approx(1.0)
        assert "Lambeth" in rep.baseline_description and "(2 areas)" in rep.baseline_description
    # disability has ICB figures only: the catchment's ICB (South East London), labelled "ICB", all ages
    rep = representation_table(frames, "disability", settings=settings())
    assert "ICB figures (NHS South East London Integrated Care Board)" in rep.baseline_description
    assert "usual residents of all ages" in rep.baseline_description
    assert rep.rows.filter(pl.col(C.LEVEL_KEY) == "individual")[C.BASELINE_SHARE].sum() == pytest.approx(1.0)
    # sexual orientation has national figures only: no baseline, said in words, not an error
    rep = representation_table(frames, "sexual_orientation", settings=settings())
    assert rep.baseline_description.startswith("No baseline: no Census 2021 sexual orientation figures")
    assert rep.rows[C.BASELINE_SHARE].null_count() == rep.rows.height
