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


def default_clone_name(*, run: WorkshopRun, start_date: datetime.date) -> str:
    return f"{run.workshop.title} – {start_date:%d %b %Y}"


@transaction.atomic
def run_clone(
    *,
    run: WorkshopRun,
    start_date: datetime.date,
    name: str | None = None,
    name_ar: str | None = None,
    today: datetime.date | None = None,
) -> WorkshopRun:
    """Clone ``run`` from ``start_date``: a new run of the same workshop with a copy of
    every session at the same day offset from the run's start, the same number, times,
    capacity and metadata, no seats taken and not cancelled.

    Keeps ``session_run_workshop`` (copies belong to the new run of the same workshop)
    and ``run_dates`` (the new run spans the same number of days). One transaction:
    either the run and all of its sessions exist, or nothing does.
    """
    today = today or timezone.localdate()
    if start_date < today:
        raise ScheduleError(
            f"The new start date {start_date:%d %b %Y} is in the past; choose today or later.",
            field="start_date",
        )
    name = (name or "").strip() or default_clone_name(run=run, start_date=start_date)
    if len(name) > WorkshopRun._meta.get_field("name").max_length:
        raise ScheduleError("The run name is too long (200 characters at most).", field="name")
    if WorkshopRun.objects.filter(workshop_id=run.workshop_id, name=name).exists():
        raise ScheduleError(
            f"{run.workshop} already has a run named “{name}”; choose another.", field="name"
        )

    shift = start_date - run.start_date
    try:
        end_date = run.end_date + shift
    except OverflowError:
        raise ScheduleError(
            f"A run starting on {start_date:%d %b %Y} would end after the last date the "
            "calendar can hold; choose an earlier start date.",
            field="start_date",
        ) from None
    copy = WorkshopRun(
        workshop_id=run.workshop_id,
        name=name,
        name_ar=(name_ar or "").strip() or run.name_ar,
        start_date=start_date,
        end_date=end_date,
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


def session_update(*, session: WorkshopSession) -> WorkshopSession:
    """Save staff's changes to a session, or add a new one.

    Keeps ``session_capacity`` against bookings made while the form was open: the
    row is locked, and the new capacity is compared with the seats taken at that
    moment, not with the count the form loaded. ``seats_taken`` itself is never
    written here (``WorkshopSession.save``); only the booking services change it.
    """
    with transaction.atomic():
        if not session._state.adding:
            taken = (
                WorkshopSession.objects.select_for_update()
                .filter(pk=session.pk)
                .values_list("seats_taken", flat=True)
                .get()
            )
            session.seats_taken = taken
            if session.capacity is not None and taken > session.capacity:
                raise ScheduleError(
                    f"{taken} seats are already taken; capacity cannot be lower.",
                    field="capacity",
                )
        session.save()
    return session


def sessions_cancel(
    *, sessions: QuerySet[WorkshopSession], now: datetime.datetime | None = None
) -> int:
    """Mark sessions cancelled (a stored, human decision). Already cancelled ones keep
    their original time. Returns how many were newly cancelled."""
    return sessions.filter(cancelled_at__isnull=True).update(cancelled_at=now or timezone.now())
