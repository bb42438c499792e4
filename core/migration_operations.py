"""Migration operations for large tables.

``PostgresqlSQL`` keeps a migration's state operations as Django wrote them (so the
schema Django knows is the same, and databases that already ran the migration are
unaffected) and, on PostgreSQL, does their work with lock-friendly SQL instead: a
``CHECK … NOT VALID`` then ``VALIDATE`` before ``SET NOT NULL``, indexes built
``CONCURRENTLY`` and then attached to their constraint. On other databases (SQLite)
the state operations' own database work runs, as before. A migration using it with
``CONCURRENTLY`` must be ``atomic = False``.
"""

from __future__ import annotations

from django.db import migrations


class PostgresqlSQL(migrations.SeparateDatabaseAndState):
    def __init__(self, operations, *, forwards: list[str], backwards: list[str]) -> None:
        super().__init__(state_operations=operations, database_operations=operations)
        self.forwards = forwards
        self.backwards = backwards

    def deconstruct(self):
        return (
            self.__class__.__qualname__,
            [self.state_operations],
            {"forwards": self.forwards, "backwards": self.backwards},
        )

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor != "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
            return
        for sql in self.forwards:
            schema_editor.execute(sql, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor != "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
            return
        for sql in self.backwards:
            schema_editor.execute(sql, params=None)

    def describe(self) -> str:
        return "Schema changes, on PostgreSQL without long locks"


class PostgresqlOnly(migrations.RunSQL):
    """``RunSQL`` that runs on PostgreSQL only: a trigger or a composite key SQLite
    has no way to hold (there the audit holds the rule). Nothing happens elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
