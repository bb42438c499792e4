"""What /healthz reports: can we reach the database, and is its schema current."""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader


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
        loader = MigrationLoader(connection)
    except DatabaseError as error:
        return {"ok": False, "error": error.__class__.__name__}
    pending = sorted(
        f"{app}.{name}" for app, name in set(loader.graph.nodes) - set(loader.applied_migrations)
    )
    return {"ok": not pending, "pending": pending}
