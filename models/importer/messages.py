"""The importer's sentences: problems of a cell, of a file, and what a column accepts (tests import these)."""

from __future__ import annotations

import re

REQUIRED = "a value is required"
MISSING_COLUMN = "the required column is missing"
DUPLICATE_COLUMN = "two columns mean the same field ({names})"
DUPLICATE_KEY = "appears more than once in this file (rows {rows})"
TOO_LONG = "is {length} characters long; the most is {limit}"
NOT_A_DATE = "is not a date"
NO_SUCH_DATE = "is not a real date (there is no such day)"
FUTURE_DATE = "is in the future"
END_BEFORE_START = "is before the {start} ({value})"
UNKNOWN_LINK = "refers to {what} '{ref}' that is neither in the database nor in this import"
UNKNOWN_CODE = "is not a recognised value"
RAGGED_ROW = "the row has {cells} cells but the header has {headers} columns"
UNKNOWN_TABLE = (
    "Could not tell which table {file} is for from its column headings ({headers}); "
    "choose one with --table (organisations, levels, baselines, people, activities, involvements, meetings, "
    "attendance, payments, support, impacts, feedback or reviews)."
)
AMBIGUOUS_TABLE = "{file} could be any of {tables}; choose one with --table."
CHOOSE_SHEET = "{file} has several sheets ({sheets}); choose the sheet for {table} with --sheet."
SAME_TABLE_SHEETS = (
    "Sheets '{a}' and '{b}' of {file} both look like {table}; import them one at a time with --sheet."
)
NO_TABLE_SHEETS = (
    "No sheet of {file} looks like a Presence table; choose a sheet with --sheet and a table with --table."
)
NO_ROWS = "{file} has headings but no rows, so nothing was imported."
DATABASE_REFUSED = "The database refused the import of {file} ({reason}); nothing was written."
SEVERAL_IN_FILE = (
    "{file} describes several organisations ({codes}); a file holds one organisation: split it into one file "
    "per organisation."
)
OTHER_ORGANISATION_FILE = (
    "{file} holds the records of organisation '{found}', not '{code}' that you are importing into; "
    "choose that organisation, or import a file of '{code}'."
)
OTHER_ORGANISATION = "belongs to another organisation; this import is for '{code}'"
NOT_AN_AREA = "'{value}' is not an ONS area code"
RANK_TAKEN = "is also the rank of level '{other}'; each level needs its own rank"
NOT_A_GROUP = "is not a group of the characteristic '{characteristic}'"
NOT_A_NUMBER = "is not a number"

DATE_ACCEPTED = "a date such as 2024-03-31 or 31/03/2024, not after today"
BOOL_ACCEPTED = "yes or no (blank means no)"
TIME_ACCEPTED = "a time such as 10:00 or 14:30"
CATCHMENT_ACCEPTED = "ONS local authority codes such as E09000001, separated by ';' (blank for none)"
ANY_DATE_ACCEPTED = "a date such as 2027-06-30 or 30/06/2027"
NUMBER_ACCEPTED = "a number of 0 or more, such as 1250 or 12.5"
# Outcomes of an import in the audit trail.
COMMITTED, REJECTED, CHECKED, REFUSED = "committed", "rejected", "checked", "refused"
NOTES_SHEETS = frozenset({"notes", "read me", "readme", "about", "instructions", "help", "allowed values"})
LA_PATTERN = re.compile(r"^[EWSN]\d{8}$")
MAX_SHOWN_VALUE = 200
CHUNK = 10_000
