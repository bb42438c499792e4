"""What the database's errors mean to a page or a command."""

from __future__ import annotations

import sqlite3

from django.db import DatabaseError, OperationalError

# SQLite's answers that mean "could not use the file now", not "refused the command".
SQLITE_UNAVAILABLE = {
    sqlite3.SQLITE_BUSY,
    sqlite3.SQLITE_LOCKED,
    sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_IOERR,
}


def is_unavailable(error: DatabaseError) -> bool:
    """True when the database did not answer (connection refused, lost or timed out,
    a lock or statement timeout, the server shutting down), rather than refusing what
    was asked of it (a constraint, a missing table)."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if isinstance(cause, sqlite3.Error):
        return (getattr(cause, "sqlite_errorcode", 0) & 0xFF) in SQLITE_UNAVAILABLE
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is None:
        return True  # psycopg's own: the connection failed, closed or timed out
    # 08: connection exception; 57: operator intervention (statement timeout, server
    # shutting down); 55P03: lock not available (lock timeout).
    return sqlstate[:2] in {"08", "57"} or sqlstate == "55P03"
