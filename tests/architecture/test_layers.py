"""The layering rule, checked by parsing imports: dashboard -> analytics -> models; the command line
(presence_cli) sits beside the dashboard over analytics and models; data is a leaf of reference code.

Every ``import`` and ``from ... import`` counts wherever it is written: at the top of a module, inside a function
(a late import for start-up speed), under ``if TYPE_CHECKING:``, and relative imports resolved against the
module's own package. Dynamic imports (``importlib.import_module``, ``__import__``) are refused, so no edge hides
in a string.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("models", "analytics", "dashboard", "data", "presence_cli")

# (package, top-level packages it must never import)
RULES = [
    ("models", {"analytics", "dashboard", "presence_cli", "streamlit"}),
    ("analytics", {"dashboard", "presence_cli", "streamlit"}),
    ("presence_cli", {"dashboard", "streamlit"}),
    ("dashboard", {"presence_cli"}),
    # data is a leaf: models writes what data plans
    ("data", {"analytics", "dashboard", "models", "presence_cli", "streamlit"}),
    # tools/ holds the offline builders (not installed): they read data only
    ("tools", {"analytics", "dashboard", "models", "presence_cli", "streamlit"}),
]


def _module_name(path: Path, root: Path) -> str:
    """``analytics/report/plans.py`` -> ``analytics.report.plans``; a package's ``__init__.py`` -> the package."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str | None, level: int, importer: str, is_package: bool) -> str:
    """The absolute name of ``from <level dots><module> import ...`` written in module ``importer``."""
    if level == 0:
        return module or ""
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    if level - 1 > len(base) - 1:
        raise ValueError(f"{importer}: relative import beyond its top-level package")
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def module_imports(path: Path, root: Path = ROOT) -> set[str]:
    """Every module name ``path`` imports (absolute, dotted), wherever the statement is written."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    importer = _module_name(path, root)
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.add(_resolve(node.module, node.level, importer, is_package))
    return found


def _imports(path: Path, root: Path = ROOT) -> set[str]:
    """The top-level packages ``path`` imports."""
    return {name.split(".")[0] for name in module_imports(path, root)}


def dynamic_imports(path: Path) -> list[int]:
    """Lines that import by a string: ``importlib.import_module(...)``, ``import_module(...)``, ``__import__(...)``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in ("import_module", "__import__"):
                lines.append(node.lineno)
    return lines


def _files(package: str) -> list[Path]:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no Python files under {package}/: the rule would pass for nothing"
    return files


@pytest.mark.parametrize(("package", "forbidden"), RULES)
def test_package_does_not_import_upwards(package, forbidden):
    offenders = {str(path.relative_to(ROOT)): sorted(_imports(path) & forbidden) for path in _files(package)}
    offenders = {file: names for file, names in offenders.items() if names}
    assert offenders == {}, f"{package} must not import {sorted(forbidden)}: {offenders}"


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_hides_in_a_string(package):
    offenders = {str(path.relative_to(ROOT)): dynamic_imports(path) for path in _files(package)}
    assert {file: lines for file, lines in offenders.items() if lines} == {}, (
        "import with a plain import statement (inside the function, if it is for start-up speed)"
    )


def test_the_command_line_is_the_presence_script():
    """pyproject's ``presence`` script is the CLI package, so the rules above cover what the command runs."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'presence = "presence_cli.main:main"' in text
    assert '"presence_cli*"' in text  # installed with the other packages


@pytest.mark.parametrize("package", PACKAGES)
def test_installed_packages_do_not_import_the_offline_tools(package):
    offenders = [str(path.relative_to(ROOT)) for path in _files(package) if "tools" in _imports(path)]
    assert offenders == [], f"{package} imports tools/, which is not installed: {offenders}"


def test_the_offline_tools_are_not_installed():
    found = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    included = found["tool"]["setuptools"]["packages"]["find"]["include"]
    assert sorted(included) == sorted(f"{p}*" for p in PACKAGES)  # tools/ is not among them


def test_only_dashboard_cache_package_caches():
    def caches(path: Path) -> bool:
        text = path.read_text(encoding="utf-8")
        return "st.cache_data" in text or "st.cache_resource" in text

    callers = [path.relative_to(ROOT) for path in (ROOT / "dashboard").rglob("*.py") if caches(path)]
    outside = [str(path) for path in callers if path.parent != Path("dashboard", "cache")]
    assert outside == [], "only modules in dashboard/cache/ may use st.cache_data / st.cache_resource"
    assert callers, "dashboard/cache/ caches nothing: the check would pass vacuously"


def test_the_checker_sees_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import streamlit as st\nfrom dashboard.cache import x\n")
    assert _imports(bad, tmp_path) == {"streamlit", "dashboard"}


def test_the_checker_sees_late_type_checking_and_relative_imports(tmp_path):
    package = tmp_path / "analytics" / "report"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from . import plans\nfrom .figures import gather\n")
    module = package / "charts.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from models.tables import Person\n"
        "def draw():\n"
        "    import streamlit as st\n"
        "    from ..stats import wilson_interval\n"
        "    from .. import columns\n"
        "    from . import figures\n"
    )
    assert module_imports(module, tmp_path) == {
        "typing", "models.tables", "streamlit", "analytics.stats", "analytics", "analytics.report",
    }
    assert module_imports(package / "__init__.py", tmp_path) == {"analytics.report", "analytics.report.figures"}
    assert _imports(module, tmp_path) == {"typing", "models", "streamlit", "analytics"}


def test_the_checker_sees_an_import_by_string(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import importlib\n"
        "from importlib import import_module\n"
        "def handler(name):\n"
        "    return importlib.import_module(name), import_module('x'), __import__('y')\n"
    )
    assert dynamic_imports(bad) == [4, 4, 4]


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
