import pytest
from django.contrib.auth import authenticate
from django.urls import reverse

from assistant_chat.models import ChatMessage, ChatSession
from core.tests.commands import run_command
from orders.models import Order, OrderItem
from workshops.models import Category, HostSession, Workshop, WorkshopRun, WorkshopSession

pytestmark = pytest.mark.django_db


def counts():
    return tuple(
        model.objects.count()
        for model in (
            Category,
            Workshop,
            WorkshopRun,
            WorkshopSession,
            Order,
            OrderItem,
            HostSession,
            ChatSession,
            ChatMessage,
        )
    )


def test_seed_demo_is_idempotent(monkeypatch):
    first = run_command(monkeypatch, "seed_demo")
    after_first = counts()
    second = run_command(monkeypatch, "seed_demo")
    assert (first.code, second.code) == (0, 0)
    assert counts() == after_first
    assert "14 new booking(s)" in first.out
    assert "0 new booking(s)" in second.out
    assert "Assistant: 2 demo conversations, 5 new exchange(s)." in first.out
    assert "Assistant: 2 demo conversations, 0 new exchange(s)." in second.out


def test_seed_demo_covers_every_state_a_page_shows(monkeypatch):
    run_command(monkeypatch, "seed_demo")
    assert Workshop.objects.count() == 16  # more than a page of the store
    assert all(w.runs.exists() for w in Workshop.objects.all())
    assert Workshop.objects.exclude(title_ar="").count() == 16
    assert not Workshop.objects.filter(category=None).exists()
    assert Category.objects.count() == 4
    statuses = set(WorkshopSession.objects.with_status().values_list("status_value", flat=True))
    assert {"completed", "cancelled", "upcoming", "active", "full"} <= statuses
    assert WorkshopSession.objects.filter(number=3).exists()  # multi-day runs


def test_the_printed_logins_work(monkeypatch, client):
    result = run_command(monkeypatch, "seed_demo")
    password = result.out.split("password for all: ")[1].split(")")[0]
    assert authenticate(username="staff", password=password).is_staff
    for student in ("amira", "omar", "lina"):
        assert f"student: {student}" in result.out
        assert authenticate(username=student, password=password) is not None
    client.login(username="staff", password=password)
    assert client.get(reverse("admin:workshops_workshoprun_changelist")).status_code == 200


def test_seeded_seat_counts_equal_the_booked_seats(monkeypatch):
    run_command(monkeypatch, "seed_demo")
    for session in WorkshopSession.objects.all():
        assert session.seats_taken == session.seats.filter(status="active").count()


def test_seed_demo_has_tutoring_requests_in_every_status(monkeypatch):
    from tutoring.models import RequestStatus, SessionRequest

    result = run_command(monkeypatch, "seed_demo")
    statuses = set(
        SessionRequest.objects.with_effective_status().values_list("effective_status", flat=True)
    )
    assert statuses == set(RequestStatus.values)
    assert "6 new session request(s)" in result.out
    assert "0 new session request(s)" in run_command(monkeypatch, "seed_demo").out
    assert SessionRequest.objects.count() == 6


def test_seed_demo_prints_tutor_and_parent_logins_that_work(monkeypatch):
    from tutoring.models import ParentProfile, TutorProfile

    result = run_command(monkeypatch, "seed_demo")
    password = result.out.split("password for all: ")[1].split(")")[0]
    for tutor in ("hana", "samir"):
        assert f"tutor (requests at /tutoring/requests/): {tutor}" in result.out
        user = authenticate(username=tutor, password=password)
        assert TutorProfile.objects.filter(user=user).exists()
    assert "parent of two children (a family order for both): mariam" in result.out
    parent = ParentProfile.objects.get(user=authenticate(username="mariam", password=password))
    assert parent.children.count() == 2


@pytest.mark.django_db(transaction=True)
def test_seed_demo_sends_no_email(monkeypatch, mailoutbox):
    """Committed for real, so the services' after-commit emails would go out."""
    run_command(monkeypatch, "seed_demo")
    assert mailoutbox == []
    from tutoring.models import SessionRequest

    assert SessionRequest.objects.count() == 6


def test_the_printed_host_links_open_their_rosters(monkeypatch, client, settings):
    settings.STUDYHALL_SITE_URL = "http://127.0.0.1:8021"
    first = run_command(monkeypatch, "seed_demo")
    again = run_command(monkeypatch, "seed_demo")
    urls = [line.split(": ")[-1] for line in first.out.splitlines() if "/host/" in line]
    assert len(urls) == HostSession.objects.count() == 2
    assert [line for line in again.out.splitlines() if "/host/" in line] == [
        line for line in first.out.splitlines() if "/host/" in line
    ]
    for url in urls:
        assert url.startswith("http://127.0.0.1:8021/host/")
        response = client.get(url.removeprefix("http://127.0.0.1:8021"))
        assert response.status_code == 200
        assert response.context["roster"].booked > 0


def test_the_demo_conversations_are_answered_from_the_demo_data(monkeypatch):
    run_command(monkeypatch, "seed_demo")
    visitor = ChatSession.objects.get(user__isnull=True)
    student = ChatSession.objects.get(user__username="amira")
    assert visitor.title == "Which workshops have seats left?"
    answers = list(visitor.messages.filter(role="assistant").values_list("content", flat=True))
    assert "[Robotics with Arduino](/workshops/robotics-arduino/)" in answers[0]
    assert answers[1].startswith("[Intro to Python Programming](/workshops/intro-to-python/)")
    assert answers[2].startswith("[Arabic Calligraphy for Beginners]")
    bookings = student.messages.get(sequence=2).content
    reference = Order.objects.filter(buyer__username="amira").first().reference
    assert bookings.startswith("Your upcoming bookings:") and reference in bookings


def test_staff_read_both_demo_conversations_in_the_admin(monkeypatch, client):
    result = run_command(monkeypatch, "seed_demo")
    password = result.out.split("password for all: ")[1].split(")")[0]
    client.login(username="staff", password=password)
    response = client.get(reverse("admin:assistant_chat_chatsession_changelist"))
    assert response.status_code == 200
    assert {s.title for s in response.context["cl"].result_list} == {
        "Which workshops have seats left?",
        "What are my bookings?",
    }
    for session in ChatSession.objects.all():
        change = reverse("admin:assistant_chat_chatsession_change", args=[session.pk])
        assert client.get(change).status_code == 200


def test_the_demo_store_finds_calligraphy_next_month_under_a_price(monkeypatch, client):
    """The store's promise, on the demo data: calligraphy for next month under a price,
    in English or Arabic, is one search away, and cheaper than the masterclass."""
    run_command(monkeypatch, "seed_demo")
    for search in ("calligraphy", "خط"):
        response = client.get(
            reverse("workshops:store"), {"q": search, "when": "next-month", "max_price": "50"}
        )
        assert [w.slug for w in response.context["workshops"]] == ["arabic-calligraphy"]
    every = client.get(reverse("workshops:store"))
    assert every.context["paged"].page.paginator.num_pages == 2


def test_the_demo_fills_every_arabic_field_so_the_store_reads_wholly_in_arabic(monkeypatch):
    from tutoring.models import TutorPackage, TutorProfile

    run_command(monkeypatch, "seed_demo")
    empty = {
        "workshop title": Workshop.objects.filter(title_ar=""),
        "workshop description": Workshop.objects.filter(description_ar=""),
        "run name": WorkshopRun.objects.filter(name_ar=""),
        "category": Category.objects.filter(name_ar=""),
        "tutor headline": TutorProfile.objects.filter(headline_ar=""),
        "tutor bio": TutorProfile.objects.filter(bio_ar=""),
        "package name": TutorPackage.objects.filter(name_ar=""),
    }
    assert {what: list(rows) for what, rows in empty.items() if rows.exists()} == {}


def test_the_demo_has_a_family_order(monkeypatch):
    run_command(monkeypatch, "seed_demo")
    family = OrderItem.objects.filter(buyer__username="mariam")
    assert sorted(family.values_list("attendee__username", flat=True)) == ["layla", "zaid"]
    assert family.values("order").distinct().count() == 1
