"""Docs that are tested: every CLI command and every dashboard page is in README.md; METHODS.md explains the
public analytics functions (the engine's and the 4PI module's own tests check their columns and indicators)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import analytics
from presence_cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
METHODS = (ROOT / "METHODS.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sorted(sub.choices)


def _page_titles() -> list[str]:
    app = (ROOT / "dashboard" / "app.py").read_text(encoding="utf-8")
    return re.findall(r'_page\("[\w]+\.py", "([^"]+)"', app)


@pytest.mark.parametrize("command", _commands())
def test_every_cli_command_is_in_the_readme(command):
    assert f"presence {command}" in README


def test_the_page_list_is_read_from_the_app():
    assert len(_page_titles()) >= 11


@pytest.mark.parametrize("title", _page_titles())
def test_every_page_is_in_the_readme(title):
    assert f"**{title}**" in README


def test_readme_starts_with_the_two_commands():
    first_block = README.split("```", 2)[1]
    assert "make run" in first_block and "make test" in first_block


@pytest.mark.parametrize("name", [n for n in analytics.__all__ if n[0].islower()])
def test_every_public_analytics_function_is_in_methods(name):
    assert any(form in METHODS for form in (f"`{name}`", f"`{name}(", f"`analytics.{name}`"))


def test_makefile_targets_match_the_readme():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("install:", "run:", "test:"):
        assert re.search(rf"^{target}", makefile, re.M)


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.M)


def test_every_importable_table_and_column_is_in_the_readme():
    from models.importer import TABLES

    formats = README.split("## Data formats", 1)[1].split("\n## ", 1)[0]
    for name, spec in TABLES.items():
        assert f"| {name} |" in formats, name
        row = next(line for line in formats.splitlines() if line.startswith(f"| {name} |"))
        for column in spec.columns:
            assert f"`{column.name}`" in row, (name, column.name)
