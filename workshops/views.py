from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from workshops.selectors import workshops_with_upcoming_sessions


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
