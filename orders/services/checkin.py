"""Checking attendees in: from a host link's roster or the session's admin page.

Check-in writes only ``checked_in_at``, on an active seat of the session the caller
names (a host link opens exactly one session), under the seat's row lock, so it takes
turns with cancelling that seat. It is open from ``STUDYHALL_CHECK_IN_OPENS_MINUTES``
before the session starts to the end of the session's day
(``WorkshopSession.check_in_opens_at`` and ``check_in_closes_at``). Late fixes after
that are for staff: in the admin, or from a host link staff gave out after the session
ended.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.checkpoints import checkpoint
from core.errors import DomainError
from core.locking import locked
from orders.models import OrderItem, SeatStatus
from workshops.models import WorkshopSession


class CheckInRefused(DomainError):
    """A seat that cannot be checked in (or out) now. ``code`` says why:
    ``seat_not_in_session``, ``seat_cancelled``, ``session_cancelled``,
    ``not_open_yet`` or ``closed``."""

    code = "check_in_refused"


def check_in_refusal(
    session: WorkshopSession, *, now: datetime.datetime, late: bool = False
) -> CheckInRefused | None:
    """Why attendance cannot be taken for ``session`` now, or ``None`` when it can.
    ``late``: staff fixing attendance after the day (the admin, or a host link given
    out after the session ended), which only the opening time limits."""
    if session.cancelled_at is not None:
        return CheckInRefused(
            _("This session was cancelled; there is no attendance to take."),
            code="session_cancelled",
        )
    opens = timezone.localtime(session.check_in_opens_at)
    if now < opens:
        return CheckInRefused(
            _("Check-in opens at %(time)s on %(date)s.")
            % {"time": f"{opens:%H:%M}", "date": date_format(opens.date(), "l j F")},
            code="not_open_yet",
        )
    if not late and now >= session.check_in_closes_at:
        return CheckInRefused(
            _(
                "Check-in closed at the end of the session's day. To fix attendance now, "
                "ask staff for a new host link."
            ),
            code="closed",
        )
    return None


def _lock_roster_seat(
    *, session: WorkshopSession, seat_id: int, now: datetime.datetime, late: bool
) -> OrderItem:
    """Seat ``seat_id`` of ``session``, locked, with its buyer; refused in words when
    attendance cannot be taken now, or the seat is not on the session's roster or is
    cancelled."""
    refusal = check_in_refusal(session, now=now, late=late)
    if refusal is not None:
        raise refusal
    seat = (
        locked(OrderItem.objects.filter(pk=seat_id, session_id=session.pk))
        .select_related("buyer")
        .first()
    )
    if seat is None:
        raise CheckInRefused(
            _("That seat is not on this session's roster; choose a name from the list."),
            code="seat_not_in_session",
            field="seat",
        )
    if seat.status == SeatStatus.CANCELLED:
        raise CheckInRefused(
            _("The seat of %(name)s was cancelled; it cannot be checked in or out.")
            % {"name": seat.attendee_name},
            code="seat_cancelled",
            field="seat",
        )
    return seat


def seat_check_in(
    *,
    session: WorkshopSession,
    seat_id: int,
    now: datetime.datetime | None = None,
    late: bool = False,
) -> OrderItem:
    """Check seat ``seat_id`` in at ``now``: the attendee is here.

    Only an active seat of ``session`` (the one session a host link opens, or the one
    staff are looking at), in a session that is not cancelled, while check-in is open
    (``late``: staff's late fixes, see ``check_in_refusal``). Checking in twice is
    harmless: the first time stands. Returns the seat with its buyer.
    """
    now = now or timezone.now()
    with transaction.atomic():
        seat = _lock_roster_seat(session=session, seat_id=seat_id, now=now, late=late)
        checkpoint("check_in.locked")
        if seat.checked_in_at is None:
            seat.checked_in_at = now
            seat.save(update_fields=["checked_in_at"])
    return seat


def seat_check_in_undo(
    *,
    session: WorkshopSession,
    seat_id: int,
    now: datetime.datetime | None = None,
    late: bool = False,
) -> OrderItem:
    """Undo the check-in of seat ``seat_id`` (checked in by mistake), under the same
    rules as ``seat_check_in``. Undoing a seat not checked in is harmless."""
    now = now or timezone.now()
    with transaction.atomic():
        seat = _lock_roster_seat(session=session, seat_id=seat_id, now=now, late=late)
        if seat.checked_in_at is not None:
            seat.checked_in_at = None
            seat.save(update_fields=["checked_in_at"])
    return seat
