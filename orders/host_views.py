"""The host's pages: one session's roster and check-in, opened by a private link.

There is no login: the token in the address is the key, and it opens exactly one
session. So every response keeps the address out of caches, referrers and search
engines, and a token that does not open a session now (never issued, rotated away,
expired) gets the same 404, which says nothing about which sessions exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orders.forms import CheckInForm
from orders.selectors import session_roster
from orders.services.checkin import (
    CheckInRefused,
    check_in_refusal,
    seat_check_in,
    seat_check_in_undo,
)
from workshops.models import HostSession
from workshops.selectors.host_links import host_link_for_token

# A roster longer than this gets a search box.
SEARCH_FROM = 8
QUERY_MAX_LENGTH = 100


def host_page(
    view: Callable[[HttpRequest, HostSession], HttpResponse],
) -> Callable[[HttpRequest, str], HttpResponse]:
    """Call ``view`` with the host link the URL's token opens now, or answer the same
    404 for any token that does not; and send, on every response, the headers that
    keep a token-bearing address private."""

    @wraps(view)
    def wrapped(request: HttpRequest, token: str) -> HttpResponse:
        link = host_link_for_token(token=token)
        response = _unavailable(request) if link is None else view(request, link)
        add_never_cache_headers(response)  # Cache-Control: ... no-store ...
        # Never sent to another site. Not "no-referrer": under it browsers send
        # "Origin: null" with the page's own check-in form, which CSRF protection
        # must refuse; our own server already sees the token in the address.
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Robots-Tag"] = "noindex"
        return response

    return wrapped


def _unavailable(request: HttpRequest) -> HttpResponse:
    return render(request, "host/unavailable.html", status=404)


def _render_roster(
    request: HttpRequest,
    link: HostSession,
    *,
    query: str = "",
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    session = link.session
    roster = session_roster(session=session)
    closed = check_in_refusal(session, now=timezone.now(), late=link.for_late_fixes)
    context = {
        "link": link,
        "session": session,
        # Why attendance cannot be taken now (not open yet, closed), shown in place of
        # the buttons; a cancelled session says so on its own.
        "check_in_closed": closed if session.cancelled_at is None else None,
        "can_check_in": closed is None,
        "roster": roster,
        "seats": roster.matching(query),
        "query": query,
        "searchable": len(roster.seats) > SEARCH_FROM or bool(query),
        "error": error,
    }
    return render(request, "host/roster.html", context, status=status)


def _query(data) -> str:
    return data.get("q", "").strip()[:QUERY_MAX_LENGTH]


@host_page
@require_GET
def roster(request: HttpRequest, link: HostSession) -> HttpResponse:
    return _render_roster(request, link, query=_query(request.GET))


@host_page
@require_POST
def check_in(request: HttpRequest, link: HostSession) -> HttpResponse:
    query = _query(request.POST)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        error = " ".join(message for errors in form.errors.values() for message in errors)
        return _render_roster(request, link, query=query, error=error, status=400)
    service, done = (
        (seat_check_in_undo, _("%(name)s is no longer checked in."))
        if form.cleaned_data["undo"]
        else (seat_check_in, _("%(name)s is checked in."))
    )
    try:
        seat = service(
            session=link.session, seat_id=form.cleaned_data["seat"], late=link.for_late_fixes
        )
    except CheckInRefused as refusal:
        status = 400 if refusal.code == "seat_not_in_session" else 409
        return _render_roster(request, link, query=query, error=refusal.message, status=status)
    messages.success(request, done % {"name": seat.attendee_name})
    search = f"?{urlencode({'q': query})}" if query else ""
    return redirect(f"{link.get_absolute_url()}{search}#seat-{seat.pk}")
