"""Writes to tutoring: profiles, requests and their answers. The only writers of
``SessionRequest``.

``session_request_parties`` holds because the requester and its type are taken from
the signed-in user's own profile, never from the request's input, and the package
is checked against the tutor before the row is written; the database refuses the
rest. Every change of status is a conditional update on ``status = 'pending'`` (and
not yet expired), so two answers racing for one request end with one winner and a
clear message for the other. A write that meets a pending request past its time to
live stores it as expired first, in its own committed step, so the index that
allows one pending request per requester and tutor never blocks a new request
behind an expired one.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.locking import locked
from core.people import display_name
from emails.services import emails_queue
from tutoring.emails import REQUEST_ANSWERED, REQUEST_EXPIRED, to_requester, to_tutor
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
from tutoring.selectors import Profiles, profiles_of

REASON_MAX_LENGTH = 2000


class TutoringError(DomainError):
    code = "tutoring"


class RequestNotFound(TutoringError):
    code = "request_not_found"


class RequestClosed(TutoringError):
    """The request is no longer pending: answered, cancelled or expired."""

    code = "request_closed"


# -- profiles -----------------------------------------------------------------


def profile_create(*, user: AbstractBaseUser, role: str, grade: str = "") -> Profiles:
    """Give ``user`` a student or a parent profile (kept if they have one already)."""
    if role == RequesterType.STUDENT:
        StudentProfile.objects.get_or_create(user=user, defaults={"grade": grade.strip()})
    elif role == RequesterType.PARENT:
        ParentProfile.objects.get_or_create(user=user)
    else:
        raise TutoringError(_("Choose whether you are a student or a parent."), field="role")
    return profiles_of(user)


# -- requests -----------------------------------------------------------------


@dataclass(frozen=True)
class RequestDetails:
    """What the requester typed. Who asks is never part of it."""

    message: str = ""
    student_name: str = ""
    student_grade: str = ""
    preferred_schedule: str = ""
    contact_phone: str = ""
    contact_email: str = ""

    # Fields shown on one line (a name, an email subject): runs of whitespace,
    # line breaks included, become one space.
    SINGLE_LINE = ("student_name", "student_grade", "contact_phone", "contact_email")

    def cleaned(self) -> dict[str, str]:
        values = asdict(self)
        return {
            name: " ".join(value.split()) if name in self.SINGLE_LINE else value.strip()
            for name, value in values.items()
        }


def _requester_type(profiles: Profiles, chosen: str | None) -> str:
    """The kind of requester the user asks as: their only role, or the one they chose
    among their own (a posted choice of a role they do not hold is refused)."""
    held = profiles.requester_types
    if len(held) == 1:
        return held[0]
    if chosen in held:
        return chosen
    raise TutoringError(
        _("Choose whether you ask as a student or as a parent."), field="requester_type"
    )


def _package(tutor: TutorProfile, package_id: int | None) -> TutorPackage | None:
    if package_id is None:
        return None
    package = TutorPackage.objects.filter(pk=package_id, tutor=tutor, is_active=True).first()
    if package is None:
        raise TutoringError(
            _(
                "That package is not offered by %(tutor)s; choose one of the packages "
                "listed, or none."
            )
            % {"tutor": tutor},
            field="package",
        )
    return package


def _child(parent: ParentProfile, child_id: int | None) -> StudentProfile | None:
    if child_id is None:
        return None
    child = parent.children.select_related("user").filter(pk=child_id).first()
    if child is None:
        raise TutoringError(_("Choose one of your own children, or type a name."), field="child")
    return child


# What else a family link holds up, registered by the apps that use it (orders: the
# seats a parent booked for the child). Each answers why the link cannot go, or None.
UnlinkGuard = Callable[[ParentProfile, StudentProfile], str | None]
_unlink_guards: list[UnlinkGuard] = []


def unlink_guard(guard: UnlinkGuard) -> UnlinkGuard:
    _unlink_guards.append(guard)
    return guard


def family_unlink(
    *, parent: ParentProfile, child: StudentProfile, now: datetime.datetime | None = None
) -> None:
    """Remove ``child`` from ``parent``'s children (``session_request_parties``).

    Refused while a pending request of the parent names the child (answer or cancel it
    first). The parent's other requests for the child let go of them, keeping the
    child's name in ``student_name``, so none points at a link that is gone: on
    PostgreSQL their ``(parent, child)`` is a foreign key onto the link, which would
    refuse the removal. One transaction, under the link's row lock.
    """
    now = now or timezone.now()
    with transaction.atomic():
        link = locked(FamilyLink.objects.filter(parent=parent, child=child)).first()
        if link is None:
            return
        named = SessionRequest.objects.filter(parent=parent, child=child)
        _expire_stale(named, now)
        if named.filter(status=RequestStatus.PENDING).exists():
            raise TutoringError(
                _(
                    "%(child)s has a pending request from %(parent)s; answer or cancel it "
                    "before removing the child."
                )
                % {"child": child, "parent": parent},
                field="child",
            )
        for guard in _unlink_guards:
            refusal = guard(parent, child)
            if refusal:
                raise TutoringError(refusal, field="child")
        named.update(child=None, updated_at=now)
        link.delete()


def _expire_stale(requests: QuerySet[SessionRequest], now: datetime.datetime) -> int:
    """Store pending requests past their time to live as expired, and queue the email
    that tells each requester (once: its identity is the request)."""
    stale = list(requests.stale(now).select_related("student__user", "parent__user"))
    if not stale:
        return 0
    expired = SessionRequest.objects.filter(
        pk__in=[request.pk for request in stale], status=RequestStatus.PENDING
    ).update(status=RequestStatus.EXPIRED, updated_at=now)
    emails_queue(to_requester(request, REQUEST_EXPIRED) for request in stale)
    return expired


def requests_expire(*, now: datetime.datetime | None = None) -> int:
    """Store every pending request past its time to live as expired and tell its
    requester; how many expired. Run periodically (``send_reminders``), so a request
    nobody looks at still expires on time."""
    with transaction.atomic():
        return _expire_stale(SessionRequest.objects.all(), now or timezone.now())


def request_create(
    *,
    user: AbstractBaseUser,
    tutor: TutorProfile,
    details: RequestDetails,
    requester_type: str | None = None,
    package_id: int | None = None,
    child_id: int | None = None,
    now: datetime.datetime | None = None,
) -> SessionRequest:
    """Send a request from ``user`` to ``tutor``, as the student or parent ``user`` is.

    ``requester_type`` matters for a user who is both, and for one who is neither: they
    become what they chose, in the same transaction as the request, so a refused
    request leaves no profile behind. A parent names one of
    their own children or types a name; a student's name and grade default to their
    own. Refused, with a message for the requester: their own tutor profile, a tutor
    not taking requests, a package that is not the tutor's or not offered, and a
    second pending request to the same tutor (and child).
    """
    now = now or timezone.now()
    with transaction.atomic():
        profiles = profiles_of(user)
        if not profiles.requester_types:
            if requester_type not in RequesterType.values:
                raise TutoringError(
                    _("Tell us whether you are a student or a parent first."),
                    field="requester_type",
                )
            profiles = profile_create(user=user, role=requester_type)
        return _request_send(
            user=user,
            profiles=profiles,
            tutor=tutor,
            details=details,
            kind=_requester_type(profiles, requester_type),
            package_id=package_id,
            child_id=child_id,
            now=now,
        )


def _request_send(
    *,
    user: AbstractBaseUser,
    profiles: Profiles,
    tutor: TutorProfile,
    details: RequestDetails,
    kind: str,
    package_id: int | None,
    child_id: int | None,
    now: datetime.datetime,
) -> SessionRequest:
    if tutor.user_id == user.pk:
        raise TutoringError(_("You cannot request a session with yourself."))
    if not tutor.is_accepting_requests:
        raise TutoringError(
            _("%(tutor)s is not taking new requests at the moment.") % {"tutor": tutor}
        )
    package = _package(tutor, package_id)

    request = SessionRequest(
        tutor=tutor,
        requester_type=kind,
        package=package,
        package_name=package.name if package else "",
        package_name_ar=package.name_ar if package else "",
        created_at=now,
        **details.cleaned(),
    )
    mine = SessionRequest.objects.filter(tutor=tutor)
    if kind == RequesterType.STUDENT:
        request.student = profiles.student
        mine = mine.filter(student=profiles.student)
        request.student_name = request.student_name or display_name(user)
        request.student_grade = request.student_grade or profiles.student.grade
    else:
        child = _child(profiles.parent, child_id)
        request.parent, request.child = profiles.parent, child
        mine = mine.filter(parent=profiles.parent, child=child)
        if child is not None:
            child_name = display_name(child.user)
            if request.student_name and request.student_name.casefold() != child_name.casefold():
                raise TutoringError(
                    _(
                        "You chose %(child)s; leave the name empty, or choose “Someone else” "
                        "to type another name."
                    )
                    % {"child": child_name},
                    field="student_name",
                )
            request.student_name = child_name
            request.student_grade = request.student_grade or child.grade
    if not request.student_name:
        raise TutoringError(_("Say who the sessions are for."), field="student_name")
    request.contact_email = request.contact_email or user.email

    with transaction.atomic():
        _expire_stale(mine, now)
    try:
        with transaction.atomic():
            request.save()
            emails_queue([to_tutor(request)])
    except IntegrityError:
        if mine.pending(now).exists():
            if kind == RequesterType.PARENT:
                refusal = _(
                    "You already have a pending request with %(tutor)s for %(student)s; wait "
                    "for the answer or cancel it under My requests."
                )
            else:
                refusal = _(
                    "You already have a pending request with %(tutor)s; wait for the answer or "
                    "cancel it under My requests."
                )
            raise TutoringError(
                refusal % {"tutor": tutor, "student": request.student_name}
            ) from None
        raise
    return request


def _answer(
    *,
    request_id: int,
    tutor: TutorProfile,
    status: RequestStatus,
    now: datetime.datetime,
    decline_reason: str = "",
) -> SessionRequest:
    mine = SessionRequest.objects.filter(pk=request_id, tutor=tutor)
    with transaction.atomic():
        answered = mine.pending(now).update(
            status=status, responded_at=now, decline_reason=decline_reason, updated_at=now
        )
        if answered:
            request = mine.select_related("student__user", "parent__user", "tutor__user").get()
            emails_queue([to_requester(request, REQUEST_ANSWERED)])
            return request
    raise _why_not_pending(mine, now)


def _why_not_pending(mine: QuerySet[SessionRequest], now: datetime.datetime) -> TutoringError:
    """The refusal for a request that could not change: missing, expired (stored as
    expired now, in its own committed step) or already closed."""
    with transaction.atomic():
        _expire_stale(mine, now)
        current = mine.values_list("status", flat=True).first()
    if current is None:
        return RequestNotFound(_("There is no such request."))
    return RequestClosed(_closed_message(current))


def _closed_message(status: str) -> str:
    return {
        RequestStatus.ACCEPTED: _("This request was already accepted."),
        RequestStatus.REJECTED: _("This request was already declined."),
        RequestStatus.CANCELLED: _("This request was cancelled by the requester."),
        RequestStatus.EXPIRED: _(
            "This request expired before it was answered; it can no longer be accepted."
        ),
    }.get(status) or _("This request is no longer pending.")


def request_accept(
    *, request_id: int, tutor: TutorProfile, now: datetime.datetime | None = None
) -> SessionRequest:
    """The tutor accepts a pending request of theirs; the requester is told by email."""
    return _answer(
        request_id=request_id,
        tutor=tutor,
        status=RequestStatus.ACCEPTED,
        now=now or timezone.now(),
    )


def request_decline(
    *, request_id: int, tutor: TutorProfile, reason: str, now: datetime.datetime | None = None
) -> SessionRequest:
    """The tutor declines a pending request of theirs, saying why; the requester is told."""
    reason = reason.strip()
    if not reason:
        raise TutoringError(_("Say why you decline, so the requester knows."), field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise TutoringError(
            _("Keep the reason under %(max)d characters.") % {"max": REASON_MAX_LENGTH},
            field="reason",
        )
    return _answer(
        request_id=request_id,
        tutor=tutor,
        status=RequestStatus.REJECTED,
        now=now or timezone.now(),
        decline_reason=reason,
    )


def request_cancel(
    *, request_id: int, user: AbstractBaseUser, now: datetime.datetime | None = None
) -> SessionRequest:
    """The requester withdraws a pending request of their own."""
    now = now or timezone.now()
    profiles = profiles_of(user)
    mine = SessionRequest.objects.filter(pk=request_id).filter(profiles.as_requester())
    with transaction.atomic():
        if mine.pending(now).update(status=RequestStatus.CANCELLED, updated_at=now):
            return mine.get()
    raise _why_not_pending(mine, now)
