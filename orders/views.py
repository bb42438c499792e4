from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orders.forms import BookingForm
from orders.selectors import order_for_buyer, orders_for_buyer
from orders.services import (
    BookingError,
    CancelRefused,
    SessionNotFound,
    order_cancel,
    seat_book,
)
from workshops.models import Workshop
from workshops.views import render_workshop


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_object_or_404(Workshop, slug=slug)
    if request.method == "GET":
        # Back from the login page: a booking is never made by a GET.
        return redirect(workshop)
    form = BookingForm(request.POST)
    if not form.is_valid():
        error = " ".join(form.errors["session"])
        return render_workshop(request, workshop, error=error, status=400)
    session_id = form.cleaned_data["session"]
    try:
        seat = seat_book(buyer=request.user, workshop=workshop, session_id=session_id)
    except BookingError as refusal:
        status = 400 if isinstance(refusal, SessionNotFound) else 409
        return render_workshop(
            request, workshop, error=refusal.message, chosen=session_id, status=status
        )
    messages.success(
        request,
        f"Booked: {workshop.title}, {seat.session.date:%A %d %B} at "
        f"{seat.session.start_time:%H:%M}. Your reference is {seat.order.reference}.",
    )
    return redirect(seat.order)


@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    orders = orders_for_buyer(buyer=request.user)
    return render(request, "orders/list.html", {"orders": orders})


def _own_order(request: HttpRequest, reference: str):
    order = order_for_buyer(buyer=request.user, reference=reference)
    if order is None:
        raise Http404("No such order.")
    return order


@login_required
@require_GET
def order_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return render(request, "orders/detail.html", {"order": _own_order(request, reference)})


@login_required
@require_POST
def order_cancel_view(request: HttpRequest, reference: str) -> HttpResponse:
    order = _own_order(request, reference)
    try:
        order_cancel(order=order)
    except CancelRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"Order {order.reference} is cancelled; the seat is freed.")
    return redirect(order)
