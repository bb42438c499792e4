"""Add to calendar: an order's .ics download, and each user's private feed of their seats
that calendar apps subscribe to, behind a token the user can renew or turn off."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from core.tests.factories import UserFactory
from orders.models import CalendarFeed
from orders.selectors import CALENDAR_PAST_DAYS
from orders.services.booking import run_book, seat_book
from orders.services.calendar_feeds import calendar_feed_turn_on
from orders.services.cancellation import order_cancel, seat_cancel, sessions_cancel
from orders.tests.factories import SeatFactory
from workshops.models import WorkshopSession
from workshops.tests.factories import WorkshopRunFactory, WorkshopSessionFactory, days_from_today

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def kuwait(settings):
    """A business three hours ahead of UTC, all year: 10:00 there is 07:00Z."""
    settings.TIME_ZONE = "Asia/Kuwait"
    settings.STUDYHALL_SITE_URL = "https://studyhall.example.org"


@pytest.fixture
def run():
    run = WorkshopRunFactory(
        name="February evenings",
        start_date=days_from_today(10),
        end_date=days_from_today(12),
        workshop__title="Robotics with Arduino",
    )
    for number in (1, 2, 3):
        WorkshopSessionFactory(
            run=run,
            number=number,
            date=days_from_today(9 + number),
            start_time=datetime.time(10),
            end_time=datetime.time(12, 30),
        )
    return run


@pytest.fixture
def buyer(client):
    user = UserFactory(username="amira")
    client.force_login(user)
    return user


def events(content: bytes) -> list:
    return sorted(Calendar.from_ical(content).walk("VEVENT"), key=lambda e: e.decoded("dtstart"))


def assert_well_formed(content: bytes) -> None:
    """RFC 5545 on the wire: CRLF line ends, lines of at most 75 octets."""
    lines = content.split(b"\r\n")
    assert lines[-1] == b"" and b"\n" not in content.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines), max(lines, key=len)


# -- an order's .ics ---------------------------------------------------------------------------


def test_an_order_downloads_as_ics_with_times_in_utc_and_the_time_zone_named(client, buyer, run):
    order = run_book(buyer=buyer, workshop=run.workshop, run_id=run.pk)

    response = client.get(reverse("orders:ics", kwargs={"reference": order.reference}))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert (
        f'attachment; filename="studyhall-{order.reference}.ics"' in response["Content-Disposition"]
    )
    assert_well_formed(response.content)
    assert b"X-WR-TIMEZONE:Asia/Kuwait\r\n" in response.content
    first_day = days_from_today(10)
    assert f"DTSTART:{first_day:%Y%m%d}T070000Z\r\n".encode() in response.content
    assert f"DTEND:{first_day:%Y%m%d}T093000Z\r\n".encode() in response.content
    found = events(response.content)
    assert [str(event["summary"]) for event in found] == [
        f"Robotics with Arduino · Day {n}" for n in (1, 2, 3)
    ]
    order_url = f"https://studyhall.example.org/orders/{order.reference}/"
    assert all(str(event["url"]) == order_url for event in found)
    assert all(order.reference in str(event["description"]) for event in found)
    assert len({str(event["uid"]) for event in found}) == 3


def test_the_order_page_offers_add_to_calendar(client, buyer, run):
    order = seat_book(buyer=buyer, workshop=run.workshop, session_id=run.sessions.first().pk).order
    page = client.get(order.get_absolute_url()).text
    assert reverse("orders:ics", kwargs={"reference": order.reference}) in page
    assert "Add to calendar" in page


def test_the_ics_marks_cancelled_seats_and_sessions_cancelled_with_their_uids(client, buyer, run):
    order = run_book(buyer=buyer, workshop=run.workshop, run_id=run.pk)
    first, second, _ = order.seats.order_by("session__number")
    before = {str(e["uid"]) for e in events(client.get(ics_url(order)).content)}
    seat_cancel(seat=first)
    sessions_cancel(session_ids=[second.session_id])

    after = events(client.get(ics_url(order)).content)

    assert {str(e["uid"]) for e in after} == before
    assert [(str(e["summary"]), str(e["status"]), int(e["sequence"])) for e in after] == [
        ("Robotics with Arduino · Day 1", "CANCELLED", 1),
        ("Robotics with Arduino · Day 2", "CANCELLED", 1),
        ("Robotics with Arduino · Day 3", "CONFIRMED", 0),
    ]


def test_a_cancelled_orders_ics_carries_its_events_cancelled(client, buyer, run):
    order = run_book(buyer=buyer, workshop=run.workshop, run_id=run.pk)
    order_cancel(order=order)
    response = client.get(ics_url(order))
    assert response.status_code == 200
    statuses = [str(e["status"]) for e in events(response.content)]
    assert statuses == ["CANCELLED"] * 3
    page = client.get(order.get_absolute_url())
    assert "Remove it from your calendar (.ics)" in page.text


def ics_url(order) -> str:
    return reverse("orders:ics", kwargs={"reference": order.reference})


def test_another_user_cannot_download_an_order_s_ics(client, run):
    order = seat_book(
        buyer=UserFactory(), workshop=run.workshop, session_id=run.sessions.first().pk
    ).order
    url = reverse("orders:ics", kwargs={"reference": order.reference})
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(UserFactory(username="omar"))
    assert client.get(url).status_code == 404


def test_long_and_arabic_titles_survive_folding(client, buyer, run):
    run.workshop.title = "الروبوتات مع أردوينو; للمبتدئين, " * 4
    run.workshop.save()
    order = seat_book(buyer=buyer, workshop=run.workshop, session_id=run.sessions.first().pk).order
    response = client.get(reverse("orders:ics", kwargs={"reference": order.reference}))
    assert_well_formed(response.content)
    [event] = events(response.content)
    assert str(event["summary"]) == f"{run.workshop.title} · Day 1"


# -- the private feed ------------------------------------------------------------------------


def turn(client, action: str):
    return client.post(reverse("orders:calendar"), {"action": action}, follow=True)


def test_a_user_turns_on_their_feed_and_a_calendar_app_reads_it_without_logging_in(
    client, buyer, run
):
    assert "Make my calendar address" in client.get(reverse("orders:calendar")).text
    run_book(buyer=buyer, workshop=run.workshop, run_id=run.pk)
    other = UserFactory(username="omar")
    seat_book(buyer=other, workshop=run.workshop, session_id=run.sessions.first().pk)

    page = turn(client, "on")

    feed = CalendarFeed.objects.get(user=buyer)
    url = f"https://studyhall.example.org/orders/feed/{feed.token}.ics"
    assert url in page.text
    assert f"webcal://studyhall.example.org/orders/feed/{feed.token}.ics" in page.text
    response = Client().get(feed.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["X-Robots-Tag"] == "noindex"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in response.content
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in response.content
    assert_well_formed(response.content)
    assert len(events(response.content)) == 3  # Amira's seats, not Omar's
    assert Client().head(feed.get_absolute_url()).status_code == 200


def test_turning_the_feed_on_twice_keeps_one_address(client, buyer):
    turn(client, "on")
    token = CalendarFeed.objects.get(user=buyer).token
    turn(client, "on")
    assert list(CalendarFeed.objects.values_list("token", flat=True)) == [token]


def test_renewing_stops_the_old_address_and_turning_off_stops_all(client, buyer):
    old = calendar_feed_turn_on(user=buyer)

    page = turn(client, "renew")

    new = CalendarFeed.objects.get(user=buyer)
    assert new.token != old.token
    assert "the old one no longer works" in page.text
    assert Client().get(old.get_absolute_url()).status_code == 404
    assert Client().get(new.get_absolute_url()).status_code == 200

    page = turn(client, "off")

    assert "Make my calendar address" in page.text
    gone = Client().get(new.get_absolute_url())
    assert gone.status_code == 404
    assert "renewed or turned off" in gone.text


@pytest.mark.parametrize("action", ["", "delete", "ON"])
def test_an_unknown_action_is_explained_and_changes_nothing(client, buyer, action):
    feed = calendar_feed_turn_on(user=buyer)
    response = client.post(reverse("orders:calendar"), {"action": action})
    assert response.status_code == 400
    assert "Choose one of the buttons" in response.text
    assert CalendarFeed.objects.get(user=buyer).token == feed.token


def test_the_feed_keeps_a_month_of_past_sessions_and_drops_cancellations(buyer, run):
    feed = calendar_feed_turn_on(user=buyer)
    order = run_book(buyer=buyer, workshop=run.workshop, run_id=run.pk)
    first, second, _ = order.seats.order_by("session__number")
    seat_cancel(seat=first)
    sessions_cancel(session_ids=[second.session_id])
    for days_ago, title in ((CALENDAR_PAST_DAYS - 1, "Recent"), (CALENDAR_PAST_DAYS + 1, "Old")):
        SeatFactory(
            order__buyer=buyer,
            session__date=timezone.localdate() - datetime.timedelta(days=days_ago),
            session__run__start_date=timezone.localdate() - datetime.timedelta(days=days_ago),
            session__run__workshop__title=title,
            session__number=1,
        )

    found = events(Client().get(feed.get_absolute_url()).content)

    assert [str(e["summary"]) for e in found] == ["Recent · Day 1", "Robotics with Arduino · Day 3"]
    order_cancel(order=order)
    assert len(events(Client().get(feed.get_absolute_url()).content)) == 1


def test_a_moved_session_moves_in_the_feed_under_the_same_uid(buyer, run):
    feed = calendar_feed_turn_on(user=buyer)
    session = run.sessions.get(number=1)
    seat_book(buyer=buyer, workshop=run.workshop, session_id=session.pk)
    [before] = events(Client().get(feed.get_absolute_url()).content)

    WorkshopSession.objects.filter(pk=session.pk).update(
        start_time=datetime.time(14), end_time=datetime.time(16, 30)
    )

    [after] = events(Client().get(feed.get_absolute_url()).content)
    assert str(after["uid"]) == str(before["uid"])
    assert after.decoded("dtstart") - before.decoded("dtstart") == datetime.timedelta(hours=4)


def test_the_feed_runs_the_same_queries_for_one_seat_or_many(buyer, django_assert_num_queries):
    feed = calendar_feed_turn_on(user=buyer)
    client = Client()
    SeatFactory(
        order__buyer=buyer,
        session__date=days_from_today(3),
        session__run__start_date=days_from_today(3),
    )
    with django_assert_num_queries(2):  # the feed with its user, then the seats
        client.get(feed.get_absolute_url())
    for _ in range(5):
        SeatFactory(
            order__buyer=buyer,
            session__date=days_from_today(4),
            session__run__start_date=days_from_today(4),
        )
    with django_assert_num_queries(2):
        response = client.get(feed.get_absolute_url())
    assert len(events(response.content)) == 6


def test_the_calendar_page_is_for_signed_in_users(client):
    response = client.get(reverse("orders:calendar"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
