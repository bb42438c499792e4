"""The emails about seats: booked, cancelled (by the buyer or with the session), moved,
and the reminder before a session. Each writer reads the rows as they are when the
email is sent and returns ``None`` when there is nothing left to say."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.i18n import localized
from core.links import absolute_url
from core.money import format_price
from core.people import display_name
from emails.kinds import Attachment, Letter, writer
from emails.models import Email
from orders.calendars import seats_calendar
from orders.models import Order, OrderItem
from orders.selectors import held_by
from workshops.models import WorkshopRun, WorkshopSession
from workshops.selectors.schedule import next_available_session

BOOKING_CONFIRMED = "booking_confirmed"
SEATS_CANCELLED = "seats_cancelled"
SESSION_CANCELLED = "session_cancelled"
SESSION_MOVED = "session_moved"
REMINDER = "reminder"


def told_of(seat: OrderItem) -> list:
    """Who hears about a seat: its buyer, and its attendee when that is someone else (a
    child the parent booked for)."""
    return [seat.buyer] if seat.attendee_id == seat.buyer_id else [seat.buyer, seat.attendee]


def when(date: datetime.date, start: datetime.time, end: datetime.time) -> str:
    """``Saturday 6 February 2027, 09:00–11:00 (Asia/Kuwait)``, in the active language:
    the business's local time, with its zone named."""
    return _("%(date)s, %(start)s–%(end)s (%(zone)s)") % {
        "date": date_format(date, "l j F Y"),
        "start": f"{start:%H:%M}",
        "end": f"{end:%H:%M}",
        "zone": settings.TIME_ZONE,
    }


def session_when(session: WorkshopSession) -> str:
    return when(session.date, session.start_time, session.end_time)


def seat_line(seat: OrderItem) -> dict[str, str]:
    session = seat.session
    return {
        "title": localized(seat.workshop, "title"),
        "day": _("%(run)s · Day %(number)s")
        % {"run": localized(seat.run, "name"), "number": session.number},
        "when": session_when(session),
        "price": format_price(seat.price),
    }


def _seats(ids) -> list[OrderItem]:
    return list(
        OrderItem.objects.filter(pk__in=ids)
        .select_related("session", "run", "workshop", "order", "buyer", "attendee")
        .order_by("session__date", "session__start_time", "pk")
    )


def _calendar(seats: list[OrderItem], *, reference: str, changes: int = 0) -> Attachment:
    name = _("Studyhall order %(reference)s") % {"reference": reference}
    content = seats_calendar(seats, name=name, now=timezone.now(), changes=changes)
    return Attachment(f"studyhall-{reference}.ics", content, "text/calendar")


@writer(BOOKING_CONFIRMED)
def booking_confirmed(email: Email) -> Letter | None:
    order = Order.objects.filter(pk=email.context["order"]).first()
    if order is None:
        return None
    seats = _seats(order.seats.values("pk"))
    active = [seat for seat in seats if seat.is_active]
    booked_by = ""
    if email.recipient_id != order.buyer_id:  # a child the parent booked for: their seats
        active = [seat for seat in active if seat.attendee_id == email.recipient_id]
        booked_by = display_name(order.buyer)
    if not active:
        return None  # cancelled before the confirmation went out
    return Letter(
        subject=_("Booked: %(title)s (order %(reference)s)")
        % {"title": localized(active[0].workshop, "title"), "reference": order.reference},
        template=BOOKING_CONFIRMED,
        context={
            "reference": order.reference,
            "booked_by": booked_by,
            "seats": [seat_line(seat) for seat in active],
            "total": format_price(sum(seat.price for seat in active)),
            "order_url": absolute_url(order.get_absolute_url()),
        },
        attachments=(_calendar(active, reference=order.reference),),
    )


@writer(SEATS_CANCELLED)
def seats_cancelled(email: Email) -> Letter | None:
    seats = [seat for seat in _seats(email.context["seats"]) if not seat.is_active]
    if not seats:
        return None
    order = seats[0].order
    return Letter(
        subject=_("Cancelled: order %(reference)s") % {"reference": order.reference},
        template=SEATS_CANCELLED,
        context={
            "reference": order.reference,
            "seats": [seat_line(seat) for seat in seats],
            "whole_order": email.context["whole_order"],
            "order_url": absolute_url(order.get_absolute_url()),
        },
    )


@writer(SESSION_CANCELLED)
def session_cancelled(email: Email) -> Letter | None:
    seat = next(iter(_seats([email.context["seat"]])), None)
    if seat is None or seat.session.cancelled_at is None:
        return None
    following = next_available_session(workshop=seat.workshop, excluding=held_by(seat.attendee))
    book_url = ""
    if following is not None:
        path = reverse("book", kwargs={"slug": seat.workshop.slug})
        book_url = absolute_url(f"{path}?session={following.pk}")
    return Letter(
        subject=_("Cancelled: %(title)s on %(date)s")
        % {
            "title": localized(seat.workshop, "title"),
            "date": date_format(seat.session.date, "l j F"),
        },
        template=SESSION_CANCELLED,
        context={
            "seat": seat_line(seat),
            "next_when": session_when(following) if following else "",
            "book_url": book_url,
            "orders_url": absolute_url(reverse("orders:list")),
        },
    )


@writer(SESSION_MOVED)
def session_moved(email: Email) -> Letter | None:
    seat = next(iter(_seats([email.context["seat"]])), None)
    if seat is None or not seat.is_active or seat.session.cancelled_at is not None:
        return None
    before = email.context["before"]
    old_when = when(
        datetime.date.fromisoformat(before["date"]),
        datetime.time.fromisoformat(before["start_time"]),
        datetime.time.fromisoformat(before["end_time"]),
    )
    if before.get("run") not in (None, seat.run_id):
        old_run = WorkshopRun.objects.filter(pk=before["run"]).first()
        if old_run is not None:
            old_when = f"{localized(old_run, 'name')} · {old_when}"
    return Letter(
        subject=_("Changed: %(title)s") % {"title": localized(seat.workshop, "title")},
        template=SESSION_MOVED,
        context={
            "seat": seat_line(seat),
            "old_when": old_when,
            "order_url": absolute_url(seat.order.get_absolute_url()),
        },
        # Each move of the session raises the event's SEQUENCE, so calendar apps take it.
        attachments=(
            _calendar(
                [seat],
                reference=seat.order.reference,
                changes=Email.objects.filter(kind=SESSION_MOVED, pk__lte=email.pk)
                .filter(context__seat=seat.pk)
                .count(),
            ),
        ),
    )


@writer(REMINDER)
def reminder(email: Email) -> Letter | None:
    seat = next(iter(_seats([email.context["seat"]])), None)
    if seat is None or not seat.is_active or seat.session.cancelled_at is not None:
        return None
    # A session moved since: its reminder is queued again for the new time.
    starts_at = seat.session.starts_at.astimezone(datetime.UTC)
    if starts_at.isoformat() != email.context["starts_at"]:
        return None
    if starts_at <= timezone.now():
        return None
    return Letter(
        subject=_("Reminder: %(title)s, %(date)s at %(time)s")
        % {
            "title": localized(seat.workshop, "title"),
            "date": date_format(seat.session.date, "l j F"),
            "time": f"{seat.session.start_time:%H:%M}",
        },
        template=REMINDER,
        context={
            "seat": seat_line(seat),
            "order_url": absolute_url(seat.order.get_absolute_url()),
        },
    )
