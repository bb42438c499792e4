"""An index on the job queue's finishing time, so /healthz reads "when did a worker
last finish a job" from the index instead of scanning every job ever run. The table
is django-tasks-db's; the index is Studyhall's, added and removed here."""

from django.db import migrations

INDEX = "emails_jobs_finished_at_idx"
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
    ]
