"""``import analytics`` stays light: no database code, no ``scipy.stats``, no pyarrow (issue 16, start-up time).

A structural test, not a timing test: a fresh interpreter imports ``analytics`` and lists which heavy
packages ended up in ``sys.modules``. The loaders import the database code when they load, not before.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "models", "pyarrow", "scipy.stats", "scipy.optimize")
PROBE = (
    "import json, sys\n"
    "import {module}\n"
    "heavy = {heavy!r}\n"
    "print(json.dumps(sorted(m for m in sys.modules if any(m == h or m.startswith(h + '.') for h in heavy))))\n"
)


@pytest.mark.parametrize("module", ["analytics"])
def test_import_does_not_pull_in_database_or_heavy_statistics(module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module, heavy=HEAVY)],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == [], f"`import {module}` imports {loaded[:10]} (import them inside the function that needs them)"


def test_probe_sees_a_heavy_import() -> None:
    """The probe itself works: importing the models does show up."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(module="analytics.loader, models.settings", heavy=HEAVY)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "models.settings" in json.loads(result.stdout.strip().splitlines()[-1])
