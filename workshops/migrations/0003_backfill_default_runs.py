"""Give every session a run of its own workshop (invariant ``session_run_workshop``).

A session with no run, or with a run of another workshop (or a run id that points
nowhere, as restored dumps may hold), moves to the default run of its own workshop:
one per workshop, created when missing, its dates spanning the sessions it holds.
Every run's dates are then widened to cover its sessions (``run_dates``), run names
are made unique per workshop, and sessions without a number, or whose number
repeats within their run, are numbered after the run's highest number, in date order.

Set-based SQL, in batches: sessions move a range of ids at a time, and are numbered
a range of runs at a time with a window function (``ROW_NUMBER() OVER (PARTITION BY
run_id ORDER BY date, start_time, id)``), each batch its own transaction
(``atomic = False``), so a large table is never locked for long and no row passes
through Python. Safe to re-run (a second pass finds nothing to do), also after an
interruption. Nothing is deleted. The reverse is a no-op: the old links were wrong,
and going back to the previous schema does not need them.
"""

from django.db import migrations, transaction
from django.utils import timezone

BATCH_SIZE = 50_000
SESSIONS = "workshops_workshopsession"
RUNS = "workshops_workshoprun"
NO_VALID_RUN = f"""NOT EXISTS (
    SELECT 1 FROM {RUNS} r WHERE r.id = s.run_id AND r.workshop_id = s.workshop_id
)"""


def least(vendor: str) -> str:
    return "MIN" if vendor == "sqlite" else "LEAST"


def greatest(vendor: str) -> str:
    return "MAX" if vendor == "sqlite" else "GREATEST"


def id_ranges(cursor, table: str, size: int = BATCH_SIZE):
    cursor.execute(f"SELECT MIN(id), MAX(id) FROM {table}")
    first, last = cursor.fetchone()
    if first is None:
        return
    for start in range(first, last + 1, size):
        yield start, start + size


def create_default_runs(cursor) -> None:
    """One default run per workshop that has a session without a valid run."""
    cursor.execute(
        f"""
        INSERT INTO {RUNS} (workshop_id, name, name_ar, start_date, end_date, is_default,
                            created_at)
        SELECT w.id, 'Default run – ' || w.title,
               'الدورة الافتراضية – ' || COALESCE(NULLIF(w.title_ar, ''), w.title),
               MIN(s.date), MAX(s.date), TRUE, %s
          FROM {SESSIONS} s JOIN workshops_workshop w ON w.id = s.workshop_id
         WHERE {NO_VALID_RUN}
           AND NOT EXISTS (SELECT 1 FROM {RUNS} d WHERE d.workshop_id = w.id AND d.is_default)
         GROUP BY w.id, w.title, w.title_ar
        """,
        [timezone.now()],
    )


def move_orphans(cursor, start: int, stop: int) -> None:
    # Their old numbers belonged to another run; they are renumbered below.
    cursor.execute(
        f"""
        UPDATE {SESSIONS} SET run_id = d.id, number = NULL
          FROM {RUNS} d
         WHERE d.workshop_id = {SESSIONS}.workshop_id AND d.is_default
           AND {SESSIONS}.id >= %s AND {SESSIONS}.id < %s
           AND NOT EXISTS (SELECT 1 FROM {RUNS} r WHERE r.id = {SESSIONS}.run_id
                             AND r.workshop_id = {SESSIONS}.workshop_id)
        """,
        [start, stop],
    )


def widen_runs(cursor, vendor: str) -> None:
    cursor.execute(
        f"""
        UPDATE {RUNS}
           SET start_date = {least(vendor)}({RUNS}.start_date, b.first),
               end_date = {greatest(vendor)}({RUNS}.end_date, b.last)
          FROM (SELECT run_id, MIN(date) AS first, MAX(date) AS last
                  FROM {SESSIONS} GROUP BY run_id) b
         WHERE {RUNS}.id = b.run_id
           AND ({RUNS}.start_date > b.first OR {RUNS}.end_date < b.last)
        """
    )


def make_run_names_unique(cursor) -> None:
    # The first run keeps its name; later ones with the same name get their id added.
    cursor.execute(
        f"""
        UPDATE {RUNS} SET name = name || ' (#' || id || ')'
         WHERE EXISTS (SELECT 1 FROM {RUNS} o WHERE o.workshop_id = {RUNS}.workshop_id
                          AND o.name = {RUNS}.name AND o.id < {RUNS}.id)
        """
    )


def number_sessions(cursor, start: int, stop: int) -> None:
    """Number the unnumbered sessions of the runs in [start, stop) after their run's
    highest number, in date order: one statement, a window function."""
    # A number that repeats within its run keeps its first holder.
    cursor.execute(
        f"""
        UPDATE {SESSIONS} SET number = NULL
         WHERE run_id >= %s AND run_id < %s AND number IS NOT NULL
           AND EXISTS (SELECT 1 FROM {SESSIONS} o WHERE o.run_id = {SESSIONS}.run_id
                          AND o.number = {SESSIONS}.number AND o.id < {SESSIONS}.id)
        """,
        [start, stop],
    )
    cursor.execute(
        f"""
        UPDATE {SESSIONS} SET number = m.number
          FROM (SELECT s.id,
                       COALESCE(top.number, 0) + ROW_NUMBER() OVER (
                           PARTITION BY s.run_id ORDER BY s.date, s.start_time, s.id
                       ) AS number
                  FROM {SESSIONS} s
                  LEFT JOIN (SELECT run_id, MAX(number) AS number FROM {SESSIONS}
                              WHERE run_id >= %s AND run_id < %s GROUP BY run_id) top
                    ON top.run_id = s.run_id
                 WHERE s.run_id >= %s AND s.run_id < %s AND s.number IS NULL) m
         WHERE {SESSIONS}.id = m.id
        """,
        [start, stop, start, stop],
    )


def forwards(apps, schema_editor) -> None:
    connection = schema_editor.connection
    vendor = connection.vendor
    with connection.cursor() as cursor:
        with transaction.atomic(using=connection.alias):
            create_default_runs(cursor)
        for start, stop in list(id_ranges(cursor, SESSIONS)):
            with transaction.atomic(using=connection.alias):
                move_orphans(cursor, start, stop)
        with transaction.atomic(using=connection.alias):
            widen_runs(cursor, vendor)
            make_run_names_unique(cursor)
        # Runs are batched by id so that a run's sessions are numbered together.
        for start, stop in list(id_ranges(cursor, RUNS, size=max(BATCH_SIZE // 100, 1))):
            with transaction.atomic(using=connection.alias):
                number_sessions(cursor, start, stop)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("workshops", "0002_runs")]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
    ]
