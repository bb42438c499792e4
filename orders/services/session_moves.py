"""Moving a session: to another run of its own workshop (its seats with it), or to
another date or time (its buyers are told by email)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.i18n import localized
from core.locking import lock
from emails.services import NewEmail, emails_queue
from orders.emails import SESSION_MOVED, told_of
from orders.models import OrderItem, SeatStatus
from workshops.models import WorkshopRun, WorkshopSession
from workshops.services import RESCHEDULING_FIELDS, ScheduleError


def session_move(*, session: WorkshopSession, run: WorkshopRun) -> WorkshopSession:
    """Move a session to another run of its own workshop, its seats with it.

    Keeps ``session_run_workshop`` (only a run of the session's own workshop) and
    ``order_item_session`` (each seat's run becomes the new run in the same
    transaction: PostgreSQL's composite key cascades it, and SQLite, which has no
    such key, gets the same update here). A session never changes workshop: its seats
    were bought at that workshop's price.
    """
    with transaction.atomic():
        lock(WorkshopSession, [session.pk])
        current = WorkshopSession.objects.select_related("run", "workshop").get(pk=session.pk)
        if run.workshop_id != current.workshop_id:
            raise ScheduleError(
                _(
                    "“%(run)s” is a run of another workshop; a session moves only between "
                    "runs of %(workshop)s."
                )
                % {"run": localized(run, "name"), "workshop": current.workshop},
                field="run",
            )
        if not run.start_date <= current.date <= run.end_date:
            raise ScheduleError(
                _(
                    "The run “%(run)s” goes from %(start)s to %(end)s; it does not cover "
                    "this session's date."
                )
                % {
                    "run": localized(run, "name"),
                    "start": date_format(run.start_date, "j M Y"),
                    "end": date_format(run.end_date, "j M Y"),
                },
                field="run",
            )
        WorkshopSession.objects.filter(pk=session.pk).update(run=run)
        OrderItem.objects.filter(session_id=session.pk).exclude(run=run).update(run=run)
        if current.run_id != run.pk:
            old_run = current.run_id
            before = {name: getattr(current, name) for name in RESCHEDULING_FIELDS}
            current.run = run
            tell_buyers_session_moved(session=current, before=before, run_before=old_run)
        session.run = run
    return session


def tell_buyers_session_moved(
    *, session: WorkshopSession, before: dict, run_before: int | None = None, **kwargs
) -> None:
    """Queue a "session moved" email to each buyer of an active seat of ``session``,
    whose date or times (``workshops.signals.session_rescheduled``) or run staff just
    changed, in the change's transaction. ``before`` is what the email names as the old
    date and times; ``run_before`` the old run, when that changed."""
    if session.cancelled_at is not None:
        return
    was = {name: value.isoformat() for name, value in before.items()}
    if run_before is not None:
        was["run"] = run_before
    moved_at = timezone.now().isoformat()
    seats = OrderItem.objects.filter(session=session, status=SeatStatus.ACTIVE).select_related(
        "buyer", "attendee"
    )
    emails_queue(
        NewEmail(
            kind=SESSION_MOVED,
            recipient=person,
            # One email per change: moved again later is news again.
            about=f"seat-{seat.pk}:moved-{moved_at}",
            context={"seat": seat.pk, "before": was},
        )
        for seat in seats
        for person in told_of(seat)
    )
