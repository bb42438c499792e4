"""Delivery: a refusing mail server is tried again after growing delays, then the email
is failed; staff see it and send it again; /healthz reports the queue."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.settings.base import mailer_from_url
from core.tests.factories import UserFactory, staff_user
from emails.models import Email, EmailStatus
from emails.selectors import STALE_AFTER
from emails.services import NewEmail, email_deliver_next, emails_queue
from orders.emails import BOOKING_CONFIRMED
from orders.services.booking import seat_book
from workshops.tests.factories import WorkshopSessionFactory, days_from_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmation(run):
    """A booking whose confirmation waits in the outbox."""
    session = WorkshopSessionFactory(run=run, number=1, date=days_from_today(5))
    seat_book(buyer=UserFactory(username="amira"), workshop=run.workshop, session_id=session.pk)
    return Email.objects.get(kind=BOOKING_CONFIRMED)


def test_a_refused_email_waits_longer_after_each_attempt_then_fails(
    confirmation, mail_server, settings
):
    settings.STUDYHALL_EMAIL_RETRY_DELAYS = (60.0, 300.0)
    mail_server.refuse_next(3)
    now = timezone.now()
    email_deliver_next(now)
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts) == (EmailStatus.QUEUED, 1)
    assert confirmation.next_attempt_at == now + datetime.timedelta(seconds=60)
    assert "451" in confirmation.last_error
    assert email_deliver_next(now + datetime.timedelta(seconds=59)) is None  # not due yet
    email_deliver_next(now + datetime.timedelta(seconds=60))
    confirmation.refresh_from_db()
    assert confirmation.next_attempt_at == now + datetime.timedelta(seconds=360)
    email_deliver_next(now + datetime.timedelta(seconds=360))
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts) == (EmailStatus.FAILED, 3)
    assert confirmation.sent_at is None and mail_server.messages == []


def test_the_default_delays_keep_trying_for_more_than_a_day():
    from django.conf import settings

    assert sum(settings.STUDYHALL_EMAIL_RETRY_DELAYS) > 24 * 3600


def test_staff_send_a_failed_email_again_from_the_admin(
    confirmation, mailoutbox, django_capture_on_commit_callbacks
):
    Email.objects.filter(pk=confirmation.pk).update(
        status=EmailStatus.FAILED, attempts=9, last_error="SMTPServerDisconnected: gone"
    )
    client = Client()
    client.force_login(staff_user("emails"))
    listing = client.get(reverse("admin:emails_email_changelist") + "?status=failed")
    assert listing.status_code == 200 and "amira" in listing.text
    detail = client.get(reverse("admin:emails_email_change", args=[confirmation.pk]))
    assert "SMTPServerDisconnected: gone" in detail.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:emails_email_changelist"),
            {"action": "send_again", "_selected_action": [confirmation.pk]},
            follow=True,
        )
    assert "1 email will be sent again." in response.text
    confirmation.refresh_from_db()
    assert confirmation.status == EmailStatus.SENT and confirmation.attempts == 0
    assert len(mailoutbox) == 1


def test_staff_who_may_only_look_cannot_send_again(confirmation):
    from django.contrib.auth.models import Permission

    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_email"))
    client = Client()
    client.force_login(viewer)
    listing = client.get(reverse("admin:emails_email_changelist"))
    assert listing.status_code == 200 and "send_again" not in listing.text


def test_healthz_reports_the_queue_and_turns_degraded_when_an_email_waits_too_long(
    confirmation, client
):
    health = client.get(reverse("healthz")).json()
    assert health["status"] == "ok"
    assert health["queue"]["emails_waiting"] == 1 and health["queue"]["emails_failed"] == 0
    Email.objects.update(
        next_attempt_at=timezone.now() - STALE_AFTER - datetime.timedelta(seconds=5)
    )
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["queue"]["oldest_waiting_seconds"] > STALE_AFTER.total_seconds()


def test_an_email_for_a_deleted_order_is_not_needed(run, mailoutbox):
    someone = UserFactory()
    emails_queue(
        [NewEmail(kind=BOOKING_CONFIRMED, recipient=someone, about="order-0", context={"order": 0})]
    )
    assert email_deliver_next().status == EmailStatus.SKIPPED
    assert mailoutbox == []


def test_a_mail_server_that_refuses_the_address_for_good_fails_at_once(confirmation, settings):
    """5xx: no such mailbox. Trying again for a day would not help."""
    import smtplib

    from emails import services

    def refuse(message):
        raise smtplib.SMTPRecipientsRefused({"amira@example.com": (550, b"No such user")})

    original, services._send = services._send, refuse
    try:
        email_deliver_next()
    finally:
        services._send = original
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts) == (EmailStatus.FAILED, 1)


def test_a_message_the_server_accepted_is_sent_even_if_closing_the_connection_fails(
    confirmation, mail_server, monkeypatch
):
    import smtplib

    def quit_fails(self):
        raise smtplib.SMTPServerDisconnected("connection lost during QUIT")

    monkeypatch.setattr(smtplib.SMTP, "quit", quit_fails)
    email_deliver_next()
    confirmation.refresh_from_db()
    assert confirmation.status == EmailStatus.SENT and len(mail_server.messages) == 1


def test_a_mail_folder_given_as_an_absolute_url_receives_the_files(
    confirmation, settings, tmp_path
):
    settings.MAILERS = {"default": mailer_from_url(f"filemail://{tmp_path}/outbox")}
    email_deliver_next()
    [written] = (tmp_path / "outbox").iterdir()
    assert "Subject: Booked: " in written.read_text()


@pytest.mark.parametrize(
    ("url", "folder"),
    [
        ("filemail:///var/mail/studyhall", "/var/mail/studyhall"),
        ("filemail://var/mail", "var/mail"),
    ],
)
def test_a_mail_folder_url_keeps_an_absolute_path(url, folder):
    assert mailer_from_url(url)["OPTIONS"] == {"file_path": folder}
