"""Shared fixtures: a fresh SQLite database, a fresh PostgreSQL database, and one fixture that runs a test on both.

PostgreSQL is the server at 127.0.0.1:5432 (trust auth). Each test session creates its own database and drops it
afterwards, so parallel runs never meet. When it is unreachable the PostgreSQL tests skip, except with CI=true,
where they fail: CI must prove the PostgreSQL path.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from models.db import get_engine, upgrade_schema
from models.settings import get_settings

PG_ADMIN_URL = os.environ.get("PRESENCE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch, tmp_path) -> Iterator[None]:
    """Every test starts from default settings, with the default database in its own temporary folder."""
    for name in list(os.environ):
        if name.startswith("PRESENCE_") and name != "PRESENCE_TEST_PG_URL":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PRESENCE_DATABASE_URL", f"sqlite:///{tmp_path / 'default.db'}")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _restore_main_module() -> Iterator[None]:
    """Streamlit's AppTest leaves ``__main__`` pointing at the app script; a process started with 'spawn'
    afterwards would run the dashboard. Put the real ``__main__`` back after every test."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.fixture
def sqlite_engine(tmp_path) -> Engine:
    engine = get_engine(f"sqlite:///{tmp_path / 'presence.db'}")
    upgrade_schema(engine)
    return engine


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for this test session (or worker)."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"presence_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001
        admin.dispose()
        message = f"PostgreSQL at {PG_ADMIN_URL} is unreachable: {error}"
        if _in_ci():
            pytest.fail(message + " (CI=true: the PostgreSQL tests must run)")
        pytest.skip(message)
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    get_engine(url).dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_engine(pg_database_url) -> Iterator[Engine]:
    """A PostgreSQL engine on an empty, migrated schema (tables emptied after each test)."""
    engine = get_engine(pg_database_url)
    upgrade_schema(engine)
    yield engine
    with engine.begin() as connection:
        tables = connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename NOT IN ('alembic_version', 'audit_event')"
        )).scalars().all()
        if tables:
            connection.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request) -> Engine:
    """Runs the test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_engine")
    return request.getfixturevalue("pg_engine")


@pytest.fixture
def fresh_pg_url(pg_database_url) -> Iterator[str]:
    """A PostgreSQL database of its own for one test: for tests that tamper with the audit trail or grant
    roles, which must not touch the session's shared database."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"presence_fresh_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    get_engine(url).dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_engine(request, tmp_path) -> Engine:
    """A migrated database of its own, once on SQLite and once on PostgreSQL (see ``fresh_pg_url``)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        url = request.getfixturevalue("fresh_pg_url")
    engine = get_engine(url)
    upgrade_schema(engine)
    return engine
