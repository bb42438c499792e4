"""Validate the composite foreign key added ``NOT VALID`` in 0004 (PostgreSQL).

Run outside a transaction: ``VALIDATE CONSTRAINT`` takes a lock that lets reads and
writes go on while it scans the table.
"""

from django.db import migrations


def validate(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE workshops_workshopsession VALIDATE CONSTRAINT session_run_same_workshop_fk;"
        )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("workshops", "0004_run_required")]

    operations = [migrations.RunPython(validate, migrations.RunPython.noop)]
