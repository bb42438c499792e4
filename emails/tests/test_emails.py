"""What people receive: each email once, written from a template in their language,
with absolute links, the business's time zone, and the order's calendar attached."""

import datetime

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from accounts.models import LanguagePreference
from core.tests.factories import UserFactory
from emails.models import Email, EmailStatus
from emails.services import NewEmail, email_deliver_next, emails_deliver_due, emails_queue
from orders.emails import BOOKING_CONFIRMED
from orders.services.booking import run_book, seat_book
from orders.services.cancellation import order_cancel, sessions_cancel
from workshops.tests.factories import WorkshopSessionFactory, days_from_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(run):
    return WorkshopSessionFactory(
        run=run,
        number=1,
        date=days_from_today(5),
        start_time=datetime.time(18),
        end_time=datetime.time(20),
    )


@pytest.fixture
def student():
    return UserFactory(username="amira", first_name="Amira")


def arabic(user):
    LanguagePreference.objects.create(user=user, language="ar")
    return user


def delivered(capture, action):
    """Run ``action`` in a transaction that commits, as a request does, and deliver."""
    with capture(execute=True):
        return action()


def test_a_booking_is_confirmed_by_email_with_the_order_and_its_calendar(
    student, session, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.STUDYHALL_SITE_URL = "https://studyhall.example.org"
    seat = delivered(
        django_capture_on_commit_callbacks,
        lambda: seat_book(buyer=student, workshop=session.workshop, session_id=session.pk),
    )
    [mail] = mailoutbox
    assert mail.to == ["amira@example.com"]
    assert mail.subject == f"Booked: Robotics (order {seat.order.reference})"
    order_url = f"https://studyhall.example.org{seat.order.get_absolute_url()}"
    assert "Hello Amira," in mail.body and order_url in mail.body
    assert f"18:00–20:00 ({settings.TIME_ZONE})" in mail.body
    [(html, kind)] = mail.alternatives
    assert kind == "text/html" and f'href="{order_url}"' in html and 'dir="ltr"' in html
    assert "<img" not in html  # no external images
    [(filename, calendar, mimetype)] = mail.attachments
    assert filename == f"studyhall-{seat.order.reference}.ics" and mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in calendar and f"seat-{seat.pk}@" in calendar
    assert Email.objects.get().status == EmailStatus.SENT


def test_a_whole_run_is_confirmed_in_one_email_listing_every_day(
    student, run, session, mailoutbox, django_capture_on_commit_callbacks
):
    second = WorkshopSessionFactory(run=run, number=2, date=days_from_today(6))
    order = delivered(
        django_capture_on_commit_callbacks,
        lambda: run_book(buyer=student, workshop=run.workshop, run_id=run.pk),
    )
    [mail] = mailoutbox
    assert "Day 1" in mail.body and "Day 2" in mail.body
    assert mail.attachments[0][1].count("BEGIN:VEVENT") == 2
    assert order.seats.count() == 2 and second.pk in {s.session_id for s in order.seats.all()}


def test_a_booking_rolled_back_after_it_queued_its_email_sends_nothing(
    student, session, mailoutbox, django_capture_on_commit_callbacks
):
    from django.db import transaction

    class Undone(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Undone),
        transaction.atomic(),
    ):
        seat_book(buyer=student, workshop=session.workshop, session_id=session.pk)
        assert Email.objects.count() == 1  # queued with the booking
        raise Undone
    assert Email.objects.count() == 0 and mailoutbox == []


def test_an_arabic_reader_gets_the_email_in_arabic_right_to_left(
    student, session, mailoutbox, django_capture_on_commit_callbacks
):
    arabic(student)
    delivered(
        django_capture_on_commit_callbacks,
        lambda: seat_book(buyer=student, workshop=session.workshop, session_id=session.pk),
    )
    [mail] = mailoutbox
    title = session.workshop.title_ar
    assert mail.subject.startswith(f"تم الحجز: {title} (الطلب ")
    [(html, _)] = mail.alternatives
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert "Hello" not in mail.body and "Your booking" not in mail.body
    with translation.override("ar"):
        day = date_format(session.date, "l j F Y")
    assert f"{day}، 18:00–20:00 (UTC)" in mail.body and "الأوقات بتوقيت UTC." in mail.body


def test_cancelling_an_order_tells_the_buyer_which_seats_went(
    student, session, mailoutbox, django_capture_on_commit_callbacks
):
    seat = seat_book(buyer=student, workshop=session.workshop, session_id=session.pk)
    delivered(django_capture_on_commit_callbacks, lambda: order_cancel(order=seat.order))
    [mail] = mailoutbox
    assert mail.subject == f"Cancelled: order {seat.order.reference}"
    assert f"Your order {seat.order.reference} is cancelled" in mail.body


def test_a_confirmation_still_waiting_when_the_order_is_cancelled_is_not_sent(
    student, session, mailoutbox
):
    seat = seat_book(buyer=student, workshop=session.workshop, session_id=session.pk)
    order_cancel(order=seat.order)
    assert emails_deliver_due() == 2
    confirmation = Email.objects.get(kind=BOOKING_CONFIRMED)
    assert confirmation.status == EmailStatus.SKIPPED and confirmation.sent_at is None
    assert [m.subject for m in mailoutbox] == [f"Cancelled: order {seat.order.reference}"]


def test_staff_cancelling_a_session_tells_every_buyer(
    run, session, mailoutbox, django_capture_on_commit_callbacks
):
    buyers = [UserFactory() for _ in range(3)]
    for buyer in buyers:
        seat_book(buyer=buyer, workshop=session.workshop, session_id=session.pk)
    Email.objects.update(status=EmailStatus.SENT, sent_at=timezone.now())  # confirmations
    delivered(django_capture_on_commit_callbacks, lambda: sessions_cancel(session_ids=[session.pk]))
    assert sorted(m.to[0] for m in mailoutbox) == sorted(b.email for b in buyers)
    assert all(m.subject.startswith("Cancelled: Robotics on ") for m in mailoutbox)


def test_each_cancellation_of_an_order_says_what_was_true_then(
    student, run, session, mailoutbox, django_capture_on_commit_callbacks
):
    """Two seats cancelled one after the other before the worker runs: the first email
    says the order kept a seat, the second that the order is cancelled."""
    from orders.services.cancellation import seat_cancel

    WorkshopSessionFactory(run=run, number=2, date=days_from_today(6))
    order = run_book(buyer=student, workshop=run.workshop, run_id=run.pk)
    first, second = order.seats.order_by("session__date")
    seat_cancel(seat=first)
    seat_cancel(seat=second)
    emails_deliver_due()
    partly, wholly = [m.body for m in mailoutbox if m.subject.startswith("Cancelled")]
    assert f"These seats of your order {order.reference} are cancelled" in partly
    assert f"Your order {order.reference} is cancelled" in wholly


def test_the_same_email_queued_twice_is_one_row_and_one_message(
    student, session, mailoutbox, django_capture_on_commit_callbacks
):
    seat = seat_book(buyer=student, workshop=session.workshop, session_id=session.pk)
    again = NewEmail(
        kind=BOOKING_CONFIRMED,
        recipient=student,
        about=f"order-{seat.order_id}",
        context={"order": seat.order_id},
    )
    delivered(django_capture_on_commit_callbacks, lambda: emails_queue([again, again]))
    assert Email.objects.count() == 1 and len(mailoutbox) == 1
    assert email_deliver_next() is None  # nothing left, nothing sent again
    assert len(mailoutbox) == 1


def test_a_user_without_an_address_is_skipped_at_queueing(session, mailoutbox):
    nobody = UserFactory(email="")
    seat_book(buyer=nobody, workshop=session.workshop, session_id=session.pk)
    assert Email.objects.count() == 0


def test_staff_moving_a_session_tells_its_buyers_the_old_and_new_time(
    student, session, mailoutbox, django_capture_on_commit_callbacks
):
    from workshops.services import session_update

    seat = seat_book(buyer=student, workshop=session.workshop, session_id=session.pk)
    Email.objects.update(status=EmailStatus.SENT, sent_at=timezone.now())
    old_date = session.date
    session.date = days_from_today(6)
    session.start_time = datetime.time(17)
    delivered(django_capture_on_commit_callbacks, lambda: session_update(session=session))
    [mail] = mailoutbox
    assert mail.subject == "Changed: Robotics"
    assert f"Was: {old_date:%A} {old_date.day}" in mail.body
    assert "17:00–20:00" in mail.body
    calendar = mail.attachments[0][1]
    assert f"seat-{seat.pk}@" in calendar and "SEQUENCE:1" in calendar
    # Saving again without a change of time sends nothing more.
    delivered(django_capture_on_commit_callbacks, lambda: session_update(session=session))
    assert len(mailoutbox) == 1


def test_moving_a_session_to_another_run_tells_its_buyers_the_old_run(
    student, run, session, mailoutbox, django_capture_on_commit_callbacks
):
    from orders.services.session_moves import session_move
    from workshops.tests.factories import WorkshopRunFactory

    seat_book(buyer=student, workshop=session.workshop, session_id=session.pk)
    Email.objects.update(status=EmailStatus.SENT, sent_at=timezone.now())
    evening = WorkshopRunFactory(
        workshop=run.workshop, name="Evening", start_date=run.start_date, end_date=run.end_date
    )
    delivered(
        django_capture_on_commit_callbacks, lambda: session_move(session=session, run=evening)
    )
    [mail] = mailoutbox
    assert mail.subject == "Changed: Robotics"
    assert "Was: Spring build · " in mail.body and "Evening · Day 1" in mail.body
