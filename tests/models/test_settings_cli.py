"""Settings are checked at start; the CLI sets up the database and fails with one sentence, never a traceback."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from models.settings import Settings, get_settings
from presence_cli import build_parser, main


def test_defaults_follow_the_standards_and_nhs_rules():
    settings = Settings()
    assert settings.database_url.startswith("sqlite")
    assert (settings.alpha, settings.under_threshold, settings.upper_threshold) == (0.05, 0.8, 1.25)
    assert (settings.meeting_minimum, settings.meeting_ideal, settings.papers_days_before) == (2, 3, 7)
    assert (settings.suppress_below, settings.rounding_base) == (8, 5)


def test_environment_overrides_settings(monkeypatch):
    monkeypatch.setenv("PRESENCE_ALPHA", "0.01")
    monkeypatch.setenv("PRESENCE_DATABASE_URL", "postgresql://u@db/presence")
    get_settings.cache_clear()
    settings = get_settings()
    assert settings.alpha == 0.01 and not settings.is_sqlite


def test_production_refuses_the_embedded_sqlite_database(monkeypatch):
    monkeypatch.setenv("PRESENCE_ENV", "production")
    monkeypatch.setenv("PRESENCE_DATABASE_URL", "sqlite:///presence.db")
    with pytest.raises(ValueError, match="PostgreSQL"):
        Settings()


def test_init_db_creates_the_schema(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PRESENCE_DATABASE_URL", url)
    get_settings.cache_clear()
    assert main(["init-db"]) == 0
    from models.db import get_engine

    assert "person" in inspect(get_engine(url)).get_table_names()
    assert "Database ready" in capsys.readouterr().out


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("init-db", "demo", "analyse", "import", "export", "template", "user"):
        assert command in out


def test_bad_arguments_exit_with_usage_not_traceback(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--scale", "0"])
    assert exit_info.value.code == 2
    assert "must be a whole number of 1 or more" in capsys.readouterr().err


def test_errors_are_one_sentence_and_exit_2(tmp_path, capsys):
    missing = tmp_path / "nope.csv"
    code = main(["analyse", "--involved", str(missing), "--baseline", "census:E09000022"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err and err.startswith("presence: ")
    assert err.count("\n") == 1
