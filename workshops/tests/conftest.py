import pytest
from django.db import connection


@pytest.fixture
def mislinked_rows_allowed(db):
    """Let a test write the rows old databases hold: a session whose run belongs to
    another workshop. On PostgreSQL the composite foreign key is dropped inside the
    test's transaction, so it comes back when the test rolls back."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # ALTER TABLE waits for no deferred check: fire them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE workshops_workshopsession DROP CONSTRAINT session_run_same_workshop_fk"
            )
