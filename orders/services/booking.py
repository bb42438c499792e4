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
    nothing_available,
    run_day_full,
    run_refusal,
    session_full,
    session_refusal,
    workshop_refusal,
)
from orders.selectors import held_by, held_session_ids
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


def _take_seat(session: WorkshopSession) -> bool:
    """Add one seat, unless that would pass capacity. True when the seat was taken."""
    taken = WorkshopSession.objects.filter(
        Q(capacity__isnull=True) | Q(seats_taken__lt=F("capacity")), pk=session.pk
    ).update(seats_taken=F("seats_taken") + 1)
    return taken == 1


def _next_available_locked(
    *, workshop: Workshop, buyer: AbstractBaseUser, now: datetime.datetime
) -> WorkshopSession:
    candidates = list(
        bookable_sessions(workshop=workshop, now=now)
        .exclude(held_by(buyer))
        .values_list("pk", flat=True)[:NEXT_AVAILABLE_ATTEMPTS]
    )
    for session_id in candidates:
        session = _lock_session(session_id, workshop)
        if (
            session is not None
            and session_refusal(session, workshop=workshop, held=(), now=now) is None
        ):
            return session
        # filled or changed since we read it; try the next one
    raise nothing_available(workshop)


def seat_book(
    *,
    buyer: AbstractBaseUser,
    workshop: Workshop,
    session_id: int | None = None,
    now: datetime.datetime | None = None,
) -> OrderItem:
    """Book one seat for ``buyer`` in ``workshop``: in session ``session_id``, or in the
    next available session when it is ``None``. Returns the seat, with its confirmed
    order and its session loaded.

    One transaction: lock the session row (with a valid run), ask ``orders.rules``
    again (not cancelled, not started, not full, not held), take the seat with a
    conditional update, then create the order and its seat with run and workshop copied
    from the session. A second active seat for the same buyer is refused by the partial
    unique index, which rolls the whole transaction back, seat count included. Raises a
    ``BookingError``, with a message for the buyer, when it cannot book.
    """
    now = now or timezone.now()
    refusal = workshop_refusal(workshop)
    if refusal is not None:
        raise refusal
    session: WorkshopSession | None = None
    try:
        with transaction.atomic():
            if session_id is None:
                session = _next_available_locked(workshop=workshop, buyer=buyer, now=now)
            else:
                session = _lock_session(session_id, workshop)
                refusal = session_refusal(session, workshop=workshop, held=(), now=now)
                if refusal is not None:
                    raise refusal
            checkpoint("booking.checked")
            if not _take_seat(session):
                raise session_full(session)
            order = Order.objects.create(buyer=buyer, status=OrderStatus.CONFIRMED)
            seat = OrderItem.objects.create(
                order=order,
                buyer=buyer,
                session=session,
                run_id=session.run_id,
                workshop_id=session.workshop_id,
                price=workshop.price,
            )
            _tell_buyer_booked(order)
    except IntegrityError:
        # The partial unique index is the last word on "one seat per buyer and session";
        # the error text differs between databases, so ask what is there now.
        if session is not None and session.pk in held_session_ids(
            buyer=buyer, workshop_id=workshop.pk
        ):
            raise session_refusal(session, workshop=workshop, held={session.pk}, now=now) from None
        raise
    return seat


def run_book(
    *,
    buyer: AbstractBaseUser,
    workshop: Workshop,
    run_id: int,
    now: datetime.datetime | None = None,
) -> Order:
    """Book ``buyer`` one seat in every session of run ``run_id`` that is not cancelled,
    in one order: all of them or none.

    Keeps ``session_capacity`` and ``order_item_session`` as ``seat_book`` does, for
    each day: the sessions are locked in id order (the lock order), ``orders.rules``
    is asked again after the lock, and a day that has started, is full or already
    holds a seat of the buyer's refuses the whole booking, naming that day. Returns
    the confirmed order.
    """
    now = now or timezone.now()
    refusal = workshop_refusal(workshop)
    if refusal is not None:
        raise refusal
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
        held = held_session_ids(buyer=buyer, workshop_id=workshop.pk)
        refusal = run_refusal(days, workshop=workshop, held=held, now=now)
        if refusal is not None:
            raise refusal
        checkpoint("booking.checked")
        for day in days:
            if not _take_seat(day):
                raise run_day_full(day)
        order = Order.objects.create(buyer=buyer, status=OrderStatus.CONFIRMED)
        OrderItem.objects.bulk_create(
            OrderItem(
                order=order,
                buyer=buyer,
                session=day,
                run_id=day.run_id,
                workshop_id=day.workshop_id,
                price=workshop.price,
            )
            for day in days
        )
        _tell_buyer_booked(order)
    return order


def _tell_buyer_booked(order: Order) -> None:
    """Queue the confirmation (with the order's calendar file), in the booking's
    transaction: a booking rolled back sends nothing."""
    emails_queue(
        [
            NewEmail(
                kind=BOOKING_CONFIRMED,
                recipient=order.buyer,
                about=f"order-{order.pk}",
                context={"order": order.pk},
            )
        ]
    )
