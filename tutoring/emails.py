"""The emails about session requests: a new one for the tutor, the answer and an
expiry for the requester (a parent for their child's request)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.i18n import localized
from core.links import absolute_url
from emails.kinds import Letter, writer
from emails.models import Email
from emails.services import NewEmail
from tutoring.models import ANSWERED, RequestStatus, SessionRequest, request_ttl

REQUEST_RECEIVED = "tutoring_request_received"
REQUEST_ANSWERED = "tutoring_request_answered"
REQUEST_EXPIRED = "tutoring_request_expired"


def to_tutor(request: SessionRequest) -> NewEmail:
    return NewEmail(
        kind=REQUEST_RECEIVED,
        recipient=request.tutor.user,
        about=f"request-{request.pk}",
        context={"request": request.pk},
    )


def to_requester(request: SessionRequest, kind: str) -> NewEmail:
    return NewEmail(
        kind=kind,
        recipient=request.requester.user,
        about=f"request-{request.pk}",
        context={"request": request.pk},
    )


def _request(email: Email) -> SessionRequest | None:
    return (
        SessionRequest.objects.select_related("tutor__user", "student__user", "parent__user")
        .filter(pk=email.context["request"])
        .first()
    )


@writer(REQUEST_RECEIVED)
def request_received(email: Email) -> Letter | None:
    request = _request(email)
    if request is None or request.status_at(timezone.now()) != RequestStatus.PENDING:
        return None  # answered, cancelled or expired before the email went out
    answer_by = timezone.localtime(request.created_at + request_ttl())
    return Letter(
        subject=_("New session request for %(student)s") % {"student": request.student_name},
        template=REQUEST_RECEIVED,
        context={
            "student": request.student_name,
            "package": localized(request, "package_name"),
            "schedule": request.preferred_schedule or _("not given"),
            "message": request.message,
            "answer_by": f"{date_format(answer_by, 'l j F, H:i')} ({settings.TIME_ZONE})",
            "requests_url": absolute_url(reverse("tutoring:requests")),
        },
    )


@writer(REQUEST_ANSWERED)
def request_answered(email: Email) -> Letter | None:
    request = _request(email)
    if request is None or request.status not in ANSWERED:
        return None
    accepted = request.status == RequestStatus.ACCEPTED
    subject = (
        _("Your session request: accepted") if accepted else _("Your session request: declined")
    )
    return Letter(
        subject=subject,
        template=REQUEST_ANSWERED,
        context={
            "accepted": accepted,
            "tutor": str(request.tutor),
            "student": request.student_name,
            "reason": request.decline_reason,
            "requests_url": absolute_url(reverse("tutoring:requests")),
        },
    )


@writer(REQUEST_EXPIRED)
def request_expired(email: Email) -> Letter | None:
    request = _request(email)
    if request is None or request.status != RequestStatus.EXPIRED:
        return None
    return Letter(
        subject=_("Your session request expired unanswered"),
        template=REQUEST_EXPIRED,
        context={
            "tutor": str(request.tutor),
            "student": request.student_name,
            "tutors_url": absolute_url(reverse("tutoring:tutors")),
        },
    )
