"""A student books in a real browser: choose, confirm, see, add to calendar, cancel."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core.tests.factories import UserFactory
from orders.models import Order, SeatStatus
from orders.services.booking import seat_book
from tests.e2e.conftest import fill_login_form, log_in
from workshops.models import WorkshopSession
from workshops.tests.factories import (
    WorkshopFactory,
    WorkshopRunFactory,
    WorkshopSessionFactory,
    days_from_today,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _calligraphy(days: int = 10, *, sessions: int = 2, capacity: int = 5) -> list[WorkshopSession]:
    """Calligraphy's "Winter course": one session a day for ``sessions`` days."""
    run = WorkshopRunFactory(
        workshop=WorkshopFactory(title="Calligraphy", slug="calligraphy", price=12),
        name="Winter course",
        start_date=days_from_today(days),
        end_date=days_from_today(days + sessions - 1),
    )
    return [
        WorkshopSessionFactory(
            run=run,
            number=day + 1,
            date=run.start_date + datetime.timedelta(days=day),
            capacity=capacity,
        )
        for day in range(sessions)
    ]


def _session_label(session: WorkshopSession) -> str:
    return session.date.strftime("%a %-d %b %Y")


def test_sign_up_book_a_chosen_session_see_it_add_to_calendar_and_cancel(page: Page):
    _first, second = _calligraphy()

    page.goto("/workshops/calligraphy/")
    page.get_by_label(_session_label(second)).check()
    page.get_by_role("button", name="Log in to book").click()
    page.get_by_role("link", name="Create an account").click()

    page.get_by_label("Username").fill("layla")
    page.get_by_label("Student").check()
    page.get_by_label("Password", exact=True).fill("a long and unusual phrase")
    page.get_by_label("Password confirmation").fill("a long and unusual phrase")
    page.get_by_role("main").get_by_role("button", name="Sign up").click()

    # Back on the confirmation page, with the day chosen before signing up.
    expect(page.get_by_role("heading", name="Confirm your booking")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(second.date.strftime("%A %-d %B %Y"))
    assert not Order.objects.exists(), "nothing is booked before the student confirms"
    page.get_by_role("button", name="Book this seat").click()

    order = Order.objects.get(buyer__username="layla")
    assert [seat.session_id for seat in order.seats.all()] == [second.pk]
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {order.reference}")

    page.get_by_role("link", name="My orders").first.click()
    upcoming = page.get_by_role("region", name="Upcoming")
    expect(upcoming).to_contain_text("Calligraphy")
    expect(upcoming).to_contain_text(_session_label(second))
    upcoming.get_by_role("link", name=f"Order {order.reference}").click()

    with page.expect_download() as download:
        page.get_by_role("button", name="Add to calendar (.ics)").click()
    ics = Path(download.value.path()).read_text(encoding="utf-8")
    assert "BEGIN:VEVENT" in ics and "Calligraphy" in ics
    assert download.value.suggested_filename.endswith(".ics")

    page.get_by_role("button", name="Cancel this order…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Cancel order {order.reference}?")
    page.get_by_role("button", name="Yes, cancel the order").click()
    expect(page.get_by_role("main")).to_contain_text("Cancelled")
    assert order.seats.get().status == SeatStatus.CANCELLED
    second.refresh_from_db()
    assert second.seats_taken == 0


def test_a_visitors_choice_is_kept_through_log_in_and_booked_only_when_confirmed(page: Page):
    first, second = _calligraphy()
    UserFactory(username="omar")

    page.goto("/workshops/calligraphy/")
    page.get_by_label(_session_label(second)).check()
    page.get_by_role("button", name="Log in to book").click()
    fill_login_form(page, "omar", "correct horse battery")

    expect(page.get_by_role("heading", name="Confirm your booking")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(second.date.strftime("%A %-d %B %Y"))
    assert not Order.objects.exists()
    page.get_by_role("button", name="Book this seat").click()

    expect(page.get_by_role("main")).to_contain_text("Booked: Calligraphy")
    seat = Order.objects.get(buyer__username="omar").seats.get()
    assert seat.session_id == second.pk

    # Back on the workshop page, the day is marked as held and cannot be chosen again.
    page.goto("/workshops/calligraphy/")
    held = page.get_by_label(_session_label(second))
    expect(held).to_be_disabled()
    expect(page.locator("label", has=held)).to_contain_text("Your seat")
    expect(page.get_by_label(_session_label(first))).to_be_enabled()


def test_a_refused_choice_is_never_replaced_by_another_session(page: Page, context, site):
    first, _second = _calligraphy(capacity=1)
    student = UserFactory(username="sara")
    log_in(context, student, site)

    page.goto("/workshops/calligraphy/")
    page.get_by_label(_session_label(first)).check()
    # Someone else takes the last seat while Sara is looking at the page.
    seat_book(buyer=UserFactory(username="other"), workshop=first.workshop, session_id=first.pk)
    page.get_by_role("button", name="Book a seat").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("full")
    expect(page.get_by_role("radio", checked=True)).to_have_count(0)
    expect(page.get_by_label(_session_label(first))).to_be_disabled()

    # Pressing Book again without a choice books nothing: it asks for one.
    page.get_by_role("button", name="Book a seat").evaluate(
        "button => button.form.noValidate = true"
    )
    page.get_by_role("button", name="Book a seat").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose")
    assert not Order.objects.filter(buyer=student).exists()


def test_a_whole_run_is_booked_in_one_order(page: Page, context, site):
    sessions = _calligraphy(sessions=3)
    log_in(context, UserFactory(username="nadia"), site)

    page.goto("/workshops/calligraphy/")
    page.get_by_role(
        "button", name="Book every day of Winter course (3 sessions, one order)"
    ).click()

    # The run's confirmation page: each day, the price per seat and the total first.
    expect(page.get_by_role("heading", name="Confirm your booking")).to_be_visible()
    main = page.get_by_role("main")
    for session in sessions:
        expect(main).to_contain_text(session.date.strftime("%A %-d %B %Y"))
    prices = page.locator("dl.confirm-total")
    expect(prices).to_contain_text(re.compile(r"Price per seat\s*\$12\.00"))
    expect(prices).to_contain_text(re.compile(r"Total\s*\$36\.00"))
    assert not Order.objects.exists(), "nothing is booked before the student confirms"
    page.get_by_role("button", name="Book all 3 sessions for $36.00").click()

    expect(page.get_by_role("main")).to_contain_text("Booked: Calligraphy, all 3 days")
    order = Order.objects.get(buyer__username="nadia")
    assert sorted(order.seats.values_list("session_id", flat=True)) == [s.pk for s in sessions]
    for session in sessions:
        expect(page.get_by_role("main")).to_contain_text(session.date.strftime("%A %-d %B %Y"))
