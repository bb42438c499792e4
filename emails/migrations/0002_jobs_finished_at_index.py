"""Indexes on the job queue for /healthz: the finishing time ("when did a worker last
finish a job") and the failed jobs, so it reads both from an index instead of scanning
every job ever run. The table is django-tasks-db's; the indexes are Studyhall's, added
and removed here."""

from django.db import migrations

INDEX = "emails_jobs_finished_at_idx"
FAILED_INDEX = "emails_jobs_failed_idx"
TABLE = "django_tasks_database_dbtaskresult"


class Migration(migrations.Migration):
    dependencies = [
        ("emails", "0001_initial"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} (finished_at)",
            f"DROP INDEX IF EXISTS {INDEX}",
        ),
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {FAILED_INDEX} ON {TABLE} (id) WHERE status = 'FAILED'",
            f"DROP INDEX IF EXISTS {FAILED_INDEX}",
        ),
    ]
