"""`make bench-integrity`: the audit, the repair and the legacy upgrade at scale.

For each size (``BENCH_INTEGRITY_SIZES``, default 100,000 then 1,000,000 sessions),
on PostgreSQL, in one run:

1. A database is migrated and filled with set-based SQL (``generate_series``, with
   ``session_replication_role = replica`` as a restored dump arrives): one workshop
   per 1,000 sessions, each with two runs; one seat (order item) per session, ten
   per order; 5% of the sessions then point at another workshop's run and 5% at a
   run that does not exist, so 10% of the sessions and their seats break
   ``session_run_workshop`` and ``order_item_session``.
2. ``check_integrity`` runs as a command, then the bare anti-join of each check
   (``SELECT count(*) … WHERE <condition>``) on the same data:
   ``audit vs raw anti-joins`` is the first time over the second.
3. The database is copied (``CREATE DATABASE … TEMPLATE``). On one copy
   ``repair_integrity --only session_run_workshop --no-input`` runs; on the other,
   seed 000's fix as raw SQL (its ``INSERT`` of default runs and its ``UPDATE``,
   with ``NOT EXISTS`` for its ``NOT IN`` and the numbering this schema's unique key
   needs), in one transaction: ``repair vs raw SQL``.
4. A database in the legacy shape (``workshops`` at 0002: sessions without runs or
   numbers, 10% pointing at another workshop's run) of the same size is upgraded by
   ``manage.py migrate``: ``legacy migrate N sessions``.

Peak memory is each command's own maximum resident set (``wait4``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass

from bench.harness import ROOT, fail, recreate_database

SIZES = [int(size) for size in os.environ.get("BENCH_INTEGRITY_SIZES", "100000,1000000").split(",")]
PER_WORKSHOP = 1000
USERS = 1000
SEATS_PER_ORDER = 10


@dataclass
class Run:
    seconds: float
    peak_mb: float
    code: int
    out: str


def command(url: str, *args: str) -> Run:
    """``manage.py <args>`` on ``url``: wall time and peak resident memory."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(time.perf_counter() - started, usage.ru_maxrss / 1024, process.returncode, out)


def connect(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def sql_time(url: str, statements: list[str], *, transaction: bool = False) -> float:
    with connect(url) as conn:
        started = time.perf_counter()
        if transaction:
            with conn.transaction():
                for statement in statements:
                    conn.execute(statement)
        else:
            for statement in statements:
                conn.execute(statement).fetchall()
        return time.perf_counter() - started


def fill(url: str, sessions: int, *, legacy: bool = False) -> None:
    """Workshops, runs, sessions (10% mis-linked or dangling), users, orders, seats."""
    workshops = max(sessions // PER_WORKSHOP, 2)
    statements = [
        "SET session_replication_role = replica",
        # Prices came later (workshops 0006): not in the legacy shape.
        f"""INSERT INTO workshops_workshop (id, title, title_ar, slug, description,
                default_capacity, is_active, created_at, updated_at{"" if legacy else ", price"})
            SELECT w, 'Workshop ' || w, '', 'workshop-' || w, '', 10, TRUE, now(),
                   now(){"" if legacy else ", 0"}
              FROM generate_series(1, {workshops}) w""",
        # Run w: workshop w's own; run workshops + w: its second, empty run.
        f"""INSERT INTO workshops_workshoprun (id, workshop_id, name, name_ar, start_date,
                end_date, is_default, created_at)
            SELECT r, (r - 1) % {workshops} + 1, 'Run ' || r, '', DATE '2030-01-01',
                   DATE '2030-12-31', FALSE, now()
              FROM generate_series(1, {2 * workshops}) r""",
    ]
    # Session i: workshop w = (i - 1) % workshops + 1, number (i - 1) / workshops + 1.
    # i % 20 = 0: the second run of the next workshop (i % workshops + 1);
    # i % 20 = 10: no such run.
    run = (
        f"CASE WHEN i % 20 = 0 THEN {workshops} + i % {workshops} + 1 "
        f"WHEN i % 20 = 10 THEN {10 * workshops} + i "
        f"ELSE (i - 1) % {workshops} + 1 END"
    )
    if legacy:
        # Before runs: 90% already have their run (numbered), 10% none or another's.
        run = (
            f"CASE WHEN i % 20 = 0 THEN {workshops} + i % {workshops} + 1 "
            f"WHEN i % 20 = 10 THEN NULL ELSE (i - 1) % {workshops} + 1 END"
        )
        number = f"CASE WHEN i % 20 = 10 THEN NULL ELSE (i - 1) / {workshops} + 1 END"
    else:
        number = f"(i - 1) / {workshops} + 1"
    seats_taken = "0" if legacy else "1"
    statements.append(
        f"""INSERT INTO workshops_workshopsession (id, workshop_id, run_id, number, date,
                start_time, end_time, capacity, seats_taken, metadata)
            SELECT i, (i - 1) % {workshops} + 1, {run}, {number},
                   DATE '2030-01-01' + (i % 365), TIME '09:00', TIME '12:00', 10,
                   {seats_taken}, '{{}}'
              FROM generate_series(1, {sessions}) i"""
    )
    if not legacy:
        orders = sessions // SEATS_PER_ORDER
        statements += [
            f"""INSERT INTO auth_user (id, password, is_superuser, username, first_name,
                    last_name, email, is_staff, is_active, date_joined)
                SELECT u, '!', FALSE, 'user' || u, '', '', '', FALSE, TRUE, now()
                  FROM generate_series(1, {USERS}) u""",
            f"""INSERT INTO orders_order (id, reference, buyer_id, status, created_at,
                    updated_at)
                SELECT o, 'R' || o, (o - 1) % {USERS} + 1, 'confirmed', now(), now()
                  FROM generate_series(1, {orders}) o""",
            # Each seat names its session's own workshop and first run, as booked.
            # Seats got an attendee later (orders 0012): the buyer, as the upgrade sets.
            f"""INSERT INTO orders_orderitem (id, order_id, buyer_id, session_id, run_id,
                    workshop_id, price, status, created_at{"" if legacy else ", attendee_id"})
                SELECT i, (i - 1) / {SEATS_PER_ORDER} + 1,
                       ((i - 1) / {SEATS_PER_ORDER}) % {USERS} + 1, i,
                       (i - 1) % {workshops} + 1, (i - 1) % {workshops} + 1, 0, 'active', now()
                       {"" if legacy else f", ((i - 1) / {SEATS_PER_ORDER}) % {USERS} + 1"}
                  FROM generate_series(1, {sessions}) i""",
        ]
    statements.append("SET session_replication_role = origin")
    tables = ["workshops_workshop", "workshops_workshoprun", "workshops_workshopsession"]
    if not legacy:
        tables += ["auth_user", "orders_order", "orders_orderitem"]
    statements += [
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        for table in tables
    ]
    with connect(url) as conn:
        for statement in statements:
            conn.execute(statement)
        conn.execute("VACUUM ANALYZE")


def anti_join_statements() -> list[str]:
    """The bare anti-join of every check the audit runs (all named; PostgreSQL enforces
    every foreign key here, so no ``fk:`` check is added)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    django.setup()
    from core import invariants as registry

    return [
        f"SELECT count(*) FROM {check.table} t WHERE {check.condition}"
        for invariant in registry.registered()
        for check in invariant.checks
    ]


SEED_000_FIX = [
    # Seed 000's INSERT of default runs, on this schema.
    """INSERT INTO workshops_workshoprun (workshop_id, name, name_ar, start_date, end_date,
           is_default, created_at)
       SELECT s.workshop_id, 'Default run – ' || w.title,
              'الدورة الافتراضية – ' || COALESCE(NULLIF(w.title_ar, ''), w.title),
              MIN(s.date), MAX(s.date), TRUE, now()
         FROM workshops_workshopsession s JOIN workshops_workshop w ON w.id = s.workshop_id
        WHERE NOT EXISTS (SELECT 1 FROM workshops_workshoprun r
                           WHERE r.id = s.run_id AND r.workshop_id = s.workshop_id)
        GROUP BY s.workshop_id, w.title, w.title_ar""",
    # Its UPDATE, numbering the moved sessions after the default run's highest number.
    """UPDATE workshops_workshopsession SET run_id = m.run_id, number = m.number
         FROM (SELECT s.id, d.id AS run_id,
                      COALESCE((SELECT MAX(x.number) FROM workshops_workshopsession x
                                 WHERE x.run_id = d.id), 0)
                      + ROW_NUMBER() OVER (
                          PARTITION BY d.id ORDER BY s.date, s.start_time, s.id) AS number
                 FROM workshops_workshopsession s
                 JOIN workshops_workshoprun d ON d.workshop_id = s.workshop_id AND d.is_default
                WHERE NOT EXISTS (SELECT 1 FROM workshops_workshoprun r
                                   WHERE r.id = s.run_id AND r.workshop_id = s.workshop_id)) m
        WHERE workshops_workshopsession.id = m.id""",
]


def copy_database(url: str, name: str) -> str:
    server, source = url.rsplit("/", 1)
    with connect(f"{server}/postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    return f"{server}/{name}"


def drop_database(url: str) -> None:
    server, name = url.rsplit("/", 1)
    with connect(f"{server}/postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(url: str, *target: str) -> None:
    result = command(url, "migrate", "--no-input", "-v0", *target)
    if result.code != 0:
        fail(f"migrate {' '.join(target)} failed:\n{result.out}")


def measure(url: str, sessions: int) -> dict[str, float]:
    print(f"== {sessions:,} sessions, {sessions:,} order items", flush=True)
    recreate_database(url)
    migrate(url)
    started = time.perf_counter()
    fill(url, sessions)
    print(f"filled in {time.perf_counter() - started:.1f} s", flush=True)

    audit = command(url, "check_integrity")
    if audit.code != 1:
        fail(f"check_integrity should have found the broken rows:\n{audit.out}")
    print(audit.out.rstrip())
    raw_audit = sql_time(url, anti_join_statements())
    print(
        f"check_integrity: {audit.seconds:.2f} s, peak {audit.peak_mb:.0f} MB; "
        f"bare anti-joins: {raw_audit:.2f} s"
    )

    ours = copy_database(url, f"{url.rsplit('/', 1)[1]}_repair")
    theirs = copy_database(url, f"{url.rsplit('/', 1)[1]}_raw")
    repair = command(ours, "repair_integrity", "--only", "session_run_workshop", "--no-input")
    if repair.code != 0:
        fail(f"repair_integrity failed:\n{repair.out}")
    raw_repair = sql_time(theirs, SEED_000_FIX, transaction=True)
    after = command(ours, "check_integrity", "--only", "session_run_workshop")
    if after.code != 0:
        fail(f"the repair left violations:\n{after.out}")
    print(
        f"repair_integrity --only session_run_workshop: {repair.seconds:.2f} s, peak "
        f"{repair.peak_mb:.0f} MB; seed 000's raw SQL: {raw_repair:.2f} s"
    )
    drop_database(ours)
    drop_database(theirs)

    legacy = f"{url}_legacy"
    recreate_database(legacy)
    migrate(legacy, "workshops", "0002")
    fill(legacy, sessions, legacy=True)
    upgrade = command(legacy, "migrate", "--no-input", "-v0")
    if upgrade.code != 0:
        fail(f"the legacy upgrade failed:\n{upgrade.out}")
    print(f"legacy migrate: {upgrade.seconds:.1f} s, peak {upgrade.peak_mb:.0f} MB")
    drop_database(legacy)
    return {
        "audit": audit.seconds,
        "raw_audit": raw_audit,
        "repair": repair.seconds,
        "raw_repair": raw_repair,
        "migrate": upgrade.seconds,
        "audit_mb": audit.peak_mb,
        "repair_mb": repair.peak_mb,
    }


def human(count: int) -> str:
    if count % 1_000_000 == 0:
        return f"{count // 1_000_000}M"
    return f"{count // 1000}k" if count % 1000 == 0 else str(count)


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        fail("DATABASE_URL must name a PostgreSQL database (make bench-integrity sets it)")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    results = {size: measure(url, size) for size in SIZES}
    import django

    django.setup()
    from bench.harness import machine

    print(f"machine: {machine()}")
    largest = max(results)
    figures = results[largest]
    for size, figures_at in results.items():
        print(
            f"peak memory at {size:,} sessions: check_integrity {figures_at['audit_mb']:.0f} MB, "
            f"repair_integrity {figures_at['repair_mb']:.0f} MB"
        )
    print(f"audit: {figures['audit']:.1f} s at {largest:,} sessions")
    print(f"legacy migrate {human(largest)} sessions: {figures['migrate']:.0f} s")
    print(f"repair vs raw SQL: {figures['repair'] / figures['raw_repair']:.2f}")
    print(f"audit vs raw anti-joins: {figures['audit'] / figures['raw_audit']:.2f}")


if __name__ == "__main__":
    main()
