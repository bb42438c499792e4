"""Cancelling: a buyer's order, one seat (staff), or whole sessions (staff), each
freeing its seats at once.

``session_capacity`` holds because a seat's status and its session's ``seats_taken``
change in one transaction, under the session's row lock, and a seat already
cancelled is never freed again. A freed seat keeps no check-in time: a seat that was
used is not cancelled by its buyer, and staff cancelling one clears its check-in
(the check ``item_checked_in_only_when_active``).

Lock order. Every write path that locks more than one row takes them in this order:
sessions (by id), then the order, then its seats (by id). Two paths can then never
wait for each other in a circle (a deadlock): booking locks its session first,
cancelling an order or a seat locks the sessions first, then the order, then the
seats.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from core.checkpoints import checkpoint
from core.errors import DomainError
from core.locking import lock, locked
from core.people import display_name
from emails.services import NewEmail, emails_queue
from orders.emails import SEATS_CANCELLED, SESSION_CANCELLED, told_of
from orders.models import Order, OrderItem, OrderStatus, SeatStatus
from orders.rules import day_name
from workshops.models import WorkshopSession


class CancelRefused(DomainError):
    code = "cancel_refused"


def _release(seats: Iterable[OrderItem], *, now: datetime.datetime) -> int:
    """Free each seat: cancelled, its check-in cleared, its session's count down by one.
    One statement for the seats and one per session, however many seats."""
    seats = list(seats)
    if not seats:
        return 0
    OrderItem.objects.filter(pk__in=[seat.pk for seat in seats]).update(
        status=SeatStatus.CANCELLED, cancelled_at=now, checked_in_at=None
    )
    for session_id, count in sorted(Counter(seat.session_id for seat in seats).items()):
        WorkshopSession.objects.filter(pk=session_id).update(seats_taken=F("seats_taken") - count)
    return len(seats)


def _tell_buyer_seats_cancelled(seats: list[OrderItem], *, now: datetime.datetime) -> None:
    """Queue the email that names the seats just cancelled (by the buyer or by staff),
    saying whether the order kept any: as it is now, not when the email goes out."""
    if not seats:
        return
    order_id = seats[0].order_id
    kept = OrderItem.objects.filter(order_id=order_id, status=SeatStatus.ACTIVE).exists()
    emails_queue(
        [
            NewEmail(
                kind=SEATS_CANCELLED,
                recipient=seats[0].buyer,
                # One email per cancellation of this order.
                about=f"order-{order_id}:cancelled-{now.isoformat()}",
                context={"seats": [seat.pk for seat in seats], "whole_order": not kept},
            )
        ]
    )


def order_cancel(
    *, order: Order, by_staff: bool = False, now: datetime.datetime | None = None
) -> Order:
    """Cancel an order and free each of its seats at once (``session_capacity``).

    Buyers cannot cancel a seat in a session that has already started, nor one that
    was checked in; staff can (the check-in is cleared). Cancelling a cancelled order
    is refused, so a seat is never freed twice. Locks sessions, then the order, then
    its seats (the lock order above).
    """
    now = now or timezone.now()
    with transaction.atomic():
        lock(
            WorkshopSession,
            OrderItem.objects.filter(order_id=order.pk, status=SeatStatus.ACTIVE).values_list(
                "session_id", flat=True
            ),
        )
        checkpoint("cancellation.sessions_locked")
        current = locked(Order.objects.filter(pk=order.pk)).get()
        if current.status == OrderStatus.CANCELLED:
            raise CancelRefused(
                _("Order %(reference)s is already cancelled.") % {"reference": current.reference}
            )
        seats = list(
            locked(
                OrderItem.objects.filter(order=current, status=SeatStatus.ACTIVE)
            ).select_related("session", "buyer")
        )
        if not by_staff:
            _refuse_buyer_cancel(seats, now=now)
        _release(seats, now=now)
        current.status = OrderStatus.CANCELLED
        current.save(update_fields=["status", "updated_at"])
        _tell_buyer_seats_cancelled(seats, now=now)
    return current


def _refuse_buyer_cancel(seats: list[OrderItem], *, now: datetime.datetime) -> None:
    started = [seat for seat in seats if seat.session.has_started(now)]
    if started:
        raise CancelRefused(
            _(
                "The session on %(date)s has already started; "
                "this order can no longer be cancelled online."
            )
            % {"date": day_name(started[0].session.date)}
        )
    used = [seat for seat in seats if seat.checked_in_at is not None]
    if used:
        raise CancelRefused(
            _(
                "%(name)s was checked in at the session on %(date)s; a seat that was used "
                "cannot be cancelled online."
            )
            % {"name": display_name(used[0].attendee), "date": day_name(used[0].session.date)}
        )


def seat_cancel(
    *, seat: OrderItem, by_staff: bool = True, now: datetime.datetime | None = None
) -> OrderItem:
    """Cancel one seat, freeing it and clearing its check-in; the order is cancelled
    with its last seat. Staff can cancel any seat; a buyer (``by_staff=False``: a parent
    cancelling one child's seat of a family order) only as they can cancel an order:
    before the session starts, and not a seat that was used. Locks the session, then
    the order, then the seat (the lock order above)."""
    now = now or timezone.now()
    with transaction.atomic():
        where = OrderItem.objects.filter(pk=seat.pk).values("session_id", "order_id").get()
        lock(WorkshopSession, [where["session_id"]])
        checkpoint("cancellation.sessions_locked")
        lock(Order, [where["order_id"]])
        current = (
            locked(OrderItem.objects.filter(pk=seat.pk))
            .select_related("buyer", "attendee", "session")
            .get()
        )
        if current.status == SeatStatus.CANCELLED:
            raise CancelRefused(_("This seat is already cancelled."))
        if not by_staff:
            _refuse_buyer_cancel([current], now=now)
        _release([current], now=now)
        _tell_buyer_seats_cancelled([current], now=now)
        if not OrderItem.objects.filter(
            order_id=current.order_id, status=SeatStatus.ACTIVE
        ).exists():
            Order.objects.filter(pk=current.order_id).update(
                status=OrderStatus.CANCELLED, updated_at=now
            )
        current.refresh_from_db()
    return current


@dataclass(frozen=True)
class SessionsCancelled:
    sessions: int  # newly cancelled
    seats: int  # seats freed, each buyer told
    orders: int  # orders cancelled with their last seat


def sessions_cancel(
    *, session_ids: Iterable[int], now: datetime.datetime | None = None
) -> SessionsCancelled:
    """Cancel sessions (a stored, human decision) and every active seat in them.

    Keeps ``session_capacity``: the seats are freed through the same release as a
    buyer's cancel, so each session ends with no seats taken; an order whose last
    seat goes is cancelled with it, one that keeps seats in other sessions stays
    confirmed. Locks sessions, then orders, then seats (the lock order). A session
    cancelled already keeps its first cancellation time. Each buyer gets an email
    (queued with the change) naming the session and the next available session.
    """
    now = now or timezone.now()
    with transaction.atomic():
        ids = lock(WorkshopSession, session_ids)
        newly = WorkshopSession.objects.filter(pk__in=ids, cancelled_at__isnull=True).update(
            cancelled_at=now
        )
        active = OrderItem.objects.filter(session_id__in=ids, status=SeatStatus.ACTIVE)
        order_ids = lock(Order, active.values_list("order_id", flat=True))
        seats = list(locked(active).select_related("buyer", "attendee"))
        _release(seats, now=now)
        emptied = Order.objects.filter(pk__in=order_ids).exclude(
            Exists(OrderItem.objects.filter(order=OuterRef("pk"), status=SeatStatus.ACTIVE))
        )
        orders = emptied.update(status=OrderStatus.CANCELLED, updated_at=now)
        emails_queue(
            NewEmail(
                kind=SESSION_CANCELLED,
                recipient=person,
                about=f"seat-{seat.pk}",
                context={"seat": seat.pk},
            )
            for seat in seats
            for person in told_of(seat)
        )
    return SessionsCancelled(sessions=newly, seats=len(seats), orders=orders)
