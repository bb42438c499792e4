"""Booking and cancelling: each rule, each refusal, and the seat count kept true."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.tests.factories import UserFactory
from orders.models import OrderItem, OrderStatus, SeatStatus
from orders.rules import (
    AlreadyBooked,
    NoSessionAvailable,
    SessionCancelled,
    SessionFull,
    SessionNotFound,
    SessionPast,
    WorkshopInactive,
)
from orders.services.booking import seat_book
from orders.services.cancellation import CancelRefused, order_cancel, seat_cancel
from workshops.models import WorkshopSession
from workshops.services import ScheduleError, session_update
from workshops.tests.factories import (
    WorkshopRunFactory,
    WorkshopSessionFactory,
    days_from_today,
    session_on,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer():
    return UserFactory()


def seats(session) -> int:
    return WorkshopSession.objects.get(pk=session.pk).seats_taken


def test_booking_a_chosen_session_confirms_an_order_with_one_seat(run, buyer):
    session = session_on(run, 3)
    run.workshop.price = "45.00"
    run.workshop.save()
    order = seat_book(buyer=buyer, workshop=run.workshop, session_id=session.pk).order
    seat = order.seats.get()
    assert order.status == OrderStatus.CONFIRMED
    assert order.buyer == buyer
    assert (seat.session, seat.run_id, seat.workshop_id) == (session, run.pk, run.workshop_id)
    assert seat.price == Decimal("45")
    assert seats(session) == 1


def test_booking_without_a_choice_takes_the_next_available_session(run, buyer):
    session_on(run, 2, capacity=1, seats_taken=1)
    first_free = session_on(run, 4)
    session_on(run, 6)
    order = seat_book(buyer=buyer, workshop=run.workshop).order
    assert order.seats.get().session == first_free


def test_next_available_skips_sessions_the_buyer_already_holds(run, buyer):
    first = session_on(run, 2)
    second = session_on(run, 4)
    seat_book(buyer=buyer, workshop=run.workshop, session_id=first.pk)
    order = seat_book(buyer=buyer, workshop=run.workshop).order
    assert order.seats.get().session == second


@pytest.mark.parametrize(
    ("session_kwargs", "error", "words"),
    [
        ({"capacity": 2, "seats_taken": 2}, SessionFull, "is full"),
        (
            {"cancelled_at": datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)},
            SessionCancelled,
            "was cancelled",
        ),
    ],
)
def test_a_session_that_cannot_take_a_seat_is_refused_in_words(
    run, buyer, session_kwargs, error, words
):
    session = session_on(run, 3, **session_kwargs)
    before = seats(session)
    with pytest.raises(error, match=words):
        seat_book(buyer=buyer, workshop=run.workshop, session_id=session.pk)
    assert seats(session) == before
    assert not OrderItem.objects.filter(buyer=buyer).exists()


def test_a_past_session_is_refused(run, buyer):
    session = session_on(run, -1)
    with pytest.raises(SessionPast, match="has already started"):
        seat_book(buyer=buyer, workshop=run.workshop, session_id=session.pk)


def test_no_session_available_is_refused_in_words(run, buyer):
    session_on(run, 3, capacity=1, seats_taken=1)
    with pytest.raises(NoSessionAvailable, match="No session of"):
        seat_book(buyer=buyer, workshop=run.workshop)


def test_the_same_buyer_cannot_take_two_seats_in_one_session(run, buyer):
    session = session_on(run, 3)
    seat_book(buyer=buyer, workshop=run.workshop, session_id=session.pk)
    with pytest.raises(AlreadyBooked, match="already have a seat"):
        seat_book(buyer=buyer, workshop=run.workshop, session_id=session.pk)
    assert seats(session) == 1


def test_an_inactive_workshop_takes_no_bookings(run, buyer):
    session = session_on(run, 3)
    run.workshop.is_active = False
    run.workshop.save()
    with pytest.raises(WorkshopInactive, match="not taking bookings"):
        seat_book(buyer=buyer, workshop=run.workshop, session_id=session.pk)


def test_a_session_of_another_workshop_is_refused(run, buyer):
    other = WorkshopSessionFactory(date=days_from_today(12))
    with pytest.raises(SessionNotFound):
        seat_book(buyer=buyer, workshop=run.workshop, session_id=other.pk)
    with pytest.raises(SessionNotFound):
        seat_book(buyer=buyer, workshop=run.workshop, session_id=987654)


def test_a_session_whose_run_is_of_another_workshop_is_never_booked(
    run, buyer, mislinked_rows_allowed
):
    session = session_on(run, 3)
    other = WorkshopRunFactory(start_date=run.start_date, end_date=run.end_date)
    WorkshopSession.objects.filter(pk=session.pk).update(run=other)
    with pytest.raises(SessionNotFound):
        seat_book(buyer=buyer, workshop=run.workshop, session_id=session.pk)
    with pytest.raises(NoSessionAvailable):
        seat_book(buyer=buyer, workshop=run.workshop)
    assert not OrderItem.objects.exists()


def test_editing_a_session_loaded_before_a_booking_keeps_the_seat_count(run, buyer):
    session = session_on(run, 3, capacity=5)
    stale = WorkshopSession.objects.get(pk=session.pk)  # e.g. an admin form is open
    seat_book(buyer=buyer, workshop=run.workshop, session_id=session.pk)
    stale.capacity = 6
    stale.full_clean()
    stale.save()
    session.refresh_from_db()
    assert (session.capacity, session.seats_taken) == (6, 1)


def test_lowering_capacity_is_checked_against_the_seats_taken_now(run):
    session = session_on(run, 3, capacity=5)
    stale = WorkshopSession.objects.get(pk=session.pk)  # an admin form opened before...
    for _ in range(3):  # ...three seats were sold
        seat_book(buyer=UserFactory(), workshop=run.workshop, session_id=session.pk)
    stale.capacity = 2
    stale.full_clean()  # the form's check sees the count it loaded: no seats taken
    with pytest.raises(ScheduleError, match="3 seats are already taken") as caught:
        session_update(session=stale)
    assert caught.value.field == "capacity"
    assert WorkshopSession.objects.get(pk=session.pk).capacity == 5


def test_a_session_update_that_leaves_room_keeps_the_seats_sold_meanwhile(run):
    session = session_on(run, 3, capacity=5)
    stale = WorkshopSession.objects.get(pk=session.pk)
    seat_book(buyer=UserFactory(), workshop=run.workshop, session_id=session.pk)
    stale.capacity = 3
    session_update(session=stale)
    assert (seats(session), WorkshopSession.objects.get(pk=session.pk).capacity) == (1, 3)


def test_cancelling_frees_the_seat_at_once(run, buyer):
    session = session_on(run, 3, capacity=1)
    order = seat_book(buyer=buyer, workshop=run.workshop, session_id=session.pk).order
    assert WorkshopSession.objects.with_status().get(pk=session.pk).status == "full"
    order_cancel(order=order)
    assert WorkshopSession.objects.with_status().get(pk=session.pk).status == "upcoming"
    seat = order.seats.get()
    assert seat.status == SeatStatus.CANCELLED
    assert seat.cancelled_at is not None
    # The freed seat can be booked again, by anyone.
    seat_book(buyer=UserFactory(), workshop=run.workshop, session_id=session.pk)


def test_a_buyer_can_book_again_after_cancelling(run, buyer):
    session = session_on(run, 3)
    order_cancel(order=seat_book(buyer=buyer, workshop=run.workshop, session_id=session.pk).order)
    seat_book(buyer=buyer, workshop=run.workshop, session_id=session.pk)
    assert seats(session) == 1


def test_cancelling_twice_never_frees_a_seat_twice(run, buyer):
    session = session_on(run, 3)
    seat_book(buyer=UserFactory(), workshop=run.workshop, session_id=session.pk)
    order = seat_book(buyer=buyer, workshop=run.workshop, session_id=session.pk).order
    order_cancel(order=order)
    with pytest.raises(CancelRefused, match="already cancelled"):
        order_cancel(order=order)
    assert seats(session) == 1


def test_a_buyer_cannot_cancel_once_the_session_has_started(run, buyer):
    session = session_on(run, 3)
    order = seat_book(buyer=buyer, workshop=run.workshop, session_id=session.pk).order
    later = timezone.make_aware(datetime.datetime.combine(days_from_today(4), datetime.time(9)))
    with pytest.raises(CancelRefused, match="has already started"):
        order_cancel(order=order, now=later)
    order_cancel(order=order, by_staff=True, now=later)
    assert seats(session) == 0


def test_staff_cancelling_the_last_seat_cancels_the_order(run, buyer):
    session = session_on(run, 3)
    order = seat_book(buyer=buyer, workshop=run.workshop, session_id=session.pk).order
    seat_cancel(seat=order.seats.get())
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert seats(session) == 0


# -- moving a session between runs ------------------------------------------------


def test_a_session_moves_to_another_run_of_its_workshop_with_its_seats(run, buyer):
    from orders.services.session_moves import session_move

    session = session_on(run, 3)
    seat = seat_book(buyer=buyer, workshop=run.workshop, session_id=session.pk)
    other = WorkshopRunFactory(
        workshop=run.workshop, start_date=run.start_date, end_date=run.end_date
    )
    session_move(session=session, run=other)
    seat.refresh_from_db()
    session.refresh_from_db()
    assert (session.run_id, seat.run_id, seat.workshop_id) == (other.pk, other.pk, run.workshop_id)
    assert seats(session) == 1


def test_a_session_never_moves_to_a_run_of_another_workshop_or_one_not_covering_it(run):
    from orders.services.session_moves import session_move

    session = session_on(run, 3)
    foreign = WorkshopRunFactory(start_date=run.start_date, end_date=run.end_date)
    with pytest.raises(ScheduleError, match="run of another workshop") as caught:
        session_move(session=session, run=foreign)
    assert caught.value.field == "run"
    too_late = WorkshopRunFactory(
        workshop=run.workshop, start_date=days_from_today(40), end_date=days_from_today(41)
    )
    with pytest.raises(ScheduleError, match="does not cover this session's date"):
        session_move(session=session, run=too_late)
    session.refresh_from_db()
    assert session.run_id == run.pk


def test_a_session_cannot_change_workshop_in_clean():
    session = WorkshopSessionFactory()
    session.workshop = WorkshopRunFactory().workshop
    with pytest.raises(ValidationError) as caught:
        session.full_clean()
    assert "cannot move to another workshop" in caught.value.message_dict["workshop"][0]


# -- staff cancel a session --------------------------------------------------------------


def test_cancelling_a_session_frees_its_seats_and_keeps_orders_consistent(run, buyer):
    from orders.services.booking import run_book
    from orders.services.cancellation import sessions_cancel

    first, second = session_on(run, 3, number=1), session_on(run, 4, number=2)
    whole_run = run_book(buyer=buyer, workshop=run.workshop, run_id=run.pk)
    single = seat_book(buyer=UserFactory(), workshop=run.workshop, session_id=first.pk).order

    done = sessions_cancel(session_ids=[first.pk, first.pk])

    assert (done.sessions, done.seats, done.orders) == (1, 2, 1)
    assert (seats(first), seats(second)) == (0, 1)
    whole_run.refresh_from_db()
    single.refresh_from_db()
    assert whole_run.status == "confirmed"  # it keeps its seat on day 2
    assert single.status == "cancelled"  # its only seat went
    assert set(whole_run.seats.values_list("session_id", "status")) == {
        (first.pk, "cancelled"),
        (second.pk, "active"),
    }


def test_cancelling_a_cancelled_session_again_changes_nothing(run, buyer):
    from orders.services.cancellation import sessions_cancel

    session = session_on(run, 3)
    sessions_cancel(session_ids=[session.pk])
    cancelled_at = WorkshopSession.objects.get(pk=session.pk).cancelled_at
    done = sessions_cancel(session_ids=[session.pk])
    assert (done.sessions, done.seats) == (0, 0)
    assert WorkshopSession.objects.get(pk=session.pk).cancelled_at == cancelled_at
