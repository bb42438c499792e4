"""Reads of the schedule. Pages, the admin and commands ask here, not the ORM directly."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from workshops.models import (
    HOST_TOKEN_PATTERN,
    HostSession,
    Workshop,
    WorkshopRun,
    WorkshopSession,
)


def bookable_sessions(
    *, workshop: Workshop, now: datetime.datetime | None = None
) -> QuerySet[WorkshopSession]:
    """The sessions of ``workshop`` a student can book now, earliest first.

    Never includes a session whose run is missing or belongs to another workshop
    (``session_run_workshop``), so an order copied from one cannot break.
    """
    return (
        WorkshopSession.objects.filter(workshop=workshop)
        .bookable(now)
        .order_by("date", "start_time", "id")
    )


def next_available_session(
    *, workshop: Workshop, now: datetime.datetime | None = None
) -> WorkshopSession | None:
    """The earliest session of ``workshop`` that a student can book now."""
    return bookable_sessions(workshop=workshop, now=now).first()


def next_available_by_workshop(
    *, workshop_ids: Iterable[int], now: datetime.datetime | None = None
) -> dict[int, WorkshopSession]:
    """The next available session of each of these workshops that has one, by workshop
    id: what to suggest when a session is cancelled. Two queries."""
    first = (
        WorkshopSession.objects.filter(workshop=OuterRef("pk"))
        .bookable(now)
        .order_by("date", "start_time", "id")
        .values("pk")[:1]
    )
    next_ids = (
        Workshop.objects.filter(pk__in=set(workshop_ids))
        .annotate(next_id=Subquery(first))
        .exclude(next_id=None)
        .values_list("next_id", flat=True)
    )
    sessions = WorkshopSession.objects.filter(pk__in=list(next_ids)).select_related("workshop")
    return {session.workshop_id: session for session in sessions}


def session_availability(
    *, workshop: Workshop | None = None, now: datetime.datetime | None = None
) -> QuerySet[WorkshopSession]:
    """Sessions with their derived status and seats left, in date order.

    ``seats_left`` is ``None`` for unlimited sessions.
    """
    sessions = WorkshopSession.objects.with_status(now).select_related("run", "workshop")
    if workshop is not None:
        sessions = sessions.filter(workshop=workshop)
    return sessions.order_by("date", "start_time", "id")


def runs_with_totals(today: datetime.date | None = None) -> QuerySet[WorkshopRun]:
    """Runs annotated with their totals, for listings and for one run's summary:
    ``session_count``, ``cancelled_sessions``, ``seats_sold``, ``seats_left``,
    ``unlimited_sessions`` (when above zero, seats left is unlimited), ``first_date``
    and ``last_date``. Seats left counts only sessions still to come that are not
    cancelled. One query, whatever the number of runs."""
    today = today or timezone.localdate()
    live = Q(sessions__cancelled_at__isnull=True, sessions__date__gte=today)
    return WorkshopRun.objects.select_related("workshop").annotate(
        session_count=Count("sessions"),
        cancelled_sessions=Count("sessions", filter=Q(sessions__cancelled_at__isnull=False)),
        seats_sold=Sum("sessions__seats_taken", default=0),
        seats_left=Sum(
            F("sessions__capacity") - F("sessions__seats_taken"), filter=live, default=0
        ),
        unlimited_sessions=Count("sessions", filter=live & Q(sessions__capacity__isnull=True)),
        first_date=Min("sessions__date"),
        last_date=Max("sessions__date"),
    )


@dataclass(frozen=True)
class RunSummary:
    sessions: int
    cancelled_sessions: int
    seats_sold: int
    seats_left: int | None  # None: at least one session still to come is unlimited
    first_date: datetime.date | None
    last_date: datetime.date | None


def run_summary(*, run: WorkshopRun, today: datetime.date | None = None) -> RunSummary:
    """One run's totals, as ``runs_with_totals`` computes them for the run list."""
    row = runs_with_totals(today).get(pk=run.pk)
    return RunSummary(
        sessions=row.session_count,
        cancelled_sessions=row.cancelled_sessions,
        seats_sold=row.seats_sold,
        seats_left=None if row.unlimited_sessions else row.seats_left,
        first_date=row.first_date,
        last_date=row.last_date,
    )


def workshops_with_upcoming_sessions(
    *, now: datetime.datetime | None = None, per_workshop: int = 4
) -> list[Workshop]:
    """Active workshops, each with ``upcoming_sessions``: its first ``per_workshop``
    sessions that have not ended (cancelled ones included, to show their badge), with
    derived status. Two queries whatever the number of workshops or sessions."""
    sessions = (
        WorkshopSession.objects.with_status(now)
        .not_ended(now)
        .with_valid_run()
        .select_related("run")
        .order_by("date", "start_time", "id")
    )
    return list(
        Workshop.objects.filter(is_active=True)
        .order_by("title")
        .prefetch_related(
            Prefetch("sessions", queryset=sessions[:per_workshop], to_attr="upcoming_sessions")
        )
    )


def workshops_with_bookable_sessions(
    *, now: datetime.datetime | None = None, per_workshop: int = 3
) -> list[Workshop]:
    """Active workshops a student can book now, each with ``bookable_sessions``: its
    first ``per_workshop`` bookable sessions (``WorkshopSessionQuerySet.bookable``),
    earliest first, with their run. Workshops with none are left out. Two queries."""
    sessions = (
        WorkshopSession.objects.bookable(now)
        .select_related("run")
        .order_by("date", "start_time", "id")
    )
    workshops = (
        Workshop.objects.filter(is_active=True)
        .order_by("title")
        .prefetch_related(
            Prefetch("sessions", queryset=sessions[:per_workshop], to_attr="bookable_sessions")
        )
    )
    return [workshop for workshop in workshops if workshop.bookable_sessions]


def workshop_schedule(
    *, workshop: Workshop, now: datetime.datetime | None = None
) -> list[WorkshopRun]:
    """The workshop's runs that have not ended, each with ``schedule``: all of its
    sessions in order, with derived status. Two queries."""
    sessions = WorkshopSession.objects.with_status(now).order_by("date", "start_time", "id")
    return list(
        workshop.runs.filter(end_date__gte=timezone.localdate(now))
        .order_by("start_date", "id")
        .prefetch_related(Prefetch("sessions", queryset=sessions, to_attr="schedule"))
    )


def with_host_link_flag(sessions: QuerySet[WorkshopSession]) -> QuerySet[WorkshopSession]:
    """Annotate ``has_host_link``: whether each session has a host link."""
    return sessions.annotate(
        has_host_link=Exists(HostSession.objects.filter(session_id=OuterRef("pk")))
    )


def sessions_to_host(*, now: datetime.datetime | None = None) -> QuerySet[WorkshopSession]:
    """Sessions that can be given a host link now: not cancelled and not ended, in date
    order, with workshop and run and ``has_host_link``. One query."""
    sessions = (
        WorkshopSession.objects.not_ended(now)
        .filter(cancelled_at__isnull=True)
        .select_related("workshop", "run")
        .order_by("date", "start_time", "id")
    )
    return with_host_link_flag(sessions)


def host_link_of(*, session: WorkshopSession) -> HostSession | None:
    """The session's host link, if it has one."""
    return HostSession.objects.filter(session=session).first()


_TOKEN = re.compile(HOST_TOKEN_PATTERN)


def host_link_for_token(*, token: str, now: datetime.datetime | None = None) -> HostSession | None:
    """The host link ``token`` opens now, with its session, run and workshop, or
    ``None``: for a token that was never issued, was rotated away, or has expired
    alike, so a page cannot tell which sessions exist. One query, none for a token
    that cannot be one."""
    if not _TOKEN.fullmatch(token):
        return None
    link = (
        HostSession.objects.select_related("session__workshop", "session__run")
        .filter(token=token)
        .first()
    )
    if link is None or not link.opens_at(now):
        return None
    return link
