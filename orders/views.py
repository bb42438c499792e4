from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from core.i18n import in_language_of, localized
from core.ids import parse_id
from core.links import absolute_url
from core.paging import page_of
from orders.calendars import FEED_REFRESH, seats_calendar
from orders.forms import BookingForm, RunBookingForm
from orders.models import OrderStatus
from orders.rules import (
    AttendeeRefused,
    BookingError,
    attendee_refusal,
    nothing_available,
    run_refusal,
    session_refusal,
)
from orders.selectors import (
    CALENDAR_PAST_DAYS,
    calendar_feed_by_token,
    calendar_feed_of,
    calendar_seats,
    held_by,
    held_session_ids,
    order_for_buyer,
    orders_for_buyer,
    seats_booked_for,
    seats_children_booked,
)
from orders.services.booking import run_book, seat_book
from orders.services.calendar_feeds import (
    calendar_feed_renew,
    calendar_feed_turn_off,
    calendar_feed_turn_on,
)
from orders.services.cancellation import CancelRefused, order_cancel, seat_cancel
from tutoring.selectors import children_users
from workshops.models import Workshop, WorkshopSession
from workshops.selectors.schedule import (
    next_available_by_workshop,
    next_available_session,
    run_days,
    session_of_workshop,
    workshop_by_slug,
    workshop_schedule,
)

# -- the workshop page and booking -------------------------------------------------------


def render_workshop(
    request: HttpRequest, workshop: Workshop, *, error: str | None = None, status: int = 200
) -> HttpResponse:
    """The workshop page: its runs and sessions, the sessions the visitor already holds
    marked, and for each choice whether it can be booked now and why not
    (``orders.rules``). The booking views show it again with their refusal, with
    nothing chosen."""
    now = timezone.now()
    runs = workshop_schedule(workshop=workshop, now=now)
    held = held_session_ids(people=[request.user], workshop_id=workshop.pk)
    for run in runs:
        for session in run.schedule:
            session.refusal = session_refusal(session, workshop=workshop, held=held, now=now)
        # What "book every day" would book: the days not cancelled.
        run.days = [session for session in run.schedule if not session.is_cancelled]
        run.refusal = run_refusal(run.days, workshop=workshop, held=held, now=now)
    context = {
        "workshop": workshop,
        "runs": runs,
        "held": held,
        "error": error,
        # A parent chooses who the seats are for: themselves and their children.
        "family": _family(request.user),
    }
    return render(request, "workshops/detail.html", context, status=status)


def _form_errors(form) -> str:
    return " ".join(message for messages in form.errors.values() for message in messages)


def _family(user) -> list:
    """Who ``user`` may book seats for, themselves first; only themselves when they have
    no children (the page then asks nothing)."""
    children = children_users(user)
    return [user, *children] if children else []


def _attendees(request: HttpRequest, ids: list[int]) -> list | None:
    """The people chosen by id (``attendee``), or ``None`` for the buyer alone. An id that
    is not the buyer's or a child's is refused by the booking rule, in its words."""
    if not ids:
        return None
    family = {person.pk: person for person in [request.user, *children_users(request.user)]}
    chosen = [family.get(pk) for pk in ids]
    refusal = attendee_refusal(request.user, [p for p in chosen if p is not None], family)
    if None in chosen or refusal is not None:
        raise refusal or AttendeeRefused(
            _("You can book seats only for yourself and your children.")
        )
    return chosen


def _workshop_or_404(slug: str) -> Workshop:
    workshop = workshop_by_slug(slug)
    if workshop is None:
        raise Http404("No such workshop.")
    return workshop


@require_GET
def workshop_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render_workshop(request, _workshop_or_404(slug))


def _refused(request: HttpRequest, workshop: Workshop, refusal: BookingError) -> HttpResponse:
    return render_workshop(request, workshop, error=refusal.message, status=refusal.status)


def _confirm(
    request: HttpRequest, workshop: Workshop, sessions: list, run=None, people=None
) -> HttpResponse:
    """The page that shows what one POST will book (each day, who for, the price per
    seat and the total) with its button. A redirect or a GET never books."""
    people = people or []
    context = {
        "workshop": workshop,
        "run": run,
        "sessions": sessions,
        "session": sessions[0],
        "people": people,
        "seats": len(sessions) * max(len(people), 1),
        "total": workshop.price * len(sessions) * max(len(people), 1),
    }
    return render(request, "orders/confirm_booking.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, slug: str) -> HttpResponse:
    """POST books the chosen session (``session``: an id, or ``next``). GET, where a
    visitor who had to log in first lands, shows the choice to confirm with one POST."""
    workshop = _workshop_or_404(slug)
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "GET" and "session" not in data:
        return redirect(workshop)
    form = BookingForm(data)
    if not form.is_valid():
        return render_workshop(request, workshop, error=_form_errors(form), status=400)
    session_id = form.cleaned_data["session"]
    try:
        people = _attendees(request, form.cleaned_data["attendee"])
    except BookingError as refusal:
        return _refused(request, workshop, refusal)
    if request.method == "GET":
        now = timezone.now()
        held = held_session_ids(people=people or [request.user], workshop_id=workshop.pk)
        if session_id is None:
            session = next_available_session(
                workshop=workshop, now=now, excluding=held_by(*(people or [request.user]))
            )
            refusal = nothing_available(workshop) if session is None else None
        else:
            session = session_of_workshop(workshop=workshop, session_id=session_id)
            refusal = session_refusal(session, workshop=workshop, held=held, now=now)
        if refusal is not None:
            return _refused(request, workshop, refusal)
        return _confirm(request, workshop, [session], people=people)
    try:
        seat = seat_book(
            buyer=request.user, workshop=workshop, session_id=session_id, attendees=people
        )
    except BookingError as refusal:
        return _refused(request, workshop, refusal)
    messages.success(
        request,
        _("Booked: %(title)s, %(date)s at %(time)s. Your reference is %(reference)s.")
        % {
            "title": localized(workshop, "title"),
            "date": date_format(seat.session.date, "l j F"),
            "time": f"{seat.session.start_time:%H:%M}",
            "reference": seat.order.reference,
        },
    )
    return redirect(seat.order)


@login_required
@require_http_methods(["GET", "POST"])
def book_run(request: HttpRequest, slug: str) -> HttpResponse:
    """One seat in every session of a run that is not cancelled, in one order: GET (the
    workshop page's button, or after logging in) shows the days and the total to
    confirm; POST books."""
    workshop = _workshop_or_404(slug)
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "GET" and "run" not in data:
        return redirect(workshop)
    form = RunBookingForm(data)
    if not form.is_valid():
        return render_workshop(request, workshop, error=_form_errors(form), status=400)
    run_id = form.cleaned_data["run"]
    try:
        people = _attendees(request, form.cleaned_data["attendee"])
    except BookingError as refusal:
        return _refused(request, workshop, refusal)
    if request.method == "GET":
        days = run_days(workshop=workshop, run_id=run_id)
        held = held_session_ids(people=people or [request.user], workshop_id=workshop.pk)
        refusal = run_refusal(days, workshop=workshop, held=held, now=timezone.now())
        if refusal is not None:
            return _refused(request, workshop, refusal)
        return _confirm(request, workshop, days, run=days[0].run, people=people)
    try:
        order = run_book(buyer=request.user, workshop=workshop, run_id=run_id, attendees=people)
    except BookingError as refusal:
        return _refused(request, workshop, refusal)
    days = order.seats.count()
    messages.success(
        request,
        ngettext(
            "Booked: %(title)s, %(days)d day. Your reference is %(reference)s.",
            "Booked: %(title)s, all %(days)d days. Your reference is %(reference)s.",
            days,
        )
        % {"title": localized(workshop, "title"), "days": days, "reference": order.reference},
    )
    return redirect(order)


# -- orders ----------------------------------------------------------------------------------


def _suggestions(orders, buyer) -> dict[int, WorkshopSession]:
    """For seats whose session staff cancelled: the next available session of each of
    those workshops that the buyer does not hold already, by workshop id."""
    workshop_ids = {
        seat.workshop_id
        for order in orders
        for seat in order.seats.all()
        if seat.session.cancelled_at is not None
    }
    if not workshop_ids:
        return {}
    return next_available_by_workshop(workshop_ids=workshop_ids, excluding=held_by(buyer))


ORDERS_PAGE_SIZE = 10


@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    """My orders, a page at a time: upcoming first, then past and cancelled."""
    paged = page_of(orders_for_buyer(buyer=request.user), request.GET, per_page=ORDERS_PAGE_SIZE)
    upcoming = [order for order in paged.rows if order.is_upcoming]
    past = [order for order in paged.rows if not order.is_upcoming]
    context = {
        "paged": paged,
        "upcoming": upcoming,
        "past": past,
        "suggestions": _suggestions(paged.rows, request.user),
        "booked_for_me": list(seats_booked_for(person=request.user)),
        "children_booked": list(seats_children_booked(parent=request.user)),
    }
    return render(request, "orders/list.html", context)


def _own_order(request: HttpRequest, reference: str):
    order = order_for_buyer(buyer=request.user, reference=reference)
    if order is None:
        raise Http404("No such order.")
    return order


@login_required
@require_GET
def order_detail(request: HttpRequest, reference: str) -> HttpResponse:
    order = _own_order(request, reference)
    context = {"order": order, "suggestions": _suggestions([order], request.user)}
    return render(request, "orders/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def order_cancel_view(request: HttpRequest, reference: str) -> HttpResponse:
    """GET asks to confirm (it works without JavaScript); POST cancels the order, or
    with ``seat`` only that seat of it (one child's seat of a family order)."""
    order = _own_order(request, reference)
    data = request.POST if request.method == "POST" else request.GET
    seat = None
    if "seat" in data:
        seat_id = parse_id(data.get("seat", ""))
        seat = next((s for s in order.seats.all() if s.pk == seat_id and s.is_active), None)
        if seat is None:
            messages.error(request, _("Choose a seat of this order that is still booked."))
            return redirect(order)
    if request.method == "GET":
        return render(request, "orders/confirm_cancel.html", {"order": order, "seat": seat})
    try:
        if seat is None:
            order_cancel(order=order)
        else:
            seat_cancel(seat=seat, by_staff=False)
    except CancelRefused as refusal:
        messages.error(request, refusal.message)
    else:
        order.refresh_from_db(fields=["status"])
        if seat is None or order.status == OrderStatus.CANCELLED:
            done = _("Order %(reference)s is cancelled; the seat is freed.")
        else:
            done = _("The seat of %(name)s is cancelled and freed; the rest of the order stays.")
        messages.success(
            request, done % {"reference": order.reference, "name": seat and seat.attendee_name}
        )
    return redirect(order)


# -- calendars -------------------------------------------------------------------------------


def _ics(content: bytes, *, filename: str, attachment: bool) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@login_required
@require_safe
def order_calendar(request: HttpRequest, reference: str) -> HttpResponse:
    """The order's seats as an ``.ics`` file to add to a calendar: those still held as
    confirmed events, cancelled ones (the seat or its session) as cancelled events
    with the same UIDs, so calendar apps remove them."""
    order = _own_order(request, reference)
    name = _("Studyhall order %(reference)s") % {"reference": order.reference}
    content = seats_calendar(order.seats.all(), name=name, now=timezone.now())
    return _ics(content, filename=f"studyhall-{order.reference}.ics", attachment=True)


CALENDAR_ACTIONS = {
    "on": (
        calendar_feed_turn_on,
        gettext_lazy("Your calendar address is ready. Add it to your calendar app."),
    ),
    "renew": (
        calendar_feed_renew,
        gettext_lazy(
            "Your calendar has a new address; the old one no longer works. Subscribe again "
            "with the new one."
        ),
    ),
    "off": (
        calendar_feed_turn_off,
        gettext_lazy("Your calendar address is turned off; it no longer works."),
    ),
}


def _render_calendar_settings(
    request: HttpRequest, *, error: str = "", status: int = 200
) -> HttpResponse:
    feed = calendar_feed_of(request.user)
    feed_url = absolute_url(feed.get_absolute_url()) if feed else ""
    context = {
        "feed": feed,
        "feed_url": feed_url,
        # The same address for apps that subscribe when a webcal:// link is opened.
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1] if feed_url else "",
        "past_days": CALENDAR_PAST_DAYS,
        "error": error,
    }
    return render(request, "orders/calendar.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """Where users get, renew or turn off the private address of their seats' feed."""
    if request.method == "GET":
        return _render_calendar_settings(request)
    action = CALENDAR_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        error = _("Choose one of the buttons: turn the address on, renew it, or turn it off.")
        return _render_calendar_settings(request, error=error, status=400)
    service, message = action
    service(user=request.user)
    messages.success(request, message)
    return redirect("orders:calendar")


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A user's seats for their calendar app, read with the address's secret, no login."""
    feed = calendar_feed_by_token(token)
    if feed is None:
        return HttpResponse(
            _("No calendar at this address: it was renewed or turned off.") + "\n",
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    # A calendar app names no language: the feed is in the one its owner chose.
    with in_language_of(feed.user):
        content = seats_calendar(
            calendar_seats(buyer=feed.user),
            name="Studyhall",
            now=timezone.now(),
            refresh=FEED_REFRESH,
        )
    response = _ics(content, filename="studyhall.ics", attachment=False)
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
