"""The schedule's invariants, for the audit and the repair (docs/invariants.md).

``session_run_workshop``, ``run_dates`` and ``host_session``; each check is a set-based
condition true for a row that breaks the rule, each fix one statement per batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from core.invariants import (
    Check,
    Fix,
    Invariant,
    Notice,
    Quarantine,
    Report,
    register,
    register_notices,
    sql_greatest,
    sql_least,
)
from core.invariants import placeholders as marks

SESSIONS = "workshops_workshopsession"
RUNS = "workshops_workshoprun"

NO_VALID_RUN = f"""NOT EXISTS (
    SELECT 1 FROM {RUNS} r WHERE r.id = t.run_id AND r.workshop_id = t.workshop_id
)"""
WORKSHOP_MISSING = "NOT EXISTS (SELECT 1 FROM workshops_workshop w WHERE w.id = t.workshop_id)"


def _vendor(cursor) -> str:
    return cursor.db.vendor


def move_to_default_runs(cursor, ids: Sequence[Any]) -> None:
    """Move sessions to their workshop's default run (created when missing, widened to
    span them) and number them after the run's highest number, in date order."""
    vendor = _vendor(cursor)
    least, greatest = sql_least(vendor), sql_greatest(vendor)
    cursor.execute(
        f"""
        INSERT INTO {RUNS} (workshop_id, name, name_ar, start_date, end_date, is_default,
                            created_at)
        SELECT w.id, 'Default run – ' || w.title,
               'الدورة الافتراضية – ' || COALESCE(NULLIF(w.title_ar, ''), w.title),
               MIN(s.date), MAX(s.date), TRUE, %s
          FROM {SESSIONS} s JOIN workshops_workshop w ON w.id = s.workshop_id
         WHERE s.id IN ({marks(ids)})
           AND NOT EXISTS (SELECT 1 FROM {RUNS} r WHERE r.workshop_id = w.id AND r.is_default)
         GROUP BY w.id, w.title, w.title_ar
        """,
        [timezone.now(), *ids],
    )
    cursor.execute(
        f"""
        UPDATE {RUNS}
           SET start_date = {least}({RUNS}.start_date, b.first),
               end_date = {greatest}({RUNS}.end_date, b.last)
          FROM (SELECT workshop_id, MIN(date) AS first, MAX(date) AS last
                  FROM {SESSIONS} WHERE id IN ({marks(ids)}) GROUP BY workshop_id) b
         WHERE {RUNS}.workshop_id = b.workshop_id AND {RUNS}.is_default
           AND ({RUNS}.start_date > b.first OR {RUNS}.end_date < b.last)
        """,
        list(ids),
    )
    # One statement moves and renumbers: a window numbers the batch after the highest
    # number already in the default run.
    cursor.execute(
        f"""
        UPDATE {SESSIONS} SET run_id = m.run_id, number = m.number
          FROM (SELECT s.id, r.id AS run_id,
                       COALESCE(top.number, 0)
                       + ROW_NUMBER() OVER (PARTITION BY r.id ORDER BY s.date, s.start_time, s.id)
                       AS number
                  FROM {SESSIONS} s
                  JOIN {RUNS} r ON r.workshop_id = s.workshop_id AND r.is_default
                  LEFT JOIN (SELECT x.run_id, MAX(x.number) AS number FROM {SESSIONS} x
                              WHERE x.run_id IN (SELECT d.id FROM {RUNS} d
                                                  JOIN {SESSIONS} b ON b.workshop_id = d.workshop_id
                                                 WHERE d.is_default AND b.id IN ({marks(ids)}))
                              GROUP BY x.run_id) top ON top.run_id = r.id
                 WHERE s.id IN ({marks(ids)})) m
         WHERE {SESSIONS}.id = m.id
        """,
        [*ids, *ids],
    )


def widen_runs(cursor, ids: Sequence[Any]) -> None:
    """Widen each run's dates to cover its sessions; never narrow them."""
    vendor = _vendor(cursor)
    least, greatest = sql_least(vendor), sql_greatest(vendor)
    cursor.execute(
        f"""
        UPDATE {RUNS}
           SET start_date = {least}({RUNS}.start_date, b.first),
               end_date = {greatest}({RUNS}.end_date, b.last)
          FROM (SELECT run_id, MIN(date) AS first, MAX(date) AS last
                  FROM {SESSIONS} WHERE run_id IN ({marks(ids)}) GROUP BY run_id) b
         WHERE {RUNS}.id = b.run_id
        """,
        list(ids),
    )


SESSION_RUN_WORKSHOP = Invariant(
    name="session_run_workshop",
    description="every session has a run, and that run belongs to the session's workshop",
    order=10,
    checks=(
        Check(
            table=SESSIONS,
            condition=NO_VALID_RUN,
            actions=(
                Quarantine(
                    "its workshop does not exist, so there is no default run to move it to",
                    when=WORKSHOP_MISSING,
                ),
                Fix("moved to their workshop's default run", move_to_default_runs),
            ),
        ),
    ),
)

RUN_DATES = Invariant(
    name="run_dates",
    description="a run's start and end dates cover its sessions' dates",
    order=20,
    checks=(
        Check(
            table=RUNS,
            condition=f"""(t.end_date < t.start_date OR EXISTS (
                SELECT 1 FROM {SESSIONS} s
                 WHERE s.run_id = t.id AND (s.date < t.start_date OR s.date > t.end_date)
            ))""",
            actions=(
                Report(
                    "it ends before it starts and has no session to tell which date is wrong",
                    when=f"NOT EXISTS (SELECT 1 FROM {SESSIONS} s WHERE s.run_id = t.id)",
                ),
                Fix("dates widened to cover their sessions", widen_runs),
            ),
        ),
    ),
)

HOST_SESSION = Invariant(
    name="host_session",
    description="a host link points at an existing session; at most one link per session",
    order=50,
    checks=(
        Check(
            table="workshops_hostsession",
            condition=f"""(NOT EXISTS (SELECT 1 FROM {SESSIONS} s WHERE s.id = t.session_id)
                OR EXISTS (SELECT 1 FROM workshops_hostsession o
                            WHERE o.session_id = t.session_id AND o.id < t.id))""",
            actions=(
                Quarantine(
                    "its session does not exist",
                    when=f"NOT EXISTS (SELECT 1 FROM {SESSIONS} s WHERE s.id = t.session_id)",
                ),
                Quarantine("its session already has an older host link"),
            ),
        ),
    ),
)

register(SESSION_RUN_WORKSHOP, RUN_DATES, HOST_SESSION)

# Sessions made before a new session took its workshop's default seats (or cleared by
# hand) have no limit. Nobody can guess what theirs should be, so the audit names them
# and staff decide; workshops.selectors.unlimited_by_mistake is the same question for
# the admin's "seat limit" filter.
SESSION_CAPACITY_UNSET = Notice(
    name="session_capacity_unset",
    description="sessions from today on with unlimited seats, though their workshop has "
    "default seats",
    table=SESSIONS,
    condition="""(t.capacity IS NULL AND t.cancelled_at IS NULL AND t.date >= {today}
        AND EXISTS (SELECT 1 FROM workshops_workshop w
                     WHERE w.id = t.workshop_id AND w.default_capacity IS NOT NULL))""",
    where_to_look="staff set a capacity, or leave them unlimited on purpose (admin: "
    "Sessions, filter by seat limit).",
)

# A cancelled session keeps the host link it had: its page says the session was
# cancelled and still shows who had booked, which the host may need to tell them. No
# new link is made for one (host_link_provision refuses). Named for staff who may want
# to revoke them.
HOST_LINK_CANCELLED_SESSION = Notice(
    name="host_link_cancelled_session",
    description="host links of cancelled sessions (they still open, to a page that says so)",
    table="workshops_hostsession",
    condition=f"""EXISTS (SELECT 1 FROM {SESSIONS} s
                           WHERE s.id = t.session_id AND s.cancelled_at IS NOT NULL)""",
    where_to_look="nothing to fix; revoke one by deleting it in the admin (Host links).",
)

register_notices(SESSION_CAPACITY_UNSET, HOST_LINK_CANCELLED_SESSION)
