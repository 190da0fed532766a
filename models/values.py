"""Values as people type them in registers: money, times of day, attendance words and local-authority names.

Each parser takes the cell text and returns the stored value, or raises ``ValueError`` with the sentence the
import report shows (the importer wraps these into its own problem type). Nothing here guesses silently: an
amount such as "12,50" could be twelve pounds fifty or one thousand two hundred and fifty, so it is refused
with a sentence saying why; a local-authority name that matches no area is refused with the closest names.
"""

from __future__ import annotations

import difflib
import re
from datetime import time
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from data import vocabulary

AMBIGUOUS_AMOUNT = (
    "is ambiguous: a comma followed by exactly two digits could be pence (12,50 = £12.50) or thousands "
    "(12,50 written for 1,250); write 12.50 for pounds and pence"
)
NOT_AN_AMOUNT = "is not an amount of money"
NEGATIVE = "is negative"
TOO_LARGE = "is too large"
NOT_A_TIME = "is not a time"
NOT_A_REAL_TIME = "is not a real time of day"
NOT_AN_AREA_NAME = "is not a local authority Presence knows"
CLOSEST = "; the closest: {names}"

_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_PENCE_COMMA = re.compile(r",\d{2}$")
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?(?::(\d{2})(?:\.\d+)?)?\s*(am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE)
_CURRENCY = ("£", "gbp", "GBP")

# Attendance as registers write it ("Yes" ticked, "No" not there, "Apols" sent apologies).
ATTENDANCE_WORDS: dict[str, str] = {
    "yes": "attended", "y": "attended", "present": "attended", "x": "attended", "ticked": "attended",
    "true": "attended", "1": "attended",
    "apols": "apologies", "apologies sent": "apologies", "sent apologies": "apologies", "no": "apologies",
    "n": "apologies", "absent": "apologies", "a": "apologies", "false": "apologies", "0": "apologies",
    "sub": "reserve", "substitute": "reserve", "r": "reserve",
}


def parse_money(raw: str) -> str:
    """'12.50', '£12.50', '£1,250.00', '1,250' -> '12.50' / '1250.00'. A comma before exactly two final digits
    ('12,50') is ambiguous and refused; a comma is only ever a thousands separator in groups of three."""
    text = raw.strip()
    for mark in _CURRENCY:
        text = text.replace(mark, "")
    text = text.strip().replace(" ", "")
    if "," in text:
        if _PENCE_COMMA.search(text) and not _THOUSANDS.match(text):
            raise ValueError(AMBIGUOUS_AMOUNT)
        if not _THOUSANDS.match(text):
            raise ValueError(NOT_AN_AMOUNT)
        text = text.replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(NOT_AN_AMOUNT) from error
    if not amount.is_finite():
        raise ValueError(NOT_AN_AMOUNT)
    if amount < 0:
        raise ValueError(NEGATIVE)
    if amount >= Decimal("100000000"):
        raise ValueError(TOO_LARGE)
    return str(amount.quantize(Decimal("0.01")))


def parse_time(raw: str) -> time:
    """'18:00', '18.00', '6pm', '6.30 pm', '10am', '18:00:00' -> a time of day."""
    m = _CLOCK.match(raw.strip())
    if not m:
        raise ValueError(NOT_A_TIME)
    hour, minute, second = int(m[1]), int(m[2] or 0), int(m[3] or 0)
    suffix = (m[4] or "").lower().replace(".", "")
    if not suffix and m[2] is None:
        raise ValueError(NOT_A_TIME)  # a bare "6" is not a time
    if suffix:
        if not 1 <= hour <= 12:
            raise ValueError(NOT_A_REAL_TIME)
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    try:
        return time(hour, minute, second)
    except ValueError as error:
        raise ValueError(NOT_A_REAL_TIME) from error


@lru_cache(maxsize=1)
def local_authorities() -> dict[str, tuple[str, str]]:
    """Folded name -> (ONS code, name) of every local authority with Census figures (lower and upper tier)."""
    from data.baselines import geographies  # the reference files, read once

    frame = geographies()
    rows = frame.filter(frame["level"].is_in(["ltla", "utla"])).select("code", "name").unique().sort("name")
    found: dict[str, tuple[str, str]] = {}
    for code, name in rows.iter_rows():
        found.setdefault(vocabulary.key(name), (code, name))
        short = re.sub(r"^(city of|county of|royal borough of|london borough of)\s+", "", vocabulary.key(name))
        found.setdefault(short, (code, name))
    return found


def local_authority_choices() -> list[tuple[str, str]]:
    """(code, name) of every local authority, by name, for a select box."""
    return sorted({v for v in local_authorities().values()}, key=lambda pair: (pair[1], pair[0]))


def closest_local_authorities(raw: str, n: int = 3) -> list[str]:
    """The names of the closest local authorities, 'Name (code)', best first."""
    table = local_authorities()
    folded = vocabulary.key(re.sub(r"(?i)\b(borough|council|district)\b", "", raw))
    close = difflib.get_close_matches(folded, list(table), n=n * 2, cutoff=0.6)
    shown: list[str] = []
    for key in close:
        code, name = table[key]
        label = f"{name} ({code})"
        if label not in shown:
            shown.append(label)
    return shown[:n]


def local_authority_code(raw: str) -> str:
    """'Lambeth', 'London Borough of Lambeth', 'lambeth council' -> 'E09000022'; an unknown name raises
    ``ValueError`` with the closest names."""
    table = local_authorities()
    folded = vocabulary.key(raw)
    for candidate in (
        folded,
        vocabulary.key(re.sub(r"(?i)\b(london borough of|royal borough of|borough of|city of)\b", "", raw)),
        vocabulary.key(re.sub(r"(?i)\b(borough|council|district|city)\b", "", raw)),
    ):
        if candidate in table:
            return table[candidate][0]
    close = closest_local_authorities(raw)
    raise ValueError(NOT_AN_AREA_NAME + (CLOSEST.format(names=", ".join(close)) if close else ""))


def attendance_status(raw: str) -> str | None:
    """'Yes' -> attended, 'Apols' -> apologies, 'Reserve' -> reserve; None when the word is not one of these."""
    return ATTENDANCE_WORDS.get(vocabulary.key(raw))


# Words registers use for coded columns, by (table, column).
_CODE_WORDS: dict[tuple[str, str], dict[str, str]] = {
    ("attendance", "status"): ATTENDANCE_WORDS,
    ("involvements", "payment_basis"): {"yes": "paid", "y": "paid", "no": "voluntary", "n": "voluntary",
                                        "unpaid": "voluntary", "volunteer": "voluntary"},
}


def code_words(table: str, column: str) -> dict[str, str]:
    """Folded word -> code for a coded column (e.g. attendance 'Yes' -> attended), beyond its codes and labels."""
    return _CODE_WORDS.get((table, column), {})
