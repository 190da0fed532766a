"""The ``presence`` command line: the same analytics and records the dashboard uses, for scripts.

:mod:`presence_cli.main` declares the arguments and turns errors into one sentence and an exit code; each
sub-command's handler lives in a module named after what it works on (:mod:`~presence_cli.database`,
:mod:`~presence_cli.records`, :mod:`~presence_cli.organisations`, :mod:`~presence_cli.users`,
:mod:`~presence_cli.analyse`, :mod:`~presence_cli.network`, :mod:`~presence_cli.report`). Handlers read the
parsed arguments, call ``analytics`` and ``models`` functions and print; the logic stays in those packages.
Every import is a plain ``import`` statement so that ``tests/architecture/test_layers.py`` sees each edge.
"""

from presence_cli.main import EXIT_FAILURE, EXIT_USAGE, build_parser, main

__all__ = ["EXIT_FAILURE", "EXIT_USAGE", "build_parser", "main"]
