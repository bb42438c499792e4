"""A whole run in one order: one seat in every session not cancelled, all or nothing."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.tests.factories import UserFactory
from orders.models import Order, OrderItem
from orders.rules import AlreadyBooked, RunNotFound, SessionFull, SessionPast
from orders.services.booking import run_book, seat_book
from orders.tests.factories import SeatFactory
from workshops.models import WorkshopSession
from workshops.tests.factories import (
    WorkshopRunFactory,
    WorkshopSessionFactory,
    days_from_today,
    sell_seats,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def run():
    run = WorkshopRunFactory(
        workshop__title="Calligraphy",
        workshop__slug="calligraphy",
        workshop__price="45.00",
        name="Spring cohort",
        start_date=days_from_today(5),
        end_date=days_from_today(9),
    )
    for number, day in ((1, 5), (2, 6), (3, 7)):
        WorkshopSessionFactory(run=run, number=number, date=days_from_today(day), capacity=3)
    WorkshopSessionFactory(run=run, number=4, date=days_from_today(8), cancelled_at=timezone.now())
    return run


@pytest.fixture
def buyer():
    return UserFactory()


def taken(run) -> list[int]:
    return list(run.sessions.order_by("number").values_list("seats_taken", flat=True))


def test_a_run_is_booked_in_one_order_with_a_seat_in_each_session_not_cancelled(run, buyer):
    order = run_book(buyer=buyer, workshop=run.workshop, run_id=run.pk)
    seats = list(order.seats.order_by("session__number"))
    assert [seat.session.number for seat in seats] == [1, 2, 3]
    assert all(
        (s.run_id, s.workshop_id, s.price) == (run.pk, run.workshop_id, Decimal("45"))
        for s in seats
    )
    assert taken(run) == [1, 1, 1, 0]


def test_a_full_day_refuses_the_whole_run_naming_it(run, buyer):
    sell_seats(run.sessions.get(number=2), 3)
    before = taken(run)
    with pytest.raises(SessionFull, match=r"Day 2 \(.*\) is full"):
        run_book(buyer=buyer, workshop=run.workshop, run_id=run.pk)
    assert taken(run) == before
    assert not Order.objects.filter(buyer=buyer).exists()


def test_a_day_that_has_started_refuses_the_whole_run_naming_it(run, buyer):
    later = timezone.make_aware(datetime.datetime.combine(days_from_today(5), datetime.time(10)))
    with pytest.raises(SessionPast, match=r"Day 1 \(.*\) has already started"):
        run_book(buyer=buyer, workshop=run.workshop, run_id=run.pk, now=later)
    assert not Order.objects.exists()


def test_a_day_the_buyer_already_holds_refuses_the_run(run, buyer):
    day_two = run.sessions.get(number=2)
    seat_book(buyer=buyer, workshop=run.workshop, session_id=day_two.pk)
    with pytest.raises(AlreadyBooked, match="You already have a seat on Day 2"):
        run_book(buyer=buyer, workshop=run.workshop, run_id=run.pk)
    assert OrderItem.objects.filter(buyer=buyer).count() == 1


def test_a_run_of_another_workshop_is_not_found(run, buyer):
    other = WorkshopRunFactory()
    WorkshopSessionFactory(run=other)
    with pytest.raises(RunNotFound):
        run_book(buyer=buyer, workshop=run.workshop, run_id=other.pk)


def test_the_page_books_a_run_and_shows_the_order(client, run, buyer):
    client.force_login(buyer)
    page = client.get(run.workshop.get_absolute_url())
    # Day 4 is cancelled: three days are offered, and three are booked.
    assert "Book every day of Spring cohort (3 sessions, one order)" in page.text
    response = client.post(
        reverse("book_run", kwargs={"slug": run.workshop.slug}), {"run": run.pk}, follow=True
    )
    order = Order.objects.get(buyer=buyer)
    assert response.redirect_chain[-1][0] == order.get_absolute_url()
    assert "all 3 days" in response.text
    assert order.seats.count() == 3


def test_a_refused_run_comes_back_on_the_workshop_page_naming_the_day(client, run, buyer):
    sell_seats(run.sessions.get(number=3), 3)
    client.force_login(buyer)
    response = client.post(reverse("book_run", kwargs={"slug": run.workshop.slug}), {"run": run.pk})
    assert response.status_code == 409
    assert "Day 3" in response.text and "is full" in response.text


@pytest.mark.parametrize(
    "held, says",
    [
        # The page says it in the words the booking itself would refuse with (orders.rules).
        (False, "is full, so the whole run cannot be booked."),
        (True, "; see it under My orders, or book the other days one by one."),
    ],
)
def test_a_run_that_cannot_be_booked_whole_says_why_instead_of_offering_it(
    client, run, buyer, held, says
):
    if held:
        day_two = WorkshopSession.objects.get(run=run, number=2)
        seat_book(buyer=buyer, workshop=run.workshop, session_id=day_two.pk)
    else:
        sell_seats(run.sessions.get(number=3), 3)
    client.force_login(buyer)
    page = client.get(run.workshop.get_absolute_url())
    assert says in page.text
    assert "Book every day of" not in page.text


@pytest.mark.parametrize("value", ["", "abc", "-1", "99999999999999999999"])
def test_a_malformed_run_is_a_400(client, run, buyer, value):
    client.force_login(buyer)
    response = client.post(reverse("book_run", kwargs={"slug": run.workshop.slug}), {"run": value})
    assert response.status_code == 400
    assert "Choose a run" in response.text


def test_a_visitor_confirms_the_run_after_logging_in(client, run, buyer):
    url = f"{reverse('book_run', kwargs={'slug': run.workshop.slug})}?run={run.pk}"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(buyer)
    confirm = client.get(url)
    assert "Book all 3 sessions" in confirm.text
    assert not Order.objects.exists()


def test_my_orders_keeps_upcoming_apart_from_past(client, run, buyer):
    client.force_login(buyer)
    upcoming = run_book(buyer=buyer, workshop=run.workshop, run_id=run.pk)
    old_run = WorkshopRunFactory(
        workshop=run.workshop, start_date=days_from_today(-9), end_date=days_from_today(-9)
    )
    old_session = WorkshopSessionFactory(run=old_run, date=days_from_today(-9))
    past = Order.objects.create(buyer=buyer)
    SeatFactory(order=past, session=old_session)
    response = client.get(reverse("orders:list"))
    assert list(response.context["upcoming"]) == [upcoming]
    assert list(response.context["past"]) == [past]
    text = response.text
    assert text.index("Upcoming") < text.index(upcoming.reference) < text.index("Past")
    assert text.index("Past") < text.index(past.reference)
    assert f'href="{upcoming.get_absolute_url()}" class="order-link"' in text


def test_my_orders_pages_upcoming_first_and_keeps_sections_across_pages(client, buyer):
    """Twelve upcoming orders and one past: page 1 has the ten soonest, page 2 the
    last two upcoming and then the past one under its own heading."""
    from core.paging import Paged

    client.force_login(buyer)
    orders = []
    for n in range(12):
        run = WorkshopRunFactory(start_date=days_from_today(30 - n), end_date=days_from_today(30))
        session = WorkshopSessionFactory(run=run, number=1, date=days_from_today(30 - n))
        orders.append(seat_book(buyer=buyer, workshop=run.workshop, session_id=session.pk).order)
    old_run = WorkshopRunFactory(start_date=days_from_today(-9), end_date=days_from_today(-9))
    old_session = WorkshopSessionFactory(run=old_run, date=days_from_today(-9))
    past = Order.objects.create(buyer=buyer)
    SeatFactory(order=past, session=old_session)
    soonest_first = list(reversed(orders))
    first = client.get(reverse("orders:list"))
    paged: Paged = first.context["paged"]
    assert first.context["upcoming"] == soonest_first[:10]
    assert first.context["past"] == []
    assert paged.next_url == "?page=2"
    second = client.get(reverse("orders:list"), {"page": "2"})
    assert second.context["upcoming"] == soonest_first[10:]
    assert second.context["past"] == [past]
    assert second.text.index("Upcoming") < second.text.index("Past and cancelled")
    beyond = client.get(reverse("orders:list"), {"page": "abc"})
    assert beyond.status_code == 200
    assert "not understood" in beyond.text


def test_a_run_that_has_taken_place_is_neither_offered_nor_confirmed(client, buyer):
    run = WorkshopRunFactory(
        workshop__slug="pottery",
        name="Last week",
        start_date=days_from_today(-7),
        end_date=days_from_today(0),
    )
    for number, day in ((1, -7), (2, -6)):
        WorkshopSessionFactory(run=run, number=number, date=days_from_today(day))
    client.force_login(buyer)
    url = reverse("book_run", kwargs={"slug": "pottery"})
    page = client.get(run.workshop.get_absolute_url())
    assert "Book every day of" not in page.text
    confirm = client.get(url, {"run": run.pk})
    assert confirm.status_code == 409
    assert "This run has already taken place" in confirm.text
    assert "Confirm your booking" not in confirm.text
    assert client.post(url, {"run": run.pk}).status_code == 409
    assert not Order.objects.exists()


def test_the_runs_confirmation_shows_each_day_the_price_and_the_total(client, run, buyer):
    client.force_login(buyer)
    page = client.get(run.workshop.get_absolute_url())
    # The workshop page's button leads to the confirmation, by GET: it books nothing.
    assert f'action="{reverse("book_run", kwargs={"slug": "calligraphy"})}"' in page.text
    assert 'method="get"' in page.text.split('class="book-run"')[0].rsplit("<form", 1)[-1]
    confirm = client.get(reverse("book_run", kwargs={"slug": "calligraphy"}), {"run": run.pk})
    assert confirm.status_code == 200
    assert [s.number for s in confirm.context["sessions"]] == [1, 2, 3]  # not the cancelled
    assert confirm.context["total"] == Decimal("135.00")
    assert "$45.00" in confirm.text and "$135.00" in confirm.text
    assert "Book all 3 sessions for $135.00" in confirm.text
    assert not Order.objects.exists()
