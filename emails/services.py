"""Queue emails with the change they report, and deliver them exactly once.

Queueing (``emails_queue``) writes the rows in the caller's transaction and, once it
commits, enqueues a delivery job (``enqueue_on_commit``). The rows are the promise:
if the process dies between the commit and the enqueue, the next job (the worker
enqueues one when it starts, ``send_reminders`` one on every run) finds them.

Delivering (``email_deliver_next``) claims one due row with ``SKIP LOCKED``, writes
and sends it, and records the outcome in the same transaction, so two workers never
send one row and a sent row is never sent again. The one window left: a worker that
dies after the mail server accepted a message and before its commit sends that
message again when the row is next claimed (the README says so).

A refused or failed send is retried after growing delays
(``STUDYHALL_EMAIL_RETRY_DELAYS``, over a day in all by default), then recorded as
failed; staff can send a failed email again from the admin (``email_retry``).
"""

from __future__ import annotations

import datetime
import logging
import math
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.i18n import ARABIC, language_of
from core.links import absolute_url
from core.locking import first_free
from core.people import display_name
from emails.kinds import writer_of
from emails.models import Email, EmailStatus
from emails.tasks import deliver_due_emails

logger = logging.getLogger(__name__)

# One delivery job per this many emails queued together, up to JOBS_AT_ONCE, so a
# second worker shares a large batch (a session of 200 seats cancelled).
EMAILS_PER_JOB = 50
JOBS_AT_ONCE = 4


@dataclass(frozen=True)
class NewEmail:
    """An email to queue: ``kind`` (a registered writer), to ``recipient``, ``about``
    what (with ``kind`` and the recipient, its identity), from ``context``."""

    kind: str
    recipient: AbstractBaseUser
    about: str
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.about}:user-{self.recipient.pk}"


def enqueue_on_commit(*, jobs: int = 1, run_after: datetime.datetime | None = None) -> None:
    """Enqueue ``jobs`` delivery jobs once the current transaction commits (at once
    outside one). A queue that cannot be reached is logged: the rows wait for the next
    job."""
    task = deliver_due_emails
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # a backend that cannot wait (the tests'): the next job finds it due
        task = task.using(run_after=run_after)

    def enqueue() -> None:
        try:
            for _ in range(jobs):
                task.enqueue()
        except Exception:  # the rows are saved; the next job delivers them
            logger.exception("could not enqueue email delivery")

    transaction.on_commit(enqueue)


def emails_queue(emails: Iterable[NewEmail], *, now: datetime.datetime | None = None) -> None:
    """Queue ``emails`` in the current transaction, to be delivered once it commits.
    An email whose identity is already queued or sent is left as it is (the insert
    skips it), so queueing the same email twice, even at once, sends it once."""
    now = now or timezone.now()
    rows = [
        Email(
            key=email.key,
            kind=email.kind,
            recipient_id=email.recipient.pk,
            context=email.context,
            next_attempt_at=now,
        )
        for email in emails
        if email.recipient.email
    ]
    if not rows:
        return
    Email.objects.bulk_create(rows, ignore_conflicts=True)
    enqueue_on_commit(jobs=min(JOBS_AT_ONCE, math.ceil(len(rows) / EMAILS_PER_JOB)))


def emails_new(emails: list[NewEmail]) -> list[NewEmail]:
    """The ``emails`` not queued before (by identity)."""
    known = set(
        Email.objects.filter(key__in=[email.key for email in emails]).values_list("key", flat=True)
    )
    return [email for email in emails if email.key not in known]


def email_retry(*, email: Email, now: datetime.datetime | None = None) -> bool:
    """Send a failed email again now, with a fresh round of attempts. False when it
    was not failed (sent, waiting or not needed)."""
    now = now or timezone.now()
    with transaction.atomic():
        retried = Email.objects.filter(pk=email.pk, status=EmailStatus.FAILED).update(
            status=EmailStatus.QUEUED, attempts=0, next_attempt_at=now
        )
        if retried:
            enqueue_on_commit()
    return bool(retried)


def emails_next_id() -> int:
    """The id the next email will have at least (for ``emails_hold_back``)."""
    last = Email.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def emails_hold_back(*, to: QuerySet, from_id: int) -> int:
    """Mark the waiting emails to these users queued from ``from_id`` on as not needed
    (what seeding demo people, who have no inboxes, queued); how many."""
    return Email.objects.filter(
        status=EmailStatus.QUEUED, recipient__in=to, pk__gte=from_id
    ).update(status=EmailStatus.SKIPPED, last_error="Not sent: demo data.")


def emails_deliver_due(*, limit: int | None = EMAILS_PER_JOB) -> int:
    """Deliver due emails, up to ``limit``; how many this call handled. One job stops
    after ``limit`` and leaves the rest to another job (enqueued here), so a worker asked
    to stop finishes its current job quickly and two workers share a long queue."""
    handled = 0
    while limit is None or handled < limit:
        if email_deliver_next() is None:
            return handled
        handled += 1
    if emails_due_exist():
        enqueue_on_commit()
    return handled


def email_deliver_next(now: datetime.datetime | None = None) -> Email | None:
    """Claim the next due email no other worker holds, send it and record the outcome,
    in one transaction; ``None`` when nothing is due."""
    with transaction.atomic():
        now = now or timezone.now()
        due = Email.objects.due(now).order_by("next_attempt_at", "pk")
        email = first_free(due.select_related("recipient"))
        if email is None:
            return None
        try:
            # A savepoint: a database error while writing the email fails this attempt
            # only; the claim's transaction can still record it.
            with transaction.atomic():
                message = compose(email)
            if message is None:
                email.status = EmailStatus.SKIPPED
            else:
                _send(message)
                email.status = EmailStatus.SENT
                email.sent_at = timezone.now()
        except Exception as error:  # the mail server, the network, or the writer
            _attempt_failed(email, error, now=now)
        email.save()
    return email


def _send(message: EmailMultiAlternatives) -> None:
    """Send ``message`` on a connection of its own. Once the server has accepted it, an
    error while closing the connection (a lost ``QUIT``) is logged, not raised: the
    message went out and must be recorded as sent, not tried again."""
    connection = mailers.default
    connection.open()
    try:
        connection.send_messages([message])
    finally:
        try:
            connection.close()
        except Exception:  # after the server's answer to the message itself
            logger.warning("could not close the mail connection cleanly", exc_info=True)


def _permanent(error: Exception) -> bool:
    """The server refused for good (5xx: no such mailbox, say): trying again is useless."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _attempt_failed(email: Email, error: Exception, *, now: datetime.datetime) -> None:
    # Read on every failure, so a changed setting applies from the next attempt.
    delays = settings.STUDYHALL_EMAIL_RETRY_DELAYS
    email.attempts += 1
    email.last_error = f"{error.__class__.__name__}: {error}"[:2000]
    if email.attempts > len(delays) or _permanent(error):
        email.status = EmailStatus.FAILED
        logger.error("email %s failed after %d attempts: %s", email.key, email.attempts, error)
        return
    email.next_attempt_at = now + datetime.timedelta(seconds=delays[email.attempts - 1])
    logger.warning(
        "email %s not sent (attempt %d), trying again at %s: %s",
        email.key,
        email.attempts,
        email.next_attempt_at.isoformat(),
        error,
    )
    enqueue_on_commit(run_after=email.next_attempt_at)


def compose(email: Email) -> EmailMultiAlternatives | None:
    """``email`` written in its recipient's language, plain text and HTML, or ``None``
    when there is nothing left to say."""
    recipient = email.recipient
    language = language_of(recipient)
    with translation.override(language):
        letter = writer_of(email.kind)(email)
        if letter is None:
            return None
        context = {
            "name": display_name(recipient),
            "site_url": absolute_url("/"),
            "language": language,
            "direction": "rtl" if language == ARABIC else "ltr",
            "time_zone": settings.TIME_ZONE,
            **letter.context,
        }
        text = render_to_string(f"emails/{letter.template}.txt", context)
        html = render_to_string(f"emails/{letter.template}.html", context)
    message = EmailMultiAlternatives(
        subject=letter.subject, body=text, to=[recipient.email], headers=_headers(email)
    )
    message.attach_alternative(html, "text/html")
    for attachment in letter.attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    email.address = recipient.email
    email.subject = letter.subject[:300]
    return message


def _headers(email: Email) -> dict[str, str]:
    # Automatic mail: no out-of-office replies (RFC 3834). The identity lets an
    # operator match a delivered message to its row.
    return {"Auto-Submitted": "auto-generated", "X-Studyhall-Email": email.key}


def emails_due_exist(now: datetime.datetime | None = None) -> bool:
    return Email.objects.due(now or timezone.now()).exists()
