"""For the tests of data migrations: take the test database back to a past state, fill
it as an old database was, and bring it up to date.

``past_state`` is one test's: back, the test, forward again. ``upgraded_once`` is a
whole class's, for tests that only read what one upgrade made: the database goes back,
is filled and upgraded once, each test reads (inside its own rolled-back transaction,
the ``db`` fixture), and the rows are flushed when the class is done.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import StateApps

Target = tuple[str, str]


def migrate(targets: Iterable[Target]) -> MigrationExecutor:
    """Migrate to ``targets``; a fresh executor, which knows what is applied now."""
    MigrationExecutor(connection).migrate(list(targets))
    return MigrationExecutor(connection)


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def apps_at(targets: Iterable[Target], *, latest_of: Iterable[str] = ()) -> StateApps:
    """The models as they were at ``targets``, with the apps in ``latest_of`` as they
    are now (the migrations leave those apps' tables alone)."""
    executor = MigrationExecutor(connection)
    latest = [node for node in executor.loader.graph.leaf_nodes() if node[0] in set(latest_of)]
    return executor.loader.project_state([*targets, *latest]).apps


@contextlib.contextmanager
def past_state(targets: list[Target], *, latest_of: Iterable[str] = ()) -> Iterator[StateApps]:
    """The database at ``targets`` for the body, up to date again afterwards."""
    migrate(targets)
    try:
        yield apps_at(targets, latest_of=latest_of)
    finally:
        migrate_to_latest()


@dataclass
class Upgrade:
    rows: Any  # what ``fill`` returned: the ids the tests look for
    output: str  # what the migrations printed


@contextlib.contextmanager
def upgraded_once(
    django_db_blocker, targets: list[Target], fill: Callable[[StateApps], Any]
) -> Iterator[Upgrade]:
    """``fill`` the database as it was at ``targets``, upgrade it once, and yield what
    it made, for a class of tests that read it; then the rows go."""
    with django_db_blocker.unblock():
        try:
            with past_state(targets) as apps:
                rows = fill(apps)
                printed = io.StringIO()
                with contextlib.redirect_stdout(printed):
                    migrate_to_latest()
            yield Upgrade(rows, printed.getvalue())
        finally:
            call_command("flush", interactive=False, verbosity=0)
