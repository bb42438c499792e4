"""Broken data, written the way it arrives in life, and what the tests compare."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.apps import apps
from django.db import connection

from integrity.models import IntegrityAudit, QuarantinedRow

INTEGRITY_TABLES = {QuarantinedRow._meta.db_table, IntegrityAudit._meta.db_table}


def domain_tables() -> list[str]:
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if not model._meta.proxy
        }
        - INTEGRITY_TABLES
    )


def row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in domain_tables():
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return counts


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every domain table, as the database holds it."""
    rows = {}
    with connection.cursor() as cursor:
        for table in domain_tables():
            cursor.execute(f"SELECT * FROM {table}")
            rows[table] = sorted(map(repr, cursor.fetchall()))
    return rows


def quarantined_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in QuarantinedRow.objects.values_list("source_table", flat=True):
        counts[table] = counts.get(table, 0) + 1
    return counts


def assert_nothing_lost(before: dict[str, int], *, created: dict[str, int] | None = None) -> None:
    """Each table's rows now, plus those taken to the quarantine, are what was there
    (plus the rows the repair made, such as a default run)."""
    after = row_counts()
    held = quarantined_counts()
    created = created or {}
    assert {
        table: after[table] + held.get(table, 0) - created.get(table, 0) for table in before
    } == before


Statement = tuple[str, Sequence[Any]] | str
# PostgreSQL's deferred checks of the counters (orders 0009, assistant_chat 0004).
COUNTER_CHECKS = "session_seats_taken_counts_active_seats, chat_session_messages_counted"


@pytest.fixture
def write_broken(db) -> Callable[..., None]:
    """Run raw SQL past the database's guards, inside the test's transaction.

    PostgreSQL: ``session_replication_role = replica`` skips foreign keys and triggers
    (not CHECK, NOT NULL or UNIQUE: the constraints named in ``drop`` are dropped,
    and come back when the test rolls back). SQLite: its foreign keys are checked at
    COMMIT, which the test never reaches, as with foreign keys off; CHECKs are
    ignored while writing."""

    def write(*statements: Statement, drop: Sequence[tuple[str, str]] = ()) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The counters' deferred checks of the rows made so far run now, on
                # the rows as they were made: the broken rows below come after, as a
                # restored dump's would, and no deferred check sees them.
                cursor.execute(f"SET CONSTRAINTS {COUNTER_CHECKS} IMMEDIATE")
                cursor.execute(f"SET CONSTRAINTS {COUNTER_CHECKS} DEFERRED")
                if drop:
                    # ALTER TABLE waits for no deferred check: fire them now.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for table, constraint in drop:
                    cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}")
                cursor.execute("SET LOCAL session_replication_role = replica")
            else:
                cursor.execute("PRAGMA ignore_check_constraints = ON")
            try:
                for statement in statements:
                    sql, params = (statement, ()) if isinstance(statement, str) else statement
                    cursor.execute(sql, params)
            finally:
                if connection.vendor == "postgresql":
                    cursor.execute("SET LOCAL session_replication_role = origin")
                else:
                    cursor.execute("PRAGMA ignore_check_constraints = OFF")

    return write
