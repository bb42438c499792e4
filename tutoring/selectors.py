"""Reads of tutoring for pages, the admin and the assistant. A fixed number of
queries each, whatever the number of tutors or requests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When

from tutoring.models import (
    FamilyLink,
    ParentProfile,
    RequesterType,
    RequestStatus,
    SessionRequest,
    StudentProfile,
    TutorPackage,
    TutorProfile,
)


@dataclass(frozen=True)
class Profiles:
    """The tutoring roles one user holds (any of them may be missing)."""

    tutor: TutorProfile | None
    student: StudentProfile | None
    parent: ParentProfile | None

    @property
    def requester_types(self) -> list[str]:
        """The kinds of requester this user can ask as, student first."""
        return [
            kind
            for kind, profile in (
                (RequesterType.STUDENT, self.student),
                (RequesterType.PARENT, self.parent),
            )
            if profile is not None
        ]

    def as_requester(self) -> Q:
        """Requests this user made, as a student or as a parent."""
        mine = Q(pk__in=[])
        if self.student is not None:
            mine |= Q(requester_type=RequesterType.STUDENT, student=self.student)
        if self.parent is not None:
            mine |= Q(requester_type=RequesterType.PARENT, parent=self.parent)
        return mine


NO_PROFILES = Profiles(tutor=None, student=None, parent=None)


def profiles_of(user: AbstractBaseUser) -> Profiles:
    """The user's tutor, student and parent profiles, in one query."""
    if not user.is_authenticated:
        return NO_PROFILES
    row = (
        get_user_model()
        .objects.select_related("tutor_profile", "student_profile", "parent_profile")
        .get(pk=user.pk)
    )
    return Profiles(
        tutor=getattr(row, "tutor_profile", None),
        student=getattr(row, "student_profile", None),
        parent=getattr(row, "parent_profile", None),
    )


def children_of(parent: ParentProfile | None) -> list[StudentProfile]:
    if parent is None:
        return []
    return list(parent.children.select_related("user").order_by("user__first_name", "pk"))


def _offered_packages() -> Prefetch:
    return Prefetch(
        "packages",
        queryset=TutorPackage.objects.filter(is_active=True).order_by("price", "pk"),
        to_attr="offered_packages",
    )


def tutors_taking_requests(*, search: str = "") -> QuerySet[TutorProfile]:
    """Tutors accepting requests, each with ``offered_packages``, by name; ``search``
    matches any word of it against subjects, names and headlines."""
    tutors = TutorProfile.objects.filter(is_accepting_requests=True)
    for word in search.split():
        tutors = tutors.filter(
            Q(subjects__icontains=word)
            | Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__username__icontains=word)
            | Q(headline__icontains=word)
            | Q(headline_ar__icontains=word)
        )
    return tutors.select_related("user").prefetch_related(_offered_packages())


def tutor_page(*, pk: int) -> TutorProfile | None:
    """One tutor with ``offered_packages``, whether or not they take requests now."""
    return (
        TutorProfile.objects.filter(pk=pk)
        .select_related("user")
        .prefetch_related(_offered_packages())
        .first()
    )


def _with_people(requests: QuerySet[SessionRequest]) -> QuerySet[SessionRequest]:
    return requests.select_related(
        "tutor__user", "student__user", "parent__user", "child__user", "package"
    )


def _pending_first(requests: QuerySet[SessionRequest]) -> QuerySet[SessionRequest]:
    return requests.annotate(
        waiting=Case(
            When(effective_status=RequestStatus.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("waiting", "-created_at", "-id")


def tutor_requests(
    *, tutor: TutorProfile, status: str | None = None, now: datetime.datetime | None = None
) -> QuerySet[SessionRequest]:
    """The tutor's requests, pending first then newest, with requester, child and
    package; ``status`` keeps one status as people see it (expired included)."""
    requests = SessionRequest.objects.filter(tutor=tutor).with_effective_status(now)
    if status in RequestStatus.values:
        requests = requests.filter(effective_status=status)
    return _pending_first(_with_people(requests))


def tutor_request_counts(
    *, tutor: TutorProfile, now: datetime.datetime | None = None
) -> dict[str, int]:
    """How many of the tutor's requests are in each status, as people see it."""
    rows = (
        SessionRequest.objects.filter(tutor=tutor)
        .with_effective_status(now)
        .values("effective_status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys(RequestStatus.values, 0)
    counts.update({row["effective_status"]: row["n"] for row in rows})
    return counts


def requests_made_by(
    *, profiles: Profiles, now: datetime.datetime | None = None
) -> QuerySet[SessionRequest]:
    """The requests this user made as a student or a parent, pending first."""
    requests = SessionRequest.objects.filter(profiles.as_requester()).with_effective_status(now)
    return _pending_first(_with_people(requests))


def requests_for_me_by_parents(
    *, profiles: Profiles, now: datetime.datetime | None = None
) -> list[SessionRequest]:
    """The requests a parent sent for this student (read-only for them), pending first."""
    if profiles.student is None:
        return []
    requests = SessionRequest.objects.filter(child=profiles.student).with_effective_status(now)
    return list(_pending_first(_with_people(requests))[:50])


def requests_of_my_children(
    *, profiles: Profiles, now: datetime.datetime | None = None
) -> list[SessionRequest]:
    """The requests this parent's children sent themselves, as students (read-only for
    the parent), pending first."""
    if profiles.parent is None:
        return []
    requests = SessionRequest.objects.filter(
        student__parent_links__parent=profiles.parent
    ).with_effective_status(now)
    return list(_pending_first(_with_people(requests))[:50])


def pending_request_for_child(*, parent: ParentProfile, child: StudentProfile) -> bool:
    """Whether a request of ``parent`` for ``child`` is still waiting for an answer (not
    past its time to live)."""
    return (
        SessionRequest.objects.with_effective_status()
        .filter(parent=parent, child=child, effective_status=RequestStatus.PENDING)
        .exists()
    )


def children_user_ids(parent_user_id: int) -> set[int]:
    """The user ids of the children of the parent whose user id this is (none for a
    user who is not a parent): who else that user may book a seat for."""
    return set(
        FamilyLink.objects.filter(parent__user_id=parent_user_id).values_list(
            "child__user_id", flat=True
        )
    )


def children_users(user) -> list:
    """The users who are ``user``'s children, by name (none for someone who is not a
    parent, or not signed in)."""
    from django.contrib.auth import get_user_model

    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        get_user_model()
        .objects.filter(student_profile__parent_links__parent__user=user)
        .order_by("first_name", "last_name", "username")
    )
