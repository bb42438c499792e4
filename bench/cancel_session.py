"""Cancelling a session in the admin costs the same with 200 seats as with 2 (target:
the ratio at most 1.5), because the buyers' emails are rows queued in the same
transaction and sent later by the worker, not SMTP conversations in the request.

In-process, as ``bench.scaling``: the admin's "Cancel selected sessions" action posted
through Django's test client under the bench settings (the database queue), each time
on a fresh session, sessions of 2 and of 200 seats in turn; the median of ``REPEATS``.

``python -m bench.cancel_session`` runs it alone on a fresh ``DATABASE_URL`` database.
"""

from __future__ import annotations

import datetime
import statistics
import time
from dataclasses import dataclass

from bench.harness import fail, standalone_setup

FEW, MANY = 2, 200
REPEATS = 9


@dataclass(frozen=True)
class CancelTiming:
    few_ms: float
    many_ms: float

    @property
    def ratio(self) -> float:
        return self.many_ms / self.few_ms


def _session_with_seats(run, number: int, seats: int):
    """A session of ``run`` with ``seats`` seats booked, each by its own buyer, and their
    confirmations already sent (so the cancel's own emails are what is measured)."""
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.db.models import F

    from orders.models import Order, OrderItem
    from workshops.models import WorkshopSession

    with transaction.atomic():
        session = WorkshopSession.objects.create(
            run=run,
            workshop_id=run.workshop_id,
            number=number,
            date=run.start_date,
            start_time=datetime.time(9),
            end_time=datetime.time(11),
            capacity=MANY,
        )
        buyers = User.objects.bulk_create(
            User(username=f"cancel-{session.pk}-{n}", email=f"cancel-{session.pk}-{n}@example.org")
            for n in range(seats)
        )
        orders = Order.objects.bulk_create(Order(buyer=buyer) for buyer in buyers)
        OrderItem.objects.bulk_create(
            OrderItem(
                order=order,
                buyer=order.buyer,
                attendee=order.buyer,
                session=session,
                run_id=run.pk,
                workshop_id=run.workshop_id,
                price=0,
            )
            for order in orders
        )
        WorkshopSession.objects.filter(pk=session.pk).update(seats_taken=F("seats_taken") + seats)
    return session


def _cancel(client, session) -> float:
    path = "/admin/workshops/workshopsession/"
    started = time.perf_counter()
    response = client.post(
        path, {"action": "cancel_sessions", "_selected_action": [session.pk], "apply": "1"}
    )
    elapsed = time.perf_counter() - started
    if response.status_code != 302:
        fail(f"the cancel action answered {response.status_code} while measuring")
    return elapsed


def run() -> CancelTiming:
    """Expects Django set up on a migrated database."""
    from django.contrib.auth.models import User
    from django.test import Client

    from emails.models import Email
    from orders.models import OrderItem
    from workshops.models import Workshop, WorkshopRun

    workshop = Workshop.objects.create(title="Cancel bench", slug="cancel-bench")
    start = datetime.date.today() + datetime.timedelta(days=30)
    run_ = WorkshopRun.objects.create(
        workshop=workshop, name="Bench", start_date=start, end_date=start
    )
    staff = User.objects.create_superuser("cancel-bench-staff", password=None)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(staff)
    few, many = [], []
    number = 0
    for repeat in range(REPEATS + 1):  # the first pair warms up
        for seats, timings in ((FEW, few), (MANY, many)):
            number += 1
            session = _session_with_seats(run_, number, seats)
            elapsed = _cancel(client, session)
            if OrderItem.objects.filter(session=session, status="active").exists():
                fail("the cancel action left seats active")
            if (
                Email.objects.filter(
                    context__seat__in=list(session.seats.values_list("pk", flat=True))
                ).count()
                != seats
            ):
                fail("the cancel action did not queue one email per seat")
            if repeat:
                timings.append(elapsed)
    return CancelTiming(statistics.median(few) * 1000, statistics.median(many) * 1000)


def report(timing: CancelTiming) -> None:
    print(f"cancel a session in the admin: median of {REPEATS}, in-process")
    print(f"{'seats':>5} {'ms':>7}")
    print(f"{FEW:>5} {timing.few_ms:>7.1f}")
    print(f"{MANY:>5} {timing.many_ms:>7.1f}")


def main() -> None:
    standalone_setup()
    timing = run()
    report(timing)
    print(f"cancel a session of {MANY} seats vs {FEW}: {timing.ratio:.2f}")


if __name__ == "__main__":
    main()
