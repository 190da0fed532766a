"""Person references: pseudonyms only, one spelling per person, no look-alikes.

A reference must say nothing about who someone is. :func:`identifier_problems` refuses a reference that looks
like a real identifier: a name (two or more capitalised words), a valid NHS number (modulus 11 check digit), an
email address, a UK phone number, a UK postcode, a National Insurance number or a date (a date of birth).

References are normalised before they are compared or stored (:func:`normalise`): Unicode NFKC (fullwidth
``Ｐ1`` is ``P1``, a decomposed ``é`` is the composed one), invisible format characters removed (zero-width
spaces and joiners, soft hyphens, direction marks), surrounding spaces trimmed and runs of spaces made one.
They are compared case-folded (:func:`key`): ``p1`` is the person ``P1`` already stored. A reference that only
*looks* like another one (:func:`skeleton`: Cyrillic ``Р1`` and Latin ``P1``, Greek ``Ο`` and Latin ``O``, a
non-ASCII dash) is refused, naming both, because it would silently become a second person.

Everything works on polars columns, so a million references are checked in one pass.
"""

from __future__ import annotations

import polars as pl

# Cyrillic and Greek letters (lower case: references are compared case-folded) that look like Latin ones, and
# dashes that look like '-'. From the Unicode confusables list (UTS #39), restricted to common look-alikes.
CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "з": "3", "і": "i", "ї": "i", "ј": "j", "к": "k", "м": "m",
    "н": "h", "о": "o", "п": "n", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ь": "b", "г": "r",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ϲ": "c", "ϳ": "j", "ζ": "z",
    # Dashes and minus signs
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-", "﹘": "-", "﹣": "-",
}  # fmt: skip

# A name: two or more capitalised words (O'Neil, Mary-Jane, McDonald), with an optional title.
_WORD = r"\p{Lu}(?:\p{Ll}+|['’]\p{Lu}\p{Ll}+)(?:\p{Lu}\p{Ll}+)*(?:-\p{Lu}\p{Ll}+)*"
NAME = rf"^(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+)?{_WORD}(?:\s+{_WORD})+$"
NHS_DIGITS = r"(?:^|[^0-9])([0-9]{3})[ -]?([0-9]{3})[ -]?([0-9]{4})(?:[^0-9]|$)"
EMAIL = r"[^\s@]+@[^\s@]+\.[^\s@]+"
PHONE = r"(?:^|[^\w+])(?:\+44[\s-]?(?:\(0\)[\s-]?)?|0)[1-9](?:[\s-]?[0-9]){8,9}(?:[^0-9]|$)"
POSTCODE = (  # with a space anywhere in the reference, or the whole reference without one
    r"(?i)(?:^|[^a-z0-9])[a-z]{1,2}[0-9][a-z0-9]?\s+[0-9][a-z]{2}(?:[^a-z0-9]|$)"
    r"|(?i)^[a-z]{1,2}[0-9][a-z0-9]?[0-9][a-z]{2}$"
)
NI_NUMBER = r"(?i)(?:^|[^a-z0-9])[a-z]{2}\s?[0-9]{2}\s?[0-9]{2}\s?[0-9]{2}\s?[a-d](?:[^a-z0-9]|$)"
DATE = (
    r"(?i)\b(?:dob|d\.o\.b\.?|born|birth)\b"
    r"|(?:^|[^0-9])[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-](?:19|20)[0-9]{2}(?:[^0-9]|$)"
    r"|(?:^|[^0-9])(?:19|20)[0-9]{2}-[0-9]{1,2}-[0-9]{1,2}(?:[^0-9]|$)"
)

LOOKS_LIKE_NAME = "looks like a person's name (two capitalised words), not a pseudonym"
LOOKS_LIKE_NHS = "contains a valid NHS number, not a pseudonym"
LOOKS_LIKE_EMAIL = "contains an email address, not a pseudonym"
LOOKS_LIKE_PHONE = "contains a phone number, not a pseudonym"
LOOKS_LIKE_POSTCODE = "contains a postcode, not a pseudonym"
LOOKS_LIKE_NI = "contains a National Insurance number, not a pseudonym"
LOOKS_LIKE_DATE = "contains a date or 'date of birth', not a pseudonym"
PSEUDONYM_ACCEPTED = (
    "a pseudonym that says nothing about who the person is, such as P0123 (no names, NHS numbers, contact "
    "details, postcodes, National Insurance numbers or dates of birth)"
)
CONFUSABLE = (
    "looks the same as '{other}' ({where}) but is typed with different characters (a letter from another "
    "alphabet, or another kind of dash), so it would become a different person"
)
CONFUSABLE_ACCEPTED = "the same spelling as the reference it means, typed with ordinary letters and digits"
IN_DATABASE = "already in Presence"
IN_FILE = "row {row} of this file"

PROBLEM_COLUMNS = {
    "row": pl.Int64, "column": pl.String, "value": pl.String, "problem": pl.String, "accepted": pl.String,
}  # fmt: skip


# --- Normalising ---------------------------------------------------------------------------------------------


def normalise(expr: pl.Expr) -> pl.Expr:
    """The stored spelling: NFKC, invisible format characters removed, spaces trimmed and single."""
    return (
        expr.str.normalize("NFKC")
        .str.replace_all(r"\p{Cf}", "")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def key(expr: pl.Expr) -> pl.Expr:
    """What is compared: the normalised reference, case-folded (``p1`` is ``P1``)."""
    return normalise(expr).str.to_lowercase()


def skeleton(expr: pl.Expr) -> pl.Expr:
    """What a reader sees: the key with look-alike letters and dashes replaced by their Latin twins."""
    return key(expr).str.replace_many(list(CONFUSABLES), list(CONFUSABLES.values()))


def normalise_columns(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The frame with these reference columns normalised (blank after normalising becomes null)."""
    present = [c for c in columns if c in frame.columns]
    return frame.with_columns(
        pl.when(normalise(pl.col(c)) == "").then(None).otherwise(normalise(pl.col(c))).alias(c) for c in present
    )


def use_known_spelling(frame: pl.DataFrame, column: str, known: list[str]) -> pl.DataFrame:
    """References that differ from a known one only in case take the known spelling (``p1`` -> ``P1``), so
    they update that person instead of adding another; within the file, the first row's spelling wins, so
    ``P1`` and ``p1`` in one file are the same reference twice."""
    if column not in frame.columns:
        return frame
    spellings = (
        pl.DataFrame({"_known": [*known, *frame.get_column(column).drop_nulls().to_list()]},
                     schema={"_known": pl.String})
        .with_columns(key(pl.col("_known")).alias("_key"))
        .unique("_key", keep="first", maintain_order=True)
    )
    joined = frame.with_columns(key(pl.col(column)).alias("_key")).join(
        spellings, on="_key", how="left", maintain_order="left"
    )
    return joined.with_columns(pl.coalesce("_known", column).alias(column)).drop("_key", "_known")


# --- Refusing ------------------------------------------------------------------------------------------------


def _nhs_valid(column: str) -> pl.Expr:
    """True where the column holds ten digits (3-3-4, spaces or dashes allowed) with a valid check digit."""
    digits = pl.concat_str(pl.col(column).str.extract_groups(NHS_DIGITS).struct.unnest())
    numbers = [digits.str.slice(i, 1).cast(pl.Int64, strict=False) for i in range(10)]
    total = pl.sum_horizontal([n * (10 - i) for i, n in enumerate(numbers[:9])])
    check = 11 - total % 11
    check = pl.when(check == 11).then(0).otherwise(check)
    return (digits.str.len_chars() == 10) & (check != 10) & (check == numbers[9])


def identifier_problems(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """One problem per row whose reference looks like a real identifier (columns row, column, value, problem,
    accepted), the first reason found."""
    value = pl.col(column)
    reason = (
        pl.when(value.str.contains(EMAIL)).then(pl.lit(LOOKS_LIKE_EMAIL))
        .when(_nhs_valid(column)).then(pl.lit(LOOKS_LIKE_NHS))
        .when(value.str.contains(DATE)).then(pl.lit(LOOKS_LIKE_DATE))
        .when(value.str.contains(PHONE)).then(pl.lit(LOOKS_LIKE_PHONE))
        .when(value.str.contains(NI_NUMBER)).then(pl.lit(LOOKS_LIKE_NI))
        .when(value.str.contains(POSTCODE)).then(pl.lit(LOOKS_LIKE_POSTCODE))
        .when(value.str.contains(NAME)).then(pl.lit(LOOKS_LIKE_NAME))
    )  # fmt: skip
    return (
        frame.select(pl.col("_row").alias("row"), value.alias("value"), reason.alias("problem"))
        .filter(pl.col("problem").is_not_null() & pl.col("value").is_not_null())
        .select(
            pl.col("row").cast(pl.Int64),
            pl.lit(column).alias("column"),
            pl.col("value").str.slice(0, 200),
            "problem",
            pl.lit(PSEUDONYM_ACCEPTED).alias("accepted"),
        )
    )


def confusable_problems(frame: pl.DataFrame, column: str, known: list[str]) -> pl.DataFrame:
    """References that look like another one without being it, naming both. Of the spellings that look the
    same, the one already in Presence is the real one; otherwise the plain-ASCII one, then the first row's."""
    if column not in frame.columns:
        return pl.DataFrame(schema=PROBLEM_COLUMNS)
    incoming = (
        frame.select(pl.col("_row").cast(pl.Int64), pl.col(column).alias("value"))
        .filter(pl.col("value").is_not_null())
        .with_columns(key(pl.col("value")).alias("_key"), skeleton(pl.col("value")).alias("_skel"))
    )
    stored = pl.DataFrame({"value": known}, schema={"value": pl.String}).select(
        pl.lit(0, dtype=pl.Int64).alias("_row"),
        "value",
        key(pl.col("value")).alias("_key"),
        skeleton(pl.col("value")).alias("_skel"),
    )
    real = (
        pl.concat([stored, incoming])
        .with_columns(
            (pl.col("_row") == 0).alias("_stored"),
            pl.col("value").str.contains(r"^[\x00-\x7F]*$").alias("_ascii"),
        )
        .sort(["_stored", "_ascii", "_row"], descending=[True, True, False])
        .unique("_skel", keep="first", maintain_order=True)
        .select(
            "_skel",
            pl.col("_key").alias("_real_key"),
            pl.col("value").alias("other"),
            pl.when(pl.col("_stored"))
            .then(pl.lit(IN_DATABASE))
            .otherwise(pl.format(IN_FILE.format(row="{}"), "_row"))
            .alias("where"),
        )
    )
    clashes = incoming.join(real, on="_skel", how="inner").filter(pl.col("_real_key") != pl.col("_key"))
    return clashes.sort("_row").select(
        pl.col("_row").alias("row"),
        pl.lit(column).alias("column"),
        pl.col("value").str.slice(0, 200),
        pl.format(CONFUSABLE.format(other="{}", where="{}"), "other", "where").alias("problem"),
        pl.lit(CONFUSABLE_ACCEPTED).alias("accepted"),
    )


def check(
    frame: pl.DataFrame, *, table: str, columns: list[tuple[str, str, str | None]], known: dict[str, list[str]]
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """The importer's one call: normalise every reference column of ``table`` (``columns`` are (name, kind,
    link target) with kind "ref" or "link"), give each the spelling already known, and return the problems:
    look-alikes, and for the people's own references anything that is not a pseudonym. ``known`` maps
    people/activities/meetings to the references already in Presence (and, for links, in this import)."""
    names = [name for name, kind, _ in columns if kind in ("ref", "link")]
    frame = normalise_columns(frame, names)
    problems = []
    for name, kind, link in columns:
        target = table if kind == "ref" else link
        if kind not in ("ref", "link") or target not in known:
            continue
        frame = use_known_spelling(frame, name, known[target])
        problems.append(confusable_problems(frame, name, known[target]))
        if kind == "ref" and table == "people":
            problems.append(identifier_problems(frame, name))
    return frame, [p for p in problems if p.height]
