"""Security review, finding 1: production refuses a forgeable sign-in cookie secret, and "Sign in" without
configured secrets says that sign-in is not configured (on the page, not as Streamlit's redacted error)."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth
from models.settings import SECRETS_EXAMPLE, cookie_secret_problem, get_settings

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
GOOD = "dGhpcyBpcyBub3QgYSByZWFsIHNlY3JldCBqdXN0IGEgdGVzdCB2YWx1ZSBvayE9PQ-Zq7Xw"


def _secrets(tmp_path: Path, cookie_secret: str) -> Path:
    text = SECRETS_EXAMPLE.read_text(encoding="utf-8").replace(
        'cookie_secret = "replace-with-a-long-random-string"', f'cookie_secret = "{cookie_secret}"'
    )
    path = tmp_path / ".streamlit" / "secrets.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "cookie_secret,sentence",
    [
        ("replace-with-a-long-random-string", "is the example value from secrets.example.toml"),
        ("x" * 31, "is 31 bytes long, under the 32 bytes"),
        ("a" * 64, "uses only 1 different characters"),
        ("abcabcabcabcabcabcabcabcabcabcabcabc", "uses only 3 different characters"),
        ("my-super-secret-cookie-key-for-presence", "contains the word 'secret'"),
    ],
)
def test_unsafe_cookie_secrets_are_refused_in_one_sentence_naming_the_file(tmp_path, cookie_secret, sentence):
    problem = auth.secrets_problem([_secrets(tmp_path, cookie_secret)])
    assert problem is not None and sentence in problem
    assert ".streamlit/secrets.toml" in problem
    assert problem.count(". ") == 0 and problem.endswith(".")  # one sentence


def test_the_example_file_itself_is_refused(tmp_path):
    copy = tmp_path / "secrets.toml"
    shutil.copy(SECRETS_EXAMPLE, copy)
    assert "example value" in auth.secrets_problem([copy])


def test_a_generated_secret_is_accepted(tmp_path):
    assert auth.secrets_problem([_secrets(tmp_path, secrets.token_urlsafe(48))]) is None
    assert auth.secrets_problem([_secrets(tmp_path, GOOD)]) is None
    assert cookie_secret_problem(secrets.token_hex(32), file="f") is None


def test_the_last_file_that_sets_the_secret_is_the_one_checked(tmp_path):
    home = tmp_path / "home.toml"
    home.write_text('[auth]\ncookie_secret = "short"\n', encoding="utf-8")
    project = _secrets(tmp_path, GOOD)
    assert auth.secrets_problem([home, project]) is None
    assert "5 bytes" in auth.secrets_problem([project, home])


def test_a_broken_secrets_file_is_refused_too(tmp_path):
    path = tmp_path / "secrets.toml"
    path.write_text("[auth\ncookie_secret = 1", encoding="utf-8")
    assert "is not a valid TOML file" in auth.secrets_problem([path])


def test_no_secrets_is_not_a_start_up_problem(tmp_path):
    assert auth.secrets_problem([tmp_path / "missing.toml"]) is None


def _production(monkeypatch, files: list[Path]) -> None:
    monkeypatch.setenv("PRESENCE_ENV", "production")
    monkeypatch.setenv("PRESENCE_DATABASE_URL", "postgresql+psycopg://presence@127.0.0.1:5432/never_connected")
    get_settings.cache_clear()
    monkeypatch.setattr(auth, "secrets_files", lambda: files)


def test_production_refuses_to_start_with_the_example_secret(monkeypatch, tmp_path):
    """The real app: the forged-cookie secret stops it before the database or any page."""
    _production(monkeypatch, [_secrets(tmp_path, "replace-with-a-long-random-string")])
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert "is the example value" in at.error[0].value
    assert not at.markdown and not at.button  # nothing else: no sign-in, no pages


def _gate():
    from dashboard import auth as script_auth

    script_auth.sign_in_gate()


def test_sign_in_without_configured_secrets_says_so(monkeypatch, tmp_path):
    _production(monkeypatch, [tmp_path / "absent.toml"])
    monkeypatch.setattr(auth, "current_user", lambda: None)
    at = AppTest.from_function(_gate, default_timeout=60)
    at.run()
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    assert not at.exception, at.exception
    assert "Sign-in is not configured" in at.error[0].value
