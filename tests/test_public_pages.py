"""What search engines and browsers ask of every public page: a description, an icon,
and a robots.txt that keeps private pages out of the index."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from tutoring.tests.factories import TutorProfileFactory
from workshops.tests.factories import WorkshopSessionFactory, days_from_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_pages():
    session = WorkshopSessionFactory(
        date=days_from_today(6),
        run__start_date=days_from_today(5),
        run__workshop__title="Pottery",
        run__workshop__description="Throw your first bowl on the wheel. " * 8,
    )
    tutor = TutorProfileFactory(headline="Maths for the final exams")
    return {
        "home": reverse("home"),
        "store": reverse("workshops:store"),
        "workshop": session.workshop.get_absolute_url(),
        "tutors": reverse("tutoring:tutors"),
        "tutor": tutor.get_absolute_url(),
        "login": reverse("login"),
        "signup": reverse("signup"),
        "assistant": reverse("assistant:chat"),
    }


def description(html: str) -> str:
    [content] = re.findall(r'<meta name="description" content="([^"]*)">', html)
    return content


def test_every_public_page_has_a_description_and_an_icon(client, public_pages):
    for name, url in public_pages.items():
        html = client.get(url).text
        assert 20 <= len(description(html)) <= 170, name
        [icon] = re.findall(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
        assert icon == static("img/favicon.svg"), name


def test_pages_describe_what_they_show(client, public_pages):
    workshop = description(client.get(public_pages["workshop"]).text)
    assert workshop.startswith("Throw your first bowl on the wheel.")
    assert len(workshop) <= 160
    assert "Maths for the final exams" in description(client.get(public_pages["tutor"]).text)


def test_favicon_ico_points_at_the_icon_which_exists(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.url == static("img/favicon.svg")
    assert "<svg" in Path(finders.find("img/favicon.svg")).read_text()


def test_robots_txt_keeps_private_pages_out_and_public_ones_in(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    rules = [line.split(":", 1)[1].strip() for line in response.text.splitlines() if ":" in line]
    assert rules[0] == "*"
    disallowed = rules[1:]
    for private in ("/admin/", "/accounts/", "/orders/", "/host/", "/tutoring/", "/assistant/"):
        assert private in disallowed
    for public in ("/", "/workshops/", "/tutors/"):
        assert not any(public == rule or public.startswith(rule) for rule in disallowed)
