"""A shared base for Studyhall's management commands.

Every command gets the same contract: bad input is one line on stderr and exit
code 2 with nothing written; ``--dry-run`` runs the real service inside a
transaction that is rolled back, so what it reports is what would happen and
nothing is written.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections, transaction

from core.errors import DomainError

USAGE_ERROR = 2


class UsageError(CommandError):
    """Bad input: reported as one line on stderr with exit code 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=USAGE_ERROR)


class _RollBack(Exception):
    pass


class StudyhallCommand(BaseCommand):
    supports_dry_run = False

    def add_arguments(self, parser) -> None:
        if self.supports_dry_run:
            parser.add_argument(
                "--dry-run",
                action="store_true",
                help="Report what would change and write nothing.",
            )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs):
        # A parser that raises CommandError instead of printing usage and exiting,
        # so bad arguments come out as the same single line as any other bad input.
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.called_from_command_line = False
        return parser

    def run_from_argv(self, argv: list[str]) -> None:
        self._called_from_command_line = True
        parser = self.create_parser(argv[0], argv[1])
        try:
            options = parser.parse_args(argv[2:])
            cmd_options = vars(options)
            args = cmd_options.pop("args", ())
            self.execute(*args, **cmd_options)
        except (CommandError, DomainError) as error:
            # Both mean the input was refused: argparse, a lookup or a domain rule.
            message = str(error).removeprefix("Error: ")
            self.stderr.write(f"{argv[1]}: {message}")
            sys.exit(USAGE_ERROR)
        except DatabaseError as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
            self.stderr.write(
                f"{argv[1]}: the database refused the command ({error.__class__.__name__}: "
                f"{first_line}). Is it reachable and migrated (manage.py migrate)?"
            )
            sys.exit(1)
        finally:
            connections.close_all()

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
