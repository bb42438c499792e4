"""The host's roster and check-in, opened by a private link without logging in."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.tests.factories import UserFactory
from orders.models import OrderItem
from orders.services.booking import seat_book
from orders.services.cancellation import seat_cancel
from orders.services.checkin import seat_check_in
from workshops.models import HostSession
from workshops.services import host_link_provision
from workshops.tests.factories import WorkshopSessionFactory, days_from_today

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("check_in_always_open")]


@pytest.fixture
def session(run):
    return WorkshopSessionFactory(run=run, number=2, date=days_from_today(3), capacity=20)


@pytest.fixture
def link(session) -> HostSession:
    return host_link_provision(session_id=session.pk).link


def book(session, username, first="", last=""):
    buyer = UserFactory(username=username, first_name=first, last_name=last)
    return seat_book(buyer=buyer, workshop=session.workshop, session_id=session.pk)


@pytest.fixture
def seats(session):
    """Amira and Omar booked; Lina booked and cancelled."""
    amira = book(session, "amira", "Amira", "Saleh")
    omar = book(session, "omar", "Omar", "Nasser")
    lina = book(session, "lina", "Lina", "Khoury")
    seat_cancel(seat=lina)
    return {"amira": amira, "omar": omar, "lina": lina}


def roster_url(link) -> str:
    return reverse("host:roster", kwargs={"token": link.token})


def check_in_url(link) -> str:
    return reverse("host:check_in", kwargs={"token": link.token})


def checked_in(seat) -> bool:
    return OrderItem.objects.get(pk=seat.pk).checked_in_at is not None


def assert_private(response) -> None:
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex"


# -- opening the page ---------------------------------------------------------------


def test_the_link_opens_the_sessions_roster_without_logging_in(client, link, seats, session):
    response = client.get(roster_url(link))
    assert response.status_code == 200
    text = response.text
    assert "Robotics" in text and "Spring build" in text and "Day 2" in text
    assert f"{session.date:%A} {session.date.day} {session.date:%B %Y}, " in text
    assert '<bdi class="time-range" dir="ltr">09:00–12:00</bdi>' in text
    for seat in seats.values():
        assert seat.order.reference in text
    assert "Amira Saleh" in text and "Omar Nasser" in text and "Lina Khoury" in text
    roster = response.context["roster"]
    assert (roster.booked, roster.checked_in, roster.to_come) == (2, 0, 2)
    assert [s.attendee_name for s in roster.seats] == ["Amira Saleh", "Omar Nasser", "Lina Khoury"]


def test_host_pages_keep_the_address_private(client, link):
    assert_private(client.get(roster_url(link)))
    assert_private(client.get(reverse("host:roster", kwargs={"token": "A" * 43})))
    assert_private(client.post(check_in_url(link), {"seat": "x"}))


def test_the_roster_shows_who_is_checked_in_and_the_counts(client, link, seats, session):
    seat_check_in(session=session, seat_id=seats["omar"].pk)
    response = client.get(roster_url(link))
    roster = response.context["roster"]
    assert (roster.booked, roster.checked_in, roster.to_come) == (2, 1, 1)
    omar_row = re.search(rf'id="seat-{seats["omar"].pk}".*?</li>', response.text, re.S).group()
    assert "Checked in" in omar_row and "Undo" in omar_row
    lina_row = re.search(rf'id="seat-{seats["lina"].pk}".*?</li>', response.text, re.S).group()
    assert "Cancelled" in lina_row and "Check in" not in lina_row


def rotated_link(link):
    return host_link_provision(session_id=link.session_id, rotate=True).link


def expired_link(link):
    session = link.session
    past = days_from_today(-3)
    session.date = past
    session.save()
    HostSession.objects.filter(pk=link.pk).update(
        created_at=timezone.make_aware(datetime.datetime.combine(past, datetime.time(8)))
    )
    return link


@pytest.mark.parametrize(
    "token",
    [
        "A" * 43,  # never issued
        "not-a-token",  # cannot be one
        "x" * 200,
    ],
)
def test_a_wrong_token_is_a_404_that_names_nothing(client, link, token):
    response = client.get(reverse("host:roster", kwargs={"token": token}))
    assert response.status_code == 404
    assert "Robotics" not in response.text
    assert "This link does not open a session" in response.text


@pytest.mark.parametrize("change", [rotated_link, expired_link], ids=["rotated", "expired"])
def test_a_rotated_or_expired_link_is_the_same_404(client, link, seats, change):
    old_url = roster_url(link)
    change(link)
    unknown = client.get(reverse("host:roster", kwargs={"token": "A" * 43}))
    response = client.get(old_url)
    assert response.status_code == 404
    assert response.text == unknown.text
    post = client.post(
        reverse("host:check_in", kwargs={"token": link.token}), {"seat": seats["amira"].pk}
    )
    assert post.status_code == 404
    assert not checked_in(seats["amira"])


def test_rotating_gives_a_link_that_opens(client, link):
    new = rotated_link(link)
    assert client.get(roster_url(new)).status_code == 200


def test_the_roster_is_read_only_to_a_get(client, link, seats):
    url = f"{check_in_url(link)}?seat={seats['amira'].pk}"
    assert client.get(url).status_code == 405
    assert not checked_in(seats["amira"])


# -- checking in --------------------------------------------------------------------


def test_checking_in_records_it_and_comes_back_to_the_row(client, link, seats):
    seat = seats["amira"]
    response = client.post(check_in_url(link), {"seat": seat.pk})
    assert response.status_code == 302
    assert response.url == f"{roster_url(link)}#seat-{seat.pk}"
    assert checked_in(seat)
    page = client.get(response.url)
    assert "Amira Saleh is checked in." in page.text
    assert page.context["roster"].checked_in == 1


def test_checking_in_twice_is_harmless(client, link, seats):
    seat = seats["amira"]
    client.post(check_in_url(link), {"seat": seat.pk})
    first = OrderItem.objects.get(pk=seat.pk).checked_in_at
    response = client.post(check_in_url(link), {"seat": seat.pk})
    assert response.status_code == 302
    assert OrderItem.objects.get(pk=seat.pk).checked_in_at == first


def test_undo_clears_the_check_in(client, link, seats):
    seat = seats["omar"]
    client.post(check_in_url(link), {"seat": seat.pk})
    response = client.post(check_in_url(link), {"seat": seat.pk, "undo": "1"}, follow=True)
    assert "Omar Nasser is no longer checked in." in response.text
    assert not checked_in(seat)


def test_a_seat_of_another_session_is_refused_with_a_message(client, link, seats):
    other = book(WorkshopSessionFactory(date=days_from_today(4), run=link.session.run), "yusuf")
    response = client.post(check_in_url(link), {"seat": other.pk})
    assert response.status_code == 400
    assert response.context["error"].startswith("That seat is not on this session's roster")
    assert "That seat is not on this session&#x27;s roster" in response.text
    assert not checked_in(other)


def test_a_cancelled_seat_is_refused_with_a_message(client, link, seats):
    response = client.post(check_in_url(link), {"seat": seats["lina"].pk})
    assert response.status_code == 409
    assert "The seat of Lina Khoury was cancelled" in response.text
    assert not checked_in(seats["lina"])


@pytest.mark.parametrize("value", ["", "abc", "0", "-3", "1.5", "99999999999999999999999"])
def test_a_malformed_seat_is_a_400_with_a_message(client, link, seats, value):
    response = client.post(check_in_url(link), {"seat": value})
    assert response.status_code == 400
    assert "Choose a name from the roster." in response.text


def test_a_missing_seat_field_is_a_400_with_a_message(client, link):
    response = client.post(check_in_url(link), {})
    assert response.status_code == 400
    assert "Choose a name from the roster." in response.text


def test_check_in_is_csrf_protected(link, seats):
    client = Client(enforce_csrf_checks=True)
    response = client.post(check_in_url(link), {"seat": seats["amira"].pk})
    assert response.status_code == 403
    assert not checked_in(seats["amira"])


def test_check_in_works_with_the_pages_own_form_and_csrf_token(link, seats):
    client = Client(enforce_csrf_checks=True)
    page = client.get(roster_url(link))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = client.post(
        check_in_url(link), {"seat": seats["amira"].pk, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert checked_in(seats["amira"])


def test_a_cancelled_session_shows_its_roster_but_takes_no_attendance(client, link, seats):
    session = link.session
    session.cancelled_at = timezone.now()
    session.save()
    page = client.get(roster_url(link))
    assert "This session was cancelled" in page.text
    assert 'name="seat"' not in page.text
    response = client.post(check_in_url(link), {"seat": seats["amira"].pk})
    assert response.status_code == 409
    assert not checked_in(seats["amira"])


def test_the_students_order_page_shows_checked_in(client, link, seats):
    seat = seats["amira"]
    Client().post(check_in_url(link), {"seat": seat.pk})
    client.force_login(seat.buyer)
    text = client.get(seat.order.get_absolute_url()).text
    assert "Checked in" in text


# -- a long roster ------------------------------------------------------------------


@pytest.fixture
def long_roster(session):
    people = [
        ("amira", "Amira", "Saleh"),
        ("omar", "Omar", "Nasser"),
        ("lina", "Lina", "Khoury"),
        ("yusuf", "Yusuf", "Haddad"),
        ("sara", "Sara", "Haddad"),
        ("karim", "Karim", "Aziz"),
        ("nour", "Nour", "Farah"),
        ("rami", "Rami", "Daher"),
        ("huda", "Huda", "Mansour"),
    ]
    return [book(session, *person) for person in people]


def test_a_short_roster_has_no_search_box(client, link, seats):
    assert "data-roster-search" not in client.get(roster_url(link)).text


def test_a_long_roster_has_a_search_box_and_its_script(client, link, long_roster):
    text = client.get(roster_url(link)).text
    assert 'type="search" name="q"' in text
    assert "js/roster-search.js" in text
    assert "<script>" not in text and " on" + "input=" not in text  # no inline script


def test_searching_without_javascript_filters_the_roster_on_the_server(client, link, long_roster):
    response = client.get(roster_url(link), {"q": "haddad"})
    names = [seat.attendee_name for seat in response.context["seats"]]
    assert names == ["Sara Haddad", "Yusuf Haddad"]
    assert response.context["roster"].booked == 9  # the counts are the whole session's
    by_reference = client.get(roster_url(link), {"q": long_roster[0].order.reference.lower()})
    assert [s.pk for s in by_reference.context["seats"]] == [long_roster[0].pk]


def test_the_roster_does_not_show_or_search_login_names(client, link, long_roster):
    """Only names the host needs: logins stay private, from the page and its search."""
    buyer = long_roster[0].buyer
    buyer.username = "zz-login-only"
    buyer.save()
    text = client.get(roster_url(link)).text
    assert "Amira Saleh" in text
    assert "zz-login" not in text
    assert list(client.get(roster_url(link), {"q": "zz-login"}).context["seats"]) == []
    assert list(client.get(roster_url(link), {"q": "amira"}).context["seats"]) == [long_roster[0]]


def test_checking_in_from_a_search_comes_back_to_the_search(client, link, long_roster):
    seat = long_roster[3]
    response = client.post(check_in_url(link), {"seat": seat.pk, "q": "Haddad"})
    assert response.url == f"{roster_url(link)}?q=Haddad#seat-{seat.pk}"
