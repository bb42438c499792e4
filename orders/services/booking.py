"""Booking seats: the only writers of new orders and seats, and of the seats a booking
adds to ``seats_taken``.

``session_capacity`` holds because a seat is taken in the same transaction as the
seat it counts, after the session row is locked, by a conditional update that cannot
pass capacity (pretix's habit: re-check availability after taking the lock; the
re-check is ``orders.rules``, the same words the pages use). ``order_item_session``
holds because a seat's run and workshop are copied from the locked session, never
from the request. One buyer, one active seat per session: the partial unique index
has the last word.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.checkpoints import checkpoint
from core.locking import locked
from emails.services import NewEmail, emails_queue
from orders.emails import BOOKING_CONFIRMED
from orders.models import Order, OrderItem, OrderStatus
from orders.rules import (
    BookingError,
    already_seated,
    attendee_refusal,
    nothing_available,
    run_day_full,
    run_refusal,
    seats_short,
    session_refusal,
    workshop_refusal,
)
from orders.selectors import held_by, held_session_ids
from tutoring.selectors import children_user_ids
from workshops.models import Workshop, WorkshopSession
from workshops.selectors.schedule import bookable_sessions

# How many candidate sessions "next available" tries before giving up, when others
# fill them between our read and our lock.
NEXT_AVAILABLE_ATTEMPTS = 20


def _lock_session(session_id: int, workshop: Workshop) -> WorkshopSession | None:
    """The workshop's session ``session_id``, locked for the rest of the transaction, if
    its run is valid. The join to the run keeps ``session_run_workshop`` where the
    database cannot (SQLite, or rows restored without constraints); only the session
    row is locked."""
    return (
        locked(WorkshopSession.objects.filter(run__workshop_id=F("workshop_id")))
        .filter(pk=session_id, workshop=workshop)
        .first()
    )


def _take_seats(session: WorkshopSession, count: int = 1) -> bool:
    """Add ``count`` seats, unless that would pass capacity: all of them or none. True
    when they were taken."""
    taken = WorkshopSession.objects.filter(
        Q(capacity__isnull=True) | Q(seats_taken__lte=F("capacity") - count), pk=session.pk
    ).update(seats_taken=F("seats_taken") + count)
    return taken == 1


def _short(session: WorkshopSession, count: int) -> BookingError:
    """The refusal when ``count`` seats did not fit, with the seats left as they are."""
    session.refresh_from_db(fields=["seats_taken", "capacity"])
    return seats_short(session, count)


def _next_available_locked(
    *,
    workshop: Workshop,
    people: Sequence[AbstractBaseUser],
    now: datetime.datetime,
) -> WorkshopSession:
    """The first bookable session none of ``people`` holds a seat in, with room for
    them all (as the locked row says), locked."""
    candidates = list(
        bookable_sessions(workshop=workshop, now=now)
        .exclude(held_by(*people))
        .values_list("pk", flat=True)[:NEXT_AVAILABLE_ATTEMPTS]
    )
    for session_id in candidates:
        session = _lock_session(session_id, workshop)
        if (
            session is not None
            and session_refusal(session, workshop=workshop, held=(), now=now) is None
            and (session.capacity is None or session.seats_left >= len(people))
        ):
            return session
        # filled, changed or too small since we read it; try the next one
    raise nothing_available(workshop)


def _attendees(buyer: AbstractBaseUser, attendees: Sequence[AbstractBaseUser] | None):
    """Who the seats are for: ``attendees``, or the buyer alone; refused unless each is
    the buyer or one of the buyer's children (``seat_attendee``)."""
    people = list(attendees) if attendees else [buyer]
    refusal = attendee_refusal(buyer, people, children_user_ids(buyer.pk))
    if refusal is not None:
        raise refusal
    return people


def _already_seated(
    session: WorkshopSession | None, people, *, buyer: AbstractBaseUser, workshop: Workshop
) -> BookingError | None:
    """Which of ``people`` holds a seat in ``session`` now, as a refusal."""
    if session is None:
        return None
    for person in people:
        if session.pk in held_session_ids(people=[person], workshop_id=workshop.pk):
            return already_seated(session, person, buyer=buyer)
    return None


def _seats(order: Order, session: WorkshopSession, people, price) -> list[OrderItem]:
    return [
        OrderItem(
            order=order,
            buyer=order.buyer,
            attendee=person,
            session=session,
            run_id=session.run_id,
            workshop_id=session.workshop_id,
            price=price,
        )
        for person in people
    ]


def seat_book(
    *,
    buyer: AbstractBaseUser,
    workshop: Workshop,
    session_id: int | None = None,
    attendees: Sequence[AbstractBaseUser] | None = None,
    now: datetime.datetime | None = None,
) -> OrderItem:
    """Book one seat in ``workshop`` for each of ``attendees`` (the buyer and/or their
    children; the buyer alone when ``None``), in one order: in session ``session_id``,
    or in the next available session with room for them all when it is ``None``.
    Returns the first seat, with its confirmed order (which holds them all) and its
    session loaded.

    One transaction: lock the session row (with a valid run), ask ``orders.rules``
    again (not cancelled, not started, not held), take all the seats with one
    conditional update (all or none: a parent asking for 2 where 1 is left gets
    nothing), then create the order and its seats with run and workshop copied from the
    session. A second active seat for the same attendee is refused by the partial
    unique index, which rolls the whole transaction back, seat count included. Raises a
    ``BookingError``, with a message for the buyer, when it cannot book.
    """
    now = now or timezone.now()
    refusal = workshop_refusal(workshop)
    if refusal is not None:
        raise refusal
    people = _attendees(buyer, attendees)
    session: WorkshopSession | None = None
    try:
        with transaction.atomic():
            if session_id is None:
                session = _next_available_locked(workshop=workshop, people=people, now=now)
            else:
                session = _lock_session(session_id, workshop)
                refusal = session_refusal(session, workshop=workshop, held=(), now=now)
                if refusal is not None:
                    raise refusal
            checkpoint("booking.checked")
            if not _take_seats(session, len(people)):
                raise _short(session, len(people))
            order = Order.objects.create(buyer=buyer, status=OrderStatus.CONFIRMED)
            seats = OrderItem.objects.bulk_create(_seats(order, session, people, workshop.price))
            _tell_buyer_booked(order, people)
    except IntegrityError:
        # The partial unique index is the last word on "one seat per person and
        # session"; the error text differs between databases, so ask what is there now.
        refusal = _already_seated(session, people, buyer=buyer, workshop=workshop)
        if refusal is not None:
            raise refusal from None
        raise
    seat = seats[0]
    seat.order, seat.session = order, session
    return seat


def run_book(
    *,
    buyer: AbstractBaseUser,
    workshop: Workshop,
    run_id: int,
    attendees: Sequence[AbstractBaseUser] | None = None,
    now: datetime.datetime | None = None,
) -> Order:
    """Book a seat in every session of run ``run_id`` that is not cancelled, for each of
    ``attendees`` (the buyer alone when ``None``), in one order: all of them or none.

    Keeps ``session_capacity`` and ``order_item_session`` as ``seat_book`` does, for
    each day: the sessions are locked in id order (the lock order), ``orders.rules``
    is asked again after the lock, and a day that has started, is full (or has fewer
    seats left than people) or already holds a seat of one of them refuses the whole
    booking, naming that day. Returns the confirmed order.
    """
    now = now or timezone.now()
    refusal = workshop_refusal(workshop)
    if refusal is not None:
        raise refusal
    people = _attendees(buyer, attendees)
    with transaction.atomic():
        days = list(
            locked(
                WorkshopSession.objects.filter(
                    run_id=run_id,
                    workshop=workshop,
                    run__workshop_id=F("workshop_id"),
                    cancelled_at__isnull=True,
                )
            )
        )
        days.sort(key=lambda session: (session.date, session.start_time))
        held = held_session_ids(people=people, workshop_id=workshop.pk)
        refusal = run_refusal(days, workshop=workshop, held=held, now=now)
        if refusal is not None:
            raise refusal
        checkpoint("booking.checked")
        for day in days:
            if not _take_seats(day, len(people)):
                if len(people) == 1:
                    raise run_day_full(day)
                raise _short(day, len(people))
        order = Order.objects.create(buyer=buyer, status=OrderStatus.CONFIRMED)
        OrderItem.objects.bulk_create(
            seat for day in days for seat in _seats(order, day, people, workshop.price)
        )
        _tell_buyer_booked(order, people)
    return order


def _tell_buyer_booked(order: Order, people: Sequence[AbstractBaseUser]) -> None:
    """Queue the confirmation (with the order's calendar file) to the buyer and to each
    child a seat is for, in the booking's transaction: a booking rolled back sends
    nothing."""
    recipients = [order.buyer, *(person for person in people if person.pk != order.buyer_id)]
    emails_queue(
        NewEmail(
            kind=BOOKING_CONFIRMED,
            recipient=person,
            about=f"order-{order.pk}",
            context={"order": order.pk},
        )
        for person in recipients
    )
