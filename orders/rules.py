"""Whether a buyer can book a session, or every day of a run, now; and if not, why, in
the words the buyer reads. This is the one place that decides it (pretix asks its
``Quota.availability()``):

- the workshop page asks it to disable a choice and to say why a run cannot be booked
  whole;
- the confirmation pages ask it before they show the button;
- the booking services (``orders.services.booking``) ask it again after locking the
  session rows, so what they refuse under concurrency is refused in the same words.

A refusal is a ``BookingError``: its message is for the buyer, its ``status`` for the
page (400 for a choice that is not on the list, 409 for one the schedule refuses now).
What a session's own row allows is ``WorkshopSession.booking_block`` (the schedule's
side of "bookable"); this module adds the workshop, the run as a whole and what the
buyer already holds.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import DomainError
from core.i18n import localized
from core.people import display_name
from workshops.models import BookingBlock, Workshop, WorkshopSession


class BookingError(DomainError):
    code = "booking"
    status = 409


class SessionFull(BookingError):
    code = "session_full"


class SessionCancelled(BookingError):
    code = "session_cancelled"


class SessionPast(BookingError):
    code = "session_past"


class NoSessionAvailable(BookingError):
    code = "no_session_available"


class AlreadyBooked(BookingError):
    code = "already_booked"


class WorkshopInactive(BookingError):
    code = "workshop_inactive"


class AttendeeRefused(BookingError):
    code = "attendee_refused"
    status = 400


class SessionNotFound(BookingError):
    code = "session_not_found"
    status = 400


class RunNotFound(BookingError):
    code = "run_not_found"
    status = 400


def day_name(date: datetime.date) -> str:
    """A date as a refusal or an email names it, in the active language: ``Monday 8 March``."""
    return date_format(date, "l j F")


def _day(session: WorkshopSession) -> str:
    return _("Day %(number)s (%(date)s)") % {
        "number": session.number,
        "date": day_name(session.date),
    }


def workshop_refusal(workshop: Workshop) -> BookingError | None:
    if not workshop.is_active:
        return WorkshopInactive(
            _("%(title)s is not taking bookings.") % {"title": localized(workshop, "title")}
        )
    return None


def session_not_found(workshop: Workshop) -> SessionNotFound:
    return SessionNotFound(
        _("That session is not part of %(title)s; choose one from the list.")
        % {"title": localized(workshop, "title")}
    )


def session_refusal(
    session: WorkshopSession | None,
    *,
    workshop: Workshop,
    held: Collection[int],
    now: datetime.datetime,
) -> BookingError | None:
    """Why the buyer cannot book ``session`` of ``workshop`` now, or ``None`` when they
    can. ``session`` is ``None`` when no session of the workshop with a valid run has
    the id asked for; ``held`` is the ids of the sessions the buyer holds a seat in."""
    refusal = workshop_refusal(workshop)
    if refusal is not None:
        return refusal
    if session is None or session.workshop_id != workshop.pk:
        return session_not_found(workshop)
    names = {"date": day_name(session.date)}
    block = session.booking_block(now)
    if block == BookingBlock.CANCELLED:
        return SessionCancelled(
            _("The session on %(date)s was cancelled; choose another session.") % names
        )
    if block == BookingBlock.STARTED:
        return SessionPast(
            _("The session on %(date)s has already started; choose a later one.") % names
        )
    if session.pk in held:
        return AlreadyBooked(
            _("You already have a seat in the session on %(date)s; see it under My orders.") % names
        )
    if block == BookingBlock.FULL:
        return session_full(session)
    return None


def session_full(session: WorkshopSession) -> SessionFull:
    return SessionFull(
        _("The session on %(date)s is full; choose another session.")
        % {"date": day_name(session.date)}
    )


def nothing_available(workshop: Workshop) -> NoSessionAvailable:
    return NoSessionAvailable(
        _(
            "No session of %(title)s can be booked right now; every upcoming session "
            "is full, cancelled or already yours."
        )
        % {"title": localized(workshop, "title")}
    )


def run_refusal(
    days: Sequence[WorkshopSession],
    *,
    workshop: Workshop,
    held: Collection[int],
    now: datetime.datetime,
) -> BookingError | None:
    """Why the buyer cannot book every day of a run now, or ``None`` when they can.
    ``days`` are the run's sessions that are not cancelled (what booking the run
    books), in date order; none means the run is not one of the workshop's, or has
    nothing left to book. The first day that refuses is named."""
    refusal = workshop_refusal(workshop)
    if refusal is not None:
        return refusal
    if not days or any(day.workshop_id != workshop.pk for day in days):
        return RunNotFound(
            _(
                "That run is not part of %(title)s, or it has no sessions left to book; "
                "choose one from the list."
            )
            % {"title": localized(workshop, "title")}
        )
    if days[-1].has_started(now):
        return SessionPast(_("This run has already taken place; choose a run still to come."))
    for day in days:
        block = day.booking_block(now)
        if block == BookingBlock.STARTED:
            return SessionPast(
                _(
                    "%(day)s has already started, so the whole run can no longer be "
                    "booked; choose single sessions instead."
                )
                % {"day": _day(day)}
            )
        if day.pk in held:
            return AlreadyBooked(
                _(
                    "You already have a seat on %(day)s; see it under My orders, or book "
                    "the other days one by one."
                )
                % {"day": _day(day)}
            )
        if block == BookingBlock.FULL:
            return run_day_full(day)
    return None


def run_day_full(day: WorkshopSession) -> SessionFull:
    return SessionFull(
        _("%(day)s is full, so the whole run cannot be booked.") % {"day": _day(day)}
    )


def attendee_refusal(
    buyer: AbstractBaseUser, attendees: Sequence[AbstractBaseUser], children: Collection[int]
) -> BookingError | None:
    """Why ``buyer`` cannot book seats for ``attendees`` (``seat_attendee``): each must be
    the buyer or one of the buyer's children (``children``: their user ids), once."""
    if not attendees:
        return AttendeeRefused(_("Choose who the seats are for."))
    if len({person.pk for person in attendees}) != len(attendees):
        return AttendeeRefused(_("Choose each person once: one seat each."))
    if any(person.pk != buyer.pk and person.pk not in children for person in attendees):
        return AttendeeRefused(_("You can book seats only for yourself and your children."))
    return None


def already_seated(
    session: WorkshopSession, person: AbstractBaseUser, *, buyer: AbstractBaseUser
) -> AlreadyBooked:
    """``person`` (the buyer, or a child they book for) has a seat in ``session``."""
    names = {"date": day_name(session.date), "name": display_name(person)}
    if person.pk == buyer.pk:
        return AlreadyBooked(
            _("You already have a seat in the session on %(date)s; see it under My orders.") % names
        )
    return AlreadyBooked(_("%(name)s already has a seat in the session on %(date)s.") % names)


def seats_short(session: WorkshopSession, count: int) -> SessionFull:
    """Fewer seats left in ``session`` than the ``count`` asked for together."""
    left = max((session.capacity or 0) - session.seats_taken, 0)
    if left == 0:
        return session_full(session)
    return SessionFull(
        ngettext(
            "Only %(left)d seat is left in the session on %(date)s; you asked for %(count)d.",
            "Only %(left)d seats are left in the session on %(date)s; you asked for %(count)d.",
            left,
        )
        % {"left": left, "count": count, "date": day_name(session.date)}
    )
