from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from workshops.models import Workshop
from workshops.selectors import workshop_schedule, workshops_with_upcoming_sessions


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Upcoming workshops, each with its next few sessions."""
    workshops = [
        workshop
        for workshop in workshops_with_upcoming_sessions(per_workshop=3)
        if workshop.upcoming_sessions
    ]
    return render(request, "workshops/home.html", {"workshops": workshops})


@require_GET
def store(request: HttpRequest) -> HttpResponse:
    workshops = workshops_with_upcoming_sessions(per_workshop=4)
    return render(request, "workshops/store.html", {"workshops": workshops})


def render_workshop(
    request: HttpRequest,
    workshop: Workshop,
    *,
    error: str | None = None,
    chosen: int | None = None,
    status: int = 200,
) -> HttpResponse:
    """The workshop page; the booking view shows it again with its error."""
    context = {
        "workshop": workshop,
        "runs": workshop_schedule(workshop=workshop),
        "error": error,
        "chosen": chosen,
    }
    return render(request, "workshops/detail.html", context, status=status)


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_object_or_404(Workshop, slug=slug)
    return render_workshop(request, workshop)
