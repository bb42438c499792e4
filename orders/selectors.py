"""Reads of orders for pages, the admin and exports. A fixed number of queries each."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet

from orders.models import Order, OrderItem
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


def session_attendees(*, sessions: QuerySet[WorkshopSession]) -> QuerySet[OrderItem]:
    """Seats in the given sessions (active first), with buyer, order and schedule."""
    return (
        OrderItem.objects.filter(session__in=sessions)
        .select_related("buyer", "order", "session", "run", "workshop")
        .order_by("session__date", "session__start_time", "session_id", "status", "id")
    )
