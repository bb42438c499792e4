"""Validate what 0004 added ``NOT VALID``, and build its indexes (PostgreSQL).

Run outside a transaction: ``VALIDATE CONSTRAINT`` lets reads and writes go on while
it scans the table, and ``CREATE INDEX CONCURRENTLY`` builds an index without
blocking writes. ``tutor_id`` becomes ``NOT NULL`` through its validated check, so
that step does not scan. Each step is safe to re-run, and a database whose 0004 did
these itself (before 0004 left them here) finds them done.
"""

import importlib

from django.db import migrations

required = importlib.import_module("tutoring.migrations.0004_request_parties_required")
TABLE = required.TABLE


def constraint_exists(schema_editor, name: str) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_constraint WHERE conrelid = %s::regclass AND conname = %s",
            [TABLE, name],
        )
        return cursor.fetchone() is not None


def forwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    if constraint_exists(schema_editor, required.TUTOR_NOT_NULL):
        execute(f"ALTER TABLE {TABLE} VALIDATE CONSTRAINT {required.TUTOR_NOT_NULL}")
        execute(f"ALTER TABLE {TABLE} ALTER COLUMN tutor_id SET NOT NULL")
        execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {required.TUTOR_NOT_NULL}")
    for name in required.CHECKS:
        execute(f"ALTER TABLE {TABLE} VALIDATE CONSTRAINT {name}")
    for name, definition in required.INDEXES.items():
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [name]
            )
            found = cursor.fetchone()
        if found == (True,):
            continue
        if found is not None:  # an earlier attempt left it invalid
            execute(f"DROP INDEX CONCURRENTLY {name}")
        execute(f"CREATE {definition.replace('INDEX ', 'INDEX CONCURRENTLY ', 1)}")
    execute(f"ALTER TABLE {TABLE} VALIDATE CONSTRAINT request_package_same_tutor_fk")


def backwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in required.INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN tutor_id DROP NOT NULL")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("tutoring", "0004_request_parties_required")]

    operations = [migrations.RunPython(forwards, backwards)]
