"""Text in and out: which encoding a file is in, and how a value from a file is shown in a terminal.

:func:`decode` reads UTF-8 (with or without BOM) and UTF-16 with BOM; a file that is not valid UTF-8 is read
as Windows-1252 only when it is *plausibly* Windows-1252: the bytes 0x80-0x9F (curly quotes, dashes, the euro
sign in Windows-1252) are few, and its high bytes mostly sit next to letters as accents do. A Shift-JIS or
other multi-byte file has many of them in a row, and is refused with "save it as UTF-8" instead of being
stored garbled.

:func:`escape_control` shows control characters (an ANSI escape that could clear the terminal, a carriage
return that could hide text) as Python escapes, so an echoed value cannot act on the terminal.
"""

from __future__ import annotations

import re

NOT_UTF8 = (
    "{file} is not UTF-8 text and does not look like Windows-1252 either (perhaps Shift-JIS or another "
    "encoding): save it as UTF-8 (in Excel: Save As, 'CSV UTF-8') and try again."
)
UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)  # bytes Windows-1252 does not use
MAX_HIGH_RUN = 3  # Windows-1252 text has accented letters one or two at a time, not long runs of high bytes
MAX_HIGH_SHARE = 0.25

_HIGH = re.compile(rb"[\x80-\xff]")
_C1 = re.compile(rb"[\x80-\x9f]")
_C1_PAIR = re.compile(rb"[\x80-\x9f][\x80-\xff]")
_RARE_IN_WORD = re.compile(rb"[\x82\x83\x86\x87\x88\x89\x8b\x98\x9b][A-Za-z0-9\x80-\xff]")
_HIGH_RUN = re.compile(rb"[\x80-\xff]{%d,}" % (MAX_HIGH_RUN + 1))
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def plausibly_cp1252(data: bytes) -> bool:
    """True when bytes that are not UTF-8 look like Windows-1252 text rather than another encoding.

    Not Windows-1252: a byte it leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D); bytes 0x80-0x9F (its curly
    quotes and dashes) followed by another high byte, as a Shift-JIS lead byte and its trail are; runs of
    more than three high bytes; Windows-1252 symbols almost never written inside a word (ƒ ˆ ‰ † ‡ ‹ › ˜ ‚)
    followed by a letter or digit, as Shift-JIS katakana and full-width letters are; or more than a quarter
    of the bytes high.
    """
    sample = data[: 1 << 20]
    if not sample:
        return True
    if any(bytes([b]) in sample for b in UNDEFINED):
        return False
    c1 = len(_C1.findall(sample))
    if c1 >= 3 and len(_C1_PAIR.findall(sample)) * 4 >= c1:
        return False
    if len(_RARE_IN_WORD.findall(sample)) >= 2:  # "ƒeƒXƒg": Shift-JIS katakana read as Windows-1252
        return False
    high = len(_HIGH.findall(sample))
    return high <= MAX_HIGH_SHARE * len(sample) and _HIGH_RUN.search(sample) is None


def escape_control(text: object) -> str:
    """'\\x1b[2J' and other control characters shown as escapes; printable text unchanged."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), str(text))
