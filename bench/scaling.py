"""Lists that scale: the server time of a page's first page with 500 rows behind it,
over the time with 10, measured in the same run (target: at most 1.5).

Two pages: the store (``/workshops/``, 10 then 500 active workshops, each with two runs
of three sessions, in four categories) and My orders (``/orders/``, a student with 10
orders of one seat each and one with 500, booked through ``seat_book``). Each page is
asked in-process through Django's test client under the bench settings (the
production middleware, a persistent connection): after warm-up requests, the median
of ``REQUESTS`` timed requests. No HTTP server or network is in the figure: it is the
server's own work, which is what grows with the rows. The tables are vacuumed and
analysed after each bulk write, and the two sides are measured in turn (the store's
10 before and after its 500; the two students request by request), so neither stale
statistics nor a busy moment on the shared machine falls on one side only.

Run by ``make bench`` after the other phases; ``python -m bench.scaling`` runs it
alone on a fresh ``DATABASE_URL`` database.
"""

from __future__ import annotations

import datetime
import statistics
import time
from dataclasses import dataclass
from decimal import Decimal

from bench.harness import fail, standalone_setup

SMALL, LARGE = 10, 500
WARMUP = 5
REQUESTS = 21


@dataclass(frozen=True)
class Timing:
    rows: int
    median_ms: float
    kilobytes: float


@dataclass(frozen=True)
class Scaling:
    label: str
    small: Timing
    large: Timing

    @property
    def ratio(self) -> float:
        return self.large.median_ms / self.small.median_ms


def _timed(client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        fail(f"{path} answered {response.status_code} while measuring")
    return elapsed


def _warm(client, path: str) -> int:
    for _ in range(WARMUP):
        response = client.get(path)
    return len(response.content)


def _settle(*tables: str) -> None:
    """Vacuum and analyse: fresh planner statistics after bulk writes, and nothing left
    for autovacuum to start in the middle of a measurement."""
    from django.db import connection

    with connection.cursor() as cursor:
        if tables:
            cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")
        else:
            cursor.execute("VACUUM ANALYZE")


SCHEDULE_TABLES = ("workshops_workshop", "workshops_workshoprun", "workshops_workshopsession")
ORDER_TABLES = ("orders_order", "orders_orderitem", "workshops_workshopsession")


def _add_workshops(first: int, count: int, categories) -> None:
    from core.text import search_document
    from workshops.models import Workshop, WorkshopRun, WorkshopSession

    today = datetime.date.today()
    workshops = Workshop.objects.bulk_create(
        Workshop(
            title=f"Scaling workshop {n:03}",
            title_ar=f"ورشة القياس {n:03}",
            slug=f"scaling-{n:03}",
            description="Two runs of three sessions, for measuring the store's pages.",
            default_capacity=20,
            price=Decimal(n % 7 * 10),
            category=categories[n % len(categories)],
            search_document=search_document(f"Scaling workshop {n:03}", f"ورشة القياس {n:03}"),
        )
        for n in range(first, first + count)
    )
    runs = WorkshopRun.objects.bulk_create(
        WorkshopRun(
            workshop=workshop,
            name=f"Run {r + 1}",
            start_date=today + datetime.timedelta(days=1 + (n * 3) % 40 + 45 * r),
            end_date=today + datetime.timedelta(days=1 + (n * 3) % 40 + 45 * r + 2),
        )
        for n, workshop in enumerate(workshops)
        for r in range(2)
    )
    WorkshopSession.objects.bulk_create(
        WorkshopSession(
            workshop_id=run.workshop_id,
            run=run,
            number=d + 1,
            date=run.start_date + datetime.timedelta(days=d),
            start_time=datetime.time(9),
            end_time=datetime.time(12),
            capacity=20,
        )
        for run in runs
        for d in range(3)
    )


def _book(buyer, count: int) -> None:
    from orders.services.booking import seat_book
    from workshops.models import WorkshopSession

    sessions = (
        WorkshopSession.objects.filter(workshop__slug__startswith="scaling-")
        .exclude(seats__buyer=buyer)
        .select_related("workshop")
        .order_by("id")[:count]
    )
    for session in sessions:
        seat_book(buyer=buyer, workshop=session.workshop, session_id=session.pk)


def _store(client, categories) -> Scaling:
    """10 workshops, then 500, then the 490 added made inactive (10 again): the 10 is the
    median of both, so drift on a shared machine does not land on one side."""
    from workshops.models import Workshop

    path = "/workshops/"
    _add_workshops(0, SMALL, categories)
    _settle(*SCHEDULE_TABLES)
    size_small = _warm(client, path)
    small = [_timed(client, path) for _ in range(REQUESTS)]
    _add_workshops(SMALL, LARGE - SMALL, categories)
    _settle(*SCHEDULE_TABLES)
    size_large = _warm(client, path)
    large = [_timed(client, path) for _ in range(REQUESTS)]
    added = Workshop.objects.filter(slug__startswith="scaling-").exclude(
        slug__in=[f"scaling-{n:03}" for n in range(SMALL)]
    )
    added.update(is_active=False)
    _settle(*SCHEDULE_TABLES)
    _warm(client, path)
    small += [_timed(client, path) for _ in range(REQUESTS)]
    added.update(is_active=True)
    return Scaling(
        "store page at 500 workshops vs 10",
        Timing(SMALL, statistics.median(small) * 1000, size_small / 1024),
        Timing(LARGE, statistics.median(large) * 1000, size_large / 1024),
    )


def _orders(few, many) -> Scaling:
    """Two students, one with 10 orders and one with 500, asked in turn."""
    path = "/orders/"
    size_small, size_large = _warm(few, path), _warm(many, path)
    small, large = [], []
    for _ in range(REQUESTS):
        small.append(_timed(few, path))
        large.append(_timed(many, path))
    return Scaling(
        "My orders at 500 orders vs 10",
        Timing(SMALL, statistics.median(small) * 1000, size_small / 1024),
        Timing(LARGE, statistics.median(large) * 1000, size_large / 1024),
    )


def _student(username: str):
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    user = User.objects.create_user(username, password=None)
    client.force_login(user)
    return user, client


def run() -> list[Scaling]:
    """Both measurements; expects Django set up on a migrated database."""
    from workshops.models import Category, Workshop

    # The store measured is the scaling workshops alone.
    Workshop.objects.filter(is_active=True).update(is_active=False)
    categories = [
        Category.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in (
            ("art", "Art"),
            ("tech", "Technology"),
            ("lang", "Languages"),
            ("life", "Life skills"),
        )
    ]
    _settle()  # what earlier phases wrote
    few, few_client = _student("scaling-few")
    many, many_client = _student("scaling-many")
    store = _store(few_client, categories)
    _book(few, SMALL)
    _book(many, LARGE)
    _settle(*ORDER_TABLES)
    return [store, _orders(few_client, many_client)]


def report(results: list[Scaling]) -> None:
    """The table of timings; the ratio lines are the caller's to print."""
    print(
        f"lists: median of {REQUESTS} requests in-process after {WARMUP} warm-up, "
        "first page, logged in"
    )
    print(f"{'page':<12} {'rows':>5} {'ms':>7} {'kB':>6}")
    for result in results:
        for timing in (result.small, result.large):
            name = result.label.split(" at ")[0]
            print(f"{name:<12} {timing.rows:>5} {timing.median_ms:>7.1f} {timing.kilobytes:>6.1f}")


def main() -> None:
    standalone_setup()
    results = run()
    report(results)
    for result in results:
        print(f"{result.label}: {result.ratio:.2f}")


if __name__ == "__main__":
    main()
