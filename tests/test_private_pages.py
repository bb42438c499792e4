"""Pages that are someone's own are kept out of every cache, and the language cookie
travels over HTTPS only in production."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core.tests.factories import UserFactory
from orders.services.booking import seat_book
from workshops.tests.factories import WorkshopSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    user = UserFactory()
    session = WorkshopSessionFactory()
    order = seat_book(buyer=user, workshop=session.workshop, session_id=session.pk).order
    client.force_login(user)
    return client, order


def private_paths(order) -> list[str]:
    return [
        reverse("orders:list"),
        order.get_absolute_url(),
        reverse("orders:ics", kwargs={"reference": order.reference}),
        reverse("orders:calendar"),
        reverse("tutoring:requests"),
        reverse("assistant:chat"),
        reverse("password_change"),
        reverse("workshops:store"),  # the header names who is signed in
    ]


def test_pages_answered_to_someone_signed_in_are_private_and_never_stored(signed_in):
    client, order = signed_in
    for path in private_paths(order):
        response = client.get(path)
        assert response.status_code == 200, path
        control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= control, (path, response["Cache-Control"])


def test_a_visitors_assistant_page_is_not_stored_either():
    response = Client().get(reverse("assistant:chat"))
    assert "no-store" in response["Cache-Control"]


def test_public_pages_for_visitors_keep_no_such_header():
    assert not Client().get(reverse("workshops:store")).has_header("Cache-Control")


def test_a_calendar_feed_keeps_its_own_short_cache(signed_in):
    from orders.services.calendar_feeds import calendar_feed_turn_on

    client, order = signed_in
    feed = calendar_feed_turn_on(user=order.buyer)
    response = client.get(feed.get_absolute_url())
    assert response["Cache-Control"] == "private, max-age=300"


def test_the_language_cookie_is_secure_and_http_only_in_production(client, settings):
    settings.LANGUAGE_COOKIE_SECURE = True  # as config/settings/production.py sets it
    response = client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "ar"
    assert cookie["secure"] and cookie["httponly"]


def test_production_settings_send_the_language_cookie_over_https_only():
    from core.tests.test_settings import CACHE, SECRET, manage

    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.LANGUAGE_COOKIE_SECURE, settings.LANGUAGE_COOKIE_HTTPONLY)",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="studyhall.example.org",
        STUDYHALL_CACHE_URL=CACHE,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["True", "True"]
