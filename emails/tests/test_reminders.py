"""Reminders: one per seat, STUDYHALL_REMINDER_HOURS before the session starts, in the
business's local time across a daylight-saving change; none for what was cancelled or
booked after the reminder time; a moved session is reminded at its new time."""

import datetime
import json

import pytest

from core.tests.commands import run_command
from core.tests.factories import UserFactory
from emails.models import Email, EmailStatus
from emails.services import emails_deliver_due
from orders.emails import REMINDER
from orders.services.booking import seat_book
from orders.services.cancellation import order_cancel, sessions_cancel
from orders.services.reminders import reminders_queue
from workshops.services import session_update
from workshops.tests.factories import WorkshopRunFactory, WorkshopSessionFactory

pytestmark = pytest.mark.django_db

LONDON = "Europe/London"


@pytest.fixture
def london(settings):
    """A business in London: clocks go forward at 01:00 UTC on Sunday 28 March 2027."""
    settings.TIME_ZONE = LONDON
    settings.STUDYHALL_REMINDER_HOURS = 24


def at(text: str) -> datetime.datetime:
    """A moment written in London's local time."""
    from zoneinfo import ZoneInfo

    return datetime.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(LONDON))


@pytest.fixture
def spring(london):
    return WorkshopRunFactory(
        workshop__title="Pottery",
        start_date=datetime.date(2027, 3, 20),
        end_date=datetime.date(2027, 4, 10),
    )


def evening_session(run, day: int) -> object:
    return WorkshopSessionFactory(
        run=run,
        number=day,
        date=datetime.date(2027, 3, day),
        start_time=datetime.time(18),
        end_time=datetime.time(20),
    )


def booked(session, clock, when="2027-03-20T10:00"):
    clock(at(when))
    return seat_book(buyer=UserFactory(), workshop=session.workshop, session_id=session.pk)


def reminders():
    return list(Email.objects.filter(kind=REMINDER).order_by("pk"))


@pytest.mark.parametrize(
    ("day", "due", "not_yet"),
    [
        # Monday after the change: 18:00 BST is 17:00 UTC; 24 hours before is Sunday 18:00 BST.
        (29, "2027-03-28T18:00", "2027-03-28T17:59"),
        # Sunday of the change: 24 hours before 18:00 BST is Saturday 17:00 GMT (the day
        # before had an hour more).
        (28, "2027-03-27T17:00", "2027-03-27T16:59"),
        # Saturday before it: 18:00 GMT, reminded Friday 18:00 GMT.
        (27, "2027-03-26T18:00", "2027-03-26T17:59"),
    ],
)
def test_a_reminder_is_due_24_real_hours_before_the_local_start(
    spring, clock, mailoutbox, day, due, not_yet
):
    session = evening_session(spring, day)
    booked(session, clock)
    clock(at(not_yet))
    assert reminders_queue() == 0
    clock(at(due))
    assert reminders_queue() == 1
    assert reminders_queue() == 0  # once, however often it runs
    emails_deliver_due()
    [mail] = [mail for mail in mailoutbox if mail.subject.startswith("Reminder")]
    assert "18:00–20:00 (Europe/London)" in mail.body
    assert mail.subject.startswith("Reminder: Pottery, ") and mail.subject.endswith("at 18:00")


def test_no_reminder_for_a_seat_booked_after_its_reminder_time(spring, clock):
    session = evening_session(spring, 29)
    booked(session, clock, when="2027-03-29T09:00")  # 9 hours before: the confirmation says
    assert reminders_queue() == 0


def test_no_reminder_for_a_cancelled_seat_or_session(spring, clock, mailoutbox):
    kept, dropped = evening_session(spring, 29), evening_session(spring, 30)
    order_cancel(order=booked(kept, clock).order)
    booked(dropped, clock)
    sessions_cancel(session_ids=[dropped.pk])
    for day in ("2027-03-28T18:00", "2027-03-29T18:00"):
        clock(at(day))
        assert reminders_queue() == 0


def test_a_reminder_waiting_when_its_seat_is_cancelled_is_not_sent(spring, clock, mailoutbox):
    session = evening_session(spring, 29)
    seat = booked(session, clock)
    emails_deliver_due()  # the confirmation
    mailoutbox.clear()
    clock(at("2027-03-28T18:00"))
    assert reminders_queue() == 1
    order_cancel(order=seat.order)
    emails_deliver_due()
    [reminder] = reminders()
    assert reminder.status == EmailStatus.SKIPPED
    assert [m.subject for m in mailoutbox] == [f"Cancelled: order {seat.order.reference}"]


def test_a_moved_session_is_reminded_at_its_new_time_only(spring, clock, mailoutbox):
    session = evening_session(spring, 29)
    booked(session, clock)
    clock(at("2027-03-28T18:00"))
    assert reminders_queue() == 1  # queued for 18:00 on the 29th, not yet sent
    session.date = datetime.date(2027, 4, 2)
    session_update(session=session)
    emails_deliver_due()
    assert [r.status for r in reminders()] == [EmailStatus.SKIPPED]
    clock(at("2027-04-01T18:00"))
    assert reminders_queue() == 1
    emails_deliver_due()
    assert [r.status for r in reminders()] == [EmailStatus.SKIPPED, EmailStatus.SENT]
    assert "Friday 2 April 2027, 18:00–20:00" in mailoutbox[-1].body


def test_send_reminders_reports_what_it_queued_and_a_dry_run_writes_nothing(
    spring, clock, monkeypatch
):
    booked(evening_session(spring, 29), clock)
    clock(at("2027-03-28T18:30"))
    dry = run_command(monkeypatch, "send_reminders", "--dry-run", "--json")
    assert dry.code == 0 and json.loads(dry.out)["queued"]["reminders"] == 1
    assert reminders() == []
    done = run_command(monkeypatch, "send_reminders")
    assert done.code == 0 and "Queued 1 reminders." in done.out
    again = run_command(monkeypatch, "send_reminders", "--json")
    assert json.loads(again.out) == {
        "queued": {"reminders": 0, "expired tutoring requests": 0},
        "dry_run": False,
    }


def test_send_reminders_refuses_arguments_it_does_not_know(monkeypatch, db):
    result = run_command(monkeypatch, "send_reminders", "--hours", "3")
    assert result.code == 2
    assert result.err.count("\n") <= 1 and "unrecognized arguments" in result.err
