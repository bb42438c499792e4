"""Real `db_worker` processes on the PostgreSQL queue, sending to a real SMTP server of
the test's own: each email is delivered exactly once through a killed worker, two
workers, and a mail server that refuses for a while."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.tasks import task_backends
from django.urls import reverse
from django.utils import timezone
from django.utils.connection import Local

from core.tests.factories import UserFactory
from emails.models import Email, EmailStatus
from emails.services import NewEmail, emails_queue
from emails.tests.smtp import MailServer
from orders.emails import BOOKING_CONFIRMED
from workshops.tests.factories import WorkshopSessionFactory, sell_seats

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
WAIT = 60  # seconds a test waits for the workers at most


@pytest.fixture
def database_queue(settings):
    """This process enqueues on the database queue, as the web servers do."""

    def reset():
        task_backends.__dict__.pop("settings", None)
        task_backends._settings = None
        task_backends._connections = Local(task_backends.thread_critical)

    settings.TASKS = DATABASE_QUEUE
    reset()
    yield
    reset()


@pytest.fixture
def mail_server():
    with MailServer() as server:
        yield server


class Workers:
    """`manage.py db_worker` processes on this test's database, mailing ``server``."""

    def __init__(self, server: MailServer, **environment: str) -> None:
        database = connection.settings_dict
        self.environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": (
                f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
                f"{database['NAME']}"
            ),
            "STUDYHALL_TEST_TASKS": "database",
            "DJANGO_EMAIL_URL": server.url,
            **environment,
        }
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--interval",
                "0.1",
                "--no-reload",
                "--no-startup-delay",
                "--verbosity",
                "0",
            ],
            cwd=ROOT,
            env=self.environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def workers(mail_server, database_queue):
    started: list[Workers] = []

    def make(**environment: str) -> Workers:
        made = Workers(mail_server, **environment)
        started.append(made)
        return made

    yield make
    for made in started:
        made.stop()


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {WAIT} s for {what}")
        time.sleep(0.05)


def settled() -> bool:
    """Nothing waiting: every email sent, not needed or failed."""
    return not Email.objects.filter(status=EmailStatus.QUEUED).exists()


def test_a_booking_made_on_the_page_is_confirmed_once_by_a_worker(
    client, run, mail_server, workers
):
    session = WorkshopSessionFactory(
        run=run, number=1, date=timezone.localdate() + datetime.timedelta(days=5)
    )
    buyer = UserFactory(username="amira")
    client.force_login(buyer)
    response = client.post(
        reverse("book", kwargs={"slug": run.workshop.slug}), {"session": session.pk}
    )
    assert response.status_code == 302
    pool = workers()
    pool.start()
    wait_until(lambda: len(mail_server.messages) == 1 and settled(), "the confirmation")
    [message] = mail_server.messages
    assert message["To"] == "amira@example.com" and message["Subject"].startswith("Booked: ")
    # A second worker, and the first again, find nothing more to send.
    pool.start()
    call_command("send_reminders", verbosity=0)
    time.sleep(1)
    assert len(mail_server.messages) == 1


def many_emails(count: int) -> None:
    """``count`` confirmations of real orders, queued at once."""
    session = WorkshopSessionFactory(capacity=count)
    sell_seats(session, count)
    users = User.objects.filter(username__startswith=f"seat-{session.pk}-")
    User.objects.filter(pk__in=users).update(email=address_from_username())
    emails_queue(
        NewEmail(
            kind=BOOKING_CONFIRMED,
            recipient=seat.buyer,
            about=f"order-{seat.order_id}",
            context={"order": seat.order_id},
        )
        for seat in session.seats.select_related("buyer")
    )


def address_from_username():
    from django.db.models import F, Value
    from django.db.models.functions import Concat

    return Concat(F("username"), Value("@example.com"))


def test_a_worker_killed_mid_batch_leaves_nothing_unsent_and_nothing_sent_twice(
    mail_server, workers
):
    many_emails(30)
    mail_server.hold(12)  # the 12th message: the worker waits for the server's answer
    pool = workers()
    first = pool.start()
    assert mail_server.holding.wait(WAIT), "the worker never reached the 12th message"
    first.kill()  # SIGKILL: no clean-up, its transaction dies with its connection
    first.wait()
    mail_server.release()
    assert len(mail_server.messages) == 11
    pool.start()  # a new worker picks up what the dead one left
    wait_until(lambda: len(mail_server.messages) == 30 and settled(), "the other 19 emails")
    counts = Counter(mail_server.keys())
    assert len(counts) == 30 and set(counts.values()) == {1}
    assert Email.objects.filter(status=EmailStatus.SENT).count() == 30


def test_two_workers_at_once_deliver_500_reminders_once_each(run, mail_server, workers, settings):
    # Tomorrow at 23:00 is within 48 hours, whatever the time now.
    settings.STUDYHALL_REMINDER_HOURS = 48
    session = WorkshopSessionFactory(
        run=run,
        capacity=500,
        date=timezone.localdate() + datetime.timedelta(days=1),
        start_time=datetime.time(23),
        end_time=datetime.time(23, 30),
    )
    sell_seats(session, 500)
    User.objects.filter(username__startswith=f"seat-{session.pk}-").update(
        email=address_from_username()
    )
    # Booked well before the reminder time.
    session.seats.update(created_at=timezone.now() - datetime.timedelta(days=5))
    pool = workers()
    pool.start()
    pool.start()
    call_command("send_reminders", verbosity=0)
    call_command("send_reminders", verbosity=0)  # twice: still one each
    wait_until(lambda: len(mail_server.messages) >= 500 and settled(), "500 reminders")
    time.sleep(0.5)
    counts = Counter(mail_server.keys())
    assert len(counts) == 500 and set(counts.values()) == {1}
    assert all(key.startswith("reminder:seat-") for key in counts)


def test_a_refusing_mail_server_is_tried_again_until_it_accepts(mail_server, workers):
    mail_server.refuse_next(2)
    many_emails(1)
    pool = workers(STUDYHALL_EMAIL_RETRY_DELAYS="0.5,0.5,0.5")
    pool.start()
    wait_until(lambda: len(mail_server.messages) == 1 and settled(), "the third attempt")
    email = Email.objects.get()
    assert email.status == EmailStatus.SENT and email.attempts == 2
    assert "451" in email.last_error
    assert mail_server.offered == 3
