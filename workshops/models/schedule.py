"""The schedule: a workshop's runs, and the dated sessions of each run.

Invariants kept here (see docs/invariants.md):

- ``session_run_workshop``: every session has a run, and that run belongs to the
  session's workshop. ``clean()`` explains it; the database refuses it through a
  composite foreign key ``(run_id, workshop_id) -> run(id, workshop_id)`` on
  PostgreSQL (migration 0004).
- ``run_dates``: a run's dates cover its sessions' dates. ``clean()`` on both
  models; a deferred constraint trigger on PostgreSQL.
- ``session_capacity`` (bounds): ``0 <= seats_taken <= capacity``; check constraints.
  (The count itself is the orders app's: it writes the seats.)

"Bookable" is defined here once, for a row (``WorkshopSession.booking_block``) and for
a query (``WorkshopSessionQuerySet.bookable``); a test holds the two to the same
answers, as it does for the derived status.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, router, transaction
from django.db.models import Case, F, Max, Q, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.i18n import localized
from core.locking import lock
from workshops.models.catalogue import Workshop


class SessionStatus(models.TextChoices):
    """A session's derived status (``WorkshopSession.status``), computed at read time and
    stored nowhere, so its labels change without a migration. The values are fixed: the
    admin's status filter and the pages' badges use them."""

    UPCOMING = "upcoming", _("No bookings yet")
    ACTIVE = "active", _("Booked")
    FULL = "full", _("Full")
    COMPLETED = "completed", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


class BookingBlock(models.TextChoices):
    """Why a session cannot take a booking now, as far as its own row says."""

    CANCELLED = "cancelled", _("Cancelled")
    STARTED = "started", _("Already started")
    FULL = "full", _("Full")


class WorkshopRun(models.Model):
    """One run of a workshop: a group of dated sessions, e.g. "March 2027 cohort"."""

    workshop = models.ForeignKey(
        Workshop,
        on_delete=models.PROTECT,
        related_name="runs",
        verbose_name=_("workshop"),
    )
    name = models.CharField(
        max_length=200,
        verbose_name=_("name"),
    )
    name_ar = models.CharField(_("Arabic name"), max_length=200, blank=True)
    start_date = models.DateField(
        verbose_name=_("start date"),
    )
    end_date = models.DateField(
        verbose_name=_("end date"),
    )
    is_default = models.BooleanField(
        _("default run"),
        default=False,
        help_text=_(
            "Holds sessions that came over from the old system without a run; move "
            "them to a proper run when you can. A workshop has at most one."
        ),
    )
    created_at = models.DateTimeField(
        auto_now_add=True,
        verbose_name=_("created at"),
    )

    class Meta:
        verbose_name = _("workshop run")
        verbose_name_plural = _("workshop runs")
        ordering = ["workshop__title", "start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="run_end_date_after_start_date",
                violation_error_message=_("A run cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["workshop", "name"],
                name="run_name_unique_per_workshop",
                violation_error_message=_("This workshop already has a run with this name."),
            ),
            models.UniqueConstraint(
                fields=["workshop"],
                condition=Q(is_default=True),
                name="run_one_default_per_workshop",
                violation_error_message=_("This workshop already has a default run."),
            ),
            # The target of the sessions' composite foreign key (session_run_workshop).
            models.UniqueConstraint(
                fields=["id", "workshop"],
                name="run_id_workshop_key",
                violation_error_message=_("A run belongs to one workshop."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workshop} – {localized(self, 'name')}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start_date and self.end_date:
            if self.end_date < self.start_date:
                errors["end_date"] = gettext("A run cannot end before it starts.")
            elif self.pk:
                outside = self.sessions.exclude(
                    date__range=(self.start_date, self.end_date)
                ).order_by("date")
                first = outside.first()
                if first is not None:
                    errors["start_date" if first.date < self.start_date else "end_date"] = gettext(
                        "Session %(number)s of this run is on %(date)s; "
                        "the run's dates must cover all of its sessions."
                    ) % {"number": first.number, "date": date_format(first.date, "j M Y")}
        if self.pk and self.workshop_id:
            moved = WorkshopRun.objects.filter(pk=self.pk).exclude(workshop_id=self.workshop_id)
            if moved.exists() and self.sessions.exists():
                errors["workshop"] = gettext("A run with sessions cannot move to another workshop.")
        if errors:
            raise ValidationError(errors)


def _ended(now: datetime.datetime | None) -> Q:
    """Sessions whose end time has passed on their date (local time)."""
    local = timezone.localtime(now)
    return Q(date__lt=local.date()) | Q(date=local.date(), end_time__lte=local.time())


def _open_for_booking(now: datetime.datetime | None) -> Q:
    """Sessions whose own row allows a booking: the SQL side of ``booking_block``."""
    local = timezone.localtime(now)
    return (
        Q(cancelled_at__isnull=True)
        & (Q(date__gt=local.date()) | Q(date=local.date(), start_time__gt=local.time()))
        & (Q(capacity__isnull=True) | Q(seats_taken__lt=F("capacity")))
    )


class WorkshopSessionQuerySet(models.QuerySet):
    def with_status(self, now: datetime.datetime | None = None) -> WorkshopSessionQuerySet:
        """Annotate ``status_value`` with the derived status, computed at read time.

        Mirrors ``WorkshopSession.status``; tests hold the two to the same answers.
        """
        return self.annotate(
            status_value=Case(
                When(cancelled_at__isnull=False, then=Value(SessionStatus.CANCELLED)),
                When(_ended(now), then=Value(SessionStatus.COMPLETED)),
                When(
                    capacity__isnull=False,
                    seats_taken__gte=F("capacity"),
                    then=Value(SessionStatus.FULL),
                ),
                When(seats_taken__gt=0, then=Value(SessionStatus.ACTIVE)),
                default=Value(SessionStatus.UPCOMING),
                output_field=models.CharField(),
            )
        )

    def not_ended(self, now: datetime.datetime | None = None) -> WorkshopSessionQuerySet:
        """Sessions still to come or under way: the complement of ``completed``."""
        return self.exclude(_ended(now))

    def with_valid_run(self) -> WorkshopSessionQuerySet:
        """Sessions whose run exists and belongs to their own workshop."""
        return self.filter(
            models.Exists(
                WorkshopRun.objects.filter(
                    pk=models.OuterRef("run_id"), workshop_id=models.OuterRef("workshop_id")
                )
            )
        )

    def bookable(self, now: datetime.datetime | None = None) -> WorkshopSessionQuerySet:
        """Sessions a student can book now: the session's own row allows it (not
        cancelled, not started, a seat free: ``WorkshopSession.booking_block``), its
        workshop is active, and its run belongs to its workshop."""
        return self.filter(_open_for_booking(now), workshop__is_active=True).with_valid_run()

    def bulk_create(self, objs, *args, **kwargs):
        """New sessions made in bulk (repeating a run, a data import) are completed as
        ``save()`` completes one: ``WorkshopSession.complete_new``."""
        objs = list(objs)
        with transaction.atomic(using=self.db):
            WorkshopSession.complete_new(objs, using=self.db)
            return super().bulk_create(objs, *args, **kwargs)


class WorkshopSession(models.Model):
    """One dated meeting of a run: Day 1, Day 2, ..."""

    workshop = models.ForeignKey(
        Workshop,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("workshop"),
    )
    run = models.ForeignKey(
        WorkshopRun,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("run"),
    )
    number = models.PositiveSmallIntegerField(
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Day 1, Day 2, ... unique within its run. Left empty, the next free number of its run."
        ),
        verbose_name=_("number"),
    )
    date = models.DateField(
        verbose_name=_("date"),
    )
    start_time = models.TimeField(
        verbose_name=_("start time"),
    )
    end_time = models.TimeField(
        verbose_name=_("end time"),
    )
    capacity = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Seats in this session. A new session left empty gets its workshop's default "
            "seats; cleared later, the session has unlimited seats."
        ),
        verbose_name=_("capacity"),
    )
    seats_taken = models.PositiveIntegerField(
        default=0,
        verbose_name=_("seats taken"),
    )
    cancelled_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When staff cancelled the session (the “Cancel selected sessions” action "
            "on the session list). Empty while it goes ahead."
        ),
        verbose_name=_("cancelled at"),
    )
    metadata = models.JSONField(
        default=dict,
        blank=True,
        help_text=_(
            'Notes for staff as JSON, e.g. {"room": "Lab 2"}. Students do not see them; '
            "cloning the run copies them."
        ),
        verbose_name=_("metadata"),
    )

    objects = WorkshopSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("workshop session")
        verbose_name_plural = _("workshop sessions")
        ordering = ["date", "start_time", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "number"],
                name="session_number_unique_per_run",
                violation_error_message=_("This run already has a session with this number."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="session_number_positive",
                violation_error_message=_("Session numbers start at 1."),
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="session_end_time_after_start_time",
                violation_error_message=_("A session must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="session_capacity_positive",
                violation_error_message=_("Capacity must be at least 1, or empty for unlimited."),
            ),
            models.CheckConstraint(
                condition=Q(seats_taken__gte=0),
                name="session_seats_taken_not_negative",
                violation_error_message=_("Seats taken cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(seats_taken__lte=F("capacity")),
                name="session_seats_taken_within_capacity",
                violation_error_message=_("Seats taken cannot exceed the capacity."),
            ),
            # The target of order items' composite foreign key (order_item_session).
            models.UniqueConstraint(
                fields=["id", "run", "workshop"],
                name="session_id_run_key",
                violation_error_message=_("A session belongs to one run and one workshop."),
            ),
        ]
        indexes = [
            models.Index(fields=["workshop", "date"], name="session_workshop_date_idx"),
            # Each workshop's next session, in order, for the store's sort and date filters:
            # one index step per workshop instead of sorting its sessions.
            models.Index(
                fields=["workshop", "date", "start_time"],
                condition=Q(cancelled_at__isnull=True),
                name="session_next_by_workshop_idx",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(workshop)s – Day %(number)s (%(date)s)") % {
            "workshop": self.workshop,
            "number": self.number,
            "date": date_format(self.date, "j M Y"),
        }

    def save(self, *args, **kwargs) -> None:
        """A new session is completed first (``complete_new``: its workshop's default
        seats, the next number of its run). Saving an existing session never writes
        ``seats_taken``.

        Only the booking services change it, with conditional updates under a row lock
        (``session_capacity``). An instance loaded before a booking, such as the one
        an admin form edits, would otherwise write back a stale count.
        """
        if self._state.adding:
            using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
            with transaction.atomic(using=using):
                self.complete_new([self], using=using)
                super().save(*args, **kwargs)
            return
        if kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "seats_taken"
            ]
        super().save(*args, **kwargs)

    @classmethod
    def complete_new(cls, sessions: Sequence[WorkshopSession], *, using: str) -> None:
        """What new sessions left empty take, decided here for every way a session is
        made (``save()``, ``bulk_create()``: the admin, repeating a run, commands, the
        shell): the workshop of its run; its workshop's default seats, so a forgotten
        capacity never means unlimited seats (unlimited is a workshop without a default,
        or a capacity cleared later); and the next free number of its run, after its
        highest. Runs that hand out numbers are locked first, in id order, so two staff
        adding sessions to one run at once get different numbers. Call it inside a
        transaction."""
        runs_of = {s.run_id for s in sessions if s.run_id is not None}
        if any(s.workshop_id is None for s in sessions) and runs_of:
            workshop_of_run = dict(
                WorkshopRun.objects.using(using)
                .filter(pk__in=runs_of)
                .values_list("pk", "workshop_id")
            )
            for session in sessions:
                if session.workshop_id is None and session.run_id is not None:
                    session.workshop_id = workshop_of_run.get(session.run_id)
        unset = [s for s in sessions if s.capacity is None and s.workshop_id is not None]
        if unset:
            defaults = dict(
                Workshop.objects.using(using)
                .filter(pk__in={s.workshop_id for s in unset})
                .values_list("pk", "default_capacity")
            )
            for session in unset:
                session.capacity = defaults.get(session.workshop_id)
        unnumbered = {s.run_id for s in sessions if s.number is None and s.run_id is not None}
        if not unnumbered:
            return
        lock(WorkshopRun, unnumbered, using=using)
        highest = dict(
            cls.objects.using(using)
            .filter(run_id__in=unnumbered)
            .values("run_id")
            .annotate(top=Max("number"))
            .values_list("run_id", "top")
        )
        for session in sessions:
            if session.number is not None and session.run_id in unnumbered:
                highest[session.run_id] = max(highest.get(session.run_id) or 0, session.number)
        for session in sessions:
            if session.number is None and session.run_id in unnumbered:
                session.number = (highest.get(session.run_id) or 0) + 1
                highest[session.run_id] = session.number

    # -- derived state -------------------------------------------------------

    @property
    def status(self) -> str:
        """The derived status; uses the ``with_status()`` annotation when present."""
        annotated = getattr(self, "status_value", None)
        if annotated is not None:
            return annotated
        return self.status_at(timezone.now())

    def status_at(self, now: datetime.datetime) -> str:
        if self.cancelled_at is not None:
            return SessionStatus.CANCELLED
        if self.has_ended(now):
            return SessionStatus.COMPLETED
        if self.capacity is not None and self.seats_taken >= self.capacity:
            return SessionStatus.FULL
        if self.seats_taken > 0:
            return SessionStatus.ACTIVE
        return SessionStatus.UPCOMING

    def get_status_display(self) -> str:
        return SessionStatus(self.status).label

    @property
    def seats_left(self) -> int | None:
        """Seats still free; ``None`` when the session is unlimited."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def booking_block(self, now: datetime.datetime | None = None) -> BookingBlock | None:
        """Why this session cannot take a booking now, or ``None`` when it can.

        The row's side of ``WorkshopSessionQuerySet.bookable``: the booking service asks
        it again after locking the row, and pages ask it to disable a choice.
        """
        if self.cancelled_at is not None:
            return BookingBlock.CANCELLED
        if self.has_started(now):
            return BookingBlock.STARTED
        if self.capacity is not None and self.seats_taken >= self.capacity:
            return BookingBlock.FULL
        return None

    @property
    def is_bookable(self) -> bool:
        return self.booking_block() is None

    def has_started(self, now: datetime.datetime | None = None) -> bool:
        local = timezone.localtime(now)
        return self.date < local.date() or (
            self.date == local.date() and self.start_time <= local.time()
        )

    def has_ended(self, now: datetime.datetime | None = None) -> bool:
        """The row's side of ``WorkshopSessionQuerySet.not_ended`` (and ``completed``)."""
        local = timezone.localtime(now)
        return self.date < local.date() or (
            self.date == local.date() and self.end_time <= local.time()
        )

    @property
    def starts_at(self) -> datetime.datetime:
        """When the session starts, as an aware time in the business's time zone."""
        return timezone.make_aware(datetime.datetime.combine(self.date, self.start_time))

    @property
    def ends_at(self) -> datetime.datetime:
        """When the session ends, as an aware time in the business's time zone."""
        return timezone.make_aware(datetime.datetime.combine(self.date, self.end_time))

    @property
    def check_in_opens_at(self) -> datetime.datetime:
        """When hosts can start checking attendees in: ``STUDYHALL_CHECK_IN_OPENS_MINUTES``
        before the session starts."""
        before = datetime.timedelta(minutes=settings.STUDYHALL_CHECK_IN_OPENS_MINUTES)
        return self.starts_at - before

    @property
    def check_in_closes_at(self) -> datetime.datetime:
        """When check-in closes: the end of the session's day, in the business's time
        zone (midnight after it)."""
        following = self.date + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(following, datetime.time()))

    @property
    def schedule_label(self) -> str:
        """The session as staff and hosts name it: workshop, run, day, date and time."""
        return gettext("%(title)s · %(run)s · Day %(number)s · %(date)s, %(start)s–%(end)s") % {
            "title": localized(self.workshop, "title"),
            "run": localized(self.run, "name"),
            "number": self.number,
            "date": date_format(self.date, "D j M Y"),
            "start": f"{self.start_time:%H:%M}",
            "end": f"{self.end_time:%H:%M}",
        }

    # -- validation ----------------------------------------------------------

    def _loaded_run(self) -> WorkshopRun | None:
        try:
            return self.run
        except WorkshopRun.DoesNotExist:
            return None

    def clean(self) -> None:
        errors: dict[str, str] = {}
        run = self._loaded_run()
        if run is not None and self.workshop_id is None:
            # Sessions added under a run (the admin inline) take the run's workshop.
            self.workshop_id = run.workshop_id
        if (
            self.pk is not None
            and self.workshop_id is not None
            and WorkshopSession.objects.filter(pk=self.pk)
            .exclude(workshop_id=self.workshop_id)
            .exists()
        ):
            errors["workshop"] = gettext(
                "A session cannot move to another workshop: its seats were bought at this "
                "workshop's price. Add a session to the other workshop instead."
            )
        elif run is not None and run.workshop_id != self.workshop_id:
            errors["run"] = gettext(
                "“%(run)s” is a run of “%(workshop)s”; choose a run of this session's own workshop."
            ) % {"run": localized(run, "name"), "workshop": run.workshop}
        elif run is not None and self.date and not run.start_date <= self.date <= run.end_date:
            errors["date"] = gettext(
                "The run “%(run)s” goes from %(start)s to %(end)s; choose a date within it "
                "or change the run's dates."
            ) % {
                "run": localized(run, "name"),
                "start": date_format(run.start_date, "j M Y"),
                "end": date_format(run.end_date, "j M Y"),
            }
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = gettext("A session must end after it starts.")
        if self.metadata is None:
            self.metadata = {}  # an empty box means no notes
        elif not isinstance(self.metadata, dict):
            errors["metadata"] = gettext(
                'Notes for staff are a JSON object, such as {"room": "Lab 2"}, or empty.'
            )
        # The count as loaded; workshops.services.session_update re-checks it under a
        # row lock, against the seats taken at the moment of saving.
        if self.capacity is not None and self.seats_taken > self.capacity:
            errors["capacity"] = ngettext(
                "%(count)d seat is already taken; capacity cannot be lower.",
                "%(count)d seats are already taken; capacity cannot be lower.",
                self.seats_taken,
            ) % {"count": self.seats_taken}
        if errors:
            raise ValidationError(errors)
