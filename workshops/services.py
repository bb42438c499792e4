"""Writes to the schedule and its host links. Each service is the one way to make its
change."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from babel.dates import format_date
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.checkpoints import checkpoint
from core.errors import DomainError
from core.locking import locked
from workshops.models import HostSession, WorkshopRun, WorkshopSession, new_host_token
from workshops.signals import session_rescheduled


class ScheduleError(DomainError):
    code = "schedule"


class HostLinkRefused(DomainError):
    """A session that cannot have a host link. ``code`` says why: ``session_not_found``,
    ``session_cancelled`` or ``session_ended``."""

    code = "host_link_refused"


# A date at the end of a run's name, as the default names below write it in English
# ("Spring build – 6 Feb 2027", formerly "– 06 Feb 2027") and in Arabic ("– 6 فبراير 2027").
TRAILING_DATE = re.compile(r"\s+[–-]\s+[0-9٠-٩]{1,2}\s+\S+\s+[0-9٠-٩]{4}$")
NAME_MAX_LENGTH = WorkshopRun._meta.get_field("name").max_length


def undated_name(name: str) -> str:
    """A run's name without the date it may end with."""
    return TRAILING_DATE.sub("", name.strip())


def _dated_name(name: str, date_text: str) -> str:
    """``name`` without the date it may end with, then `` – date_text``; empty stays
    empty. Cut to fit the column, so a default name is never refused for its length."""
    base = undated_name(name)
    if not base:
        return ""
    suffix = f" – {date_text}"
    return f"{base[: NAME_MAX_LENGTH - len(suffix)].rstrip()}{suffix}"


def default_clone_name(*, run: WorkshopRun, start_date: datetime.date) -> str:
    """The repeated run's name: this run's name, its old date dropped, with the new
    start date (``Spring build – 6 Feb 2027``)."""
    return _dated_name(run.name, f"{start_date:%-d %b %Y}")


def default_clone_name_ar(*, run: WorkshopRun, start_date: datetime.date) -> str:
    """The Arabic name likewise, with the date written in Arabic; empty when the run
    has no Arabic name."""
    return _dated_name(run.name_ar, format_date(start_date, format="d MMMM y", locale="ar"))


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
    capacity (the workshop's default seats where the session had no limit:
    ``WorkshopSession.complete_new``) and metadata, no seats taken and not cancelled. A
    name left empty, in either language, is this run's with the new start date
    (``default_clone_name``).

    Keeps ``session_run_workshop`` (copies belong to the new run of the same workshop)
    and ``run_dates`` (the new run spans the same number of days). One transaction:
    either the run and all of its sessions exist, or nothing does.
    """
    today = today or timezone.localdate()
    if start_date < today:
        raise ScheduleError(
            _("The new start date %(date)s is in the past; choose today or later.")
            % {"date": date_format(start_date, "j M Y")},
            field="start_date",
        )
    name = (name or "").strip() or default_clone_name(run=run, start_date=start_date)
    if len(name) > NAME_MAX_LENGTH:
        raise ScheduleError(
            _("The run name is too long (%(max)d characters at most).") % {"max": NAME_MAX_LENGTH},
            field="name",
        )
    if WorkshopRun.objects.filter(workshop_id=run.workshop_id, name=name).exists():
        raise ScheduleError(
            _("%(workshop)s already has a run named “%(name)s”; choose another.")
            % {"workshop": run.workshop, "name": name},
            field="name",
        )

    shift = start_date - run.start_date
    try:
        end_date = run.end_date + shift
    except OverflowError:
        raise ScheduleError(
            _(
                "A run starting on %(date)s would end after the last date the "
                "calendar can hold; choose an earlier start date."
            )
            % {"date": date_format(start_date, "j M Y")},
            field="start_date",
        ) from None
    copy = WorkshopRun(
        workshop_id=run.workshop_id,
        name=name,
        name_ar=(name_ar or "").strip() or default_clone_name_ar(run=run, start_date=start_date),
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


# A change of any of these moves the session in time: its buyers are told.
RESCHEDULING_FIELDS = ("date", "start_time", "end_time")


def session_update(*, session: WorkshopSession) -> WorkshopSession:
    """Save staff's changes to a session, or add a new one.

    A new date or time is announced with ``workshops.signals.session_rescheduled`` in
    the same transaction (the orders app tells the buyers).

    Keeps ``session_capacity`` against bookings made while the form was open: the
    row is locked, and the new capacity is compared with the seats taken at that
    moment, not with the count the form loaded. ``seats_taken`` itself is never
    written here (``WorkshopSession.save``); only the booking services change it.
    """
    with transaction.atomic():
        before = None
        if not session._state.adding:
            taken, *when = (
                locked(WorkshopSession.objects.filter(pk=session.pk))
                .values_list("seats_taken", *RESCHEDULING_FIELDS)
                .get()
            )
            before = dict(zip(RESCHEDULING_FIELDS, when, strict=True))
            session.seats_taken = taken
            if session.capacity is not None and taken > session.capacity:
                raise ScheduleError(
                    ngettext(
                        "%(count)d seat is already taken; capacity cannot be lower.",
                        "%(count)d seats are already taken; capacity cannot be lower.",
                        taken,
                    )
                    % {"count": taken},
                    field="capacity",
                )
        session.save()
        if before is not None and any(
            getattr(session, name) != value for name, value in before.items()
        ):
            session_rescheduled.send(sender=WorkshopSession, session=session, before=before)
    return session


@dataclass(frozen=True)
class HostLinkProvision:
    link: HostSession
    created: bool
    rotated: bool


def _lock_session_for_hosting(session_id: int) -> WorkshopSession | None:
    """The session row with its workshop and run, locked for the rest of the
    transaction: provisioners of one session, and a cancellation, take turns."""
    return (
        locked(WorkshopSession.objects.filter(pk=session_id))
        .select_related("workshop", "run")
        .first()
    )


def _insert_link(
    *, session: WorkshopSession, by: AbstractBaseUser | None, now: datetime.datetime
) -> tuple[HostSession, bool]:
    """A new link for ``session``, or the one another provisioner has just made: the
    one-to-one is the last word on one link per session. True when this call made it."""
    try:
        with transaction.atomic():
            return HostSession.objects.create(session=session, created_by=by, created_at=now), True
    except IntegrityError:
        existing = HostSession.objects.filter(session=session).first()
        if existing is None:
            raise
        return existing, False


def host_link_provision(
    *,
    session_id: int,
    rotate: bool = False,
    force: bool = False,
    by: AbstractBaseUser | None = None,
    now: datetime.datetime | None = None,
) -> HostLinkProvision:
    """The host link of session ``session_id``, created when it has none.

    Keeps ``host_session``: a link is made only for a session that exists, is not
    cancelled and has not ended (``force`` allows an ended one, for late attendance
    fixes), and a session keeps one link. Provisioning again returns the same link;
    ``rotate`` replaces its token, so the old address stops opening at once, and
    creates a link when there is none. ``by`` is the staff member, ``None`` for the
    command line. One transaction, under a lock on the session row; two provisioners
    racing still end with one link, because the one-to-one refuses a second.

    Raises ``HostLinkRefused``, with a message for staff, when the session cannot
    have a link.
    """
    now = now or timezone.now()
    with transaction.atomic():
        session = _lock_session_for_hosting(session_id)
        if session is None:
            raise HostLinkRefused(
                _("There is no session with ID %(id)s.") % {"id": session_id},
                code="session_not_found",
            )
        if session.cancelled_at is not None:
            raise HostLinkRefused(
                _(
                    "Session %(id)s (%(session)s) was cancelled on %(date)s; "
                    "a cancelled session gets no host link."
                )
                % {
                    "id": session.pk,
                    "session": session.schedule_label,
                    "date": date_format(timezone.localtime(session.cancelled_at), "j M Y"),
                },
                code="session_cancelled",
            )
        if not force and session.has_ended(now):
            raise HostLinkRefused(
                _("Session %(id)s (%(session)s) has already ended; its attendance is closed.")
                % {"id": session.pk, "session": session.schedule_label},
                code="session_ended",
            )
        link = HostSession.objects.filter(session=session).first()
        checkpoint("host_link.checked")
        created = rotated = False
        if link is None:
            link, created = _insert_link(session=session, by=by, now=now)
        elif rotate:
            link.token = new_host_token()
            link.rotated_at = now
            link.save(update_fields=["token", "rotated_at"])
            rotated = True
    link.session = session
    return HostLinkProvision(link=link, created=created, rotated=rotated)
