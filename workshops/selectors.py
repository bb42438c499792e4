"""Reads of the schedule. Pages, the admin and commands ask here, not the ORM directly."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Max, Min, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from workshops.models import Workshop, WorkshopRun, WorkshopSession


def next_available_session(
    *, workshop: Workshop, now: datetime.datetime | None = None
) -> WorkshopSession | None:
    """The earliest session of ``workshop`` that a student can book now.

    Never returns a session whose run is missing or belongs to another workshop
    (``session_run_workshop``), so an order copied from it cannot break.
    """
    return (
        WorkshopSession.objects.filter(workshop=workshop)
        .bookable(now)
        .order_by("date", "start_time", "id")
        .first()
    )


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


@dataclass(frozen=True)
class RunSummary:
    sessions: int
    cancelled_sessions: int
    seats_sold: int
    seats_left: int | None  # None: at least one session is unlimited
    first_date: datetime.date | None
    last_date: datetime.date | None


def run_summary(*, run: WorkshopRun, today: datetime.date | None = None) -> RunSummary:
    """Sessions, seats sold, seats left and the date span.

    Seats left counts only sessions still to come that are not cancelled.
    """
    today = today or timezone.localdate()
    live = Q(cancelled_at__isnull=True, date__gte=today)
    totals = run.sessions.aggregate(
        sessions=Count("id"),
        cancelled=Count("id", filter=Q(cancelled_at__isnull=False)),
        sold=Sum("seats_taken", default=0),
        unlimited=Count("id", filter=live & Q(capacity__isnull=True)),
        left=Sum(F("capacity") - F("seats_taken"), filter=live, default=0),
        first=Min("date"),
        last=Max("date"),
    )
    return RunSummary(
        sessions=totals["sessions"],
        cancelled_sessions=totals["cancelled"],
        seats_sold=totals["sold"],
        seats_left=None if totals["unlimited"] else totals["left"],
        first_date=totals["first"],
        last_date=totals["last"],
    )


def runs_with_totals(today: datetime.date | None = None) -> QuerySet[WorkshopRun]:
    """Runs annotated for listings: ``session_count``, ``seats_sold``, ``seats_left``,
    ``unlimited_sessions`` (when above zero, seats left is unlimited). As in
    ``run_summary``, seats left counts sessions still to come that are not cancelled."""
    today = today or timezone.localdate()
    live = Q(sessions__cancelled_at__isnull=True, sessions__date__gte=today)
    return WorkshopRun.objects.select_related("workshop").annotate(
        session_count=Count("sessions"),
        seats_sold=Sum("sessions__seats_taken", default=0),
        seats_left=Sum(
            F("sessions__capacity") - F("sessions__seats_taken"), filter=live, default=0
        ),
        unlimited_sessions=Count("sessions", filter=live & Q(sessions__capacity__isnull=True)),
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
