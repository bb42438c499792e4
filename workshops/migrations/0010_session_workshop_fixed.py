"""A session never changes workshop (PostgreSQL trigger ``session_workshop_fixed``).

Its seats were bought at that workshop's price, and the seats' composite key would
otherwise let them follow the session to another workshop. Moving a session to
another run of its own workshop stays possible (``orders.services.session_move``).
The admin shows the workshop read-only once a session exists; this refuses raw SQL.
"""

from django.db import migrations

TRIGGER = """
CREATE FUNCTION workshops_session_workshop_fixed() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'session %: a session cannot move to another workshop (% to %)',
        OLD.id, OLD.workshop_id, NEW.workshop_id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'session_workshop_fixed';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER session_workshop_fixed
    BEFORE UPDATE OF workshop_id ON workshops_workshopsession
    FOR EACH ROW WHEN (OLD.workshop_id IS DISTINCT FROM NEW.workshop_id)
    EXECUTE FUNCTION workshops_session_workshop_fixed();
"""
DROP_TRIGGER = """
DROP TRIGGER IF EXISTS session_workshop_fixed ON workshops_workshopsession;
DROP FUNCTION IF EXISTS workshops_session_workshop_fixed();
"""


def postgresql_only(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("workshops", "0009_host_session_constraint_names")]

    operations = [
        migrations.RunPython(postgresql_only(TRIGGER), postgresql_only(DROP_TRIGGER)),
    ]
