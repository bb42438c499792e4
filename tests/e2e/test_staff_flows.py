"""Staff work in the Django admin: repeat a run, cancel a session; the buyer sees it."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from core.tests.factories import UserFactory, staff_user
from orders.models import SeatStatus
from orders.services.booking import seat_book
from tests.e2e.conftest import PHONE, log_in, run_admin_action
from workshops.models import WorkshopRun
from workshops.tests.factories import (
    WorkshopFactory,
    WorkshopRunFactory,
    WorkshopSessionFactory,
    days_from_today,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _pottery_run():
    run = WorkshopRunFactory(
        workshop=WorkshopFactory(title="Pottery", slug="pottery"),
        name="Evening wheel",
        start_date=days_from_today(5),
        end_date=days_from_today(6),
    )
    sessions = [
        WorkshopSessionFactory(
            run=run, number=day + 1, date=run.start_date + datetime.timedelta(day)
        )
        for day in range(2)
    ]
    return run, sessions


def test_staff_repeat_a_run_at_a_new_date(page: Page, context, site):
    run, _sessions = _pottery_run()
    log_in(context, staff_user("workshops", "orders"), site)
    new_start = days_from_today(40)

    page.goto("/admin/workshops/workshoprun/")
    run_admin_action(page, "Evening wheel", "Clone run at a new start date")
    page.get_by_label("New start date").fill(new_start.isoformat())
    page.get_by_role("button", name="Clone run").click()

    expect(page.locator(".messagelist")).to_contain_text("with 2 sessions")
    copy = WorkshopRun.objects.exclude(pk=run.pk).get()
    assert copy.start_date == new_start
    assert sorted(copy.sessions.values_list("date", flat=True)) == [
        new_start,
        new_start + datetime.timedelta(days=1),
    ]
    assert copy.workshop_id == run.workshop_id


def test_staff_cancel_a_session_and_its_buyer_is_told(page: Page, new_context, context, site):
    _run, (first, second) = _pottery_run()
    buyer = UserFactory(username="yusuf", email="yusuf@example.com")
    seat = seat_book(buyer=buyer, workshop=first.workshop, session_id=first.pk)
    log_in(context, staff_user("workshops", "orders"), site)

    page.goto("/admin/workshops/workshopsession/")
    run_admin_action(page, "Day 1", "Cancel selected sessions and their seats…")
    # Nothing happens before staff confirm.
    expect(page.get_by_role("main")).to_contain_text("1 seat booked")
    seat.refresh_from_db()
    assert seat.status == SeatStatus.ACTIVE
    page.get_by_role("button", name="Yes, cancel these sessions").click()
    expect(page.locator(".messagelist")).to_contain_text("Cancelled 1 session; 1 seat freed")

    seat.refresh_from_db()
    first.refresh_from_db()
    assert seat.status == SeatStatus.CANCELLED and first.seats_taken == 0
    booked, cancelled = mail.outbox  # the booking's confirmation, then the news
    assert booked.subject.startswith("Booked: Pottery")
    assert cancelled.to == ["yusuf@example.com"] and cancelled.subject.startswith(
        "Cancelled: Pottery on "
    )

    # The buyer, on their own phone, sees it on My orders with the next session offered.
    buyer_context = new_context(viewport=PHONE, is_mobile=True)
    log_in(buyer_context, buyer, site)
    buyer_page = buyer_context.new_page()
    buyer_page.goto(site + "/orders/")
    notice = buyer_page.get_by_role("note")
    expect(notice).to_contain_text("We cancelled this session")
    expect(notice).to_contain_text(second.date.strftime("%A %-d %B"))
    notice.get_by_role("link", name="Book it").click()
    expect(buyer_page.get_by_role("heading", name="Confirm your booking")).to_be_visible()


def test_staff_add_a_session_with_only_its_run_date_and_times(page: Page, context, site):
    run, _sessions = _pottery_run()  # sessions 1 and 2; the workshop gives 10 seats
    other = WorkshopRunFactory(workshop=WorkshopFactory(title="Chess"), name="Openings")
    log_in(context, staff_user("workshops", "orders"), site)

    page.goto("/admin/workshops/workshopsession/add/")
    page.get_by_label("Workshop:").select_option(label="Pottery")
    runs = page.get_by_label("Run:")
    # Only the chosen workshop's runs are offered.
    assert runs.locator("option:not([hidden])").all_inner_texts() == [
        "- Select an option -",
        str(run),
    ]
    assert runs.locator(f"option[value='{other.pk}']").is_hidden()
    runs.select_option(value=str(run.pk))
    page.get_by_label("Date:").fill(run.end_date.isoformat())
    page.get_by_label("Start time:").fill("18:00")
    page.get_by_label("End time:").fill("20:00")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    made = run.sessions.get(start_time=datetime.time(18))
    assert (made.number, made.capacity) == (3, 10)


def test_staff_find_a_failed_email_and_send_it_again(page: Page, context, site):
    from emails.models import Email, EmailStatus

    _run, (first, _second) = _pottery_run()
    buyer = UserFactory(username="yusuf", email="yusuf@example.com")
    seat = seat_book(buyer=buyer, workshop=first.workshop, session_id=first.pk)
    Email.objects.update(
        status=EmailStatus.FAILED, sent_at=None, attempts=9, last_error="SMTPConnectError: down"
    )
    mail.outbox.clear()
    log_in(context, staff_user("emails"), site)
    page.set_viewport_size(PHONE)

    page.goto("/admin/emails/email/")
    page.get_by_role("link", name="Failed").click()
    expect(page.get_by_role("row").filter(has_text="yusuf")).to_contain_text("Failed")
    run_admin_action(page, "yusuf", "Send the selected failed emails again")
    expect(page.locator(".messagelist")).to_contain_text("1 email will be sent again.")
    [email] = mail.outbox
    assert email.subject == f"Booked: Pottery (order {seat.order.reference})"
    assert Email.objects.get().status == EmailStatus.SENT
