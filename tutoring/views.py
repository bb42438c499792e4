from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.paging import page_of
from tutoring.forms import DeclineForm, RequestForm
from tutoring.models import RequestStatus, TutorProfile
from tutoring.selectors import (
    children_of,
    profiles_of,
    requests_for_me_by_parents,
    requests_made_by,
    requests_of_my_children,
    tutor_page,
    tutor_request_counts,
    tutor_requests,
    tutors_taking_requests,
)
from tutoring.services import (
    RequestNotFound,
    TutoringError,
    request_accept,
    request_cancel,
    request_create,
    request_decline,
)

SEARCH_MAX_LENGTH = 100
REQUESTS_PAGE_SIZE = 10


@require_GET
def tutor_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:SEARCH_MAX_LENGTH].strip()
    tutors = tutors_taking_requests(search=search)
    return render(request, "tutoring/tutor_list.html", {"tutors": tutors, "search": search})


def _tutor_or_404(pk: int) -> TutorProfile:
    tutor = tutor_page(pk=pk)
    if tutor is None:
        raise Http404("No such tutor.")
    return tutor


def _render_tutor(request, tutor, *, form=None, status=200) -> HttpResponse:
    if form is None and request.user.is_authenticated:
        profiles = profiles_of(request.user)
        form = RequestForm(profiles=profiles, tutor=tutor, children=children_of(profiles.parent))
    is_self = request.user.is_authenticated and tutor.user_id == request.user.pk
    context = {"tutor": tutor, "form": form, "is_self": is_self}
    return render(request, "tutoring/tutor_detail.html", context, status=status)


@require_GET
def tutor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_tutor(request, _tutor_or_404(pk))


@login_required
@require_POST
def request_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    tutor = _tutor_or_404(pk)
    profiles = profiles_of(request.user)
    form = RequestForm(
        request.POST, profiles=profiles, tutor=tutor, children=children_of(profiles.parent)
    )
    if not form.is_valid():
        return _render_tutor(request, tutor, form=form, status=400)
    data = form.cleaned_data
    try:
        sent = request_create(
            user=request.user,
            tutor=tutor,
            details=form.details(),
            requester_type=data.get("requester_type") or None,
            package_id=data.get("package"),
            child_id=data.get("child"),
        )
    except TutoringError as refusal:
        field = refusal.field if refusal.field in form.fields else None
        form.add_error(field, refusal.message)
        return _render_tutor(request, tutor, form=form, status=400 if field else 409)
    messages.success(
        request,
        _("Your request for %(student)s is with %(tutor)s. You will get an email when they answer.")
        % {"student": sent.student_name, "tutor": tutor},
    )
    return redirect("tutoring:requests")


def _panel(
    request: HttpRequest, *, decline_error_for: int | None = None, decline_error: str = ""
) -> HttpResponse:
    profiles = profiles_of(request.user)
    chosen = request.GET.get("status", "")
    chosen = chosen if chosen in RequestStatus.values else ""
    context = {
        "profiles": profiles,
        "chosen_status": chosen,
        "decline_error_for": decline_error_for,
        "decline_error": decline_error,
    }
    if profiles.tutor is not None:
        counts = tutor_request_counts(tutor=profiles.tutor)
        context["status_filters"] = [
            (value, label, counts[value]) for value, label in RequestStatus.choices
        ]
        received = tutor_requests(tutor=profiles.tutor, status=chosen or None)
        context["received_paged"] = page_of(
            received, request.GET, per_page=REQUESTS_PAGE_SIZE, param="page"
        )
        context["received"] = context["received_paged"].rows
    if profiles.requester_types:
        # A tutor's own requests page apart (``sent``), under the requests they received.
        param = "sent" if profiles.tutor is not None else "page"
        context["made_paged"] = page_of(
            requests_made_by(profiles=profiles),
            request.GET,
            per_page=REQUESTS_PAGE_SIZE,
            param=param,
        )
        context["made"] = context["made_paged"].rows
    # The family's other requests, read-only: a parent's for this child, a child's own.
    context["for_me"] = requests_for_me_by_parents(profiles=profiles)
    context["of_my_children"] = requests_of_my_children(profiles=profiles)
    status = 400 if decline_error else 200
    return render(request, "tutoring/requests.html", context, status=status)


@login_required
@require_GET
def request_panel(request: HttpRequest) -> HttpResponse:
    return _panel(request)


def _tutor_of(request: HttpRequest) -> TutorProfile:
    tutor = profiles_of(request.user).tutor
    if tutor is None:
        raise Http404("No such request.")
    return tutor


def _after_answer(request: HttpRequest, answer, success: str) -> HttpResponse:
    try:
        answer()
    except RequestNotFound:
        raise Http404("No such request.") from None
    except TutoringError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, success)
    return redirect(reverse("tutoring:requests"))


@login_required
@require_POST
def request_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    tutor = _tutor_of(request)
    return _after_answer(
        request,
        lambda: request_accept(request_id=pk, tutor=tutor),
        _("Accepted. The requester has been told by email."),
    )


@login_required
@require_POST
def request_decline_view(request: HttpRequest, pk: int) -> HttpResponse:
    tutor = _tutor_of(request)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _panel(request, decline_error_for=pk, decline_error=" ".join(form.errors["reason"]))
    return _after_answer(
        request,
        lambda: request_decline(request_id=pk, tutor=tutor, reason=form.cleaned_data["reason"]),
        _("Declined. The requester has been told, with your reason."),
    )


@login_required
@require_POST
def request_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _after_answer(
        request,
        lambda: request_cancel(request_id=pk, user=request.user),
        _("Your request is cancelled."),
    )
