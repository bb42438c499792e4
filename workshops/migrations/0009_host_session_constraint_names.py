"""Name the host link's one-to-one constraints, and check its foreign key at once
(PostgreSQL; ``host_session``).

Django gives the constraints of 0008's one-to-one generated names, and creates the
foreign key ``DEFERRABLE INITIALLY DEFERRED`` at the end of that migration, which is
why this is a migration of its own. Here they become ``host_session_session_fk`` and
``host_session_one_per_session``, and the foreign key is checked on each statement
(``DEFERRABLE INITIALLY IMMEDIATE``, like the schedule's composite keys): a raw
``INSERT`` naming a missing session fails on its own statement, not at ``COMMIT``.
Django finds these constraints by their column, never by name. SQLite: nothing to do.
Going back keeps the names, which nothing depends on; going forward again is safe.
"""

from django.db import migrations


def name_the_session_constraints(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    HostSession = apps.get_model("workshops", "HostSession")
    table = schema_editor.quote_name(HostSession._meta.db_table)
    [fk] = schema_editor._constraint_names(HostSession, ["session_id"], foreign_key=True)
    [key] = schema_editor._constraint_names(HostSession, ["session_id"], unique=True)
    for old, new in ((fk, "host_session_session_fk"), (key, "host_session_one_per_session")):
        if old != new:  # safe to run again
            schema_editor.execute(
                f"ALTER TABLE {table} RENAME CONSTRAINT {schema_editor.quote_name(old)} TO {new}"
            )
    schema_editor.execute(
        f"ALTER TABLE {table} ALTER CONSTRAINT host_session_session_fk "
        "DEFERRABLE INITIALLY IMMEDIATE"
    )


class Migration(migrations.Migration):
    dependencies = [("workshops", "0008_hostsession")]

    operations = [migrations.RunPython(name_the_session_constraints, migrations.RunPython.noop)]
