"""Validate the composite foreign key added ``NOT VALID`` in 0004 (PostgreSQL).

Run outside a transaction: ``VALIDATE CONSTRAINT`` lets reads and writes go on
while it scans the table.
"""

from django.db import migrations


def validate(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE tutoring_sessionrequest VALIDATE CONSTRAINT request_package_same_tutor_fk;"
        )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("tutoring", "0004_request_parties_required")]

    operations = [migrations.RunPython(validate, migrations.RunPython.noop)]
