"""What /healthz reports: can we reach the database, and is its schema current."""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor


def database_health() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return {"ok": False, "vendor": connection.vendor, "error": error.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def migrations_health() -> dict[str, Any]:
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        return {"ok": False, "error": error.__class__.__name__}
    pending = sorted(f"{migration.app_label}.{migration.name}" for migration, _ in plan)
    return {"ok": not pending, "pending": pending}
