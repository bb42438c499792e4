"""Writes to the schedule. Each service is the one way to make its change."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.errors import DomainError
from workshops.models import WorkshopRun, WorkshopSession


class ScheduleError(DomainError):
    code = "schedule"


def default_repeat_name(*, run: WorkshopRun, start_date: datetime.date) -> str:
    return f"{run.workshop.title} – {start_date:%d %b %Y}"


@transaction.atomic
def run_repeat(
    *,
    run: WorkshopRun,
    start_date: datetime.date,
    name: str | None = None,
    name_ar: str | None = None,
    today: datetime.date | None = None,
) -> WorkshopRun:
    """Repeat ``run`` from ``start_date``: a new run of the same workshop with a copy of
    every session at the same day offset from the run's start, the same number, times,
    capacity and metadata, no seats taken and not cancelled.

    Keeps ``session_run_workshop`` (copies belong to the new run of the same workshop)
    and ``run_dates`` (the new run spans the same number of days). One transaction:
    either the run and all of its sessions exist, or nothing does.
    """
    today = today or timezone.localdate()
    if start_date < today:
        raise ScheduleError(
            f"The new start date {start_date:%d %b %Y} is in the past; choose today or later."
        )
    name = (name or "").strip() or default_repeat_name(run=run, start_date=start_date)
    if len(name) > WorkshopRun._meta.get_field("name").max_length:
        raise ScheduleError("The run name is too long (200 characters at most).")
    if WorkshopRun.objects.filter(workshop_id=run.workshop_id, name=name).exists():
        raise ScheduleError(f"{run.workshop} already has a run named “{name}”; choose another.")

    shift = start_date - run.start_date
    copy = WorkshopRun(
        workshop_id=run.workshop_id,
        name=name,
        name_ar=(name_ar or "").strip() or run.name_ar,
        start_date=start_date,
        end_date=run.end_date + shift,
    )
    try:
        copy.full_clean()
    except ValidationError as error:
        raise ScheduleError(" ".join(error.messages)) from None
    copy.save()
    WorkshopSession.objects.bulk_create(
        WorkshopSession(
            workshop_id=run.workshop_id,
            run=copy,
            number=session.number,
            date=session.date + shift,
            start_time=session.start_time,
            end_time=session.end_time,
            capacity=session.capacity,
            seats_taken=0,
            cancelled_at=None,
            metadata=session.metadata,
        )
        for session in run.sessions.order_by("number")
    )
    return copy


def sessions_cancel(
    *, sessions: QuerySet[WorkshopSession], now: datetime.datetime | None = None
) -> int:
    """Mark sessions cancelled (a stored, human decision). Already cancelled ones keep
    their original time. Returns how many were newly cancelled."""
    return sessions.filter(cancelled_at__isnull=True).update(cancelled_at=now or timezone.now())
