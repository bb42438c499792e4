"""Checking attendees in: only the active seats of the one session, and harmless twice."""

import datetime

import pytest
from django.utils import timezone

from core.tests.factories import UserFactory
from orders.models import OrderItem
from orders.services.booking import seat_book
from orders.services.cancellation import seat_cancel
from orders.services.checkin import CheckInRefused, seat_check_in, seat_check_in_undo
from workshops.tests.factories import WorkshopSessionFactory, days_from_today

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("check_in_always_open")]

NINE = timezone.make_aware(datetime.datetime(2031, 3, 10, 9, 0))
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def session():
    """A session at 09:00 on 10 March 2031: NINE is within its check-in window."""
    return WorkshopSessionFactory(
        date=NINE.date(), run__start_date=NINE.date() - datetime.timedelta(days=6)
    )


def book(session, username="amira", **names):
    buyer = UserFactory(username=username, **names)
    return seat_book(buyer=buyer, workshop=session.workshop, session_id=session.pk)


def checked_in_at(seat: OrderItem):
    return OrderItem.objects.values_list("checked_in_at", flat=True).get(pk=seat.pk)


def test_checking_in_records_the_time(session):
    seat = book(session, first_name="Amira", last_name="Saleh")
    checked = seat_check_in(session=session, seat_id=seat.pk, now=NINE)
    assert checked.attendee_name == "Amira Saleh"
    assert checked_in_at(seat) == NINE


def test_checking_in_twice_keeps_the_first_time(session):
    seat = book(session)
    seat_check_in(session=session, seat_id=seat.pk, now=NINE)
    seat_check_in(session=session, seat_id=seat.pk, now=NINE + MINUTE)
    assert checked_in_at(seat) == NINE


def test_undo_clears_the_check_in_and_is_harmless_twice(session):
    seat = book(session)
    seat_check_in(session=session, seat_id=seat.pk, now=NINE)
    seat_check_in_undo(session=session, seat_id=seat.pk, now=NINE)
    seat_check_in_undo(session=session, seat_id=seat.pk, now=NINE)
    assert checked_in_at(seat) is None


def test_a_seat_of_another_session_is_refused(session):
    other = book(
        WorkshopSessionFactory(date=days_from_today(3), run__start_date=days_from_today(1))
    )
    with pytest.raises(CheckInRefused) as refused:
        seat_check_in(session=session, seat_id=other.pk, now=NINE)
    assert refused.value.code == "seat_not_in_session"
    assert checked_in_at(other) is None


def test_a_seat_that_does_not_exist_is_refused(session):
    with pytest.raises(CheckInRefused) as refused:
        seat_check_in_undo(session=session, seat_id=999999, now=NINE)
    assert refused.value.code == "seat_not_in_session"


def test_a_cancelled_seat_is_refused_both_ways(session):
    seat = book(session, first_name="Omar", last_name="Nasser")
    seat_cancel(seat=seat)
    for service in (seat_check_in, seat_check_in_undo):
        with pytest.raises(CheckInRefused) as refused:
            service(session=session, seat_id=seat.pk, now=NINE)
        assert refused.value.code == "seat_cancelled"
        assert refused.value.message.startswith("The seat of Omar Nasser was cancelled")
    assert checked_in_at(seat) is None


def test_a_cancelled_session_takes_no_attendance(session):
    seat = book(session)
    session.cancelled_at = NINE
    with pytest.raises(CheckInRefused) as refused:
        seat_check_in(session=session, seat_id=seat.pk, now=NINE)
    assert refused.value.code == "session_cancelled"
    assert checked_in_at(seat) is None


def test_check_in_changes_nothing_else_on_the_seat(session):
    seat = book(session)
    before = OrderItem.objects.filter(pk=seat.pk).values().get()
    seat_check_in(session=session, seat_id=seat.pk, now=NINE)
    after = OrderItem.objects.filter(pk=seat.pk).values().get()
    assert {k: v for k, v in after.items() if before[k] != v} == {"checked_in_at": NINE}
