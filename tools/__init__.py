"""Offline tools, not installed with Presence: ``python -m tools.build_baselines`` rebuilds the reference CSVs
shipped in ``data/baselines/`` and ``data/codelists/`` from the shared ONS and NHS England files (``data/SOURCES.md``).

Run them from the repository's root. They may read ``data`` (code lists, the shipped files); nothing installed
imports them.
"""
