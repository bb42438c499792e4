"""What /healthz reports: can we reach the database, and is its schema current.

Other apps add their own sections (the assistant's logging failures, the last
integrity audit) by registering a report from their ``AppConfig.ready()``, so core
imports none of them. A report informs operators; it never turns the health
check unhealthy, because one bad row or one failed log write must not take every
server out of the load balancer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader

logger = logging.getLogger(__name__)

Report = Callable[[], dict[str, Any]]
_reports: dict[str, Report] = {}


# Keys /healthz fills itself; a report may not take one of them.
RESERVED = frozenset({"status", "database", "migrations"})


def register_report(name: str, report: Report) -> None:
    """Add ``name`` to /healthz, filled by ``report()`` on each request. Keep it cheap:
    load balancers call it every few seconds."""
    if name in RESERVED:
        raise ValueError(f"/healthz reports cannot be named {name!r}: /healthz uses it.")
    _reports[name] = report


def reports() -> dict[str, Any]:
    """Every registered report; one that fails says so instead of failing the probe."""
    sections: dict[str, Any] = {}
    for name, report in _reports.items():
        try:
            sections[name] = report()
        except Exception as error:  # a report must never break the health check
            logger.warning("health report %s failed: %r", name, error)
            sections[name] = {"error": error.__class__.__name__}
    return sections


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
