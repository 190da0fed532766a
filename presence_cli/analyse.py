"""``presence analyse``: compare involved counts read from files with a baseline
(:mod:`analytics.file_analysis` reads and compares; this module checks the options and prints)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from analytics.file_analysis import analyse_counts, read_baseline, read_involved
from models.settings import get_settings

ERROR_ALPHA = "--alpha must be between 0 and 1 (for example 0.05), not {value}."
ERROR_THRESHOLD = "--threshold must be between 0 and 1 (for example 0.8), not {value}."


def _probability(value: float | None, default: float, error: str) -> float:
    if value is None:
        return default
    if not 0 < value < 1:
        raise ValueError(error.format(value=value))
    return value


def run(args: argparse.Namespace) -> int:
    """The ``presence analyse`` command: prints JSON ({"rows", "tables", "baseline"}) or the rows as CSV."""
    settings = get_settings()
    alpha = _probability(args.alpha, settings.alpha, ERROR_ALPHA)
    threshold = _probability(args.threshold, settings.under_threshold, ERROR_THRESHOLD)
    involved = read_involved(args.involved)
    baseline, description, level = read_baseline(args.baseline)
    rows, tables = analyse_counts(
        involved,
        baseline,
        baseline_level=level,
        alpha=alpha,
        under_threshold=threshold,
        confidence=settings.confidence,
        chinese_as_asian=settings.chinese_as_asian,
        baseline_name=Path(args.baseline).name if ":" not in args.baseline else args.baseline,
    )
    if getattr(args, "format", "json") == "csv":
        sys.stdout.write(rows.write_csv())
    else:
        json.dump(
            {"rows": rows.to_dicts(), "tables": tables.to_dicts(), "baseline": description},
            sys.stdout,
            indent=2,
        )
        sys.stdout.write("\n")
    return 0
