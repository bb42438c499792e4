"""Run a management command as the shell does, and see its exit code and output."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import dataclass

from django.core.management import get_commands, load_command_class
from django.core.management.base import OutputWrapper


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_command(monkeypatch, *args: str) -> Result:
    """``manage.py <args>`` in this process, inside the test's transaction.

    Commands close every connection when they finish, as Django's do; that would end
    the test's transaction, so it is skipped here.
    """
    monkeypatch.setattr("core.commands.connections.close_all", lambda: None)
    name = args[0]
    command = load_command_class(get_commands()[name], name)
    out, err = io.StringIO(), io.StringIO()
    command.stdout, command.stderr = OutputWrapper(out), OutputWrapper(err)
    try:
        command.run_from_argv(["manage.py", *args])
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return Result(code, out.getvalue(), err.getvalue())


def manage_py(*args: str, **env: str) -> subprocess.CompletedProcess:
    """``python manage.py <args>`` in a child process, as from the shell, with this
    process's environment updated by ``env``."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
        timeout=60,
    )
