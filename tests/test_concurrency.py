"""Real threads, real PostgreSQL transactions: no oversold seat, no double seat, one
host link per session, no deadlock between the write paths.

No test waits for a race with a sleep. A test with the locks holds the first thread at
the service's checkpoint (``core.checkpoints``), lock in hand, until all the others are
queued for it, so they really contend each time; its control, with the lock removed,
holds every thread at the same checkpoint until all have decided, so the race the lock
prevents happens each time.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

import pytest
from django.db import IntegrityError, connection
from django.test import Client
from django.urls import reverse

from core.tests.concurrency import (
    all_together,
    at_checkpoint,
    first_holds_until_queued,
    race,
    wait_for_lock_waiters,
    without_row_locks,
)
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
    with at_checkpoint("booking.checked", first_holds_until_queued(49)):
        kinds, seats_taken, active = race_for_last_seats(last_five_seats)
    assert kinds == Counter({"order": 5, "session_full": 45})
    assert seats_taken == active == 10


def without_the_services_guard(monkeypatch) -> None:
    """Booking with no lock and no conditional update: read the count, and once every
    buyer has read it, write the count read plus one."""

    def unlocked(session_id, workshop):
        return WorkshopSession.objects.filter(pk=session_id, workshop=workshop).first()

    def unconditional(session, count=1):
        WorkshopSession.objects.filter(pk=session.pk).update(
            seats_taken=session.seats_taken + count
        )
        return True

    monkeypatch.setattr(booking, "_lock_session", unlocked)
    monkeypatch.setattr(booking, "_take_seats", unconditional)


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
    with at_checkpoint("booking.checked", all_together(50)):
        kinds, seats_taken, active = race_for_last_seats(last_five_seats)
    assert kinds == Counter({"order": 50})
    assert active == 55
    assert seats_taken == 6  # each wrote the count it read, plus one


def test_without_the_services_guard_the_database_alone_never_oversells(
    last_five_seats, monkeypatch
):
    """The second line: with the service's lock and conditional update off, PostgreSQL's
    check that seats taken count the active seats refuses every booking that miscounted,
    at its COMMIT, so no more than five are sold and the count stays true."""
    without_the_services_guard(monkeypatch)
    with at_checkpoint("booking.checked", all_together(50)):
        kinds, seats_taken, active = race_for_last_seats(last_five_seats)
    # Every buyer wrote "6": the first to commit is right, the rest are refused.
    assert kinds == Counter({"order": 1, "IntegrityError": 49})
    assert seats_taken == active == 6


# -- families (seat_attendee) -----------------------------------------------------------


def parent_of(username: str, *children: str):
    """A parent and their children, as users: ``(parent, [child, …])``."""
    from tutoring.tests.factories import ParentProfileFactory, StudentProfileFactory

    parent = ParentProfileFactory(user__username=username)
    kids = [StudentProfileFactory(user__username=name) for name in children]
    parent.children.add(*kids)
    return parent.user, [kid.user for kid in kids]


def two_families_for_three_seats(hook) -> tuple[list[object], list, WorkshopSession]:
    """Two parents of two children each book both, at the same moment, where three
    seats are left."""
    run = WorkshopRunFactory(start_date=days_from_today(3), end_date=days_from_today(9))
    session = WorkshopSessionFactory(run=run, date=days_from_today(4), capacity=3)
    families = [parent_of("mariam", "layla", "zaid"), parent_of("huda", "sami", "rana")]
    with at_checkpoint("booking.checked", hook):
        results = race(
            2,
            lambda i: seat_book(
                buyer=families[i][0],
                workshop=run.workshop,
                session_id=session.pk,
                attendees=families[i][1],
            ),
        )
    return results, families, session


def test_two_parents_of_two_for_the_last_three_seats_get_one_whole_order():
    """One order of two, the other parent nothing, never a family split or a fourth seat
    sold."""
    results, families, session = two_families_for_three_seats(first_holds_until_queued(1))
    assert outcome_kinds(results) == Counter({"order": 1, "session_full": 1})
    [winner] = [r for r in results if isinstance(r, OrderItem)]
    assert winner.order.seats.count() == 2
    assert WorkshopSession.objects.get(pk=session.pk).seats_taken == 2
    loser = next(f for f in families if f[0] != winner.buyer)[0]
    assert not OrderItem.objects.filter(buyer=loser).exists()


@pytest.mark.usefixtures("counters_unchecked")
def test_control_without_the_guards_two_families_oversell_the_last_three_seats(monkeypatch):
    """Proves the family race above can fail: with no lock, no conditional update and no
    database check of the count, both parents read three seats left and both book two."""
    without_the_services_guard(monkeypatch)
    results, _families, session = two_families_for_three_seats(all_together(2))
    assert outcome_kinds(results) == Counter({"order": 2})
    assert OrderItem.objects.filter(session=session, status="active").count() == 4


def joint_custody(hook) -> tuple[list[object], object, WorkshopSession]:
    """Two parents of one child each book the child a seat, at the same moment."""
    from tutoring.tests.factories import ParentProfileFactory

    mother, (child,) = parent_of("mariam", "layla")
    father = ParentProfileFactory(user__username="karim")
    father.children.add(child.student_profile)
    run = WorkshopRunFactory(start_date=days_from_today(3), end_date=days_from_today(9))
    session = WorkshopSessionFactory(run=run, date=days_from_today(4), capacity=10)
    parents = [mother, father.user]
    with at_checkpoint("booking.checked", hook):
        results = race(
            2,
            lambda i: seat_book(
                buyer=parents[i], workshop=run.workshop, session_id=session.pk, attendees=[child]
            ),
        )
    return results, child, session


def test_a_child_booked_by_both_parents_at_once_gets_one_seat():
    results, child, session = joint_custody(first_holds_until_queued(1))
    assert outcome_kinds(results) == Counter({"order": 1, "already_booked": 1})
    assert OrderItem.objects.filter(attendee=child, status="active").count() == 1
    assert WorkshopSession.objects.get(pk=session.pk).seats_taken == 1


def test_control_without_the_lock_both_parents_pass_the_check_and_the_index_decides(
    monkeypatch,
):
    """With no row lock both parents find no seat of the child's and go on to write (the
    checkpoint opens only when both are there): the unique index on one active seat per
    attendee and session is then what refuses the second, in the same words."""
    without_row_locks(monkeypatch)
    results, child, _session = joint_custody(all_together(2))
    assert outcome_kinds(results) == Counter({"order": 1, "already_booked": 1})
    assert OrderItem.objects.filter(attendee=child, status="active").count() == 1


def double_submit(hook) -> tuple[list[object], WorkshopSession, object]:
    """One buyer's booking form sent from six tabs at once."""
    run = WorkshopRunFactory(start_date=days_from_today(3), end_date=days_from_today(9))
    session = WorkshopSessionFactory(run=run, date=days_from_today(4), capacity=10)
    buyer = UserFactory()
    url = reverse("book", kwargs={"slug": run.workshop.slug})
    clients = []
    for _ in range(6):
        client = Client()
        client.force_login(buyer)
        clients.append(client)
    with at_checkpoint("booking.checked", hook):
        results = race(6, lambda i: clients[i].post(url, {"session": session.pk}).status_code)
    return results, session, buyer


def test_a_double_submitted_booking_form_gets_one_seat():
    results, session, buyer = double_submit(first_holds_until_queued(5))
    assert sorted(results) == [302] + [409] * 5
    assert OrderItem.objects.filter(buyer=buyer, status="active").count() == 1
    assert WorkshopSession.objects.get(pk=session.pk).seats_taken == 1


def test_control_without_the_lock_every_tab_passes_the_check_and_the_index_decides(
    monkeypatch,
):
    """With no row lock all six tabs find no seat of the buyer's and go on to write (the
    checkpoint opens only when all six are there): the unique index on one active seat
    per buyer and session is then what refuses five, in the same words."""
    without_row_locks(monkeypatch)
    results, session, buyer = double_submit(all_together(6))
    assert sorted(results) == [302] + [409] * 5
    assert OrderItem.objects.filter(buyer=buyer, status="active").count() == 1
    assert WorkshopSession.objects.get(pk=session.pk).seats_taken == 1


@dataclass
class ThreeOpenSessions:
    run: object
    open_sessions: list
    cancelled: WorkshopSession
    buyers: list


@pytest.fixture
def three_open_sessions() -> ThreeOpenSessions:
    """Three sessions of three seats, a cancelled one among them, and twenty buyers."""
    run = WorkshopRunFactory(start_date=days_from_today(1), end_date=days_from_today(9))
    open_sessions = [
        WorkshopSessionFactory(run=run, number=n, date=days_from_today(n), capacity=3)
        for n in (2, 4, 6)
    ]
    cancelled = WorkshopSessionFactory(
        run=run, number=3, date=days_from_today(3), capacity=30, cancelled_at="2030-01-01T00:00Z"
    )
    buyers = [UserFactory(username=f"nextav{n}") for n in range(20)]
    return ThreeOpenSessions(run, open_sessions, cancelled, buyers)


def next_available_for_all(setup: ThreeOpenSessions, hook) -> list[object]:
    with at_checkpoint("booking.checked", hook):
        return race(20, lambda i: seat_book(buyer=setup.buyers[i], workshop=setup.run.workshop))


def test_next_available_never_books_a_full_or_cancelled_session_while_others_fill_it(
    three_open_sessions,
):
    setup = three_open_sessions
    open_sessions, cancelled = setup.open_sessions, setup.cancelled
    results = next_available_for_all(setup, first_holds_until_queued(19))

    assert outcome_kinds(results) == Counter({"order": 9, "no_session_available": 11})
    assert not any(isinstance(r, Exception) and not isinstance(r, BookingError) for r in results)
    for session in open_sessions:
        session.refresh_from_db()
        active = OrderItem.objects.filter(session=session, status="active").count()
        assert session.seats_taken == active == 3
    assert not OrderItem.objects.filter(session=cancelled).exists()


def test_control_without_the_lock_buyers_are_turned_away_from_seats_still_free(
    three_open_sessions, monkeypatch
):
    """With no row lock every buyer picks the same earliest session before any seat is
    written; the conditional update still never oversells it, but seventeen buyers are
    told it is full while six seats stay free in the later sessions."""
    without_row_locks(monkeypatch)
    results = next_available_for_all(three_open_sessions, all_together(20))
    assert outcome_kinds(results) == Counter({"order": 3, "session_full": 17})
    first, *later = three_open_sessions.open_sessions
    first.refresh_from_db()
    assert first.seats_taken == 3
    assert all(WorkshopSession.objects.get(pk=s.pk).seats_taken == 0 for s in later)


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
    with at_checkpoint("host_link.checked", first_holds_until_queued(count - 1)):
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


def check_in_from_six_phones(session: WorkshopSession, hook) -> tuple[list[object], int]:
    seat = seat_book(buyer=UserFactory(), workshop=session.workshop, session_id=session.pk)
    with at_checkpoint("check_in.locked", hook):
        results = race(6, lambda i: seat_check_in(session=session, seat_id=seat.pk))
    assert all(isinstance(r, OrderItem) for r in results), results
    return results, seat.pk


@pytest.mark.usefixtures("check_in_always_open")
def test_a_door_checked_in_from_several_phones_at_once_keeps_one_time(session_to_host):
    results, seat_id = check_in_from_six_phones(session_to_host, first_holds_until_queued(5))
    stored = OrderItem.objects.get(pk=seat_id).checked_in_at
    assert stored is not None
    assert {r.checked_in_at for r in results} == {stored}


@pytest.mark.usefixtures("check_in_always_open")
def test_control_without_the_lock_each_phone_writes_its_own_time(session_to_host, monkeypatch):
    """With no row lock every phone finds the seat not checked in and writes the time
    it saw: the first time does not stand."""
    without_row_locks(monkeypatch)
    results, _seat_id = check_in_from_six_phones(session_to_host, all_together(6))
    assert len({r.checked_in_at for r in results}) > 1


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


def test_cancelling_an_order_and_one_of_its_seats_at_once_never_deadlocks(order_of_two_seats):
    """Whichever cancel locks the sessions first holds them until the other is queued
    for them: the two paths overlap every time, and take their locks in one order."""
    order, seats, sessions = order_of_two_seats

    with at_checkpoint("cancellation.sessions_locked", first_holds_until_queued(1)):
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
    seat_locked = threading.Event()

    def seat_first():
        with transaction.atomic():
            OrderItem.objects.select_for_update().get(pk=seats[1].pk)
            seat_locked.set()
            wait_for_lock_waiters(1)  # the order cancel holds the sessions, wants the seat
            WorkshopSession.objects.filter(pk=seats[1].session_id).update(
                seats_taken=F("seats_taken") - 1
            )

    def order_cancel_later():
        assert seat_locked.wait(timeout=30)
        return cancellation.order_cancel(order=order, by_staff=True)

    results = race(2, lambda i: seat_first() if i == 0 else order_cancel_later())

    assert any(isinstance(r, OperationalError) and "deadlock" in str(r).lower() for r in results), (
        results
    )


def race_for_a_whole_run(hook):
    """Ten buyers book every day of a three-day run at once; day 2 has two seats left.
    Asserts that each buyer got all three days or none, and the counts are true."""
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

    with at_checkpoint("booking.checked", hook):
        results = race(
            10, lambda i: run_book(buyer=buyers[i], workshop=run.workshop, run_id=run.pk)
        )

    booked = [r for r in results if not isinstance(r, Exception)]
    assert len(booked) == 2  # day 2 has room for two more
    assert all(isinstance(r, SessionFull) for r in results if isinstance(r, Exception))
    for session in sessions:
        session.refresh_from_db()
        active = OrderItem.objects.filter(session=session, status="active").count()
        assert session.seats_taken == active
    assert [s.seats_taken for s in sessions] == [2, 3, 2]


def test_buyers_racing_for_a_whole_run_get_all_of_its_days_or_none():
    race_for_a_whole_run(first_holds_until_queued(9))


def test_control_without_the_lock_every_buyer_passes_the_check_and_the_count_decides(
    monkeypatch,
):
    """With no row lock all ten buyers find room on every day before any seat is taken;
    the conditional update of each day's count then refuses the eight the run has no
    room for, and rolls back every day they had taken: still all or none."""
    without_row_locks(monkeypatch)
    race_for_a_whole_run(all_together(10))
