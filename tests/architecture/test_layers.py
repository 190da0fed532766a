"""The layering rule, checked by parsing imports: dashboard -> analytics -> models; data is plain reference code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# package -> top-level packages it must never import
FORBIDDEN = {
    "models": {"analytics", "dashboard", "streamlit"},
    "analytics": {"dashboard", "streamlit"},
    "data": {"analytics", "dashboard", "streamlit"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_upwards(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
    }
    offenders = {file: names for file, names in offenders.items() if names}
    assert offenders == {}, f"{package} must not import {sorted(FORBIDDEN[package])}: {offenders}"


def test_only_dashboard_data_module_caches():
    def caches(path: Path) -> bool:
        text = path.read_text(encoding="utf-8")
        return "st.cache_data" in text or "st.cache_resource" in text

    callers = [str(path.relative_to(ROOT)) for path in (ROOT / "dashboard").rglob("*.py") if caches(path)]
    assert callers in ([], ["dashboard/cache.py"])


def test_the_checker_sees_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import streamlit as st\nfrom dashboard.cache import x\n")
    assert _imports(bad) == {"streamlit", "dashboard"}


DATABASE_NAMES = {"session_scope", "Session", "text", "select", "create_engine"}


def _database_imports(path: Path) -> set[str]:
    """Names a module imports from sqlalchemy/sqlmodel or models.db that open sessions or run SQL."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] in ("sqlmodel", "sqlalchemy"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in ("sqlmodel", "sqlalchemy") or node.module == "models.db":
                found.update(a.name for a in node.names if a.name in DATABASE_NAMES)
    return found


def test_the_dashboard_holds_no_database_sessions():
    """Pages call functions in models (or the cache module's functions); sessions and SQL stay in models."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(_database_imports(path))
        for path in (ROOT / "dashboard").rglob("*.py")
    }
    assert {file: names for file, names in offenders.items() if names} == {}


def test_the_session_checker_sees_a_session(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from models.db import session_scope\nfrom sqlmodel import Session\nimport sqlalchemy.orm\n")
    assert _database_imports(bad) == {"session_scope", "Session", "sqlalchemy.orm"}
