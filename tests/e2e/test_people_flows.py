"""Tutoring, host check-in and the assistant, as the people who use them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from assistant_chat.models import ChatMessage
from core.tests.factories import UserFactory
from orders.services.booking import seat_book
from tests.e2e.conftest import log_in, sideways_overflow
from tutoring.models import RequestStatus, SessionRequest
from tutoring.tests.factories import (
    ParentProfileFactory,
    StudentProfileFactory,
    TutorPackageFactory,
    TutorProfileFactory,
)
from workshops.services import host_link_provision
from workshops.tests.factories import WorkshopFactory, WorkshopSessionFactory, days_from_today

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_parent_requests_a_session_for_their_child_and_the_tutor_accepts(
    page: Page, new_context, context, site
):
    tutor = TutorProfileFactory(user__username="hana")
    TutorPackageFactory(tutor=tutor, name="Exam prep", sessions_count=4)
    child = StudentProfileFactory(user__first_name="Zaid", user__last_name="Aziz")
    parent = ParentProfileFactory(user__username="mariam", user__email="mariam@example.com")
    parent.children.add(child)
    log_in(context, parent.user, site)

    page.goto("/tutors/")
    page.get_by_role("link", name="Hana Mansour").click()
    page.get_by_label("Package").select_option(label="Exam prep · 4 sessions · $50.00")
    page.get_by_label("Child").select_option(label="Zaid Aziz")
    page.get_by_label("When suits you").fill("Saturday mornings")
    page.get_by_label("Message to the tutor").fill("Zaid is preparing for his exams. " * 30)
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("main")).to_contain_text("Hana Mansour")
    request = SessionRequest.objects.get()
    assert request.parent_id == parent.pk and request.child_id == child.pk

    tutor_context = new_context()
    log_in(tutor_context, tutor.user, site)
    tutor_page = tutor_context.new_page()
    tutor_page.goto("/tutoring/requests/")
    card = tutor_page.get_by_role("article").filter(has_text="Zaid Aziz")
    expect(card).to_contain_text("Saturday mornings")
    # The two answers are buttons of one size, side by side.
    accept = card.get_by_role("button", name="Accept").bounding_box()
    decline = card.get_by_role("button", name="Decline").bounding_box()
    assert accept and decline
    assert (round(accept["width"]), round(accept["height"]), round(accept["y"])) == (
        round(decline["width"]),
        round(decline["height"]),
        round(decline["y"]),
    )
    # A long message is folded after its first lines, with "more" to read the rest.
    more = card.locator("details.more")
    card_height = card.bounding_box()["height"]
    assert more.locator("summary").inner_text().endswith("more")
    more.locator("summary").click()
    assert card.bounding_box()["height"] > card_height
    card.get_by_role("button", name="Accept").click()
    expect(tutor_page.get_by_role("main")).to_contain_text("Accepted")

    page.goto("/tutoring/requests/")
    expect(page.get_by_role("main")).to_contain_text("will contact you at mariam@example.com")
    request.refresh_from_db()
    assert request.current_status == RequestStatus.ACCEPTED


@pytest.mark.usefixtures("check_in_always_open")
def test_a_host_checks_an_attendee_in_on_a_phone(phone: Page, site):
    session = WorkshopSessionFactory(
        run__workshop=WorkshopFactory(title="Robotics"), run__start_date=days_from_today(1)
    )
    names = (
        "Ali Hassan",
        "Dana Karim",
        "Huda Said",
        "Ilyas Noor",
        "Jana Fares",
        "Karim Adel",
        "Lina Omar",
        "Maha Sami",
        "Nour Tarek",
    )  # enough for the roster to offer a search
    for name in names:
        first, last = name.split()
        buyer = UserFactory(first_name=first, last_name=last)
        seat_book(buyer=buyer, workshop=session.workshop, session_id=session.pk)
    link = host_link_provision(session_id=session.pk).link

    phone.goto(site + link.get_absolute_url())
    expect(phone.get_by_role("heading", name="Robotics")).to_be_visible()
    assert sideways_overflow(phone) == 0
    phone.get_by_role("searchbox").fill("dana")
    expect(phone.locator("[data-roster-row]:visible")).to_have_count(1)
    phone.get_by_role("button", name="Check in Dana Karim").click()

    expect(phone.get_by_role("list", name="Counts")).to_contain_text("1 checked in")
    dana = phone.locator("[data-roster-row]").filter(has_text="Dana Karim")
    expect(dana).to_contain_text("Checked in")
    assert sideways_overflow(phone) == 0


def _ask_about_seats(page: Page) -> None:
    WorkshopSessionFactory(run__workshop=WorkshopFactory(title="Calligraphy"))
    page.goto("/assistant/")
    page.get_by_label("Your question").fill("Which workshops have seats left?")
    page.get_by_role("button", name="Send").click()


def test_an_assistant_conversation_with_javascript(page: Page):
    _ask_about_seats(page)
    answer = page.locator(".chat-assistant").last
    expect(answer).to_contain_text("Calligraphy")
    assert page.url.endswith("/assistant/"), "answered in place, without a reload"
    expect(page.get_by_label("Your question")).to_have_value("")
    assert ChatMessage.objects.count() == 2


def test_an_assistant_conversation_without_javascript(new_context, site):
    page = new_context(java_script_enabled=False).new_page()
    _ask_about_seats(page)
    expect(page.locator(".chat-assistant").last).to_contain_text("Calligraphy")
    expect(page.locator(".chat-user")).to_contain_text("Which workshops have seats left?")
    assert ChatMessage.objects.count() == 2
