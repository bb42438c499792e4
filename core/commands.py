"""A shared base for Studyhall's management commands.

Every command gets the same contract (exit codes as in the design brief):

- 0: done.
- 2: bad input. One line on stderr, nothing written, no traceback.
- 3: could not run. The database is unreachable, timed out, or refused the command
  (not migrated, say): one line naming where it was looked for (host and port, or the
  SQLite file) and why. A lock another transaction holds is waited for
  ``STUDYHALL_DB_LOCK_TIMEOUT`` seconds at most. A command that
  ``requires_database`` connects once its input is parsed (``parse_input``) and
  before any work, with a short connect timeout (``STUDYHALL_DB_CONNECT_TIMEOUT``),
  so an unreachable server is a quick, clear answer rather than a hang; a connection
  lost or timing out during the run is reported the same way.

``--dry-run`` runs the real service inside a transaction that is rolled back, so
what it reports is what would happen and nothing is written. ``--json`` prints one
JSON document on stdout, and errors as ``{"error": ...}`` there too, with the same
exit codes.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

from core.db import is_unavailable
from core.errors import DomainError

USAGE_ERROR = 2
COULD_NOT_RUN = 3

DEFAULT_PORTS = {"postgresql": "5432"}


class UsageError(CommandError):
    """Bad input: reported as one line on stderr with exit code 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=USAGE_ERROR)


class DatabaseUnavailable(CommandError):
    """The database could not be reached or did not answer in time: exit code 3."""

    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=COULD_NOT_RUN)


class _RollBack(Exception):
    pass


def database_location(alias: str = DEFAULT_DB_ALIAS) -> str:
    """Where the database is looked for, as an operator would check it: ``host:port``,
    or the SQLite file."""
    connection = connections[alias]
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"the SQLite file {config['NAME']}"
    host = config.get("HOST") or "the local socket"
    if ":" in host:
        host = f"[{host}]"
    port = config.get("PORT") or DEFAULT_PORTS.get(connection.vendor, "the default port")
    return f"{host}:{port}"


def error_reason(error: BaseException) -> str:
    """The driver's reason in a few words: the first line, without the "connection to
    server at ... failed:" preamble that repeats the address."""
    text = str(error.__cause__ or error).strip()
    if not text:
        return error.__class__.__name__
    first = text.splitlines()[0]
    return " ".join(first.rsplit("failed: ", 1)[-1].split())


@contextmanager
def short_connect_timeout(alias: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Connect with ``STUDYHALL_DB_CONNECT_TIMEOUT`` seconds at most, unless
    DATABASE_URL sets its own ``connect_timeout``."""
    connection = connections[alias]
    options = connection.settings_dict.setdefault("OPTIONS", {})
    added = connection.vendor == "postgresql" and "connect_timeout" not in options
    if added:
        options["connect_timeout"] = settings.STUDYHALL_DB_CONNECT_TIMEOUT
    try:
        yield
    finally:
        if added:
            del options["connect_timeout"]


class StudyhallCommand(BaseCommand):
    supports_dry_run = False
    supports_json = False
    requires_database = True

    def add_arguments(self, parser) -> None:
        if self.supports_dry_run:
            parser.add_argument(
                "--dry-run",
                action="store_true",
                help="Report what would change and write nothing.",
            )
        if self.supports_json:
            parser.add_argument(
                "--json", action="store_true", help="Print one JSON document on stdout."
            )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs):
        # A parser that raises CommandError instead of printing usage and exiting,
        # so bad arguments come out as the same single line as any other bad input.
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.called_from_command_line = False
        return parser

    def run_from_argv(self, argv: list[str]) -> None:
        self._called_from_command_line = True
        # Known before parsing, so that even a parse error comes out as JSON.
        self.as_json = self.supports_json and "--json" in argv[2:]
        parser = self.create_parser(argv[0], argv[1])
        try:
            options = parser.parse_args(argv[2:])
            cmd_options = vars(options)
            args = cmd_options.pop("args", ())
            self.execute(*args, **cmd_options)
        except DatabaseUnavailable as error:
            self.fail(argv[1], str(error), COULD_NOT_RUN)
        except (CommandError, DomainError) as error:
            # Both mean the input was refused: argparse, a lookup or a domain rule.
            self.fail(argv[1], str(error).removeprefix("Error: "), USAGE_ERROR)
        except DatabaseError as error:
            if is_unavailable(error):
                message = (
                    f"lost the database at {database_location()} ({error_reason(error)}); "
                    "the command did not finish."
                )
                self.fail(argv[1], message, COULD_NOT_RUN)
            else:
                first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
                message = (
                    f"the database refused the command ({error.__class__.__name__}: "
                    f"{first_line}). Is it migrated (manage.py migrate)?"
                )
                self.fail(argv[1], message, COULD_NOT_RUN)
        finally:
            connections.close_all()

    def execute(self, *args, **options) -> Any:
        self.as_json = bool(options.get("json"))
        options.update(self.parse_input(**options))
        if self.requires_database:
            self.check_database()
        return super().execute(*args, **options)

    def parse_input(self, **options) -> dict[str, Any]:
        """Turn the arguments into values for ``handle``, added to its options, or raise
        ``UsageError``. It runs before the database is touched, so input that is bad on
        its face is exit 2 even when the database is down."""
        return {}

    def check_database(self) -> None:
        """Connect now, before any work, so an unreachable database is exit 3 with one
        line rather than a long wait and a traceback from the middle of the command."""
        connection = connections[DEFAULT_DB_ALIAS]
        name = str(connection.settings_dict["NAME"])
        if connection.vendor == "sqlite" and not (
            name == ":memory:" or name.startswith("file:") or os.path.exists(name)
        ):
            # Connecting would create an empty database there, and report no problem.
            raise DatabaseUnavailable(
                f"cannot reach the database at {database_location()} (no such file). "
                "Does DATABASE_URL point at it?"
            )
        try:
            with short_connect_timeout():
                connection.ensure_connection()
        except DatabaseError as error:
            hint = (
                "Does its folder exist"
                if connection.vendor == "sqlite"
                else "Is the server running"
            )
            raise DatabaseUnavailable(
                f"cannot reach the database at {database_location()} ({error_reason(error)}). "
                f"{hint}, and does DATABASE_URL point at it?"
            ) from None
        if connection.vendor == "postgresql":
            # A row another transaction keeps locked is a wait with an end: the command
            # then stops with exit 3 ("lock timeout") instead of hanging.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('lock_timeout', %s, false)",
                    [f"{settings.STUDYHALL_DB_LOCK_TIMEOUT}s"],
                )

    def fail(self, name: str, message: str, code: int) -> None:
        if self.as_json:
            self.emit_json({"error": message})
        else:
            self.stderr.write(f"{name}: {message}")
        sys.exit(code)

    def emit_json(self, payload: Any) -> None:
        self.stdout.write(json.dumps(payload, ensure_ascii=False))

    @contextmanager
    def maybe_rolled_back(self, dry_run: bool) -> Iterator[None]:
        """Run the block in a transaction; roll it back when ``dry_run`` is set."""
        try:
            with transaction.atomic():
                yield
                if dry_run:
                    raise _RollBack
        except _RollBack:
            pass


def parse_date(value: str, *, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} must be a date as YYYY-MM-DD, not {value!r}.") from None
