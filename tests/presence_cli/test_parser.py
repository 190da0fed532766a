"""The command line's parser: every sub-command is handled by a function of the presence_cli package (a plain
reference the layer test can follow, never a "module:function" string), and the package runs as a module."""

from __future__ import annotations

import argparse
import inspect
import subprocess
import sys

import pytest

from presence_cli import build_parser

COMMANDS = ("init-db", "audit", "demo", "analyse", "network", "import", "delete", "erase", "organisation", "level",
            "export", "template", "report", "user")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_the_commands_are_the_documented_ones():
    assert tuple(_subcommands()) == COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_a_function_of_the_package_as_handler(command):
    handler = _subcommands()[command].get_default("handler")
    assert callable(handler) and not isinstance(handler, str)
    assert handler.__module__.startswith("presence_cli."), handler.__module__
    assert list(inspect.signature(handler).parameters) == ["args"]


def test_python_dash_m_runs_the_command_line():
    done = subprocess.run([sys.executable, "-m", "presence_cli", "--help"], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: presence ")


def test_an_unknown_command_is_a_usage_error(capsys):
    from presence_cli import main

    with pytest.raises(SystemExit) as stopped:
        main(["no-such-command"])
    assert stopped.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
