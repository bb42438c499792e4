"""Reads of orders: what a buyer still has coming."""

import pytest

from core.tests.factories import UserFactory
from orders.selectors import upcoming_seats_for_buyer
from orders.services.booking import seat_book
from orders.services.cancellation import order_cancel
from workshops.models import WorkshopSession
from workshops.tests.factories import WorkshopRunFactory, WorkshopSessionFactory, days_from_today

pytestmark = pytest.mark.django_db


def test_upcoming_seats_are_the_buyers_active_seats_in_sessions_not_ended(
    django_assert_num_queries,
):
    run = WorkshopRunFactory(start_date=days_from_today(-5), end_date=days_from_today(30))
    buyer, other = UserFactory(), UserFactory()
    ended, later, sooner, cancelled = (
        WorkshopSessionFactory(run=run, number=n, date=days_from_today(days))
        for n, days in enumerate((1, 9, 4, 6), start=1)
    )
    booked = {
        session: seat_book(buyer=buyer, workshop=run.workshop, session_id=session.pk)
        for session in (ended, later, sooner, cancelled)
    }
    seat_book(buyer=other, workshop=run.workshop, session_id=sooner.pk)
    order_cancel(order=booked[cancelled].order)
    WorkshopSession.objects.filter(pk=ended.pk).update(date=days_from_today(-2))

    with django_assert_num_queries(1):
        seats = [
            (seat.session, seat.order.reference, seat.workshop)
            for seat in upcoming_seats_for_buyer(buyer=buyer)
        ]
    assert seats == [
        (sooner, booked[sooner].order.reference, run.workshop),
        (later, booked[later].order.reference, run.workshop),
    ]
