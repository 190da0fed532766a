"""One settings object for the whole of Presence, read from the environment (prefix ``PRESENCE_``).

The database is an embedded SQLite file by default; set ``PRESENCE_DATABASE_URL`` to a PostgreSQL URL
(``postgresql+psycopg://user@host:5432/db``) for shared use. Statistical thresholds, the 4PI meeting rules and
the disclosure-control rules are settings too, defaulting to the standards' and the NHS's numbers.
"""

from __future__ import annotations

import math
import tomllib
from collections import Counter
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///presence.db"
SECRETS_EXAMPLE = Path(__file__).resolve().parents[1] / ".streamlit" / "secrets.example.toml"
MIN_COOKIE_SECRET_BYTES = 32
MIN_COOKIE_SECRET_BITS = 96  # estimated from the characters' frequencies (token_urlsafe(48) gives ~330)
MIN_COOKIE_SECRET_DISTINCT = 12
PLACEHOLDER_WORDS = ("replace", "change", "example", "secret", "password", "placeholder", "random")
GENERATE_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'
ERROR_COOKIE_EXAMPLE = (
    "The cookie_secret in {file} is the example value from secrets.example.toml, which anyone can read, so "
    "anyone could forge a sign-in: replace it with the output of " + GENERATE_SECRET + "."
)
ERROR_COOKIE_SHORT = (
    "The cookie_secret in {file} is {length} bytes long, under the {minimum} bytes needed to stop forged "
    "sign-ins: replace it with the output of " + GENERATE_SECRET + "."
)
ERROR_COOKIE_WEAK = (
    "The cookie_secret in {file} is not random enough to stop forged sign-ins ({reason}): replace it with "
    "the output of " + GENERATE_SECRET + "."
)
BASELINE_MIN_AGES = (0, 16, 18)
ERROR_MIN_AGE = "PRESENCE_BASELINE_MIN_AGE must be 16, 18 or 0 (all ages), not {value}."


class UnsafeSettingsError(ValueError):
    """Raised when the settings would be unsafe in production."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PRESENCE_", env_file=".env", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    database_url: str = DEFAULT_DATABASE_URL

    # Representation statistics
    alpha: float = Field(0.05, gt=0, lt=1, description="Significance level after Holm correction.")
    confidence: float = Field(0.95, gt=0, lt=1, description="Confidence level of Wilson intervals.")
    under_threshold: float = Field(0.8, gt=0, lt=1, description="Ratio below which a group is under-represented.")
    chinese_as_asian: bool = Field(True, description="ONS 2021 convention; False follows the NHS 2001 one.")
    reference_group: str = Field("A", description="Reference ethnic category for relative likelihoods.")
    baseline_min_age: int = Field(
        18, description="Census baselines count residents of this age or over: 16, 18 or 0 (all ages)."
    )

    # 4PI meeting and process rules
    meeting_minimum: int = Field(2, ge=1)
    meeting_ideal: int = Field(3, ge=1)
    papers_days_before: int = Field(7, ge=0)
    earliest_start: time = time(10, 0)
    payment_days: int = Field(30, ge=0)
    purpose_grace_days: int = Field(30, ge=0, description="Purpose counts as recorded at the start within this.")

    # Statistical disclosure control
    suppress_below: int = Field(8, ge=1, description="Counts 1 to suppress_below-1 are shown as '*'.")
    rounding_base: int = Field(5, ge=1)

    # Import limits
    max_import_bytes: int = 50 * 1024 * 1024
    max_import_rows: int = 1_000_000
    max_import_cells: int = Field(15_000_000, ge=1, description="Cells read from one file, blank ones included.")
    max_import_seconds: float = Field(120.0, gt=0, description="Reading one file stops after this long.")

    # Sign-in: local single-user mode is for the embedded default only
    local_user: str = "local@presence.invalid"

    # The audit trail's hash chain is keyed with this (HMAC-SHA-256); keep it outside the database, so that
    # not even the database owner can rewrite an event and recompute the chain. Empty: a plain hash chain.
    audit_key: str = Field("", repr=False)

    @field_validator("baseline_min_age")
    @classmethod
    def _known_age_floor(cls, value: int) -> int:
        if value not in BASELINE_MIN_AGES:
            raise ValueError(ERROR_MIN_AGE.format(value=value))
        return value

    @property
    def upper_threshold(self) -> float:
        """Ratio above which a group is over-represented: the reciprocal of the under threshold (0.8 -> 1.25)."""
        return 1 / self.under_threshold

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env == "production" and self.is_sqlite:
            raise UnsafeSettingsError(
                "PRESENCE_ENV=production needs PRESENCE_DATABASE_URL set to a PostgreSQL database, "
                "not the embedded SQLite file."
            )
        if self.meeting_ideal < self.meeting_minimum:
            raise UnsafeSettingsError("PRESENCE_MEETING_IDEAL must not be below PRESENCE_MEETING_MINIMUM.")
        return self


def example_cookie_secret() -> str | None:
    """The placeholder ``cookie_secret`` shipped in ``.streamlit/secrets.example.toml``."""
    try:
        secret: str = tomllib.loads(SECRETS_EXAMPLE.read_text(encoding="utf-8"))["auth"]["cookie_secret"]
        return secret
    except (OSError, KeyError, tomllib.TOMLDecodeError):  # pragma: no cover - the example ships with Presence
        return None


def entropy_bits(text: str) -> float:
    """An estimate of a string's randomness: its length times the Shannon entropy of its characters."""
    if not text:
        return 0.0
    counts = Counter(text)
    per_char = -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())
    return per_char * len(text)


def cookie_secret_problem(secret: object, *, file: str) -> str | None:
    """One sentence naming ``file`` when the sign-in cookie secret is unsafe, else None.

    Unsafe: the example's value, shorter than 32 bytes, fewer than 12 different characters, under 96 bits
    by the character-frequency estimate, or containing a placeholder word ("replace", "secret"...).
    """
    text = "" if secret is None else str(secret)
    if text == example_cookie_secret() or text.strip() == (example_cookie_secret() or "").strip():
        return ERROR_COOKIE_EXAMPLE.format(file=file)
    length = len(text.encode("utf-8"))
    if length < MIN_COOKIE_SECRET_BYTES:
        return ERROR_COOKIE_SHORT.format(file=file, length=length, minimum=MIN_COOKIE_SECRET_BYTES)
    lowered = text.lower()
    word = next((w for w in PLACEHOLDER_WORDS if w in lowered), None)
    if word:
        return ERROR_COOKIE_WEAK.format(file=file, reason=f"it contains the word '{word}'")
    distinct = len(set(text))
    if distinct < MIN_COOKIE_SECRET_DISTINCT:
        return ERROR_COOKIE_WEAK.format(file=file, reason=f"it uses only {distinct} different characters")
    bits = entropy_bits(text)
    if bits < MIN_COOKIE_SECRET_BITS:
        return ERROR_COOKIE_WEAK.format(file=file, reason=f"about {bits:.0f} bits, under {MIN_COOKIE_SECRET_BITS}")
    return None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once. Tests call ``get_settings.cache_clear()`` after changing env.

    An unsafe or invalid setting raises :class:`UnsafeSettingsError` with one sentence (pydantic's multi-line
    report is reduced to the sentence the check wrote, or to "SETTING: problem"), so the dashboard and the
    command line can show it as it is."""
    try:
        return Settings()
    except ValidationError as error:
        raise UnsafeSettingsError(_one_sentence(error)) from None


def _one_sentence(error: ValidationError) -> str:
    first = error.errors()[0]
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, UnsafeSettingsError):
        return str(cause)
    name = "PRESENCE_" + "_".join(str(part) for part in first.get("loc", ())).upper()
    return f"{name.rstrip('_')}: {first.get('msg', 'invalid value')}."
