"""Reminders before booked sessions, found by ``send_reminders``.

A seat gets one reminder ``STUDYHALL_REMINDER_HOURS`` before its session starts (read
on every run, so a changed setting applies from the next run). Its identity is the
seat and the session's start, so two runs at once queue it once, and a session moved
since gets a new one at its new time (the old one is then not needed). A seat booked
after its reminder time gets none: its confirmation, sent at once, already says when.
A seat or session cancelled before the reminder goes out gets none either.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from emails.services import NewEmail, emails_new, emails_queue
from orders.emails import REMINDER, told_of
from orders.models import OrderItem, SeatStatus


def reminder_lead() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.STUDYHALL_REMINDER_HOURS)


def reminders_queue(*, now: datetime.datetime | None = None) -> int:
    """Queue the reminders due at ``now``; how many were new."""
    # In UTC: arithmetic on times of a zone with daylight saving counts wall-clock
    # hours, and 24 hours before 18:00 on the Sunday clocks go forward is 17:00 the day
    # before, not 18:00.
    now = (now or timezone.now()).astimezone(datetime.UTC)
    lead = reminder_lead()
    horizon = now + lead
    seats = OrderItem.objects.filter(
        status=SeatStatus.ACTIVE,
        session__cancelled_at__isnull=True,
        session__date__range=(timezone.localdate(now), timezone.localdate(horizon)),
    ).select_related("session", "buyer", "attendee")
    due = []
    for seat in seats.iterator(chunk_size=2000):
        starts_at = seat.session.starts_at.astimezone(datetime.UTC)
        if now < starts_at <= horizon and seat.created_at <= starts_at - lead:
            due.extend(
                NewEmail(
                    kind=REMINDER,
                    recipient=person,
                    about=f"seat-{seat.pk}:{starts_at.isoformat()}",
                    context={"seat": seat.pk, "starts_at": starts_at.isoformat()},
                )
                for person in told_of(seat)
            )
    new = emails_new(due)
    with transaction.atomic():
        emails_queue(new, now=now)
    return len(new)
