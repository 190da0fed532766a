"""The board pack on the demo trust: every format renders, the PDF says what the dashboard says (same
numbers, same filters) in its exact and published versions, hidden cells stay hidden, and the command line
refuses what does not exist with one sentence and exit 2."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest
import streamlit as st
from docx import Document
from pypdf import PdfReader

from analytics import columns as c
from analytics import columns as k
from analytics import report, selections
from analytics.report import assemble
from analytics.report.content import NOT_FOR_PUBLICATION, Table
from analytics.roles import Viewer
from models.db import get_engine, upgrade_schema
from models.settings import get_settings
from presence_cli import main

AS_OF = date(2026, 12, 6)  # the demo trust's records run to 2026-Q3, so that is the latest complete quarter
STEWARD = Viewer(email="steward@example.invalid", roles={1: "data_steward"})
OUTREACH = Viewer(email="outreach@example.invalid", roles={1: "outreach_worker"})
BOARD = Viewer(email="board@example.invalid", roles={1: "board_member"})


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory) -> Path:
    from models.seeding import load_reference_baselines, seed_demo

    path = tmp_path_factory.mktemp("pack") / "demo.db"
    engine = get_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    load_reference_baselines(engine)
    seed_demo(engine=engine, scale=1)
    engine.dispose()
    return path


@pytest.fixture(scope="module")
def engine(demo_path):
    return get_engine(f"sqlite:///{demo_path}")


@pytest.fixture(scope="module")
def published(engine) -> report.PackFigures:
    return report.gather(engine, report.PackRequest("DEMO", as_of=AS_OF), STEWARD)


@pytest.fixture(scope="module")
def exact(engine) -> report.PackFigures:
    return report.gather(engine, report.PackRequest("DEMO", exact=True, as_of=AS_OF), STEWARD)


@pytest.fixture(scope="module")
def files(published, exact) -> dict[str, bytes]:
    built = {name: report.build(published, name)[1] for name in ("pdf", "docx", "html", "public")}
    built["exact-pdf"] = report.build(exact, "pdf")[1]
    built["exact-docx"] = report.build(exact, "docx")[1]
    built["exact-html"] = report.build(exact, "html")[1]
    return built


def pdf_pages(content: bytes) -> list[str]:
    return [flat(page.extract_text() or "") for page in PdfReader(io.BytesIO(content)).pages]


def flat(text: str) -> str:
    """Whitespace made single, and none after a hyphen: the PDF may break a line at "under-|represented"."""
    return re.sub(r"-\s+", "-", " ".join(text.split()))


# --- Every format renders ------------------------------------------------------------------------------------

def test_the_latest_complete_quarter_and_eight_before_it(published):
    assert published.period == "2026-Q3"
    assert published.period_from == "2024-Q4"
    assert published.trend.series.get_column(c.PERIOD).unique().sort().to_list()[0] >= "2024-Q4"


def test_every_format_renders(files):
    assert files["pdf"].startswith(b"%PDF") and len(PdfReader(io.BytesIO(files["pdf"])).pages) >= 6
    assert zipfile.is_zipfile(io.BytesIO(files["docx"]))
    html = files["html"].decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<h2" in html
    assert len(PdfReader(io.BytesIO(files["public"])).pages) == 1  # the public summary is one page


def test_the_pdf_is_a4_and_tagged(files):
    reader = PdfReader(io.BytesIO(files["pdf"]))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]  # tagged PDF


def test_the_html_is_one_self_contained_file(files):
    html = files["html"].decode("utf-8")
    assert not re.search(r'(src|href)="(?!data:)', html)  # nothing fetched from anywhere
    assert html.count('<img src="data:image/png;base64,') >= 2
    assert all(re.findall(r'<img [^>]*alt="([^"]*)"', html))  # every chart has a text alternative


@pytest.mark.parametrize("name", ["pdf", "exact-pdf"])
def test_the_pdf_has_every_section_heading(files, name):
    text = flat(" ".join(pdf_pages(files[name])))
    for heading in report.SECTION_HEADINGS:
        assert heading in text
    for subheading in ("Relative likelihood of reaching a decision-making level", "What to fix first",
                       "Outreach plans", "Sources and licence", "Open Government Licence v3.0"):
        assert subheading in text


def test_the_public_summary_says_what_we_measured_who_is_missing_and_what_we_will_do(files):
    text = flat(pdf_pages(files["public"])[0])
    for heading in report.PUBLIC_HEADINGS:
        assert heading in text
    assert NOT_FOR_PUBLICATION not in text


@pytest.mark.parametrize("name", ["docx", "exact-docx"])
def test_the_docx_has_the_headings_and_tables(files, name, published):
    document = Document(io.BytesIO(files[name]))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == list(report.SECTION_HEADINGS)
    pack = report.board_pack(published)
    assert len(document.tables) == 1 + len(pack.tables())  # the cover, then every table of the pack
    scorecard = next(t for t in document.tables if t.rows[0].cells[0].text == "Standard")
    assert [cell.text for cell in scorecard.rows[0].cells] == ["Standard", "Indicator", "Value", "Count",
                                                                "Status", "Trend"]
    pictures = document.inline_shapes
    assert len(pictures) == len(pack.charts()) and all(p._inline.docPr.get("descr") for p in pictures)


# --- Publishable by default; exact only when asked, and marked on every page ----------------------------------

def test_an_exact_pack_says_not_for_publication_on_every_page(files):
    pages = pdf_pages(files["exact-pdf"])
    assert all(NOT_FOR_PUBLICATION in page for page in pages), [i for i, p in enumerate(pages)
                                                               if NOT_FOR_PUBLICATION not in p]
    section = Document(io.BytesIO(files["exact-docx"])).sections[0]
    assert NOT_FOR_PUBLICATION in section.header.paragraphs[0].text
    assert NOT_FOR_PUBLICATION in section.footer.paragraphs[0].text
    assert files["exact-html"].decode().count(NOT_FOR_PUBLICATION) >= 2


def test_a_published_pack_never_says_not_for_publication(files):
    assert not any(NOT_FOR_PUBLICATION in page for page in pdf_pages(files["pdf"]))
    assert NOT_FOR_PUBLICATION.encode() not in files["html"]
    assert all("Publishable: disclosure-controlled" in page for page in pdf_pages(files["pdf"]))


def test_exact_figures_need_a_role_that_may_see_them(engine):
    with pytest.raises(PermissionError, match="exact figures"):
        report.gather(engine, report.PackRequest("DEMO", exact=True, as_of=AS_OF), BOARD)


def test_the_public_summary_is_always_suppressed(exact):
    with pytest.raises(ValueError, match="always suppressed"):
        assemble.public_summary(exact)


def _decision_tables(pack) -> dict[str, Table]:
    return {t.caption.split(":")[0]: t for t in pack.tables()
            if "share of the people with a known answer" in t.caption}


def test_every_hidden_cell_stays_hidden(published, exact):
    """Each count disclosure control hid (1 to 7 people, or a second count that would give one away) is "*"
    in the published pack, everywhere that count or a figure worked out from it would appear."""
    rows = published.rep.rows.filter(pl.col(c.PERIOD) == published.period)
    hidden = rows.filter(pl.col("involved_suppressed"))
    assert hidden.height > 0  # the demo trust has small numbers at the decision-making levels
    pack = report.board_pack(published)
    tables = _decision_tables(pack)
    for row in hidden.filter(pl.col(c.DECISION_MAKING)).iter_rows(named=True):
        shown = {r[0]: r for r in tables[row[c.LEVEL_NAME]].rows}[row[c.GROUP_LABEL]]
        assert shown[1].startswith("* of"), shown  # the count
        assert shown[2] == "*", shown  # the share worked out from it
    pipeline = next(t for t in pack.tables() if t.caption.startswith("Share % at each level"))
    levels = list(pipeline.columns[1:])
    for row in hidden.iter_rows(named=True):
        cells = {r[0]: r for r in pipeline.rows}[row[c.GROUP_LABEL]]
        assert cells[1 + levels.index(row[c.LEVEL_NAME].split(" (")[0])] == "*"
    likelihood = next(t for t in pack.tables() if t.caption.startswith("Relative likelihood"))
    assert all(r[1] == "*" and r[2] == "*" for r in likelihood.rows)  # no counts for restricted roles
    # and the exact values of hidden small counts appear nowhere in the published rows of those tables
    exact_rows = exact.rep.rows.filter((pl.col(c.PERIOD) == exact.period) & pl.col(c.DECISION_MAKING))
    hidden_exact = exact_rows.join(hidden.select(c.LEVEL_KEY, c.GROUP), on=[c.LEVEL_KEY, c.GROUP])
    for row in hidden_exact.iter_rows(named=True):
        shown = {r[0]: r for r in tables[row[c.LEVEL_NAME]].rows}[row[c.GROUP_LABEL]]
        assert not shown[1].startswith(f"{row[c.INVOLVED]} of")


def test_the_scorecard_hides_what_the_page_hides(published):
    card = published.scorecard
    pack = report.board_pack(published)
    table = next(t for t in pack.tables() if t.columns[0] == "Standard")
    for row, shown in zip(card.iter_rows(named=True), table.rows, strict=True):
        if row[k.RAG] == "hidden":
            assert shown[2] == "*" and shown[4] == assemble.HIDDEN_ROW_WORDS


# --- The same numbers as the dashboard, for the same filters ---------------------------------------------------

@pytest.fixture
def dashboard_data(demo_path, monkeypatch):
    from dashboard import cache as data

    monkeypatch.setenv("PRESENCE_DATABASE_URL", f"sqlite:///{demo_path}")
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    return data


def _filters(data, figures):
    return data.Filters(organisation_id=1, organisation_name="", characteristic="ethnicity_broad",
                        period="quarter", period_from=figures.period_from, period_to=figures.period,
                        data_version=data.data_version(1))


@pytest.mark.parametrize("which,viewer", [("published", OUTREACH), ("exact", STEWARD)])
def test_the_pdf_shows_the_dashboards_numbers(request, files, dashboard_data, which, viewer):
    """Headlines, who is missing where decisions are made (people to add), the relative likelihood and the 4PI
    scorecard: the figures the dashboard's own functions give a viewer of that kind, for the same filters, are
    the figures in the PDF."""
    data = dashboard_data
    figures = request.getfixturevalue(which)
    f = _filters(data, figures)
    text = flat(" ".join(pdf_pages(files["pdf" if which == "published" else "exact-pdf"])))
    for sentence in data.headlines(f, viewer):
        assert flat(sentence) in text
    missing = selections.missing_at_decision_levels(data.representation(f, viewer).rows)
    for row in missing.iter_rows(named=True):
        assert flat(assemble._missing_phrase(row)) in text
    rl = data.relative_likelihood(f, viewer).filter(pl.col(c.PERIOD) == figures.period)
    for row in rl.iter_rows(named=True):
        assert flat(f"{row[c.GROUP_LABEL]} {assemble.count(row, 'decision_making_n')} "
                    f"{assemble.count(row, 'other_only_n')} {assemble.percent(row, 'likelihood')} "
                    f"{assemble.figure(row, 'relative_likelihood')}") in text
    card = data.fourpi_scorecard(f, viewer, figures.period)
    from analytics import fourpi

    assert flat(fourpi.disclosure.fourpi_headline(card)) in text

    for row in fourpi.fix_first(card).iter_rows(named=True):
        assert flat(assemble.fix_first_line(row)) in text
    if which == "exact":
        assert any(r[c.INVOLVED] is not None and 0 < r[c.INVOLVED] < 8
                   for r in data.representation(f, viewer).rows.iter_rows(named=True))


def test_the_pack_follows_the_sidebars_filters(engine):
    sex = report.gather(engine, report.PackRequest("DEMO", characteristic="sex", as_of=AS_OF), STEWARD)
    assert sex.rep.characteristic == "sex"
    assert "by sex" in dict(report.board_pack(sex).cover)["Who is counted"]


# --- The command line -------------------------------------------------------------------------------------------

@pytest.fixture
def cli_db(demo_path, monkeypatch):
    monkeypatch.setenv("PRESENCE_DATABASE_URL", f"sqlite:///{demo_path}")
    get_settings.cache_clear()


@pytest.mark.parametrize("arguments,sentence", [
    (["--organisation", "NOPE"], "There is no organisation with the code 'NOPE'."),
    (["--organisation", "DEMO", "--period", "2031-Q1"], "has no figures for 2031-Q1"),
    (["--organisation", "DEMO", "--period", "2026"], "'2026' is not a quarter"),
    (["--organisation", "DEMO", "--format", "public", "--exact"], "always suppressed"),
])
def test_the_command_line_refuses_with_one_sentence(cli_db, tmp_path, capsys, arguments, sentence):
    output = tmp_path / ("pack.pdf")
    code = main(["report", *arguments, "--output", str(output)])
    err = capsys.readouterr().err
    assert code == 2
    assert sentence in err and err.count("\n") == 1 and err.strip().endswith(".")
    assert not output.exists()


def test_the_command_line_writes_a_pack(cli_db, tmp_path, capsys):
    output = tmp_path / "pack.html"
    assert main(["report", "--organisation", "DEMO", "--format", "html", "--output", str(output)]) == 0
    assert "published figures" in capsys.readouterr().out
    assert output.read_bytes().startswith(b"<!DOCTYPE html>")


@pytest.mark.parametrize("floor,words", [
    (None, "residents of all ages"),  # before the statistics issue's setting exists: the shipped baselines
    (0, "residents of all ages"),
    (18, "residents aged 18 and over"),
])
def test_the_cover_names_the_baselines_age_floor(floor, words):
    class Settings:
        baseline_min_age = floor

    assert assemble.age_floor_words(Settings() if floor is not None else object()) == words


def test_the_cover_names_the_age_floor_setting(published):
    cover = dict(report.board_pack(published).cover)
    floor = get_settings().baseline_min_age
    assert cover["Age floor"].startswith("Residents aged 18 and over" if floor == 18 else "Residents")
