"""Booking, cancelling and checking in seats: the only writers of orders, seats and
``seats_taken``.

``session_capacity`` holds because every change to a session's seats happens in the
same transaction as the seat it counts, after the session row is locked, and the
seat is taken by a conditional update that cannot pass capacity (pretix's habit:
re-check availability after taking the lock). ``order_item_session`` holds because
a seat's run and workshop are copied from the locked session, never from the request.
Check-in writes only ``checked_in_at``, on an active seat of the session the caller
names (a host link opens exactly one session), under the seat's row lock, so it
takes turns with cancelling that seat.

Lock order. Every write path that locks more than one row takes them in this order:
sessions (by id), then the order, then its seats (by id). Two paths can then never
wait for each other in a circle (a deadlock): booking locks its session first,
cancelling an order or a seat locks the sessions first, then the order, then the
seats. Check-in locks one seat and nothing else.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.i18n import in_language_of, localized
from core.links import absolute_url
from core.mail import send_after_commit
from orders.models import (
    CalendarFeed,
    Order,
    OrderItem,
    OrderStatus,
    SeatStatus,
    new_feed_token,
)
from orders.selectors import held_by
from workshops.models import BookingBlock, Workshop, WorkshopRun, WorkshopSession
from workshops.selectors import bookable_sessions, next_available_session
from workshops.services import ScheduleError

# How many candidate sessions "next available" tries before giving up, when others
# fill them between our read and our lock.
NEXT_AVAILABLE_ATTEMPTS = 20


class BookingError(DomainError):
    code = "booking"


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


class SessionNotFound(BookingError):
    code = "session_not_found"


class RunNotFound(BookingError):
    code = "run_not_found"


class CancelRefused(DomainError):
    code = "cancel_refused"


class CheckInRefused(DomainError):
    """A seat that cannot be checked in (or out). ``code`` says why:
    ``seat_not_in_session``, ``seat_cancelled`` or ``session_cancelled``."""

    code = "check_in_refused"


def _lock_session(session_id: int) -> WorkshopSession | None:
    """The session row, locked for the rest of the transaction, if its run is valid.

    The join to the run keeps ``session_run_workshop`` where the database cannot (SQLite,
    or rows restored without constraints); only the session row is locked.
    """
    try:
        return WorkshopSession.objects.select_for_update(of=("self",)).get(
            pk=session_id, run__workshop_id=F("workshop_id")
        )
    except WorkshopSession.DoesNotExist:
        return None


def _take_seat(session: WorkshopSession) -> bool:
    """Add one seat, unless that would pass capacity. True when the seat was taken."""
    taken = WorkshopSession.objects.filter(
        Q(capacity__isnull=True) | Q(seats_taken__lt=F("capacity")), pk=session.pk
    ).update(seats_taken=F("seats_taken") + 1)
    return taken == 1


def _day_name(date: datetime.date) -> str:
    """A date as a refusal or an email names it, in the active language: ``Monday 08 March``."""
    return date_format(date, "l j F")


def _session_full(session: WorkshopSession) -> SessionFull:
    return SessionFull(
        _("The session on %(date)s is full; choose another session.")
        % {"date": _day_name(session.date)}
    )


def _already_booked(session: WorkshopSession) -> AlreadyBooked:
    return AlreadyBooked(
        _("You already have a seat in the session on %(date)s; see it under My orders.")
        % {"date": _day_name(session.date)}
    )


def _check_bookable(session: WorkshopSession, *, now: datetime.datetime) -> None:
    """Refuse, in words, a session whose row does not allow a booking now."""
    block = session.booking_block(now)
    if block == BookingBlock.CANCELLED:
        raise SessionCancelled(
            _("The session on %(date)s was cancelled; choose another session.")
            % {"date": _day_name(session.date)}
        )
    if block == BookingBlock.STARTED:
        raise SessionPast(
            _("The session on %(date)s has already started; choose a later one.")
            % {"date": _day_name(session.date)}
        )
    if block == BookingBlock.FULL:
        raise _session_full(session)


def _next_available_locked(
    *, workshop: Workshop, buyer: AbstractBaseUser, now: datetime.datetime
) -> WorkshopSession:
    candidates = list(
        bookable_sessions(workshop=workshop, now=now)
        .exclude(held_by(buyer))
        .values_list("pk", flat=True)[:NEXT_AVAILABLE_ATTEMPTS]
    )
    for session_id in candidates:
        session = _lock_session(session_id)
        if session is None:
            continue
        try:
            _check_bookable(session, now=now)
        except BookingError:
            continue  # filled or changed since we read it; try the next one
        return session
    raise NoSessionAvailable(
        _(
            "No session of %(title)s can be booked right now; every upcoming session "
            "is full, cancelled or already yours."
        )
        % {"title": localized(workshop, "title")}
    )


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

    One transaction: lock the session row (with a valid run), re-check it (not
    cancelled, not started, not full), take the seat with a conditional update, then
    create the order and its seat with run and workshop copied from the session. A
    second active seat for the same buyer is refused by the partial unique index, which
    rolls the whole transaction back, seat count included. Raises a ``BookingError``
    subclass, with a message for the buyer, when it cannot book.
    """
    now = now or timezone.now()
    if not workshop.is_active:
        raise WorkshopInactive(
            _("%(title)s is not taking bookings.") % {"title": localized(workshop, "title")}
        )
    session: WorkshopSession | None = None
    try:
        with transaction.atomic():
            if session_id is None:
                session = _next_available_locked(workshop=workshop, buyer=buyer, now=now)
            else:
                session = _lock_session(session_id)
                if session is None or session.workshop_id != workshop.pk:
                    raise SessionNotFound(
                        _("That session is not one of %(title)s's; choose one from the list.")
                        % {"title": localized(workshop, "title")}
                    )
                _check_bookable(session, now=now)
            if not _take_seat(session):
                raise _session_full(session)
            order = Order.objects.create(buyer=buyer, status=OrderStatus.CONFIRMED)
            seat = OrderItem.objects.create(
                order=order,
                buyer=buyer,
                session=session,
                run_id=session.run_id,
                workshop_id=session.workshop_id,
                price=workshop.price,
            )
    except IntegrityError:
        # The partial unique index is the last word on "one seat per buyer and session";
        # the error text differs between databases, so ask what is there now.
        if (
            session is not None
            and OrderItem.objects.filter(
                session=session, buyer=buyer, status=SeatStatus.ACTIVE
            ).exists()
        ):
            raise _already_booked(session) from None
        raise
    return seat


def _day(session: WorkshopSession) -> str:
    return _("Day %(number)s (%(date)s)") % {
        "number": session.number,
        "date": _day_name(session.date),
    }


def _run_day_full(session: WorkshopSession) -> SessionFull:
    return SessionFull(
        _("%(day)s is full, so the whole run cannot be booked.") % {"day": _day(session)}
    )


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
    each day: the sessions are locked in id order (the lock order), each is re-checked
    after the lock, and a day that is full, has started or already holds a seat of the
    buyer's refuses the whole booking, naming that day. Returns the confirmed order.
    """
    now = now or timezone.now()
    if not workshop.is_active:
        raise WorkshopInactive(
            _("%(title)s is not taking bookings.") % {"title": localized(workshop, "title")}
        )
    with transaction.atomic():
        sessions = list(
            WorkshopSession.objects.select_for_update(of=("self",))
            .filter(
                run_id=run_id,
                workshop=workshop,
                run__workshop_id=F("workshop_id"),
                cancelled_at__isnull=True,
            )
            .order_by("pk")
        )
        if not sessions:
            raise RunNotFound(
                _(
                    "That run is not one of %(title)s's, or it has no sessions left to "
                    "book; choose one from the list."
                )
                % {"title": localized(workshop, "title")}
            )
        sessions.sort(key=lambda session: (session.date, session.start_time))
        held = set(
            OrderItem.objects.filter(
                buyer=buyer, status=SeatStatus.ACTIVE, session__in=sessions
            ).values_list("session_id", flat=True)
        )
        for session in sessions:
            block = session.booking_block(now)
            if block == BookingBlock.STARTED:
                raise SessionPast(
                    _(
                        "%(day)s has already started, so the whole run can no longer "
                        "be booked; choose single sessions instead."
                    )
                    % {"day": _day(session)}
                )
            if block == BookingBlock.FULL:
                raise _run_day_full(session)
            if session.pk in held:
                raise AlreadyBooked(
                    _(
                        "You already have a seat on %(day)s; see it under My orders, or "
                        "book the other days one by one."
                    )
                    % {"day": _day(session)}
                )
        for session in sessions:
            if not _take_seat(session):
                raise _run_day_full(session)
        order = Order.objects.create(buyer=buyer, status=OrderStatus.CONFIRMED)
        OrderItem.objects.bulk_create(
            OrderItem(
                order=order,
                buyer=buyer,
                session=session,
                run_id=session.run_id,
                workshop_id=session.workshop_id,
                price=workshop.price,
            )
            for session in sessions
        )
    return order


def _release(seats: Iterable[OrderItem], *, now: datetime.datetime) -> int:
    released = 0
    for seat in seats:
        OrderItem.objects.filter(pk=seat.pk).update(status=SeatStatus.CANCELLED, cancelled_at=now)
        WorkshopSession.objects.filter(pk=seat.session_id).update(seats_taken=F("seats_taken") - 1)
        released += 1
    return released


def _lock_sessions(session_ids: Iterable[int]) -> None:
    """Lock these sessions' rows, in id order: the first step of the lock order."""
    list(
        WorkshopSession.objects.select_for_update(of=("self",))
        .filter(pk__in=set(session_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def order_cancel(
    *, order: Order, by_staff: bool = False, now: datetime.datetime | None = None
) -> Order:
    """Cancel an order and free each of its seats at once (``session_capacity``).

    Buyers cannot cancel a seat in a session that has already started; staff can.
    Cancelling a cancelled order is refused, so a seat is never freed twice. Locks
    sessions, then the order, then its seats (the lock order above).
    """
    now = now or timezone.now()
    with transaction.atomic():
        _lock_sessions(
            OrderItem.objects.filter(order_id=order.pk, status=SeatStatus.ACTIVE).values_list(
                "session_id", flat=True
            )
        )
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status == OrderStatus.CANCELLED:
            raise CancelRefused(
                _("Order %(reference)s is already cancelled.") % {"reference": locked.reference}
            )
        seats = list(
            OrderItem.objects.select_for_update(of=("self",))
            .select_related("session")
            .filter(order=locked, status=SeatStatus.ACTIVE)
            .order_by("pk")
        )
        if not by_staff:
            started = [seat for seat in seats if seat.session.has_started(now)]
            if started:
                raise CancelRefused(
                    _(
                        "The session on %(date)s has already started; "
                        "this order can no longer be cancelled online."
                    )
                    % {"date": _day_name(started[0].session.date)}
                )
        _release(seats, now=now)
        locked.status = OrderStatus.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
    return locked


def seat_cancel(*, seat: OrderItem, now: datetime.datetime | None = None) -> OrderItem:
    """Cancel one seat (staff), freeing it; the order is cancelled with its last seat.
    Locks the session, then the order, then the seat (the lock order above)."""
    now = now or timezone.now()
    with transaction.atomic():
        where = OrderItem.objects.filter(pk=seat.pk).values("session_id", "order_id").get()
        _lock_sessions([where["session_id"]])
        list(Order.objects.select_for_update().filter(pk=where["order_id"]).values_list("pk"))
        locked = OrderItem.objects.select_for_update(of=("self",)).get(pk=seat.pk)
        if locked.status == SeatStatus.CANCELLED:
            raise CancelRefused(_("This seat is already cancelled."))
        _release([locked], now=now)
        if not OrderItem.objects.filter(
            order_id=locked.order_id, status=SeatStatus.ACTIVE
        ).exists():
            Order.objects.filter(pk=locked.order_id).update(
                status=OrderStatus.CANCELLED, updated_at=now
            )
        locked.refresh_from_db()
    return locked


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
    cancelled already keeps its first cancellation time. After the commit, each buyer
    gets an email naming the session and the next available session of its workshop.
    """
    now = now or timezone.now()
    ids = sorted(set(session_ids))
    with transaction.atomic():
        _lock_sessions(ids)
        newly = WorkshopSession.objects.filter(pk__in=ids, cancelled_at__isnull=True).update(
            cancelled_at=now
        )
        active = OrderItem.objects.filter(session_id__in=ids, status=SeatStatus.ACTIVE)
        order_ids = sorted(set(active.values_list("order_id", flat=True)))
        list(Order.objects.select_for_update().filter(pk__in=order_ids).order_by("pk"))
        seats = list(
            active.select_for_update(of=("self",))
            .select_related("buyer__language_preference", "session", "workshop")
            .order_by("pk")
        )
        _release(seats, now=now)
        emptied = Order.objects.filter(pk__in=order_ids).exclude(
            Exists(OrderItem.objects.filter(order=OuterRef("pk"), status=SeatStatus.ACTIVE))
        )
        orders = emptied.update(status=OrderStatus.CANCELLED, updated_at=now)
        for seat in seats:
            with in_language_of(seat.buyer):
                _tell_buyer_session_cancelled(seat)
    return SessionsCancelled(sessions=newly, seats=len(seats), orders=orders)


def _tell_buyer_session_cancelled(seat: OrderItem) -> None:
    session, workshop = seat.session, seat.workshop
    following = next_available_session(workshop=workshop, excluding=held_by(seat.buyer))
    if following is None:
        suggestion = _("No other session of %(title)s is open for booking right now.") % {
            "title": localized(workshop, "title")
        }
    else:
        book = absolute_url(
            f"{reverse('book', kwargs={'slug': workshop.slug})}?session={following.pk}"
        )
        suggestion = _(
            "The next available session is on %(date)s at %(time)s. Book it here: %(url)s"
        ) % {
            "date": _day_name(following.date),
            "time": f"{following.start_time:%H:%M}",
            "url": book,
        }
    names = {
        "name": seat.buyer.get_full_name() or seat.buyer.get_username(),
        "title": localized(workshop, "title"),
        "date": _day_name(session.date),
        "time": f"{session.start_time:%H:%M}",
    }
    greeting = _("Hello %(name)s,") % names
    news = (
        _(
            "We are sorry: the session of %(title)s on %(date)s at %(time)s is cancelled. "
            "Your seat is released; you do not need to do anything."
        )
        % names
    )
    orders = _("Your orders: %(url)s") % {"url": absolute_url(reverse("orders:list"))}
    send_after_commit(
        subject=_("Cancelled: %(title)s on %(date)s") % names,
        body=f"{greeting}\n\n{news}\n\n{suggestion}\n\n{orders}\n",
        to=[seat.buyer.email],
    )


def session_move(*, session: WorkshopSession, run: WorkshopRun) -> WorkshopSession:
    """Move a session to another run of its own workshop, its seats with it.

    Keeps ``session_run_workshop`` (only a run of the session's own workshop) and
    ``order_item_session`` (each seat's run becomes the new run in the same
    transaction: PostgreSQL's composite key cascades it, and SQLite, which has no
    such key, gets the same update here). A session never changes workshop: its seats
    were bought at that workshop's price.
    """
    with transaction.atomic():
        _lock_sessions([session.pk])
        current = WorkshopSession.objects.select_related("run").get(pk=session.pk)
        if run.workshop_id != current.workshop_id:
            raise ScheduleError(
                _(
                    "“%(run)s” is a run of another workshop; a session moves only between "
                    "runs of %(workshop)s."
                )
                % {"run": run.name, "workshop": current.workshop},
                field="run",
            )
        if not run.start_date <= current.date <= run.end_date:
            raise ScheduleError(
                _(
                    "The run “%(run)s” goes from %(start)s to %(end)s; it does not cover "
                    "this session's date."
                )
                % {
                    "run": run.name,
                    "start": date_format(run.start_date, "j M Y"),
                    "end": date_format(run.end_date, "j M Y"),
                },
                field="run",
            )
        WorkshopSession.objects.filter(pk=session.pk).update(run=run)
        OrderItem.objects.filter(session_id=session.pk).exclude(run=run).update(run=run)
        session.run = run
    return session


def _lock_roster_seat(*, session: WorkshopSession, seat_id: int) -> OrderItem:
    """Seat ``seat_id`` of ``session``, locked, with its buyer; refused in words when it is
    not on the session's roster, is cancelled, or the session is."""
    if session.cancelled_at is not None:
        raise CheckInRefused(
            _("This session was cancelled; there is no attendance to take."),
            code="session_cancelled",
        )
    seat = (
        OrderItem.objects.select_for_update(of=("self",))
        .select_related("buyer")
        .filter(pk=seat_id, session_id=session.pk)
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
            _("%(name)s's seat was cancelled; it cannot be checked in or out.")
            % {"name": seat.attendee_name},
            code="seat_cancelled",
            field="seat",
        )
    return seat


def seat_check_in(
    *, session: WorkshopSession, seat_id: int, now: datetime.datetime | None = None
) -> OrderItem:
    """Check seat ``seat_id`` in at ``now``: the attendee is here.

    Only an active seat of ``session`` (the one session a host link opens, or the one
    staff are looking at), in a session that is not cancelled. Checking in twice is
    harmless: the first time stands. Returns the seat with its buyer.
    """
    now = now or timezone.now()
    with transaction.atomic():
        seat = _lock_roster_seat(session=session, seat_id=seat_id)
        if seat.checked_in_at is None:
            seat.checked_in_at = now
            seat.save(update_fields=["checked_in_at"])
    return seat


def seat_check_in_undo(*, session: WorkshopSession, seat_id: int) -> OrderItem:
    """Undo the check-in of seat ``seat_id`` (checked in by mistake), under the same
    rules as ``seat_check_in``. Undoing a seat not checked in is harmless."""
    with transaction.atomic():
        seat = _lock_roster_seat(session=session, seat_id=seat_id)
        if seat.checked_in_at is not None:
            seat.checked_in_at = None
            seat.save(update_fields=["checked_in_at"])
    return seat


# -- calendar feeds --------------------------------------------------------------------------


def calendar_feed_turn_on(*, user: AbstractBaseUser) -> CalendarFeed:
    """The user's calendar address, made now if they have none (a double click makes
    one, not two: the user is unique)."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_renew(*, user: AbstractBaseUser) -> CalendarFeed:
    """A new address for the user's calendar; the old one stops working at once."""
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": new_feed_token(), "created_at": timezone.now()}
    )
    return feed


def calendar_feed_turn_off(*, user: AbstractBaseUser) -> bool:
    """No calendar address for the user any more; True if there was one."""
    deleted, _rows = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)
