"""Seats as iCalendar (RFC 5545): an order's ``.ics`` download and a user's feed.

Times are written in UTC (``DTSTART:20270206T070000Z``), which every calendar app reads
the same way, and the business's time zone is named in ``X-WR-TIMEZONE`` for the apps
that show it. Each seat is one event whose UID stays the same for the seat's life, so a
subscribed calendar moves the event when staff move the session and drops it when the
seat or the session is cancelled.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration

from core.i18n import localized
from core.links import absolute_url
from orders.models import OrderItem

PRODUCT_ID = "-//Studyhall//Seats//EN"
# How often a subscribed calendar should ask again (apps may ask less often).
FEED_REFRESH = datetime.timedelta(hours=1)


def seat_event(seat: OrderItem, *, stamp: datetime.datetime, changes: int = 0) -> Event:
    """One seat as an event: the workshop and day, the run and order in the notes.
    ``changes``: how many times staff moved its session, so an update wins over the
    copy a calendar app imported (its ``SEQUENCE`` goes up)."""
    session = seat.session
    order_url = absolute_url(seat.order.get_absolute_url())
    event = Event()
    event.add("uid", f"seat-{seat.pk}@{urlsplit(settings.STUDYHALL_SITE_URL).hostname}")
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at.astimezone(datetime.UTC))
    event.add("dtend", session.ends_at.astimezone(datetime.UTC))
    event.add(
        "summary",
        _("%(title)s · Day %(number)s")
        % {"title": localized(seat.workshop, "title"), "number": session.number},
    )
    order_line = _("Order %(reference)s: %(url)s") % {
        "reference": seat.order.reference,
        "url": order_url,
    }
    event.add("description", f"{localized(seat.run, 'name')}\n{order_line}")
    event.add("url", order_url)
    # A seat cancelled, or in a session staff cancelled, keeps its UID and says so, so a
    # calendar app that imported it removes or strikes the event; the higher SEQUENCE
    # makes the change win over the copy the app has.
    cancelled = not seat.is_active or session.cancelled_at is not None
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", changes + (1 if cancelled else 0))
    return event


def seats_calendar(
    seats: Iterable[OrderItem],
    *,
    name: str,
    now: datetime.datetime,
    refresh: datetime.timedelta | None = None,
    changes: int = 0,
) -> bytes:
    """A calendar of ``seats`` (each with its session, run, workshop and order loaded),
    as the bytes of an ``.ics`` file. ``refresh`` is for a feed: how often to re-read."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    if refresh is not None:
        calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(refresh))
    stamp = now.astimezone(datetime.UTC)
    for seat in seats:
        calendar.add_component(seat_event(seat, stamp=stamp, changes=changes))
    return calendar.to_ical()
