"""Every session now needs a run of its own workshop, refused by the database.

The sessions table can be large and busy, so on PostgreSQL nothing here holds its
exclusive lock through a scan (``core.migration_operations.PostgresqlSQL``; the state
operations are Django's own, so the schema is the same as before): ``run_id`` and
``number`` become ``NOT NULL`` through a ``CHECK … NOT VALID`` that is validated
(reads and writes go on) and then lets ``SET NOT NULL`` skip its scan; the unique
keys' indexes are built ``CONCURRENTLY`` and then attached; the number check is
added ``NOT VALID`` and validated. Hence ``atomic = False``: each statement is its
own short transaction, and each is safe to retry.

On PostgreSQL this adds what a plain constraint cannot say across tables:

- ``session_run_same_workshop_fk``: ``(run_id, workshop_id)`` references the run's
  ``(id, workshop_id)``, so a session cannot name a run of another workshop
  (``session_run_workshop``). Added ``NOT VALID`` here and validated in 0005, so the
  validation scan does not hold this migration's locks. ``DEFERRABLE INITIALLY
  IMMEDIATE``: a bad row fails at the statement, yet ``loaddata`` can still defer it.
- Two constraint triggers for ``run_dates``, deferred to COMMIT so a run and its
  sessions can be moved together in one transaction.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

from core.migration_operations import PostgresqlSQL

SESSIONS = "workshops_workshopsession"
RUNS = "workshops_workshoprun"


def not_null(column: str) -> list[str]:
    check = f"session_{column}_not_null"
    return [
        f"ALTER TABLE {SESSIONS} DROP CONSTRAINT IF EXISTS {check}",
        f"ALTER TABLE {SESSIONS} ADD CONSTRAINT {check} CHECK ({column} IS NOT NULL) NOT VALID",
        f"ALTER TABLE {SESSIONS} VALIDATE CONSTRAINT {check}",
        f"ALTER TABLE {SESSIONS} ALTER COLUMN {column} SET NOT NULL",
        f"ALTER TABLE {SESSIONS} DROP CONSTRAINT {check}",
    ]


def unique_concurrently(name: str, columns: str) -> list[str]:
    return [
        f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
        f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON {SESSIONS} ({columns})",
        f"ALTER TABLE {SESSIONS} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}",
    ]


FORWARDS = [
    *not_null("run_id"),
    *not_null("number"),
    # Runs are few: Django's own statements.
    f"ALTER TABLE {RUNS} ADD CONSTRAINT run_name_unique_per_workshop UNIQUE (workshop_id, name)",
    f"CREATE UNIQUE INDEX run_one_default_per_workshop ON {RUNS} (workshop_id) WHERE is_default",
    f"ALTER TABLE {RUNS} ADD CONSTRAINT run_id_workshop_key UNIQUE (id, workshop_id)",
    *unique_concurrently("session_number_unique_per_run", "run_id, number"),
    f"ALTER TABLE {SESSIONS} ADD CONSTRAINT session_number_positive CHECK (number >= 1) NOT VALID",
    f"ALTER TABLE {SESSIONS} VALIDATE CONSTRAINT session_number_positive",
    *unique_concurrently("session_id_run_key", "id, run_id, workshop_id"),
]
BACKWARDS = [
    f"ALTER TABLE {SESSIONS} DROP CONSTRAINT session_id_run_key",
    f"ALTER TABLE {SESSIONS} DROP CONSTRAINT session_number_positive",
    f"ALTER TABLE {SESSIONS} DROP CONSTRAINT session_number_unique_per_run",
    f"ALTER TABLE {RUNS} DROP CONSTRAINT run_id_workshop_key",
    "DROP INDEX run_one_default_per_workshop",
    f"ALTER TABLE {RUNS} DROP CONSTRAINT run_name_unique_per_workshop",
    f"ALTER TABLE {SESSIONS} ALTER COLUMN number DROP NOT NULL",
    f"ALTER TABLE {SESSIONS} ALTER COLUMN run_id DROP NOT NULL",
]

COMPOSITE_FK = """
ALTER TABLE workshops_workshopsession
    ADD CONSTRAINT session_run_same_workshop_fk
    FOREIGN KEY (run_id, workshop_id)
    REFERENCES workshops_workshoprun (id, workshop_id)
    DEFERRABLE INITIALLY IMMEDIATE
    NOT VALID;
"""
DROP_COMPOSITE_FK = (
    "ALTER TABLE workshops_workshopsession DROP CONSTRAINT IF EXISTS session_run_same_workshop_fk;"
)

RUN_DATES_TRIGGERS = """
CREATE FUNCTION workshops_session_within_run_dates() RETURNS trigger AS $$
DECLARE
    run_start date;
    run_end date;
    session_date date;
BEGIN
    SELECT s.date, r.start_date, r.end_date INTO session_date, run_start, run_end
      FROM workshops_workshopsession s
      JOIN workshops_workshoprun r ON r.id = s.run_id
     WHERE s.id = NEW.id;
    IF FOUND AND session_date NOT BETWEEN run_start AND run_end THEN
        RAISE EXCEPTION 'run_dates: session % on % lies outside its run (% to %)',
            NEW.id, session_date, run_start, run_end
            USING ERRCODE = 'check_violation', CONSTRAINT = 'session_date_within_run';
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER session_date_within_run
    AFTER INSERT OR UPDATE OF date, run_id ON workshops_workshopsession
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION workshops_session_within_run_dates();

CREATE FUNCTION workshops_run_covers_sessions() RETURNS trigger AS $$
DECLARE
    outside record;
BEGIN
    SELECT s.id, s.date, r.start_date, r.end_date INTO outside
      FROM workshops_workshoprun r
      JOIN workshops_workshopsession s ON s.run_id = r.id
     WHERE r.id = NEW.id
       AND s.date NOT BETWEEN r.start_date AND r.end_date
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'run_dates: run % (% to %) does not cover session % on %',
            NEW.id, outside.start_date, outside.end_date, outside.id, outside.date
            USING ERRCODE = 'check_violation', CONSTRAINT = 'run_covers_sessions';
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER run_covers_sessions
    AFTER UPDATE OF start_date, end_date ON workshops_workshoprun
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION workshops_run_covers_sessions();
"""
DROP_RUN_DATES_TRIGGERS = """
DROP TRIGGER IF EXISTS run_covers_sessions ON workshops_workshoprun;
DROP FUNCTION IF EXISTS workshops_run_covers_sessions();
DROP TRIGGER IF EXISTS session_date_within_run ON workshops_workshopsession;
DROP FUNCTION IF EXISTS workshops_session_within_run_dates();
"""


def postgresql_only(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("workshops", "0003_backfill_default_runs")]

    operations = [
        PostgresqlSQL(
            [
                migrations.AlterField(
                    model_name="workshopsession",
                    name="run",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="sessions",
                        to="workshops.workshoprun",
                    ),
                ),
                migrations.AlterField(
                    model_name="workshopsession",
                    name="number",
                    field=models.PositiveSmallIntegerField(
                        help_text="Day 1, Day 2, ... unique within its run.",
                        validators=[django.core.validators.MinValueValidator(1)],
                    ),
                ),
                migrations.AddConstraint(
                    model_name="workshoprun",
                    constraint=models.UniqueConstraint(
                        fields=("workshop", "name"),
                        name="run_name_unique_per_workshop",
                        violation_error_message="This workshop already has a run with this name.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="workshoprun",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("is_default", True)),
                        fields=("workshop",),
                        name="run_one_default_per_workshop",
                        violation_error_message="This workshop already has a default run.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="workshoprun",
                    constraint=models.UniqueConstraint(
                        fields=("id", "workshop"), name="run_id_workshop_key"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="workshopsession",
                    constraint=models.UniqueConstraint(
                        fields=("run", "number"),
                        name="session_number_unique_per_run",
                        violation_error_message="This run already has a session with this number.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="workshopsession",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("number__gte", 1)),
                        name="session_number_positive",
                        violation_error_message="Session numbers start at 1.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="workshopsession",
                    constraint=models.UniqueConstraint(
                        fields=("id", "run", "workshop"), name="session_id_run_key"
                    ),
                ),
            ],
            forwards=FORWARDS,
            backwards=BACKWARDS,
        ),
        migrations.RunPython(postgresql_only(COMPOSITE_FK), postgresql_only(DROP_COMPOSITE_FK)),
        migrations.RunPython(
            postgresql_only(RUN_DATES_TRIGGERS), postgresql_only(DROP_RUN_DATES_TRIGGERS)
        ),
    ]
