"""`make bench`: booking throughput through gunicorn, against a raw-SQL baseline.

Load comes from wrk (Debian's package). It is a C load generator that needs little
CPU, which matters on a two-core machine shared with gunicorn and PostgreSQL, and
its Lua hooks let every request carry its own logged-in user and session. Each
request books a distinct (user, session) pair, so every request should book a seat:
a 4xx/5xx answer or a socket error counts as an error, and the bookings in the
database are counted after each phase.

Phases, all in one run on one freshly made database:
  1. warm-up of both endpoints;
  2. the real booking view, POST /workshops/<slug>/book/ (ORM, form, service), then
     the baseline, POST /bench/raw-book/, the same transaction in raw SQL behind the
     same middleware; twice, alternating, and the figures are the sums of both rounds.
After each phase the benchmark checks that no session is oversold (seats taken
<= capacity, and seats taken == active seats).
  3. chat logging (bench/chat.py), once gunicorn has stopped: 16 writer processes log
     exchanges through ``chat_exchange_log``, then the same statements in raw SQL,
     warmed up and alternating the same way; every message is counted.
  4. lists that scale (bench/scaling.py): the store's and My orders' first page with
     500 rows behind them over the same with 10, in-process.
The last four lines printed are the ratios: booking, chat logging, the store page and
My orders.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from bench import cancel_session, chat, scaling
from bench.harness import (
    ROOT,
    fail,
    gunicorn,
    logged_in,
    machine,
    oversold_sessions,
    recreate_database,
)

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = 2  # ORM and raw phases alternate, so drift on a shared machine hits both
WARMUP_SECONDS = 3
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = 2
USERS = 200  # each thread drives half of them
SESSIONS_PER_PHASE = 400
SLUG = "bench-workshop"

LUA = r"""
local users = %(users)s
local sessions = %(sessions)s
local path = "%(path)s"
local per_thread = %(per_thread)d
local counter = 0
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end

-- Request c of a thread books session c mod S for user floor(c / S): in-flight requests
-- hit different sessions, and no (user, session) pair repeats within S * users requests.
function request()
  local s = sessions[(counter %% #sessions) + 1]
  local u = users[tid * per_thread + (math.floor(counter / #sessions) %% per_thread) + 1]
  counter = counter + 1
  local body = "csrfmiddlewaretoken=" .. u[2] .. "&session=" .. s
  return wrk.format("POST", path, {
    ["Cookie"] = u[1],
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    'BENCH_JSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, ' ..
    '"p99_us": %%d, "status_errors": %%d, "socket_errors": %%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout))
end
"""


@dataclass
class PhaseResult:
    name: str
    requests: int
    booked: int
    seconds: float
    p50_ms: float
    p95_ms: float
    status_errors: int
    socket_errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def bookings_per_second(self) -> float:
        return self.booked / self.seconds

    @property
    def errors(self) -> int:
        return self.status_errors + self.socket_errors


def combined(rounds: list[PhaseResult]) -> PhaseResult:
    """One result for several rounds: totals, and the worst round's latencies."""
    return PhaseResult(
        name=rounds[0].name,
        requests=sum(r.requests for r in rounds),
        booked=sum(r.booked for r in rounds),
        seconds=sum(r.seconds for r in rounds),
        p50_ms=max(r.p50_ms for r in rounds),
        p95_ms=max(r.p95_ms for r in rounds),
        status_errors=sum(r.status_errors for r in rounds),
        socket_errors=sum(r.socket_errors for r in rounds),
    )


def seed() -> tuple[list[tuple[str, str]], list[list[int]]]:
    """Users with live login sessions, and one range of sessions per phase."""
    from django.contrib.auth.models import User

    from workshops.models import Workshop, WorkshopRun, WorkshopSession

    today = datetime.date.today()
    workshop = Workshop.objects.create(title="Bench workshop", slug=SLUG, default_capacity=USERS)
    phases = ["warm-orm", "warm-raw"] + [
        f"{kind}-{n}" for n in range(ROUNDS) for kind in ("orm", "raw")
    ]
    ranges = []
    for phase in phases:
        run = WorkshopRun.objects.create(
            workshop=workshop,
            name=phase,
            start_date=today + datetime.timedelta(days=1),
            end_date=today + datetime.timedelta(days=SESSIONS_PER_PHASE),
        )
        sessions = WorkshopSession.objects.bulk_create(
            WorkshopSession(
                workshop=workshop,
                run=run,
                number=n + 1,
                date=run.start_date + datetime.timedelta(days=n),
                start_time=datetime.time(9),
                end_time=datetime.time(12),
                capacity=USERS,
            )
            for n in range(SESSIONS_PER_PHASE)
        )
        ranges.append([s.pk for s in sessions])
    users = [
        logged_in(User.objects.create_user(f"bench{n:03}", password=None)) for n in range(USERS)
    ]
    return users, ranges


def lua_list(values) -> str:
    return (
        "{"
        + ", ".join(
            json.dumps(v)
            if not isinstance(v, tuple)
            else "{" + ", ".join(json.dumps(x) for x in v) + "}"
            for v in values
        )
        + "}"
    )


def run_phase(name, base_url, path, users, session_ids, seconds) -> PhaseResult:
    from django.db import connection

    from orders.models import OrderItem

    script = LUA % {
        "users": lua_list(users),
        "sessions": lua_list(session_ids),
        "path": path,
        "per_thread": len(users) // THREADS,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    connection.close()
    completed = subprocess.run(
        ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", handle.name, base_url],
        capture_output=True,
        text=True,
        check=False,
    )
    os.unlink(handle.name)
    line = next((x for x in completed.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        fail(f"wrk gave no result for {name}: {completed.stderr.strip() or completed.stdout}")
    stats = json.loads(line.removeprefix("BENCH_JSON "))
    booked = OrderItem.objects.filter(session_id__in=session_ids, status="active").count()
    return PhaseResult(
        name=name,
        requests=stats["requests"],
        booked=booked,
        seconds=stats["duration_us"] / 1e6,
        p50_ms=stats["p50_us"] / 1000,
        p95_ms=stats["p95_us"] / 1000,
        status_errors=stats["status_errors"],
        socket_errors=stats["socket_errors"],
    )


def main() -> None:
    if shutil.which("wrk") is None:
        fail("wrk is not installed: apt-get install wrk")
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        fail("DATABASE_URL must name a PostgreSQL database (make bench sets it)")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    recreate_database(url)
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, check=True)

    import django

    django.setup()
    users, ranges = seed()
    with gunicorn(workers=WORKERS) as base:
        orm_path, raw_path = f"/workshops/{SLUG}/book/", "/bench/raw-book/"
        run_phase("warm-up orm", base, orm_path, users, ranges[0], WARMUP_SECONDS)
        run_phase("warm-up raw", base, raw_path, users, ranges[1], WARMUP_SECONDS)
        orm_rounds, raw_rounds = [], []
        for n in range(ROUNDS):
            orm_rounds.append(
                run_phase("booking view", base, orm_path, users, ranges[2 + 2 * n], SECONDS)
            )
            raw_rounds.append(
                run_phase("raw SQL baseline", base, raw_path, users, ranges[3 + 2 * n], SECONDS)
            )
        orm, raw = combined(orm_rounds), combined(raw_rounds)

    oversold = oversold_sessions()
    chat_service, chat_raw = chat.run(seconds=SECONDS, rounds=ROUNDS, warmup=WARMUP_SECONDS)
    print(f"machine: {machine()}")
    print(
        f"load: wrk, {THREADS} threads, {CONNECTIONS} connections, {ROUNDS} rounds of "
        f"{SECONDS} s per endpoint; "
        f"gunicorn {WORKERS} sync workers, persistent connections"
    )
    print(
        f"{'endpoint':<18} {'req/s':>8} {'booked/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'errors':>7}"
    )
    for phase in (orm, raw):
        print(
            f"{phase.name:<18} {phase.rps:>8.1f} {phase.bookings_per_second:>9.1f} "
            f"{phase.p50_ms:>7.1f} {phase.p95_ms:>7.1f} {phase.errors:>7d}"
        )
    print(f"oversold sessions: {oversold}")
    if oversold or orm.socket_errors or raw.socket_errors:
        fail("the benchmark found oversold sessions or socket errors")
    print(
        f"chat: {chat.WRITERS} writer processes, {chat.NEW_SESSION_SHARE:.0%} of exchanges in "
        f"a new session, {ROUNDS} rounds of {SECONDS} s per path"
    )
    print(f"{'path':<18} {'exch/s':>8} {'messages':>9} {'lost':>5} {'miscounted':>10}")
    for path, phase in (("chat service", chat_service), ("raw SQL baseline", chat_raw)):
        print(
            f"{path:<18} {phase.per_second:>8.1f} {phase.messages:>9d} {phase.lost:>5d} "
            f"{phase.miscounted:>10d}"
        )
    if chat_service.lost or chat_raw.lost or chat_service.miscounted or chat_raw.miscounted:
        fail("chat logging lost or miscounted messages")
    chat_ratio = chat_service.per_second / chat_raw.per_second
    lists = scaling.run()
    scaling.report(lists)
    cancelling = cancel_session.run()
    cancel_session.report(cancelling)
    print(f"booking throughput vs raw SQL: {orm.bookings_per_second / raw.bookings_per_second:.2f}")
    print(f"chat logging vs raw SQL: {chat_ratio:.2f}")
    for result in lists:
        print(f"{result.label}: {result.ratio:.2f}")
    print(
        f"cancel a session of {cancel_session.MANY} seats vs {cancel_session.FEW}: "
        f"{cancelling.ratio:.2f}"
    )


if __name__ == "__main__":
    main()
