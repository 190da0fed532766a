"""Security review, finding 7: ``presence analyse`` on extreme and hostile numbers and text. Every case ends
in exit 2 and one sentence on stderr; no traceback or multi-line library error reaches the terminal, and a
sum never overflows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analytics.analyse_checks import MAX_COUNT, parse_count, shown
from presence_cli import main

ROOT = Path(__file__).resolve().parents[2]
BASELINE = "group,count\nA,50\nB,50\n"
INVOLVED = "group,count\nA,5\nB,5\n"


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


HOSTILE = [
    # (involved, baseline, the sentence)
    ("group,count\nA,1e300\n", BASELINE, "i.csv, row 2: count '1e300' is more than 10^12"),
    ("group,count\nA,1e20\n", BASELINE, "i.csv, row 2: count '1e20' is more than 10^12"),
    ("group,count\nA,5e18\nB,5e18\n", BASELINE, "i.csv, row 2: count '5e18' is more than 10^12"),
    ("group,count\nA,600000000000\nB,600000000000\n", BASELINE, "i.csv: the counts add up to more than 10^12"),
    (INVOLVED, "group,count\nA,1e308\nB,1e308\n", "b.csv, row 2: count '1e308' is more than 10^12"),
    (INVOLVED, "group,count\nA,1e400\n", "b.csv, row 2: count '1e400' is more than 10^12"),
    ("group,count\nA,inf\n", BASELINE, "i.csv, row 2: count 'inf' is not a whole number."),
    ("group,count\nA,nan\n", BASELINE, "i.csv, row 2: count 'nan' is not a whole number."),
    ("group,count\nA,-0.5\n", BASELINE, "i.csv, row 2: count '-0.5' must not be negative."),
    ("group,count\nA,1.5e0\n", BASELINE, "i.csv, row 2: count '1.5e0' is not a whole number."),
    (INVOLVED, "group,share\nA,nan\n", "b.csv, row 2: share 'nan' is not a number."),
    (INVOLVED, "group,share\nA,inf\n", "b.csv, row 2: share 'inf' is not a number."),
    (INVOLVED, "group,share\nA,1e-400\nB,1.0000001\n", "b.csv, row 3: share '1.0000001' must be between 0 and 1."),
    (INVOLVED, "group,percent\nA,1e308\n", "b.csv, row 2: percent '1e308' must be between 0 and 100."),
    ("group,count\nA," + "9" * 131_072 + "\n", BASELINE, "i.csv, row 2: a cell is 131,072 characters long"),
    ("group,count\n" + "A" * 131_072 + ",1\n", BASELINE, "i.csv, row 2: a cell is 131,072 characters long"),
    ('group,count\n"A' + "x" * 200_000 + ",1\n", BASELINE, "i.csv, row 2: the file could not be read as CSV"),
    ("group,count\nA,\x1b[2J\x1b[H5\n", BASELINE, "i.csv, row 2: count '\\x1b[2J\\x1b[H5' is not a whole number."),
    ("group,count\nA,1\x00\n", BASELINE, "i.csv, row 2: count '1\\x00' is not a whole number."),
]


@pytest.mark.parametrize("involved,baseline,sentence", HOSTILE)
def test_hostile_inputs_end_in_one_sentence(tmp_path, capsys, involved, baseline, sentence):
    i, b = _write(tmp_path, "i.csv", involved), _write(tmp_path, "b.csv", baseline)
    assert main(["analyse", "--involved", i, "--baseline", b]) == 2
    captured = capsys.readouterr()
    err = captured.err
    assert err.startswith(f"presence: {sentence}"), err[:300]
    assert err.count("\n") == 1 and "Traceback" not in err and "\x1b" not in err
    assert len(err) < 400 and captured.out == ""


def test_the_command_itself_never_shows_a_traceback(tmp_path):
    """The real process, as a user runs it: 1e300 used to end in an OverflowError traceback."""
    i = _write(tmp_path, "i.csv", "group,count\nA,1e300\n")
    b = _write(tmp_path, "b.csv", BASELINE)
    done = subprocess.run([sys.executable, "-m", "presence_cli", "analyse", "--involved", i, "--baseline", b],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert done.stderr.startswith("presence: i.csv, row 2: count '1e300' is more than 10^12")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_the_largest_counts_still_work(tmp_path, capsys):
    """Counts up to 10^12 are analysed; the total fits (no negative total, no 'no_baseline')."""
    i = _write(tmp_path, "i.csv", "group,count\nA,400000000000\nB,600000000000\n")
    b = _write(tmp_path, "b.csv", "group,count\nA,1000000000000\nB,0\n")
    assert main(["analyse", "--involved", i, "--baseline", b, "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "1000000000000" in out and "no_baseline" not in out.split("\n")[1]


@pytest.mark.parametrize(
    "value,count",
    [("0", 0), ("1,234", 1234), ("1e3", 1000), ("1000000000000", MAX_COUNT), (" 7 ", 7), ("2.0", 2)],
)
def test_counts_that_are_accepted(value, count):
    assert parse_count("f.csv", 2, value) == count


def test_values_in_messages_are_short_and_escaped():
    assert shown("\x1b[2Jabc") == "\\x1b[2Jabc"
    assert len(shown("x" * 10_000)) == 40
