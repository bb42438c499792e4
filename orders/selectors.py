"""Reads of orders for pages, the admin and exports. A fixed number of queries each."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    Case,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    When,
)
from django.utils import timezone
from django.utils.translation import ngettext

from orders.models import CalendarFeed, Order, OrderItem, SeatStatus
from workshops.models import WorkshopSession


def _seats_with_schedule() -> QuerySet[OrderItem]:
    return OrderItem.objects.select_related("session", "run", "workshop", "attendee").order_by(
        "session__date", "session__start_time", "id"
    )


def _with_seats(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Orders, each with its seats, session, run and workshop."""
    return orders.prefetch_related(Prefetch("seats", queryset=_seats_with_schedule()))


def order_for_buyer(*, buyer: AbstractBaseUser, reference: str) -> Order | None:
    """The buyer's order ``reference``, with its seats; ``None`` when it is someone else's
    or does not exist (pages answer both with the same 404)."""
    return _with_seats(Order.objects.filter(buyer=buyer, reference=reference)).first()


def orders_for_buyer(
    *, buyer: AbstractBaseUser, now: datetime.datetime | None = None
) -> QuerySet[Order]:
    """The buyer's orders for My orders: upcoming ones first, soonest first (an active
    seat in a session still to come: ``is_upcoming``), then past and cancelled ones,
    latest first. One query for a page of them, one for their seats."""
    # The buyer's own seats only: PostgreSQL reads this once, hashed, for every order,
    # so it must not grow with everyone else's bookings.
    still_to_come = OrderItem.objects.filter(
        order=OuterRef("pk"),
        buyer=buyer,
        status=SeatStatus.ACTIVE,
        session__in=WorkshopSession.objects.not_ended(now),
    )
    return (
        _with_seats(Order.objects.filter(buyer=buyer))
        .annotate(
            first_date=Min("seats__session__date"),
            last_date=Max("seats__session__date"),
            is_upcoming=Exists(still_to_come),
        )
        .order_by(
            F("is_upcoming").desc(),
            Case(When(is_upcoming=True, then=F("first_date"))).asc(nulls_last=True),
            Case(When(is_upcoming=False, then=F("last_date"))).desc(nulls_last=True),
            Case(When(is_upcoming=True, then=F("created_at"))).asc(nulls_last=True),
            F("created_at").desc(),
            "-id",
        )
    )


def held_by(*people: AbstractBaseUser) -> Exists:
    """True for a session in which any of ``people`` has an active seat, whoever booked
    it (over ``OuterRef``: a condition for a query of sessions)."""
    return Exists(
        OrderItem.objects.filter(
            session=OuterRef("pk"),
            attendee__in=[person.pk for person in people],
            status=SeatStatus.ACTIVE,
        )
    )


def held_session_ids(*, people: Iterable[AbstractBaseUser], workshop_id: int) -> set[int]:
    """The sessions of a workshop in which any of ``people`` has an active seat, booked by
    themselves or by a parent (``seat_attendee``: one seat per person per session)."""
    ids = [person.pk for person in people if person.is_authenticated]
    if not ids:
        return set()
    return set(
        OrderItem.objects.filter(
            attendee__in=ids, workshop_id=workshop_id, status=SeatStatus.ACTIVE
        ).values_list("session_id", flat=True)
    )


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


def seats_booked_for(
    *, person: AbstractBaseUser, now: datetime.datetime | None = None
) -> QuerySet[OrderItem]:
    """Active seats someone else (a parent) booked for ``person``, in sessions that have
    not ended, earliest first, with who booked them. One query."""
    return (
        _seats_with_schedule()
        .select_related("buyer")
        .filter(
            attendee=person,
            status=SeatStatus.ACTIVE,
            session__in=WorkshopSession.objects.not_ended(now),
        )
        .exclude(buyer=person)
    )


def seats_children_booked(
    *, parent: AbstractBaseUser, now: datetime.datetime | None = None
) -> QuerySet[OrderItem]:
    """Active seats ``parent``'s children booked themselves, in sessions that have not
    ended, earliest first (for the parent to see, not to change). One query."""
    return _seats_with_schedule().filter(
        buyer__student_profile__parent_links__parent__user=parent,
        attendee=F("buyer"),
        status=SeatStatus.ACTIVE,
        session__in=WorkshopSession.objects.not_ended(now),
    )


def session_attendees(*, sessions: QuerySet[WorkshopSession]) -> QuerySet[OrderItem]:
    """Seats in the given sessions (active first), with buyer, order and schedule."""
    return (
        OrderItem.objects.filter(session__in=sessions)
        .select_related("attendee", "buyer", "order", "session", "run", "workshop")
        .order_by("session__date", "session__start_time", "session_id", "status", "id")
    )


@dataclass(frozen=True)
class Roster:
    """A session's seats as its host sees them: active seats first, by name, then the
    cancelled ones; and the counts of the active seats."""

    seats: list[OrderItem]
    booked: int
    checked_in: int

    @property
    def to_come(self) -> int:
        return self.booked - self.checked_in

    def matching(self, query: str) -> list[OrderItem]:
        """The seats whose attendee name or order reference contains ``query``. Not the
        login: the host link may be with someone outside, who sees names, not accounts."""
        needle = query.strip().casefold()
        if not needle:
            return self.seats
        return [
            seat
            for seat in self.seats
            if needle in f"{seat.attendee_name} {seat.order.reference}".casefold()
        ]


def session_roster(*, session: WorkshopSession) -> Roster:
    """The roster of ``session``, with each seat's attendee, buyer and order. One query,
    whatever the number of seats."""
    seats = sorted(
        OrderItem.objects.filter(session=session).select_related("attendee", "buyer", "order"),
        key=lambda seat: (not seat.is_active, seat.attendee_name.casefold(), seat.pk),
    )
    active = [seat for seat in seats if seat.is_active]
    return Roster(
        seats=seats,
        booked=len(active),
        checked_in=sum(1 for seat in active if seat.checked_in_at is not None),
    )


# A session stays in a subscribed calendar this many days after it took place, so the
# calendar keeps what the user attended instead of dropping it the next morning.
CALENDAR_PAST_DAYS = 30


def calendar_seats(
    *, buyer: AbstractBaseUser, today: datetime.date | None = None
) -> QuerySet[OrderItem]:
    """The seats a user's calendar shows: those they bought (their children's too) and
    those a parent booked for them; active, in sessions not cancelled, from
    ``CALENDAR_PAST_DAYS`` ago on, each with its order, session, run and workshop.
    One query."""
    today = today or timezone.localdate()
    return (
        _seats_with_schedule()
        .select_related("order")
        .filter(
            Q(buyer=buyer) | Q(attendee=buyer),
            status=SeatStatus.ACTIVE,
            session__cancelled_at__isnull=True,
            session__date__gte=today - datetime.timedelta(days=CALENDAR_PAST_DAYS),
        )
    )


def calendar_feed_of(user: AbstractBaseUser) -> CalendarFeed | None:
    """The user's calendar address, if they turned it on."""
    return CalendarFeed.objects.filter(user=user).first()


def calendar_feed_by_token(token: str) -> CalendarFeed | None:
    """The feed a calendar app asks for, with its user. One query."""
    return (
        CalendarFeed.objects.select_related("user__language_preference").filter(token=token).first()
    )


def seats_hold_the_family_link(parent, child) -> str | None:
    """Why ``parent`` cannot stop being ``child``'s parent yet: active seats they
    booked for the child (``seat_attendee``), or ``None``."""
    held = OrderItem.objects.filter(
        buyer_id=parent.user_id, attendee_id=child.user_id, status=SeatStatus.ACTIVE
    ).count()
    if not held:
        return None
    return ngettext(
        "%(parent)s booked %(count)d seat for %(child)s that is still active; cancel it "
        "before removing the child.",
        "%(parent)s booked %(count)d seats for %(child)s that are still active; cancel "
        "them before removing the child.",
        held,
    ) % {"parent": parent, "child": child, "count": held}
