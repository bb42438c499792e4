"""Check-in opens a set time before a session (an hour by default) and closes at the end
of its day; a seat that was used is not cancelled by its buyer, and staff cancelling it
clear its check-in."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.tests.factories import UserFactory
from orders.models import OrderItem, SeatStatus
from orders.services.booking import seat_book
from orders.services.cancellation import CancelRefused, order_cancel, seat_cancel
from orders.services.checkin import CheckInRefused, seat_check_in, seat_check_in_undo
from workshops.models import HostSession
from workshops.services import host_link_provision
from workshops.tests.factories import WorkshopRunFactory, WorkshopSessionFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2031, 3, 10)


def at(hour: int, minute: int = 0, day: datetime.date = DAY) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def seat():
    """A seat in a session on 10 March 2031, 18:00–20:00, booked the week before."""
    run = WorkshopRunFactory(start_date=DAY, end_date=DAY)
    session = WorkshopSessionFactory(
        run=run, date=DAY, start_time=datetime.time(18), end_time=datetime.time(20)
    )
    return seat_book(
        buyer=UserFactory(username="amira"),
        workshop=session.workshop,
        session_id=session.pk,
        now=at(9, day=DAY - datetime.timedelta(days=7)),
    )


@pytest.mark.parametrize(
    ("now", "refused"),
    [
        (at(16, 59), "not_open_yet"),
        (at(17, 0), None),
        (at(19, 30), None),
        (at(23, 59), None),
        (at(0, 0, DAY + datetime.timedelta(days=1)), "closed"),
        (at(9, 0, DAY - datetime.timedelta(days=5)), "not_open_yet"),
    ],
)
def test_check_in_is_open_from_an_hour_before_to_the_end_of_the_day(seat, now, refused):
    if refused is None:
        checked = seat_check_in(session=seat.session, seat_id=seat.pk, now=now)
        assert checked.checked_in_at == now
        return
    with pytest.raises(CheckInRefused) as refusal:
        seat_check_in(session=seat.session, seat_id=seat.pk, now=now)
    assert refusal.value.code == refused
    with pytest.raises(CheckInRefused):
        seat_check_in_undo(session=seat.session, seat_id=seat.pk, now=now)
    assert OrderItem.objects.get(pk=seat.pk).checked_in_at is None


def test_the_refusal_says_when_check_in_opens(seat):
    with pytest.raises(CheckInRefused, match=r"Check-in opens at 17:00 on Monday 10 March\."):
        seat_check_in(session=seat.session, seat_id=seat.pk, now=at(12))


def test_the_opening_time_is_a_setting(seat, settings):
    settings.STUDYHALL_CHECK_IN_OPENS_MINUTES = 15
    with pytest.raises(CheckInRefused):
        seat_check_in(session=seat.session, seat_id=seat.pk, now=at(17, 44))
    assert seat_check_in(session=seat.session, seat_id=seat.pk, now=at(17, 45)).checked_in_at


def test_staff_fix_attendance_after_the_day_but_not_days_before(seat):
    later = at(10, 0, DAY + datetime.timedelta(days=3))
    assert seat_check_in(session=seat.session, seat_id=seat.pk, now=later, late=True)
    with pytest.raises(CheckInRefused):
        seat_check_in(session=seat.session, seat_id=seat.pk, now=at(12), late=True)


def test_a_host_page_before_the_window_says_when_it_opens_and_offers_no_button(client):
    session = WorkshopSessionFactory(
        date=timezone.localdate() + datetime.timedelta(days=3),
        run__start_date=timezone.localdate(),
    )
    seat = seat_book(buyer=UserFactory(), workshop=session.workshop, session_id=session.pk)
    link = host_link_provision(session_id=session.pk).link
    page = client.get(link.get_absolute_url())
    assert "Check-in opens at 08:00 on" in page.text
    assert ">Check in<" not in page.text
    refused = client.post(reverse("host:check_in", args=[link.token]), {"seat": seat.pk})
    assert refused.status_code == 409
    assert OrderItem.objects.get(pk=seat.pk).checked_in_at is None


def test_a_link_given_out_after_the_session_fixes_attendance_late(client, settings):
    settings.STUDYHALL_HOST_LINK_GRACE_HOURS = 72
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    session = WorkshopSessionFactory(date=yesterday, run__start_date=yesterday)
    seat = seat_book(
        buyer=UserFactory(),
        workshop=session.workshop,
        session_id=session.pk,
        now=at(8, day=yesterday - datetime.timedelta(days=1)),
    )
    before = session.starts_at - datetime.timedelta(hours=2)
    link = host_link_provision(session_id=session.pk, now=before).link
    url = reverse("host:check_in", args=[link.token])
    assert client.post(url, {"seat": seat.pk}).status_code == 409  # its day is over
    rotated = host_link_provision(session_id=session.pk, rotate=True, force=True).link
    assert HostSession.objects.get(pk=rotated.pk).for_late_fixes
    response = client.post(reverse("host:check_in", args=[rotated.token]), {"seat": seat.pk})
    assert response.status_code == 302
    assert OrderItem.objects.get(pk=seat.pk).checked_in_at is not None


def test_a_seat_that_was_used_is_not_cancelled_by_its_buyer(seat):
    seat_check_in(session=seat.session, seat_id=seat.pk, now=at(17, 30))
    with pytest.raises(CancelRefused, match="amira was checked in"):
        order_cancel(order=seat.order, now=at(17, 40) - datetime.timedelta(days=1))
    assert OrderItem.objects.get(pk=seat.pk).status == SeatStatus.ACTIVE


def test_staff_cancelling_a_used_seat_clears_its_check_in(seat):
    seat_check_in(session=seat.session, seat_id=seat.pk, now=at(17, 30))
    cancelled = seat_cancel(seat=seat, now=at(19))
    assert (cancelled.status, cancelled.checked_in_at) == (SeatStatus.CANCELLED, None)
    again = seat_book(
        buyer=UserFactory(username="omar"),
        workshop=seat.workshop,
        session_id=seat.session_id,
        now=at(9),
    )
    seat_check_in(session=again.session, seat_id=again.pk, now=at(17, 30))
    order_cancel(order=again.order, by_staff=True, now=at(19))
    assert OrderItem.objects.get(pk=again.pk).checked_in_at is None


def test_the_database_refuses_a_cancelled_seat_with_a_check_in_time(seat):
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderItem.objects.filter(pk=seat.pk).update(
            status=SeatStatus.CANCELLED, cancelled_at=at(12), checked_in_at=at(11)
        )
