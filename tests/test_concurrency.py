"""Real threads, real PostgreSQL transactions: no oversold seat, no double seat."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from core.tests.concurrency import race
from core.tests.factories import UserFactory
from orders import services
from orders.models import OrderItem
from orders.services import BookingError, seat_book
from workshops.models import WorkshopSession
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


def test_control_without_the_guard_the_same_race_oversells(last_five_seats, monkeypatch):
    """Proves the race above can fail: with no lock and no conditional update, the
    same 50 buyers oversell the session, which the assertions above would catch."""

    def unlocked(session_id):
        return WorkshopSession.objects.filter(pk=session_id).first()

    def unconditional(session):
        time.sleep(0.01)  # the read-modify-write window a real server also has
        WorkshopSession.objects.filter(pk=session.pk).update(seats_taken=session.seats_taken + 1)
        return True

    monkeypatch.setattr(services, "_lock_session", unlocked)
    monkeypatch.setattr(services, "_take_seat", unconditional)
    kinds, seats_taken, active = race_for_last_seats(last_five_seats)
    assert kinds["order"] > 5
    assert active > 10
    assert seats_taken != active


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
