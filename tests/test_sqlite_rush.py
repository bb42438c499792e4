"""`make run`'s database holds a rush: on SQLite, in a file, with the server `make run`
starts (runserver, a thread per request, DEBUG on), concurrent bookings wait their
turn instead of failing, and a request that cannot get the database in time is a 503
with ``Retry-After``, never a 500.

This test starts its own server on its own SQLite file, whatever database the suite
runs on; it runs in the SQLite pass, where the embedded default is what is tested.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection

STUDENTS = 8
ROUNDS = 3
HOT_SEATS = 3
CSRF = "rushrushrushrushrushrushrushrush"  # any 32 letters: cookie and header agree
SQLITE_TIMEOUT = 5  # seconds a writer waits for its turn in this test's server

# Made in the server's database before it starts: a workshop with a session per
# student per round, one hot session of HOT_SEATS seats, and the students, each with
# a signed-in browser session. Prints the slug, session ids and cookies as JSON.
SETUP = f"""
import datetime, json
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from workshops.models import Workshop, WorkshopRun, WorkshopSession
start = timezone.localdate() + datetime.timedelta(days=3)
workshop = Workshop.objects.create(title="Rush", slug="rush", default_capacity=5)
run = WorkshopRun.objects.create(workshop=workshop, name="Rush run", start_date=start,
                                 end_date=start + datetime.timedelta(days=30))
def session(day, **fields):
    return WorkshopSession.objects.create(run=run, date=start + datetime.timedelta(days=day),
        start_time=datetime.time(18), end_time=datetime.time(20), **fields).pk
spread = [session(n) for n in range({STUDENTS * ROUNDS})]
hot = session(29, capacity={HOT_SEATS})
cookies = []
for n in range({STUDENTS}):
    client = Client()
    client.force_login(User.objects.create_user(f"student{{n}}", password=None))
    cookies.append(client.cookies["sessionid"].value)
print(json.dumps({{"spread": spread, "hot": hot, "cookies": cookies}}))
"""

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="starts its own SQLite server; it runs once, in the SQLite pass",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """``manage.py runserver`` as `make run` starts it, on its own SQLite file."""

    def __init__(self, folder: Path) -> None:
        self.database = folder / "rush.sqlite3"
        self.port = free_port()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": f"sqlite:///{self.database}",
            "STUDYHALL_SQLITE_TIMEOUT": str(SQLITE_TIMEOUT),
            "DJANGO_LOG_LEVEL": "ERROR",
        }
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("runserver did not answer within 30 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def request(
        self, method: str, path: str, *, cookie: str = "", body: str = ""
    ) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": "127.0.0.1"}
        if cookie:
            headers |= {
                "Cookie": f"sessionid={cookie}; csrftoken={CSRF}",
                "X-CSRFToken": CSRF,
                "Content-Type": "application/x-www-form-urlencoded",
            }
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            conn.close()

    def book(self, cookie: str, session_id: int) -> tuple[int, dict[str, str], str]:
        body = urlencode({"session": session_id})
        return self.request("POST", "/workshops/rush/book/", cookie=cookie, body=body)

    def rows(self, sql: str, *params) -> list[tuple]:
        with sqlite3.connect(self.database) as db:
            return db.execute(sql, params).fetchall()


@pytest.fixture
def server(tmp_path):
    server = Server(tmp_path)
    server.manage("migrate", "--no-input", "-v", "0")
    made = json.loads(server.manage("shell", "-v", "0", "-c", SETUP))
    server.start()
    yield server, made
    server.stop()


def rush(count: int, work) -> list:
    """``work(i)`` in ``count`` threads released at once."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(i: int) -> None:
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return results


def test_a_rush_of_bookings_on_the_embedded_database_all_go_through(server):
    server, made = server
    cookies, spread = made["cookies"], made["spread"]
    statuses: Counter = Counter()
    for round_ in range(ROUNDS):
        sessions = spread[round_ * STUDENTS : (round_ + 1) * STUDENTS]
        statuses.update(rush(STUDENTS, lambda i, s=sessions: server.book(cookies[i], s[i])[0]))
    assert statuses == Counter({302: STUDENTS * ROUNDS}), statuses
    booked = server.rows(
        "SELECT s.id, s.seats_taken, COUNT(i.id) FROM workshops_workshopsession s "
        "LEFT JOIN orders_orderitem i ON i.session_id = s.id AND i.status = 'active' "
        f"WHERE s.id IN ({', '.join(map(str, spread))}) GROUP BY s.id"
    )
    assert sorted(booked) == [(pk, 1, 1) for pk in sorted(spread)]

    results = rush(STUDENTS, lambda i: server.book(cookies[i], made["hot"])[0])
    assert Counter(results) == Counter({302: HOT_SEATS, 409: STUDENTS - HOT_SEATS}), results
    assert server.rows(
        "SELECT seats_taken, (SELECT COUNT(*) FROM orders_orderitem "
        "WHERE session_id = ? AND status = 'active') FROM workshops_workshopsession "
        "WHERE id = ?",
        made["hot"],
        made["hot"],
    ) == [(HOT_SEATS, HOT_SEATS)]
    assert server.manage("check_integrity").splitlines()[-1] == "All invariants hold."


def test_a_booking_that_cannot_get_the_database_in_time_is_a_503(server):
    server, made = server
    holder = sqlite3.connect(server.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer that does not let go
    try:
        status, headers, page = server.book(made["cookies"][0], made["spread"][0])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert status == 503
    assert headers["Retry-After"] == "5"
    assert "Studyhall is briefly unavailable" in page
    assert "Traceback" not in page
    assert server.rows("SELECT COUNT(*) FROM orders_orderitem") == [(0,)]
    assert server.book(made["cookies"][0], made["spread"][0])[0] == 302  # and it recovers
