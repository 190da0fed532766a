"""Cell values: each parser takes the text of one cell and returns the typed value or raises ``Bad`` with the
problem in words. The validator applies them to each distinct value once."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from data import codes, vocabulary
from models import values
from models.importer.messages import (
    ANY_DATE_ACCEPTED,
    BOOL_ACCEPTED,
    CATCHMENT_ACCEPTED,
    DATE_ACCEPTED,
    FUTURE_DATE,
    LA_PATTERN,
    NO_SUCH_DATE,
    NOT_A_DATE,
    NOT_A_NUMBER,
    NOT_AN_AREA,
    NUMBER_ACCEPTED,
    TIME_ACCEPTED,
    UNKNOWN_CODE,
)
from models.importer.specs import LINK_WHAT, Column, TableSpec


class Bad(Exception):
    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_UK = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?::(\d{2})(?:\.\d+)?)?$")
_EXCEL_EPOCH = date(1899, 12, 30)
_TRUE = frozenset({"yes", "y", "true", "t", "1", "x", "ticked"})
_FALSE = frozenset({"no", "n", "false", "f", "0", ""})


def parse_date(raw: str, *, today: date | None = None) -> date:
    """ISO 2024-03-31, UK 31/03/2024 (day first), '31 March 2024' or an Excel date number; not future."""
    value = raw.strip()
    found: date | None = None
    try:
        if m := _ISO.match(value):
            found = date(int(m[1]), int(m[2]), int(m[3]))
        elif m := _UK.match(value):
            found = date(int(m[3]), int(m[2]), int(m[1]))
        elif m := _SERIAL.match(value):
            found = _EXCEL_EPOCH + timedelta(days=int(m[1]))
        else:
            for pattern in ("%d %B %Y", "%d %b %Y"):
                try:
                    found = datetime.strptime(value, pattern).date()
                    break
                except ValueError:
                    continue
    except ValueError as error:
        raise Bad(NO_SUCH_DATE) from error
    if found is None:
        raise Bad(NOT_A_DATE)
    if found > (today or date.today()):
        raise Bad(FUTURE_DATE)
    return found


def parse_time(raw: str) -> time:
    """'18:00', '18.00', '6pm', '6.30pm' (``models.values``)."""
    try:
        return values.parse_time(raw)
    except ValueError as error:
        raise Bad(str(error)) from error


def parse_bool(raw: str) -> bool:
    folded = vocabulary.key(raw)
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise Bad(UNKNOWN_CODE)


def parse_money(raw: str) -> str:
    """'12.50', '£12.50', '£1,250.00'; an ambiguous '12,50' is refused (``models.values``)."""
    try:
        return values.parse_money(raw)
    except ValueError as error:
        raise Bad(str(error)) from error


def parse_number(raw: str) -> float:
    """A count such as 1250, 1,250 or 12.5: finite, not negative."""
    try:
        number = float(raw.strip().replace(",", ""))
    except ValueError as error:
        raise Bad(NOT_A_NUMBER) from error
    if number != number or number in (float("inf"), float("-inf")):
        raise Bad(NOT_A_NUMBER)
    if number < 0:
        raise Bad("is negative")
    if number >= 1e12:
        raise Bad("is too large")
    return number


def parse_catchment(raw: str) -> str:
    """'E09000001; e09000002' -> 'E09000001;E09000002' (upper case, in order, each once)."""
    found: list[str] = []
    for part in re.split(r"[;,\s]+", raw.strip()):
        if not part:
            continue
        upper = part.upper()
        if not LA_PATTERN.match(upper):
            raise Bad(NOT_AN_AREA.format(value=part[:40]))
        if upper not in found:
            found.append(upper)
    return ";".join(found)


def int_parser(column: Column) -> Callable[[str], int]:
    high = column.high or (date.today().year if column.name == "year_of_birth" else 1_000_000)

    def parse(raw: str) -> int:
        try:
            number = float(raw.strip())
        except ValueError as error:
            raise Bad("is not a whole number") from error
        if not number.is_integer():
            raise Bad("is not a whole number")
        if column.low is not None and number < column.low or number > high:
            raise Bad(f"is outside {column.low} to {high}")
        return int(number)

    return parse


def code_table(code_list: dict[str, str]) -> dict[str, str]:
    table = {vocabulary.key(c): c for c in code_list} | {
        vocabulary.key(label): c for c, label in code_list.items()
    }
    if codes.NOT_STATED in code_list:
        table.update({vocabulary.key(a): codes.NOT_STATED for a in vocabulary.NOT_STATED_ALIASES})
    if codes.NOT_KNOWN in code_list:
        table.update({vocabulary.key(a): codes.NOT_KNOWN for a in vocabulary.NOT_KNOWN_ALIASES if a})
    return table


def parse_local_authority(raw: str) -> str:
    upper = raw.strip().upper()
    if LA_PATTERN.match(upper):
        return upper
    folded = vocabulary.key(raw)
    if folded in {vocabulary.key(a) for a in vocabulary.NOT_STATED_ALIASES} | {"not stated"}:
        return codes.NOT_STATED
    if folded in {vocabulary.key(a) for a in vocabulary.NOT_KNOWN_ALIASES} | {"not known"}:
        return codes.NOT_KNOWN
    try:
        return values.local_authority_code(raw)  # a name: 'Lambeth' -> E09000022
    except ValueError as error:
        raise Bad(str(error)) from error


def accepted_text(column: Column, spec: TableSpec) -> str:
    """What a column accepts, in words (the 'accepted' of a problem and the notes sheet of the templates)."""
    kind = column.kind
    if kind in {"code", "characteristic"}:
        values = list(column.code_list or {})
        shown = ", ".join(values)
        labels = "; labels such as " + ", ".join(
            f"'{v}'" for v in list((column.code_list or {}).values())[:3]
        )
        return f"one of: {shown}{labels}" + ("; blank means not known" if kind == "characteristic" else "")
    if kind == "local_authority":
        return "an ONS local authority code such as E09000001, 'prefer not to say', or blank for not known"
    if kind == "level":
        return "a level key such as individual, community, operational, strategic or board, or a level name"
    if kind == "link":
        return f"the reference of {LINK_WHAT[column.link or 'people']} in the database or in this import"
    if kind == "date":
        return DATE_ACCEPTED
    if kind == "any_date":
        return ANY_DATE_ACCEPTED
    if kind == "time":
        return TIME_ACCEPTED
    if kind == "bool":
        return BOOL_ACCEPTED
    if kind == "int":
        high = column.high or ("this year" if column.name == "year_of_birth" else "1000000")
        return f"a whole number from {column.low} to {high}"
    if kind == "money":
        return "an amount such as 25.00 (not negative)"
    if kind == "number":
        return NUMBER_ACCEPTED
    if kind == "catchment":
        return CATCHMENT_ACCEPTED
    if kind == "organisation":
        return "the code of the organisation being imported into, or blank"
    if kind == "group":
        return (
            "a code or label of the characteristic's list (as in the people columns); for ethnicity_broad "
            "one of: " + ", ".join(codes.BROAD_GROUPS)
        )
    if column.max_length:
        return f"text of at most {column.max_length:,} characters" + (
            " (required)" if column.required else ""
        )
    return "text"
