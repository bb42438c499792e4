"""Reads of orders for pages, the admin and exports. A fixed number of queries each."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet

from orders.models import Order, OrderItem, SeatStatus
from workshops.models import WorkshopSession


def _seats_with_schedule() -> QuerySet[OrderItem]:
    return OrderItem.objects.select_related("session", "run", "workshop").order_by(
        "session__date", "session__start_time", "id"
    )


def orders_for_buyer(*, buyer: AbstractBaseUser) -> QuerySet[Order]:
    """The buyer's orders, newest first, each with its seats, session, run and workshop."""
    return Order.objects.filter(buyer=buyer).prefetch_related(
        Prefetch("seats", queryset=_seats_with_schedule())
    )


def order_for_buyer(*, buyer: AbstractBaseUser, reference: str) -> Order | None:
    return orders_for_buyer(buyer=buyer).filter(reference=reference).first()


def upcoming_seats_for_buyer(
    *, buyer: AbstractBaseUser, now: datetime.datetime | None = None
) -> QuerySet[OrderItem]:
    """The buyer's active seats in sessions that have not ended, earliest first, each
    with its order, session, run and workshop. One query."""
    return (
        _seats_with_schedule()
        .select_related("order")
        .filter(
            buyer=buyer,
            status=SeatStatus.ACTIVE,
            session__in=WorkshopSession.objects.not_ended(now),
        )
    )


def session_attendees(*, sessions: QuerySet[WorkshopSession]) -> QuerySet[OrderItem]:
    """Seats in the given sessions (active first), with buyer, order and schedule."""
    return (
        OrderItem.objects.filter(session__in=sessions)
        .select_related("buyer", "order", "session", "run", "workshop")
        .order_by("session__date", "session__start_time", "session_id", "status", "id")
    )
