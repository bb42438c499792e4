"""Reads of the schedule: what can be booked, a workshop's runs and sessions, runs' totals."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Count,
    Expression,
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
    *,
    workshop: Workshop,
    now: datetime.datetime | None = None,
    excluding: Expression | None = None,
) -> WorkshopSession | None:
    """The earliest session of ``workshop`` that a student can book now; ``excluding``
    (a condition over the session, such as "this buyer holds a seat in it", which the
    orders app knows) leaves sessions out."""
    sessions = bookable_sessions(workshop=workshop, now=now)
    if excluding is not None:
        sessions = sessions.exclude(excluding)
    return sessions.first()


def workshop_by_slug(slug: str) -> Workshop | None:
    """The workshop at ``/workshops/<slug>/``."""
    return Workshop.objects.filter(slug=slug).first()


def run_with_workshop(run_id: int) -> WorkshopRun | None:
    """Run ``run_id`` with its workshop, for staff commands."""
    return WorkshopRun.objects.select_related("workshop").filter(pk=run_id).first()


def run_sessions(run: WorkshopRun) -> list[WorkshopSession]:
    """Every session of ``run``, cancelled ones too, day by day."""
    return list(run.sessions.order_by("number"))


def session_of_workshop(*, workshop: Workshop, session_id: int) -> WorkshopSession | None:
    """The workshop's session ``session_id``, with its run, if its run belongs to the
    workshop (``session_run_workshop``); ``None`` otherwise."""
    return (
        WorkshopSession.objects.with_valid_run()
        .select_related("run")
        .filter(pk=session_id, workshop=workshop)
        .first()
    )


def run_days(*, workshop: Workshop, run_id: int) -> list[WorkshopSession]:
    """What booking a whole run books: the run's sessions that are not cancelled, in
    date order, with the run; none when the run is not one of the workshop's."""
    return list(
        WorkshopSession.objects.with_valid_run()
        .select_related("run")
        .filter(run_id=run_id, workshop=workshop, cancelled_at__isnull=True)
        .order_by("date", "start_time", "id")
    )


def next_available_by_workshop(
    *,
    workshop_ids: Iterable[int],
    now: datetime.datetime | None = None,
    excluding: Expression | None = None,
) -> dict[int, WorkshopSession]:
    """The next available session of each of these workshops that has one, by workshop
    id, leaving out the sessions ``excluding`` names: what to suggest when a session is
    cancelled. Two queries."""
    candidates = WorkshopSession.objects.filter(workshop=OuterRef("pk")).bookable(now)
    if excluding is not None:
        candidates = candidates.exclude(excluding)
    first = candidates.order_by("date", "start_time", "id").values("pk")[:1]
    next_ids = (
        Workshop.objects.filter(pk__in=set(workshop_ids))
        .annotate(next_id=Subquery(first))
        .exclude(next_id=None)
        .values_list("next_id", flat=True)
    )
    sessions = WorkshopSession.objects.filter(pk__in=list(next_ids)).select_related("workshop")
    return {session.workshop_id: session for session in sessions}


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


def unlimited_by_mistake(
    sessions: QuerySet[WorkshopSession] | None = None, *, today: datetime.date | None = None
) -> QuerySet[WorkshopSession]:
    """Sessions from today on, not cancelled, with unlimited seats although their
    workshop has default seats: made before new sessions took the default, or cleared
    by hand. The audit's notice ``session_capacity_unset`` asks the same in SQL."""
    sessions = WorkshopSession.objects.all() if sessions is None else sessions
    return sessions.filter(
        capacity__isnull=True,
        cancelled_at__isnull=True,
        date__gte=today or timezone.localdate(),
        workshop__default_capacity__isnull=False,
    )
