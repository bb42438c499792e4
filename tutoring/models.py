"""Tutors, students, parents, and the session requests between them.

Invariant kept here (see docs/invariants.md): ``session_request_parties``.

- The tutor is a tutor profile: a foreign key to ``TutorProfile``.
- The requester is a student profile when ``requester_type`` is ``student`` and a
  parent profile when it is ``parent``: two foreign keys, ``student`` and
  ``parent``, and a check constraint that exactly the one the type names is set.
- A package, if any, belongs to the request's tutor: on PostgreSQL a composite
  foreign key ``(package_id, tutor_id) -> package(id, tutor_id)`` that nulls only
  ``package_id`` when the package is deleted (migration 0004).

Also in the database: ``responded_at`` is set exactly when the request was
accepted or declined, a decline carries its reason, and a requester has at most
one pending request per tutor (and, for a parent, per child). ``clean()`` says each
of these in words.

A pending request older than ``STUDYHALL_TUTORING_REQUEST_TTL_HOURS`` reads as
expired everywhere (``effective_status``), without a job that rewrites it; a write
that meets one stores it as expired first (``tutoring.services``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce, Length, Trim
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.i18n import localized
from core.models import FormSafeValidation
from core.money import PriceField
from core.people import display_name
from core.text import any_arabic


class TutorProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="tutor_profile",
        verbose_name=_("user"),
    )
    headline = models.CharField(
        max_length=200,
        verbose_name=_("headline"),
    )
    headline_ar = models.CharField(_("Arabic headline"), max_length=200, blank=True)
    bio = models.TextField(
        blank=True,
        verbose_name=_("bio"),
    )
    bio_ar = models.TextField(_("Arabic bio"), blank=True)
    subjects = models.TextField(
        help_text=_(
            "Subjects taught, separated by commas, in English and Arabic; students search them."
        ),
        verbose_name=_("subjects"),
    )
    hourly_rate = PriceField(
        default=Decimal(0),
        verbose_name=_("hourly rate"),
    )
    is_accepting_requests = models.BooleanField(
        _("accepting requests"),
        default=True,
        help_text=_("Students and parents can send requests only while this is on."),
    )
    created_at = models.DateTimeField(
        auto_now_add=True,
        verbose_name=_("created at"),
    )

    class Meta:
        verbose_name = _("tutor profile")
        verbose_name_plural = _("tutor profiles")
        ordering = ["user__first_name", "user__last_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hourly_rate__gte=0),
                name="tutor_hourly_rate_not_negative",
                violation_error_message=_("The hourly rate cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return display_name(self.user)

    def get_absolute_url(self) -> str:
        return reverse("tutoring:tutor", kwargs={"pk": self.pk})

    @property
    def subject_list(self) -> list[str]:
        return [subject.strip() for subject in self.subjects.split(",") if subject.strip()]

    def subjects_in(self, language: str) -> list[str]:
        """The subjects written in ``language``'s script (Arabic ones for ``ar``, the
        others for English), or all of them when none is: an answer in one language does
        not list the other's words."""
        arabic = language == "ar"
        chosen = [s for s in self.subject_list if any_arabic(s) == arabic]
        return chosen or self.subject_list


class StudentProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="student_profile",
        verbose_name=_("user"),
    )
    grade = models.CharField(
        max_length=50,
        blank=True,
        help_text=_("e.g. Grade 9"),
        verbose_name=_("grade"),
    )
    created_at = models.DateTimeField(
        auto_now_add=True,
        verbose_name=_("created at"),
    )

    class Meta:
        verbose_name = _("student profile")
        verbose_name_plural = _("student profiles")
        ordering = ["user__first_name", "user__last_name", "id"]

    def __str__(self) -> str:
        return display_name(self.user)


class ParentProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="parent_profile",
        verbose_name=_("user"),
    )
    children = models.ManyToManyField(
        StudentProfile,
        through="FamilyLink",
        blank=True,
        related_name="parents",
        verbose_name=_("children"),
    )
    created_at = models.DateTimeField(
        auto_now_add=True,
        verbose_name=_("created at"),
    )

    class Meta:
        verbose_name = _("parent profile")
        verbose_name_plural = _("parent profiles")
        ordering = ["user__first_name", "user__last_name", "id"]

    def __str__(self) -> str:
        return display_name(self.user)


class FamilyLink(models.Model):
    """A parent and one of their children: the link a parent's tutoring request names
    (``session_request_parties``). On PostgreSQL a request's ``(parent, child)`` is a
    foreign key onto this table, so a request for someone else's child is refused, and
    so is removing a link a request still names (``tutoring.services.family_unlink``
    first lets go of the answered requests, keeping the child's name on them, and
    refuses while one is pending).

    The table is the one Django made for ``ParentProfile.children`` before the link was
    a model of its own, with its columns.
    """

    parent = models.ForeignKey(
        ParentProfile,
        on_delete=models.CASCADE,
        db_column="parentprofile_id",
        related_name="child_links",
        verbose_name=_("parent"),
    )
    child = models.ForeignKey(
        StudentProfile,
        on_delete=models.CASCADE,
        db_column="studentprofile_id",
        related_name="parent_links",
        verbose_name=_("child"),
    )

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        db_table = "tutoring_parentprofile_children"
        # The target of the requests' (parent_id, child_id) foreign key.
        unique_together = [("parent", "child")]

    def __str__(self) -> str:
        return gettext("%(child)s, child of %(parent)s") % {
            "child": self.child,
            "parent": self.parent,
        }


class TutorPackage(models.Model):
    tutor = models.ForeignKey(
        TutorProfile,
        on_delete=models.CASCADE,
        related_name="packages",
        verbose_name=_("tutor"),
    )
    name = models.CharField(
        max_length=200,
        verbose_name=_("name"),
    )
    name_ar = models.CharField(_("Arabic name"), max_length=200, blank=True)
    description = models.TextField(
        blank=True,
        verbose_name=_("description"),
    )
    sessions_count = models.PositiveSmallIntegerField(
        _("sessions"), default=1, validators=[MinValueValidator(1)]
    )
    price = PriceField(
        default=Decimal(0),
        verbose_name=_("price"),
    )
    is_active = models.BooleanField(
        _("offered"), default=True, help_text=_("Only offered packages can be requested.")
    )

    class Meta:
        verbose_name = _("tutor package")
        verbose_name_plural = _("tutor packages")
        ordering = ["tutor", "price", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tutor", "name"],
                name="package_name_unique_per_tutor",
                violation_error_message=_("This tutor already has a package with this name."),
            ),
            models.CheckConstraint(
                condition=Q(sessions_count__gte=1),
                name="package_sessions_count_positive",
                violation_error_message=_("A package has at least one session."),
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="package_price_not_negative",
                violation_error_message=_("The price cannot be negative."),
            ),
            # The target of requests' composite foreign key (session_request_parties).
            models.UniqueConstraint(
                fields=["id", "tutor"],
                name="package_id_tutor_key",
                violation_error_message=_("A package belongs to one tutor."),
            ),
        ]

    def __str__(self) -> str:
        return localized(self, "name")


class RequesterType(models.TextChoices):
    STUDENT = "student", _("Student")
    PARENT = "parent", _("Parent")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


ANSWERED = (RequestStatus.ACCEPTED, RequestStatus.REJECTED)


def request_ttl() -> datetime.timedelta:
    """How long a pending request waits for the tutor before it reads as expired."""
    return datetime.timedelta(hours=settings.STUDYHALL_TUTORING_REQUEST_TTL_HOURS)


def expiry_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """Pending requests created before this moment have expired."""
    return (now or timezone.now()) - request_ttl()


class SessionRequestQuerySet(models.QuerySet):
    def with_effective_status(self, now: datetime.datetime | None = None) -> SessionRequestQuerySet:
        """Annotate ``effective_status``: the stored status, except that a pending
        request past its time to live reads as expired. Mirrors
        ``SessionRequest.status_at``; a test holds the two to the same answers."""
        return self.annotate(
            effective_status=Case(
                When(
                    status=RequestStatus.PENDING,
                    created_at__lt=expiry_cutoff(now),
                    then=Value(RequestStatus.EXPIRED),
                ),
                default=F("status"),
                output_field=models.CharField(),
            )
        )

    def pending(self, now: datetime.datetime | None = None) -> SessionRequestQuerySet:
        """Requests still waiting for the tutor: pending and not yet expired."""
        return self.filter(status=RequestStatus.PENDING, created_at__gte=expiry_cutoff(now))

    def stale(self, now: datetime.datetime | None = None) -> SessionRequestQuerySet:
        """Requests stored as pending that have expired."""
        return self.filter(status=RequestStatus.PENDING, created_at__lt=expiry_cutoff(now))


class SessionRequest(FormSafeValidation):
    """A student's or a parent's request for sessions with a tutor."""

    tutor = models.ForeignKey(
        TutorProfile,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("tutor"),
    )
    requester_type = models.CharField(
        max_length=20,
        choices=RequesterType,
        verbose_name=_("requester type"),
    )
    student = models.ForeignKey(
        StudentProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        help_text=_("The requester, when a student asks."),
        verbose_name=_("student"),
    )
    parent = models.ForeignKey(
        ParentProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        help_text=_("The requester, when a parent asks."),
        verbose_name=_("parent"),
    )
    child = models.ForeignKey(
        StudentProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests_as_child",
        help_text=_("On a parent's request, the child it is for."),
        verbose_name=_("child"),
    )
    package = models.ForeignKey(
        TutorPackage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("package"),
    )
    package_name = models.CharField(
        max_length=255,
        blank=True,
        help_text=_("The package's name when the request was made."),
        verbose_name=_("package name"),
    )
    package_name_ar = models.CharField(
        _("Arabic package name"),
        max_length=255,
        blank=True,
        db_default="",
        help_text=_("The package's Arabic name when the request was made."),
    )
    status = models.CharField(
        max_length=20,
        choices=RequestStatus,
        default=RequestStatus.PENDING,
        editable=False,
        verbose_name=_("status"),
    )
    message = models.TextField(
        blank=True,
        verbose_name=_("message"),
    )
    student_name = models.CharField(
        max_length=255,
        verbose_name=_("student name"),
    )
    student_grade = models.CharField(
        max_length=50,
        blank=True,
        verbose_name=_("student grade"),
    )
    preferred_schedule = models.TextField(
        blank=True,
        verbose_name=_("preferred schedule"),
    )
    contact_phone = models.CharField(
        max_length=32,
        blank=True,
        verbose_name=_("contact phone"),
    )
    contact_email = models.EmailField(
        max_length=255,
        blank=True,
        verbose_name=_("contact email"),
    )
    decline_reason = models.TextField(
        blank=True,
        editable=False,
        verbose_name=_("decline reason"),
    )
    created_at = models.DateTimeField(
        default=timezone.now,
        editable=False,
        verbose_name=_("created at"),
    )
    updated_at = models.DateTimeField(
        auto_now=True,
        verbose_name=_("updated at"),
    )
    responded_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("responded at"),
    )

    objects = SessionRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("session request")
        verbose_name_plural = _("session requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    requester_type=RequesterType.STUDENT, student__isnull=False, parent=None
                )
                | Q(requester_type=RequesterType.PARENT, parent__isnull=False, student=None),
                name="request_requester_matches_type",
                violation_error_message=_(
                    "The requester must be a student profile for a "
                    "student's request and a parent profile for a parent's."
                ),
            ),
            models.CheckConstraint(
                condition=Q(child=None) | Q(requester_type=RequesterType.PARENT),
                name="request_child_only_for_a_parent",
                violation_error_message=_("Only a parent's request names a child."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values),
                name="request_status_valid",
                violation_error_message=_(
                    "A request is pending, accepted, declined, cancelled or expired."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=ANSWERED, responded_at__isnull=False)
                | (~Q(status__in=ANSWERED) & Q(responded_at=None)),
                name="request_responded_at_matches_status",
                violation_error_message=_(
                    "A request has an answer time exactly when it was accepted or declined."
                ),
            ),
            models.CheckConstraint(
                # A reason of spaces is no reason.
                condition=~Q(status=RequestStatus.REJECTED)
                | Q(GreaterThan(Length(Trim("decline_reason")), 0)),
                name="request_rejection_has_reason",
                violation_error_message=_("A declined request needs a reason."),
            ),
            # One pending request per requester and tutor. The other requester
            # column is always NULL, so each kind gets an index of its own; a
            # parent's is per child, and requests naming no child count as one.
            models.UniqueConstraint(
                fields=["tutor", "student"],
                condition=Q(status=RequestStatus.PENDING, requester_type=RequesterType.STUDENT),
                name="request_one_pending_per_student",
                violation_error_message=_("You already have a pending request with this tutor."),
            ),
            models.UniqueConstraint(
                F("tutor"),
                F("parent"),
                Coalesce(F("child"), Value(0)),
                condition=Q(status=RequestStatus.PENDING, requester_type=RequesterType.PARENT),
                name="request_one_pending_per_parent_and_child",
                violation_error_message=_(
                    "You already have a pending request with this tutor for this child."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["tutor", "status", "-created_at"], name="request_tutor_panel_idx"),
            models.Index(fields=["student", "-created_at"], name="request_student_idx"),
            models.Index(fields=["parent", "-created_at"], name="request_parent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student_name} → {self.tutor}"

    # -- derived state -------------------------------------------------------

    def status_at(self, now: datetime.datetime) -> str:
        if self.status == RequestStatus.PENDING and self.created_at < expiry_cutoff(now):
            return RequestStatus.EXPIRED
        return self.status

    @property
    def current_status(self) -> str:
        """The status as people see it: uses the ``with_effective_status()`` annotation
        when present."""
        annotated = getattr(self, "effective_status", None)
        return annotated if annotated is not None else self.status_at(timezone.now())

    def get_current_status_display(self) -> str:
        return RequestStatus(self.current_status).label

    @property
    def is_pending(self) -> bool:
        return self.current_status == RequestStatus.PENDING

    @property
    def requester(self) -> StudentProfile | ParentProfile | None:
        return self.student if self.requester_type == RequesterType.STUDENT else self.parent

    # -- validation ----------------------------------------------------------

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.requester_type == RequesterType.STUDENT:
            if self.student_id is None:
                errors["student"] = gettext("A student's request names the student who asks.")
            if self.parent_id is not None:
                errors["parent"] = gettext("A student's request has no parent; clear this field.")
            if self.child_id is not None:
                errors["child"] = gettext("Only a parent's request names a child.")
        elif self.requester_type == RequesterType.PARENT:
            if self.parent_id is None:
                errors["parent"] = gettext("A parent's request names the parent who asks.")
            if self.student_id is not None:
                errors["student"] = gettext("A parent's request has no student; clear this field.")
            if (
                self.child_id is not None
                and self.parent_id is not None
                and not FamilyLink.objects.filter(
                    parent_id=self.parent_id, child_id=self.child_id
                ).exists()
            ):
                errors["child"] = gettext("Choose one of this parent's own children.")
        if (
            self.package_id is not None
            and self.tutor_id is not None
            and not TutorPackage.objects.filter(pk=self.package_id, tutor_id=self.tutor_id).exists()
        ):
            errors["package"] = gettext(
                "This package belongs to another tutor; choose one of this tutor's packages."
            )
        if self.tutor_id is not None:
            tutor_user = (
                TutorProfile.objects.filter(pk=self.tutor_id)
                .values_list("user_id", flat=True)
                .first()
            )
            if tutor_user is not None and tutor_user == self._requester_user_id():
                errors["tutor"] = gettext("A tutor cannot request a session with themselves.")
        if self.status == RequestStatus.REJECTED and not self.decline_reason.strip():
            errors["decline_reason"] = gettext("A declined request needs a reason.")
        if (self.status in ANSWERED) != (self.responded_at is not None):
            errors["status"] = gettext(
                "A request has an answer time exactly when it was accepted or declined."
            )
        if errors:
            raise ValidationError(errors)

    def _requester_user_id(self) -> int | None:
        if self.requester_type == RequesterType.STUDENT and self.student_id:
            model, pk = StudentProfile, self.student_id
        elif self.requester_type == RequesterType.PARENT and self.parent_id:
            model, pk = ParentProfile, self.parent_id
        else:
            return None
        return model.objects.filter(pk=pk).values_list("user_id", flat=True).first()
