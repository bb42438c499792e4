"""Real threads, real PostgreSQL transactions: no oversold seat, no double seat, one
host link per session."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass

import pytest
from django.db import IntegrityError, connection
from django.test import Client
from django.urls import reverse

from core.tests.concurrency import race
from core.tests.factories import UserFactory
from orders.models import OrderItem
from orders.rules import BookingError, SessionFull
from orders.services import booking, cancellation
from orders.services.booking import seat_book
from orders.services.checkin import seat_check_in
from workshops import services as workshop_services
from workshops.models import HostSession, WorkshopSession
from workshops.services import HostLinkProvision, host_link_provision
from workshops.tests.factories import WorkshopRunFactory, WorkshopSessionFactory, days_from_today

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def outcome_kinds(results: list[object]) -> Counter:
    return Counter(
        "order" if isinstance(r, OrderItem) else getattr(r, "code", type(r).__name__)
        for r in results
    )


@dataclass
class LastSeats:
    session: WorkshopSession
    buyers: list


@pytest.fixture
def last_five_seats() -> LastSeats:
    """A session of 10 seats with 5 already sold, and 50 buyers waiting."""
    run = WorkshopRunFactory(start_date=days_from_today(3), end_date=days_from_today(9))
    session = WorkshopSessionFactory(run=run, date=days_from_today(4), capacity=10)
    for n in range(5):
        seat_book(
            buyer=UserFactory(username=f"early{n}"), workshop=run.workshop, session_id=session.pk
        )
    buyers = [UserFactory(username=f"racer{n}") for n in range(50)]
    return LastSeats(session, buyers)


def race_for_last_seats(setup: LastSeats) -> tuple[Counter, int, int]:
    session = setup.session
    results = race(
        len(setup.buyers),
        lambda i: seat_book(
            buyer=setup.buyers[i], workshop=session.workshop, session_id=session.pk
        ),
    )
    seats_taken = WorkshopSession.objects.get(pk=session.pk).seats_taken
    active = OrderItem.objects.filter(session=session, status="active").count()
    return outcome_kinds(results), seats_taken, active


def test_the_last_five_seats_go_to_exactly_five_of_fifty_buyers(last_five_seats):
    kinds, seats_taken, active = race_for_last_seats(last_five_seats)
    assert kinds == Counter({"order": 5, "session_full": 45})
    assert seats_taken == active == 10


def without_the_services_guard(monkeypatch) -> None:
    """Booking with no lock and no conditional update: read the count, wait, write the
    count read plus one."""

    def unlocked(session_id, workshop):
        return WorkshopSession.objects.filter(pk=session_id, workshop=workshop).first()

    def unconditional(session):
        time.sleep(0.01)  # the read-modify-write window a real server also has
        WorkshopSession.objects.filter(pk=session.pk).update(seats_taken=session.seats_taken + 1)
        return True

    monkeypatch.setattr(booking, "_lock_session", unlocked)
    monkeypatch.setattr(booking, "_take_seat", unconditional)


@pytest.fixture
def counters_unchecked():
    """The database's check that seats taken count the active seats, switched off."""
    tables = ("orders_orderitem", "workshops_workshopsession")
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"ALTER TABLE {table} DISABLE TRIGGER session_seats_taken_counts_active_seats"
            )
    yield
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"ALTER TABLE {table} ENABLE TRIGGER session_seats_taken_counts_active_seats"
            )


@pytest.mark.usefixtures("counters_unchecked")
def test_control_without_the_guards_the_same_race_oversells(last_five_seats, monkeypatch):
    """Proves the race above can fail: with no lock, no conditional update and no
    database check of the count, the same 50 buyers oversell the session, which the
    assertions above would catch."""
    without_the_services_guard(monkeypatch)
    kinds, seats_taken, active = race_for_last_seats(last_five_seats)
    assert kinds["order"] > 5
    assert active > 10
    assert seats_taken != active


def test_without_the_services_guard_the_database_alone_never_oversells(
    last_five_seats, monkeypatch
):
    """The second line: with the service's lock and conditional update off, PostgreSQL's
    check that seats taken count the active seats refuses every booking that miscounted,
    at its COMMIT, so no more than five are sold and the count stays true."""
    without_the_services_guard(monkeypatch)
    kinds, seats_taken, active = race_for_last_seats(last_five_seats)
    assert 1 <= kinds["order"] <= 5
    assert kinds["IntegrityError"] > 0
    assert seats_taken == active <= 10


def test_a_double_submitted_booking_form_gets_one_seat():
    run = WorkshopRunFactory(start_date=days_from_today(3), end_date=days_from_today(9))
    session = WorkshopSessionFactory(run=run, date=days_from_today(4), capacity=10)
    buyer = UserFactory()
    url = reverse("book", kwargs={"slug": run.workshop.slug})
    clients = []
    for _ in range(6):
        client = Client()
        client.force_login(buyer)
        clients.append(client)

    results = race(6, lambda i: clients[i].post(url, {"session": session.pk}).status_code)

    assert sorted(results) == [302] + [409] * 5
    assert OrderItem.objects.filter(buyer=buyer, status="active").count() == 1
    assert WorkshopSession.objects.get(pk=session.pk).seats_taken == 1


def test_next_available_never_books_a_full_or_cancelled_session_while_others_fill_it():
    run = WorkshopRunFactory(start_date=days_from_today(1), end_date=days_from_today(9))
    open_sessions = [
        WorkshopSessionFactory(run=run, number=n, date=days_from_today(n), capacity=3)
        for n in (2, 4, 6)
    ]
    cancelled = WorkshopSessionFactory(
        run=run, number=3, date=days_from_today(3), capacity=30, cancelled_at="2030-01-01T00:00Z"
    )
    buyers = [UserFactory(username=f"nextav{n}") for n in range(20)]

    results = race(20, lambda i: seat_book(buyer=buyers[i], workshop=run.workshop))

    assert outcome_kinds(results) == Counter({"order": 9, "no_session_available": 11})
    assert not any(isinstance(r, Exception) and not isinstance(r, BookingError) for r in results)
    for session in open_sessions:
        session.refresh_from_db()
        active = OrderItem.objects.filter(session=session, status="active").count()
        assert session.seats_taken == active == 3
    assert not OrderItem.objects.filter(session=cancelled).exists()


# -- host links ---------------------------------------------------------------------


@pytest.fixture
def session_to_host() -> WorkshopSession:
    run = WorkshopRunFactory(start_date=days_from_today(3), end_date=days_from_today(9))
    return WorkshopSessionFactory(run=run, date=days_from_today(4))


def provisioners(count: int, session: WorkshopSession) -> list[object]:
    return race(count, lambda i: host_link_provision(session_id=session.pk))


def assert_one_link(results: list[object], session: WorkshopSession) -> None:
    assert all(isinstance(r, HostLinkProvision) for r in results), results
    assert sum(r.created for r in results) == 1
    link = HostSession.objects.get(session=session)
    assert {r.link.token for r in results} == {link.token}


@pytest.mark.parametrize("count", [2, 8])
def test_provisioners_racing_for_one_session_end_with_one_link(session_to_host, count):
    assert_one_link(provisioners(count, session_to_host), session_to_host)


def unlocked_read(session_id):
    return WorkshopSession.objects.select_related("workshop", "run").filter(pk=session_id).first()


def all_found_no_link(count: int, insert):
    """``insert``, entered only once all ``count`` provisioners have seen no link."""
    everyone = threading.Barrier(count, timeout=30)

    def together(**kwargs):
        everyone.wait()
        return insert(**kwargs)

    return together


def test_without_the_row_lock_the_one_to_one_still_ends_with_one_link(session_to_host, monkeypatch):
    """The one-to-one is the last word: with the lock switched off and every
    provisioner past the "no link yet" check, those that lose the insert get the
    winner's link."""
    monkeypatch.setattr(workshop_services, "_lock_session_for_hosting", unlocked_read)
    insert = all_found_no_link(8, workshop_services._insert_link)
    monkeypatch.setattr(workshop_services, "_insert_link", insert)
    assert_one_link(provisioners(8, session_to_host), session_to_host)


def test_control_without_the_lock_the_provisioners_really_collide(session_to_host, monkeypatch):
    """Proves the race above is real: with no lock and no fallback, the same
    provisioners run into the one-to-one, which refuses every second link."""

    def insert_only(*, session, by, now):
        return HostSession.objects.create(session=session, created_by=by, created_at=now), True

    monkeypatch.setattr(workshop_services, "_lock_session_for_hosting", unlocked_read)
    monkeypatch.setattr(workshop_services, "_insert_link", all_found_no_link(8, insert_only))
    results = provisioners(8, session_to_host)
    assert sum(isinstance(r, IntegrityError) for r in results) == 7
    assert HostSession.objects.filter(session=session_to_host).count() == 1


@pytest.mark.usefixtures("check_in_always_open")
def test_a_door_checked_in_from_several_phones_at_once_keeps_one_time(session_to_host):
    seat = seat_book(
        buyer=UserFactory(), workshop=session_to_host.workshop, session_id=session_to_host.pk
    )
    results = race(6, lambda i: seat_check_in(session=session_to_host, seat_id=seat.pk))
    assert all(isinstance(r, OrderItem) for r in results), results
    stored = OrderItem.objects.get(pk=seat.pk).checked_in_at
    assert stored is not None
    assert {r.checked_in_at for r in results} == {stored}


# -- one lock order for every write path ----------------------------------------------


@pytest.fixture
def order_of_two_seats():
    """One order holding a seat in each of two sessions."""
    from orders.tests.factories import OrderFactory, SeatFactory

    run = WorkshopRunFactory(start_date=days_from_today(3), end_date=days_from_today(9))
    sessions = [
        WorkshopSessionFactory(run=run, number=n, date=days_from_today(3 + n)) for n in (1, 2)
    ]
    order = OrderFactory()
    seats = [SeatFactory(order=order, session=session) for session in sessions]
    return order, seats, sessions


def slow_after_first_lock(monkeypatch):
    """Hold the first locks a while, so the two paths overlap every time."""
    real = cancellation.lock

    def slow(model, ids):
        locked = real(model, ids)
        if model is WorkshopSession:
            time.sleep(0.3)
        return locked

    monkeypatch.setattr(cancellation, "lock", slow)


def test_cancelling_an_order_and_one_of_its_seats_at_once_never_deadlocks(
    order_of_two_seats, monkeypatch
):
    order, seats, sessions = order_of_two_seats
    slow_after_first_lock(monkeypatch)

    results = race(
        2,
        lambda i: (
            cancellation.order_cancel(order=order, by_staff=True)
            if i == 0
            else cancellation.seat_cancel(seat=seats[1])
        ),
    )

    failures = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(r, cancellation.CancelRefused) for r in failures), failures
    assert set(OrderItem.objects.filter(order=order).values_list("status", flat=True)) == {
        "cancelled"
    }
    for session in sessions:
        session.refresh_from_db()
        assert session.seats_taken == 0


def test_control_with_the_opposite_lock_order_the_same_race_deadlocks(order_of_two_seats):
    """Proves the race above can fail: a seat cancel that locks the seat first and the
    session after (the order the code had) deadlocks against an order cancel."""
    from django.db import OperationalError, transaction
    from django.db.models import F

    order, seats, _ = order_of_two_seats

    def seat_first():
        with transaction.atomic():
            OrderItem.objects.select_for_update().get(pk=seats[1].pk)
            time.sleep(1.0)  # long enough for the order cancel to lock the sessions
            WorkshopSession.objects.filter(pk=seats[1].session_id).update(
                seats_taken=F("seats_taken") - 1
            )

    def order_cancel_later():
        time.sleep(0.2)
        return cancellation.order_cancel(order=order, by_staff=True)

    results = race(2, lambda i: seat_first() if i == 0 else order_cancel_later())

    assert any(isinstance(r, OperationalError) and "deadlock" in str(r).lower() for r in results), (
        results
    )


def test_buyers_racing_for_a_whole_run_get_all_of_its_days_or_none():
    from orders.services.booking import run_book

    run = WorkshopRunFactory(start_date=days_from_today(3), end_date=days_from_today(6))
    sessions = [
        WorkshopSessionFactory(run=run, number=n, date=days_from_today(2 + n), capacity=3)
        for n in (1, 2, 3)
    ]
    # Day 2 already has a seat taken by someone booking it alone.
    seat_book(
        buyer=UserFactory(username="single"), workshop=run.workshop, session_id=sessions[1].pk
    )
    buyers = [UserFactory(username=f"runner{n}") for n in range(10)]

    results = race(10, lambda i: run_book(buyer=buyers[i], workshop=run.workshop, run_id=run.pk))

    booked = [r for r in results if not isinstance(r, Exception)]
    assert len(booked) == 2  # day 2 has room for two more
    assert all(isinstance(r, SessionFull) for r in results if isinstance(r, Exception))
    for session in sessions:
        session.refresh_from_db()
        active = OrderItem.objects.filter(session=session, status="active").count()
        assert session.seats_taken == active
    assert [s.seats_taken for s in sessions] == [2, 3, 2]
