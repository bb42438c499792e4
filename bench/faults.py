"""`make bench-faults`: what users see when the database goes away, and two app servers
racing for the last seats.

1. Database restarts. gunicorn (4 workers, persistent connections) serves 4 users, each
   looping over the store, a booking and My orders for 10 s, while every 0.5 s every
   connection to the database is terminated, as a restarting server would. Every answer
   is counted by status: a lost connection must be a 503 (with Retry-After), never a
   500. Then the app, not restarted, must answer normally, and every session's seat
   count must still equal its active seats.
2. Two app servers. Two gunicorns (2 workers each) on one PostgreSQL; 40 users, half
   on each server, post a booking for the same session's last 5 seats at once, in
   several rounds. Exactly 5 must be sold each round, none oversold.

Prints one line per part and exits 2 if a rule was broken.
"""

from __future__ import annotations

import datetime
import http.client
import os
import random
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

from bench.harness import (
    fail,
    gunicorn,
    logged_in,
    oversold_sessions,
    standalone_setup,
)

SECONDS = int(os.environ.get("BENCH_FAULT_SECONDS", "10"))
KILL_EVERY = 0.5
USERS = 4
RACERS = 40
LAST_SEATS = 5
ROUNDS = 3


def request(base: str, method: str, path: str, cookie: str, body: str = "") -> int:
    """One request; its status, or 0 when the connection itself failed."""
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    headers = {"Cookie": cookie}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status == 503 and not response.getheader("Retry-After"):
            return -503  # a 503 without Retry-After is a fault of its own
        return response.status
    except OSError:
        return 0
    finally:
        connection.close()


def make_schedule(*, sessions: int, capacity: int, slug: str):
    from workshops.models import Workshop, WorkshopRun, WorkshopSession

    today = datetime.date.today()
    workshop = Workshop.objects.create(title=slug, slug=slug, default_capacity=capacity)
    run = WorkshopRun.objects.create(
        workshop=workshop,
        name="Run",
        start_date=today + datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=sessions),
    )
    return workshop, WorkshopSession.objects.bulk_create(
        WorkshopSession(
            workshop=workshop,
            run=run,
            number=n + 1,
            date=run.start_date + datetime.timedelta(days=n),
            start_time=datetime.time(9),
            end_time=datetime.time(12),
            capacity=capacity,
        )
        for n in range(sessions)
    )


def users(prefix: str, count: int) -> list[tuple[str, str]]:
    from django.contrib.auth.models import User

    return [logged_in(User.objects.create_user(f"{prefix}{n:03}")) for n in range(count)]


def kill_connections(database: str, stop: threading.Event, kills: list[int]) -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    with psycopg.connect(url, autocommit=True) as admin:
        while not stop.wait(KILL_EVERY):
            killed = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid() "
                "AND backend_type = 'client backend'",
                [database],
            ).fetchone()[0]
            kills.append(killed)


def database_restarts() -> tuple[Counter, bool]:
    workshop, sessions = make_schedule(sessions=200, capacity=1000, slug="faults")
    people = users("fault", USERS)
    statuses: Counter = Counter()
    lock = threading.Lock()
    stop = threading.Event()
    kills: list[int] = []
    with gunicorn(workers=4) as base:

        def browse(cookie: str, token: str) -> None:
            chooser = random.Random(cookie)
            while not stop.is_set():
                session = chooser.choice(sessions)
                body = f"csrfmiddlewaretoken={token}&session={session.pk}"
                for method, path, data in (
                    ("GET", "/workshops/", ""),
                    ("POST", f"/workshops/{workshop.slug}/book/", body),
                    ("GET", "/orders/", ""),
                ):
                    status = request(base, method, path, cookie, data)
                    with lock:
                        statuses[status] += 1

        database = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
        killer = threading.Thread(target=kill_connections, args=(database, stop, kills))
        threads = [threading.Thread(target=browse, args=person) for person in people]
        for thread in [killer, *threads]:
            thread.start()
        time.sleep(SECONDS)
        stop.set()
        for thread in [killer, *threads]:
            thread.join(30)
        # The same app, not restarted: the next requests are served normally.
        recovered = all(request(base, "GET", "/workshops/", people[0][0]) == 200 for _ in range(8))
    # This process's own connection was terminated too.
    from django.db import connection

    connection.close()
    print(f"  connections terminated: {sum(kills)} in {len(kills)} rounds")
    return statuses, recovered


def two_servers() -> list[tuple[Counter, int]]:
    from orders.models import OrderItem
    from workshops.models import WorkshopSession

    people = users("racer", RACERS)
    workshop, sessions = make_schedule(sessions=ROUNDS, capacity=LAST_SEATS, slug="two-servers")
    rounds = []
    with gunicorn(workers=2) as first, gunicorn(workers=2) as second:
        for session in sessions:
            barrier = threading.Barrier(RACERS)
            statuses: Counter = Counter()
            lock = threading.Lock()

            def book(
                n: int, session=session, barrier=barrier, statuses=statuses, lock=lock
            ) -> None:
                cookie, token = people[n]
                base = first if n % 2 else second
                body = f"csrfmiddlewaretoken={token}&session={session.pk}"
                barrier.wait()
                status = request(base, "POST", f"/workshops/{workshop.slug}/book/", cookie, body)
                with lock:
                    statuses[status] += 1

            threads = [threading.Thread(target=book, args=(n,)) for n in range(RACERS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            sold = OrderItem.objects.filter(session=session, status="active").count()
            taken = WorkshopSession.objects.get(pk=session.pk).seats_taken
            rounds.append((statuses, sold if sold == taken else -1))
    return rounds


def main() -> None:
    standalone_setup(made_by=" (make bench-faults sets it)")

    print(
        f"database restarts: {USERS} users for {SECONDS} s, every connection terminated "
        f"every {KILL_EVERY} s"
    )
    statuses, recovered = database_restarts()
    answers = ", ".join(f"{status or 'no answer'}: {n}" for status, n in sorted(statuses.items()))
    print(f"  answers by status: {answers}")
    print(f"  served normally afterwards without a restart: {'yes' if recovered else 'NO'}")
    broken = statuses[500] + statuses[-503]
    oversold = oversold_sessions()
    print(
        f"  500s: {statuses[500]}; 503s without Retry-After: {statuses[-503]}; "
        f"seat counts wrong: {oversold}"
    )

    print(f"two app servers: {RACERS} users, half on each, for the last {LAST_SEATS} seats")
    rounds = two_servers()
    for n, (answer, sold) in enumerate(rounds, start=1):
        codes = ", ".join(f"{status}: {count}" for status, count in sorted(answer.items()))
        print(f"  round {n}: sold {sold} (answers {codes})")
    oversold += oversold_sessions()
    if broken or not recovered or oversold or any(sold != LAST_SEATS for _, sold in rounds):
        fail("a fault was not handled: see the lines above")
    print("faults: no 500, recovery without restart, no seat oversold")


if __name__ == "__main__":
    main()
